import ArgumentParser
import Glibc

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

    static func main() {
        SimpleCommandLine.runIfSimple(CommandLine.arguments)
        Logs.bootstrap()
        main(nil)
    }
}
