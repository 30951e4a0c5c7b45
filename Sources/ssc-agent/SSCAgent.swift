import ArgumentParser

@main
struct SSCAgent: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ssc-agent",
        abstract: "Server-side copy agent: reflink, copy_file_range and libaio streaming, best first.",
        version: "0.1.0",
        subcommands: [CopyCommand.self, CloneCommand.self, ProbeCommand.self]
    )
}
