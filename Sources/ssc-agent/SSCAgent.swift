import ArgumentParser
import Glibc
import Logging

@main
struct SSCAgent: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ssc-agent",
        abstract: "Server-side copy agent: reflink, copy_file_range and libaio streaming, best first.",
        version: "0.1.0",
        subcommands: [
            CopyCommand.self, CloneCommand.self, ProbeCommand.self, ProfilesCommand.self, BenchCommand.self, ServeCommand.self,
            JobsCommand.self, StatusCommand.self, CancelCommand.self,
        ]
    )

    /// Log lines go to stderr at the level named by SSC_AGENT_LOG (trace, debug, info,
    /// notice, warning, error, critical; default warning).
    static func main() {
        let level = getenv("SSC_AGENT_LOG").flatMap { Logger.Level(rawValue: String(cString: $0).lowercased()) } ?? .warning
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        SimpleCommandLine.runIfSimple(CommandLine.arguments)
        main(nil)
    }
}
