import Glibc

/// The kernel's page cache, for cold runs.
enum PageCache {
    /// Writes back dirty data and drops clean page cache, dentries and inodes, so the
    /// next run reads from the device (needs root).
    static func drop() throws(BenchError) {
        sync()
        let fd = open("/proc/sys/vm/drop_caches", O_WRONLY | O_CLOEXEC)
        guard fd >= 0 else { throw BenchError("cannot open /proc/sys/vm/drop_caches to drop the page cache: \(errnoText())") }
        defer { close(fd) }
        let written = write(fd, "3\n", 2)
        guard written == 2 else { throw BenchError("writing /proc/sys/vm/drop_caches failed: \(errnoText())") }
    }
}
