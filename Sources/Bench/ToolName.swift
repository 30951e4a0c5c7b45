/// The external tools `--compare` can put beside the backends.
public enum ToolName: String, CaseIterable, Sendable {
    case cp
    case dd
    case fio
    case sgXcopy = "sg_xcopy"
}

extension ToolName {
    var executable: String { rawValue }

    /// The Debian package that ships it.
    var package: String {
        switch self {
        case .cp, .dd: "coreutils"
        case .fio: "fio"
        case .sgXcopy: "sg3-utils"
        }
    }
}
