#ifndef SSC_CSHIMS_H
#define SSC_CSHIMS_H

// Only what Swift cannot import from Glibc: ioctl request macros (function-like
// _IO*/_IOW* macros), declarations glibc hides behind _GNU_SOURCE (copy_file_range,
// O_DIRECT, O_TMPFILE, SEEK_DATA/SEEK_HOLE, fallocate flags) and statx's
// STATX_DIOALIGN fields. Every function returns -1 and leaves errno set on failure,
// like the system call it wraps. _GNU_SOURCE is defined in shims.c only.

#include <stdint.h>
#include <sys/types.h>

#ifdef __cplusplus
extern "C" {
#endif

// Open flags and whence values that glibc only declares under _GNU_SOURCE.
int ssc_o_direct(void);
int ssc_o_tmpfile(void);
int ssc_seek_data(void);
int ssc_seek_hole(void);

// copy_file_range(2) with no flags; returns bytes copied, 0 at EOF, -1 on error.
ssize_t ssc_copy_file_range(int fd_in, int64_t *off_in, int fd_out, int64_t *off_out, size_t len);

// FICLONE and FICLONERANGE (linux/fs.h). A src_length of 0 clones to source EOF.
int ssc_ficlone(int dst_fd, int src_fd);
int ssc_ficlonerange(int dst_fd, int src_fd, uint64_t src_offset, uint64_t src_length, uint64_t dst_offset);

// Block device ioctls (linux/fs.h).
int ssc_blkgetsize64(int fd, uint64_t *bytes);
int ssc_blksszget(int fd, int *logical_block_size);
int ssc_blkpbszget(int fd, unsigned int *physical_block_size);
int ssc_blkzeroout(int fd, uint64_t offset, uint64_t length);
int ssc_blkflsbuf(int fd);
// BLKGETDISKSEQ (Linux 5.15): the disk's sequence number, new for every disk the kernel
// creates and for every media change (a loop device's each new backing file); a
// partition answers with its disk's.
int ssc_blkgetdiskseq(int fd, uint64_t *sequence);

// fallocate(FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE).
int ssc_punch_hole(int fd, int64_t offset, int64_t length);

// posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL): a larger readahead window for a
// source read front to back. Returns 0 or an errno value (not -1), like posix_fadvise.
int ssc_fadvise_sequential(int fd);

// fallocate(fd, 0, offset, length): allocate (as unwritten extents) and extend i_size.
int ssc_preallocate(int fd, int64_t offset, int64_t length);

// statx(fd, "", AT_EMPTY_PATH, STATX_DIOALIGN). has_dioalign is 1 when the kernel
// filled the fields; both alignments are 0 when the file does not support O_DIRECT.
struct ssc_dio_align {
    int has_dioalign;
    uint32_t mem_align;
    uint32_t offset_align;
};
int ssc_statx_dioalign(int fd, struct ssc_dio_align *out);

// fstatfs(2) fields the engine uses (glibc's sys/vfs.h is not in Swift's Glibc module).
struct ssc_statfs_info {
    uint64_t type;        // f_type magic (BTRFS_SUPER_MAGIC, XFS_SUPER_MAGIC, ...)
    uint64_t block_size;  // f_bsize
    uint64_t blocks;      // f_blocks
    uint64_t blocks_free; // f_bavail
};
int ssc_fstatfs(int fd, struct ssc_statfs_info *out);

// FS_IOC_FIEMAP summary of a file's extents in [0, length): how many, how many carry
// FIEMAP_EXTENT_SHARED, and how many bytes those cover. Used by probes and tests.
struct ssc_fiemap_summary {
    uint64_t extents;
    uint64_t shared_extents;
    uint64_t shared_bytes;
    uint64_t mapped_bytes;
};
int ssc_fiemap_summary(int fd, uint64_t length, struct ssc_fiemap_summary *out);

// ---- Unix-socket plumbing for the agent's protocol ----

int ssc_o_path(void);

// accept4 with SOCK_CLOEXEC (a _GNU_SOURCE call).
int ssc_accept_cloexec(int fd);

// Names the calling thread (15 bytes kept), for ps -L and debuggers.
void ssc_set_thread_name(const char *name);

// SO_PEERCRED of a connected Unix socket (struct ucred needs _GNU_SOURCE).
struct ssc_peer_credentials {
    int32_t pid;
    uint32_t uid;
    uint32_t gid;
};
int ssc_peer_credentials(int fd, struct ssc_peer_credentials *out);

// recvmsg with room for up to `max_fds` SCM_RIGHTS descriptors, received with
// MSG_CMSG_CLOEXEC. Returns the byte count (0 at end of stream) or -1 with errno. On
// return *fd_count holds how many descriptors arrived (all of them, up to the space the
// control buffer had: the caller owns and must close them) and *truncated is nonzero when
// the kernel set MSG_CTRUNC (descriptors were lost) or data was cut (MSG_TRUNC).
ssize_t ssc_recv_with_fds(int fd, void *buffer, size_t length, int *fds, int max_fds, int *fd_count, int *truncated);

// sendmsg of `length` bytes with `fd_count` descriptors as SCM_RIGHTS (none when 0),
// MSG_NOSIGNAL. Returns bytes sent or -1 with errno.
ssize_t ssc_send_with_fds(int fd, const void *buffer, size_t length, const int *fds, int fd_count);

#ifdef __cplusplus
}
#endif

#endif
