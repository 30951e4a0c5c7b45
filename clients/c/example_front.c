/*
 * example_front: how an NFS server front drives ssc-agent, one scenario per run.
 * Each NFS operation the front would answer is printed as one line:
 *   CLONE NFS4_OK bytes=N | CLONE <NFS4ERR_...> kind=K
 *   COPY NFS4_OK bytes=N backend=B committed=C | COPY <NFS4ERR_...> kind=K bytes=N
 *   CB_OFFLOAD job=J state=S bytes=N    OFFLOAD_STATUS job=J bytes=N
 *   OFFLOAD_CANCEL job=J state=S bytes=N    READWRITE bytes=N
 * and the run ends with "RESULT copied" (the data is in place by some path) or
 * "RESULT failed". Scenarios (SRC and DST are opened here, as nfsd holds them open):
 *   clone-or-copy SRC DST           CLONE; on NOTSUPP or XDEV fall back to COPY
 *   copy-range SRC DST SOFF DOFF N  synchronous COPY of a range, re-issued while short
 *   copy-async SRC DST              asynchronous COPY, OFFLOAD_STATUS polls, CB_OFFLOAD
 *   copy-or-readwrite SRC DST [BACKEND]
 *                                   COPY (optionally forcing a backend); on any error
 *                                   fall back to reading and writing the data itself
 *   offload-cancel SRC DST          asynchronous COPY, then OFFLOAD_CANCEL
 *   copy-paths SRC DST              COPY naming absolute paths instead of descriptors
 *   copy-per-line SRC DST [BACKEND] one connection and both descriptors kept, as an NFS
 *                                   server keeps them: a COPY for each line read on
 *                                   stdin, each answered by its lines and then
 *                                   "DONE copied" or "DONE failed"; end of input ends
 *                                   the run
 */
#define _GNU_SOURCE
#include "ssc_client.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/fs.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

static void print_error(const char *op, const ssc_error *e) {
    printf("%s %s kind=%s bytes=%" PRIu64 " message=%s\n", op, e->nfs4, e->kind, e->has_bytes ? e->bytes : 0, e->message);
}

/* The source's size: st_size for a regular file, BLKGETSIZE64 for a block device
 * (whose st_size is 0). */
static int source_size(int fd, uint64_t *size) {
    struct stat st;
    if (fstat(fd, &st) != 0) return -1;
    if (S_ISBLK(st.st_mode)) return ioctl(fd, BLKGETSIZE64, size);
    *size = (uint64_t)st.st_size;
    return 0;
}

/* NFS READ/WRITE done by the front itself: the last resort. */
static int read_write(int src, int dst, uint64_t src_offset, uint64_t dst_offset, uint64_t count) {
    uint64_t size;
    if (count == 0) {
        if (source_size(src, &size) != 0 || size < src_offset) return -1;
        count = size - src_offset;
    }
    char *buffer = malloc(1 << 20);
    if (!buffer) return -1;
    uint64_t done = 0;
    while (done < count) {
        size_t want = count - done < (1 << 20) ? (size_t)(count - done) : (1 << 20);
        ssize_t n = pread(src, buffer, want, (off_t)(src_offset + done));
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        ssize_t written = 0;
        while (written < n) {
            ssize_t w = pwrite(dst, buffer + written, (size_t)(n - written), (off_t)(dst_offset + done + (uint64_t)written));
            if (w < 0 && errno == EINTR) continue;
            if (w <= 0) { free(buffer); return -1; }
            written += w;
        }
        done += (uint64_t)n;
    }
    free(buffer);
    printf("READWRITE bytes=%" PRIu64 "\n", done);
    return done == count ? 0 : -1;
}

/* A synchronous COPY, re-issued from where it stopped while the agent answers short
 * (its sync_max_bytes), as an NFS client re-sends a short COPY. */
static int copy_sync(ssc_client *c, int src, int dst, uint64_t src_offset, uint64_t dst_offset, uint64_t count, const char *backend) {
    uint64_t size;
    if (count == 0 && source_size(src, &size) == 0 && size > src_offset) count = size - src_offset;
    uint64_t done = 0;
    do {
        ssc_copy_args a = { 0 };
        a.src_offset = src_offset + done;
        a.dst_offset = dst_offset + done;
        a.count = count - done;
        a.synchronous = 1;
        a.backend = backend;
        ssc_copy_result r;
        ssc_error e;
        if (ssc_copy_start(c, src, dst, &a, &r, &e) != 0) {
            print_error("COPY", &e);
            return -1;
        }
        printf("COPY NFS4_OK bytes=%" PRIu64 " short=%d backend=%s committed=%s\n", r.bytes, r.is_short, r.backend, r.committed);
        if (r.bytes == 0) break;
        done += r.bytes;
    } while (done < count);
    return done == count ? 0 : -1;
}

static int open_pair(const char *src_path, const char *dst_path, int *src, int *dst) {
    *src = open(src_path, O_RDONLY | O_CLOEXEC);
    if (*src < 0) { fprintf(stderr, "%s: %s\n", src_path, strerror(errno)); return -1; }
    *dst = open(dst_path, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
    if (*dst < 0) { fprintf(stderr, "%s: %s\n", dst_path, strerror(errno)); close(*src); return -1; }
    return 0;
}

static int async_copy(ssc_client *c, int src, int dst, int cancel) {
    ssc_error e;
    uint64_t seq;
    if (ssc_subscribe(c, &seq, &e) != 0) { print_error("SUBSCRIBE", &e); return -1; }
    ssc_copy_args a = { 0 };
    ssc_copy_result r;
    if (ssc_copy_start(c, src, dst, &a, &r, &e) != 0) { print_error("COPY", &e); return -1; }
    printf("COPY NFS4_OK async job=%s backend=%s\n", r.job, r.backend);
    if (cancel) {
        ssc_job_status s;
        if (ssc_copy_cancel(c, r.job, &s, &e) != 0) { print_error("OFFLOAD_CANCEL", &e); return -1; }
        printf("OFFLOAD_CANCEL job=%s state=%s bytes=%" PRIu64 "\n", s.job, s.state, s.bytes);
    }
    for (;;) {
        ssc_copy_done d;
        int rc = ssc_wait_copy_done(c, 200, &d, &e);
        if (rc < 0) { print_error("CB_OFFLOAD", &e); return -1; }
        if (rc == 0 && strcmp(d.job, r.job) == 0) {
            printf("CB_OFFLOAD job=%s state=%s bytes=%" PRIu64 " committed=%s\n", d.job, d.state, d.bytes, d.committed);
            ssc_copy_release(c, r.job, &e);
            if (d.has_error) print_error("COPY", &d.error);
            return strcmp(d.state, "done") == 0 ? 0 : (cancel && strcmp(d.state, "cancelled") == 0 ? 0 : -1);
        }
        /* No callback yet: OFFLOAD_STATUS. */
        ssc_job_status s;
        if (ssc_copy_status(c, r.job, &s, &e) == 0) printf("OFFLOAD_STATUS job=%s bytes=%" PRIu64 "\n", s.job, s.bytes);
    }
}

int main(int argc, char **argv) {
    if (argc < 5) {
        fprintf(stderr, "usage: %s SOCKET SCENARIO SRC DST [ARGS...]\n", argv[0]);
        return 2;
    }
    const char *socket_path = argv[1], *scenario = argv[2], *src_path = argv[3], *dst_path = argv[4];
    ssc_error e;
    ssc_client *c = ssc_connect(socket_path, &e);
    if (!c) { fprintf(stderr, "connect: %s\n", e.message); return 2; }
    char boot_id[64] = "";
    uint64_t sync_max = 0;
    int max_async = 0;
    if (ssc_hello(c, boot_id, sizeof(boot_id), &sync_max, &max_async, &e) != 0) { print_error("HELLO", &e); return 2; }
    printf("HELLO boot_id=%s sync_max_bytes=%" PRIu64 " max_async_jobs=%d\n", boot_id, sync_max, max_async);

    int ok = -1;
    if (strcmp(scenario, "copy-paths") == 0) {
        ssc_copy_args a = { 0 };
        a.synchronous = 1;
        ssc_copy_result r;
        if (ssc_copy_start_paths(c, src_path, dst_path, &a, &r, &e) != 0) print_error("COPY", &e);
        else { printf("COPY NFS4_OK bytes=%" PRIu64 " backend=%s\n", r.bytes, r.backend); ok = 0; }
        printf("RESULT %s\n", ok == 0 ? "copied" : "failed");
        ssc_close(c);
        return ok == 0 ? 0 : 1;
    }
    int src, dst;
    if (open_pair(src_path, dst_path, &src, &dst) != 0) { ssc_close(c); return 2; }
    if (strcmp(scenario, "clone-or-copy") == 0) {
        uint64_t bytes = 0;
        if (ssc_clone(c, src, dst, 0, 0, 0, &bytes, &e) == 0) {
            printf("CLONE NFS4_OK bytes=%" PRIu64 "\n", bytes);
            ok = 0;
        } else {
            print_error("CLONE", &e);
            if (strcmp(e.kind, "not_supported") == 0 || strcmp(e.kind, "xdev") == 0) ok = copy_sync(c, src, dst, 0, 0, 0, NULL);
        }
    } else if (strcmp(scenario, "copy-range") == 0 && argc == 8) {
        ok = copy_sync(c, src, dst, strtoull(argv[5], NULL, 0), strtoull(argv[6], NULL, 0), strtoull(argv[7], NULL, 0), NULL);
    } else if (strcmp(scenario, "copy-async") == 0) {
        ok = async_copy(c, src, dst, 0);
    } else if (strcmp(scenario, "offload-cancel") == 0) {
        ok = async_copy(c, src, dst, 1);
    } else if (strcmp(scenario, "copy-per-line") == 0) {
        /* Each answer goes out whole before the next request is read: the other end
         * of stdout may be a pipe waiting for it. */
        char line[64];
        ok = 0;
        fflush(stdout);
        while (fgets(line, sizeof line, stdin)) {
            int copied = copy_sync(c, src, dst, 0, 0, 0, argc > 5 ? argv[5] : NULL);
            if (copied != 0) ok = -1;
            printf("DONE %s\n", copied == 0 ? "copied" : "failed");
            fflush(stdout);
        }
    } else if (strcmp(scenario, "copy-or-readwrite") == 0) {
        ok = copy_sync(c, src, dst, 0, 0, 0, argc > 5 ? argv[5] : NULL);
        if (ok != 0) ok = read_write(src, dst, 0, 0, 0);
    } else {
        fprintf(stderr, "unknown scenario %s\n", scenario);
        return 2;
    }
    printf("RESULT %s\n", ok == 0 ? "copied" : "failed");
    close(src);
    close(dst);
    ssc_close(c);
    return ok == 0 ? 0 : 1;
}
