#define _GNU_SOURCE
#include "CShims.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/fiemap.h>
#include <linux/fs.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
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
