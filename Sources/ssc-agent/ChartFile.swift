import Bench
import Glibc

/// Writing the --chart file: checked before the bench starts, written whole at the end
/// (a temporary file beside it, then rename), so a failed bench leaves no half chart.
enum ChartFile {
    static func checkWritable(_ path: String) throws(BenchError) {
        let directory = path.lastIndex(of: "/").map { $0 == path.startIndex ? "/" : String(path[..<$0]) } ?? "."
        var st = Glibc.stat()
        if fstatat(AT_FDCWD, path, &st, 0) == 0, st.st_mode & S_IFMT == S_IFDIR {
            throw BenchError("\(path): --chart names a directory; give a file name such as bench.svg")
        }
        guard fstatat(AT_FDCWD, directory, &st, 0) == 0, st.st_mode & S_IFMT == S_IFDIR else {
            throw BenchError("\(path): --chart: the directory \(directory) does not exist")
        }
        guard access(directory, W_OK) == 0 else {
            throw BenchError("\(path): --chart: the directory \(directory) is not writable")
        }
    }

    static func write(_ text: String, to path: String) throws(BenchError) {
        let temporary = path + ".tmp-\(getpid())"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw BenchError("\(path): cannot write the chart: \(String(cString: strerror(errno)))") }
        var text = text
        let complete = text.withUTF8 { bytes -> Bool in
            var done = 0
            while done < bytes.count {
                let n = Glibc.write(fd, bytes.baseAddress! + done, bytes.count - done)
                if n < 0 && errno == EINTR { continue }
                if n <= 0 { return false }
                done += n
            }
            return true
        }
        let problem = complete ? nil : String(cString: strerror(errno))
        close(fd)
        guard complete, rename(temporary, path) == 0 else {
            let reason = problem ?? String(cString: strerror(errno))
            unlink(temporary)
            throw BenchError("\(path): cannot write the chart: \(reason)")
        }
    }
}
