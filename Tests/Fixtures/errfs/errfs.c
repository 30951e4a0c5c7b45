/*
 * errfs: a FUSE filesystem whose files fail the way remote and quota-limited storage
 * fails, so the agent's stale and quota errors are tested through the real kernel
 * paths (VFS and FUSE) rather than only where errno is mapped.
 *
 *   /stale   1 MiB, every read fails with ESTALE (a file handle the server forgot)
 *   /quota   empty, every write fails with EDQUOT (the owner's quota is exhausted)
 *
 * Usage: errfs MOUNTPOINT -f   (runs in the foreground; unmount to stop)
 */
#define FUSE_USE_VERSION 31
#include <errno.h>
#include <fuse.h>
#include <string.h>
#include <sys/stat.h>

static int errfs_getattr(const char *path, struct stat *st, struct fuse_file_info *fi) {
    (void)fi;
    memset(st, 0, sizeof(*st));
    if (strcmp(path, "/") == 0) {
        st->st_mode = S_IFDIR | 0755;
        st->st_nlink = 2;
    } else if (strcmp(path, "/stale") == 0) {
        st->st_mode = S_IFREG | 0644;
        st->st_nlink = 1;
        st->st_size = 1 << 20;
    } else if (strcmp(path, "/quota") == 0) {
        st->st_mode = S_IFREG | 0666;
        st->st_nlink = 1;
    } else {
        return -ENOENT;
    }
    return 0;
}

static int errfs_readdir(const char *path, void *buffer, fuse_fill_dir_t fill, off_t offset, struct fuse_file_info *fi,
                         enum fuse_readdir_flags flags) {
    (void)offset; (void)fi; (void)flags;
    if (strcmp(path, "/") != 0) return -ENOENT;
    fill(buffer, ".", NULL, 0, 0);
    fill(buffer, "..", NULL, 0, 0);
    fill(buffer, "stale", NULL, 0, 0);
    fill(buffer, "quota", NULL, 0, 0);
    return 0;
}

static int errfs_open(const char *path, struct fuse_file_info *fi) {
    (void)fi;
    return strcmp(path, "/stale") == 0 || strcmp(path, "/quota") == 0 ? 0 : -ENOENT;
}

static int errfs_read(const char *path, char *buffer, size_t size, off_t offset, struct fuse_file_info *fi) {
    (void)buffer; (void)size; (void)offset; (void)fi;
    return strcmp(path, "/stale") == 0 ? -ESTALE : 0;
}

static int errfs_write(const char *path, const char *buffer, size_t size, off_t offset, struct fuse_file_info *fi) {
    (void)path; (void)buffer; (void)size; (void)offset; (void)fi;
    return -EDQUOT;
}

static int errfs_truncate(const char *path, off_t size, struct fuse_file_info *fi) {
    (void)path; (void)size; (void)fi;
    return 0;
}

static const struct fuse_operations operations = {
    .getattr = errfs_getattr,
    .readdir = errfs_readdir,
    .open = errfs_open,
    .read = errfs_read,
    .write = errfs_write,
    .truncate = errfs_truncate,
};

int main(int argc, char *argv[]) {
    return fuse_main(argc, argv, &operations, NULL);
}
