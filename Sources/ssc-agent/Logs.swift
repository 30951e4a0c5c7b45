import Glibc
import Logging

/// Log lines go to stderr at the level named by SSC_AGENT_LOG (trace, debug, info,
/// notice, warning, error, critical; default warning).
///
/// Loggers are made here with their handler directly, not through swift-log's global
/// factory: the plain copy and clone command lines never bootstrap LoggingSystem, whose
/// first use costs more start-up than the rest of a reflink copy's logging set-up.
/// Commands run by ArgumentParser bootstrap it too (`bootstrap()`), so any
/// `Logger(label:)` made below them logs the same way.
enum Logs {
    static let level: Logger.Level =
        getenv("SSC_AGENT_LOG").flatMap { Logger.Level(rawValue: String(cString: $0).lowercased()) } ?? .warning

    static func logger(_ label: String) -> Logger {
        Logger(label: label, factory: handler)
    }

    static func bootstrap() {
        LoggingSystem.bootstrap(handler)
    }

    private static func handler(label: String) -> any LogHandler {
        var handler = StreamLogHandler.standardError(label: label, metadataProvider: nil)
        handler.logLevel = level
        return handler
    }
}
