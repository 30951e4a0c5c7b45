import Glibc

/// Finds executables in $PATH and the usual system directories (a root shell under sudo
/// or cron may lack /usr/sbin).
struct ToolSearch {
    var directories: [String]

    static func standard() -> ToolSearch {
        let path = getenv("PATH").map { String(cString: $0) } ?? ""
        var directories = path.split(separator: ":").map(String.init).filter { $0.hasPrefix("/") }
        for extra in ["/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin"] where !directories.contains(extra) {
            directories.append(extra)
        }
        return ToolSearch(directories: directories)
    }

    func find(_ name: String) -> String? {
        for directory in directories {
            let candidate = directory + "/" + name
            var st = Glibc.stat()
            if fstatat(AT_FDCWD, candidate, &st, 0) == 0, st.st_mode & S_IFMT == S_IFREG, access(candidate, X_OK) == 0 {
                return candidate
            }
        }
        return nil
    }
}
