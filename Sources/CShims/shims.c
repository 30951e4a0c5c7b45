#define _GNU_SOURCE
#include "CShims.h"

#include <errno.h>
#include <pthread.h>
#include <fcntl.h>
#include <linux/fiemap.h>
#include <linux/fs.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/vfs.h>
#include <unistd.h>

int ssc_o_direct(void) { return O_DIRECT; }
int ssc_o_tmpfile(void) { return O_TMPFILE; }
int ssc_seek_data(void) { return SEEK_DATA; }
int ssc_seek_hole(void) { return SEEK_HOLE; }

ssize_t ssc_copy_file_range(int fd_in, int64_t *off_in, int fd_out, int64_t *off_out, size_t len) {
    loff_t in = *off_in, out = *off_out;
    ssize_t n = copy_file_range(fd_in, &in, fd_out, &out, len, 0);
    *off_in = in;
    *off_out = out;
    return n;
}

int ssc_ficlone(int dst_fd, int src_fd) { return ioctl(dst_fd, FICLONE, src_fd); }

int ssc_ficlonerange(int dst_fd, int src_fd, uint64_t src_offset, uint64_t src_length, uint64_t dst_offset) {
    struct file_clone_range range = {
        .src_fd = src_fd,
        .src_offset = src_offset,
        .src_length = src_length,
        .dest_offset = dst_offset,
    };
    return ioctl(dst_fd, FICLONERANGE, &range);
}

int ssc_blkgetsize64(int fd, uint64_t *bytes) { return ioctl(fd, BLKGETSIZE64, bytes); }
int ssc_blksszget(int fd, int *size) { return ioctl(fd, BLKSSZGET, size); }
int ssc_blkpbszget(int fd, unsigned int *size) { return ioctl(fd, BLKPBSZGET, size); }

int ssc_blkzeroout(int fd, uint64_t offset, uint64_t length) {
    uint64_t range[2] = {offset, length};
    return ioctl(fd, BLKZEROOUT, range);
}

int ssc_blkflsbuf(int fd) { return ioctl(fd, BLKFLSBUF, 0); }
#ifndef BLKGETDISKSEQ
#define BLKGETDISKSEQ _IOR(0x12, 128, __u64)
#endif
int ssc_blkgetdiskseq(int fd, uint64_t *sequence) { return ioctl(fd, BLKGETDISKSEQ, sequence); }

int ssc_punch_hole(int fd, int64_t offset, int64_t length) {
    return fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, offset, length);
}

int ssc_fadvise_sequential(int fd) { return posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL); }

int ssc_preallocate(int fd, int64_t offset, int64_t length) {
    return fallocate(fd, 0, offset, length);
}

int ssc_statx_dioalign(int fd, struct ssc_dio_align *out) {
    struct statx stx;
    memset(&stx, 0, sizeof stx);
    if (statx(fd, "", AT_EMPTY_PATH, STATX_DIOALIGN, &stx) != 0)
        return -1;
    out->has_dioalign = (stx.stx_mask & STATX_DIOALIGN) ? 1 : 0;
    out->mem_align = out->has_dioalign ? stx.stx_dio_mem_align : 0;
    out->offset_align = out->has_dioalign ? stx.stx_dio_offset_align : 0;
    return 0;
}

int ssc_fiemap_summary(int fd, uint64_t length, struct ssc_fiemap_summary *out) {
    enum { BATCH = 256 };
    size_t size = sizeof(struct fiemap) + BATCH * sizeof(struct fiemap_extent);
    struct fiemap *map = calloc(1, size);
    if (map == NULL) {
        errno = ENOMEM;
        return -1;
    }
    memset(out, 0, sizeof *out);
    uint64_t start = 0;
    int last = 0;
    while (!last && start < length) {
        memset(map, 0, size);
        map->fm_start = start;
        map->fm_length = length - start;
        map->fm_flags = FIEMAP_FLAG_SYNC;
        map->fm_extent_count = BATCH;
        if (ioctl(fd, FS_IOC_FIEMAP, map) != 0) {
            int saved = errno;
            free(map);
            errno = saved;
            return -1;
        }
        if (map->fm_mapped_extents == 0)
            break;
        for (unsigned i = 0; i < map->fm_mapped_extents; i++) {
            struct fiemap_extent *e = &map->fm_extents[i];
            out->extents++;
            out->mapped_bytes += e->fe_length;
            if (e->fe_flags & FIEMAP_EXTENT_SHARED) {
                out->shared_extents++;
                out->shared_bytes += e->fe_length;
            }
            if (e->fe_flags & FIEMAP_EXTENT_LAST)
                last = 1;
            start = e->fe_logical + e->fe_length;
        }
    }
    free(map);
    return 0;
}

int ssc_fstatfs(int fd, struct ssc_statfs_info *out) {
    struct statfs sfs;
    if (fstatfs(fd, &sfs) != 0)
        return -1;
    out->type = (uint64_t)sfs.f_type;
    out->block_size = (uint64_t)sfs.f_bsize;
    out->blocks = (uint64_t)sfs.f_blocks;
    out->blocks_free = (uint64_t)sfs.f_bavail;
    return 0;
}

// ---- Unix-socket plumbing ----

int ssc_o_path(void) { return O_PATH; }

int ssc_accept_cloexec(int fd) { return accept4(fd, NULL, NULL, SOCK_CLOEXEC); }

void ssc_set_thread_name(const char *name) {
    char short_name[16];
    strncpy(short_name, name, sizeof(short_name) - 1);
    short_name[sizeof(short_name) - 1] = 0;
    pthread_setname_np(pthread_self(), short_name);
}

int ssc_peer_credentials(int fd, struct ssc_peer_credentials *out) {
    struct ucred cred;
    socklen_t len = sizeof(cred);
    if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0) return -1;
    out->pid = cred.pid;
    out->uid = cred.uid;
    out->gid = cred.gid;
    return 0;
}

ssize_t ssc_recv_with_fds(int fd, void *buffer, size_t length, int *fds, int max_fds, int *fd_count, int *truncated) {
    *fd_count = 0;
    *truncated = 0;
    if (max_fds < 0) max_fds = 0;
    size_t control_length = CMSG_SPACE(sizeof(int) * (size_t)(max_fds > 0 ? max_fds : 1));
    char *control = calloc(1, control_length);
    if (!control) { errno = ENOMEM; return -1; }
    struct iovec iov = { .iov_base = buffer, .iov_len = length };
    struct msghdr msg = { 0 };
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = control;
    msg.msg_controllen = control_length;
    ssize_t n = recvmsg(fd, &msg, MSG_CMSG_CLOEXEC);
    if (n < 0) { int saved = errno; free(control); errno = saved; return -1; }
    for (struct cmsghdr *c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
        if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS) continue;
        size_t count = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
        int *data = (int *)CMSG_DATA(c);
        for (size_t i = 0; i < count; i++) {
            if (*fd_count < max_fds) {
                fds[(*fd_count)++] = data[i];
            } else {
                close(data[i]);  // no room to hand it over: never leak it
                *truncated = 1;
            }
        }
    }
    if (msg.msg_flags & (MSG_CTRUNC | MSG_TRUNC)) *truncated = 1;
    free(control);
    return n;
}

ssize_t ssc_send_with_fds(int fd, const void *buffer, size_t length, const int *fds, int fd_count) {
    struct iovec iov = { .iov_base = (void *)buffer, .iov_len = length };
    struct msghdr msg = { 0 };
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    char *control = NULL;
    if (fd_count > 0) {
        size_t control_length = CMSG_SPACE(sizeof(int) * (size_t)fd_count);
        control = calloc(1, control_length);
        if (!control) { errno = ENOMEM; return -1; }
        msg.msg_control = control;
        msg.msg_controllen = control_length;
        struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
        c->cmsg_level = SOL_SOCKET;
        c->cmsg_type = SCM_RIGHTS;
        c->cmsg_len = CMSG_LEN(sizeof(int) * (size_t)fd_count);
        memcpy(CMSG_DATA(c), fds, sizeof(int) * (size_t)fd_count);
    }
    ssize_t n = sendmsg(fd, &msg, MSG_NOSIGNAL);
    int saved = errno;
    free(control);
    errno = saved;
    return n;
}
