/*
 * ssc_client: a libc-only client for the ssc-agent local-socket protocol, version 1,
 * for NFS server developers. One connection, one request at a time; descriptors travel
 * as SCM_RIGHTS with the frame's first byte. See docs/protocol.md.
 *
 * Every call returns 0 on success, or -1 with *err filled: err->kind is the agent's
 * error kind ("invalid", "not_supported", ...) and err->nfs4 the NFSv4 status the front
 * answers its client with ("NFS4ERR_NOTSUPP", ...). Transport failures have kind
 * "transport" and nfs4 "NFS4ERR_SERVERFAULT".
 */
#ifndef SSC_CLIENT_H
#define SSC_CLIENT_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct ssc_client ssc_client;

typedef struct {
    int code;               /* JSON-RPC error code */
    char kind[32];          /* data.kind */
    char nfs4[48];          /* data.nfs4 */
    char message[512];      /* one human sentence */
    int has_errno;
    long long errno_value;  /* data.errno, when has_errno */
    int has_bytes;
    uint64_t bytes;         /* data.bytes: contiguous bytes in place, when has_bytes */
} ssc_error;

/* copy.start arguments (RFC 7862 COPY plus the agent's own). Zero-initialise, then set. */
typedef struct {
    uint64_t src_offset;
    uint64_t dst_offset;
    uint64_t count;         /* 0: to the source's end of file */
    int synchronous;
    int stable;             /* ask for FILE_SYNC */
    int guarded;
    int truncate;
    const char *backend;    /* NULL: the agent chooses */
    const char *key;        /* idempotency key (e.g. the copy stateid), or NULL */
} ssc_copy_args;

typedef struct {
    /* synchronous */
    uint64_t bytes;
    int is_short;
    char committed[16];     /* "FILE_SYNC" or "UNSTABLE" */
    char verifier[64];      /* the agent's boot_id */
    /* both */
    char backend[32];
    /* asynchronous */
    char job[128];
} ssc_copy_result;

typedef struct {
    char job[128];
    char state[16];         /* running, done, failed, cancelled */
    uint64_t bytes;
    uint64_t count;
    char backend[32];
    char committed[16];     /* empty while running */
    int has_error;
    ssc_error error;
} ssc_job_status;

/* A copy.done event (the front's CB_OFFLOAD). */
typedef struct {
    uint64_t seq;
    char job[128];
    char state[16];
    uint64_t bytes;
    char committed[16];
    char verifier[64];
    int has_error;
    ssc_error error;
} ssc_copy_done;

ssc_client *ssc_connect(const char *socket_path, ssc_error *err);
void ssc_close(ssc_client *client);

/* agent.hello: the boot_id (verifier) and limits. */
int ssc_hello(ssc_client *client, char *boot_id, size_t boot_id_size, uint64_t *sync_max_bytes, int *max_async_jobs,
              ssc_error *err);

/* copy.clone on two descriptors (CLONE). */
int ssc_clone(ssc_client *client, int src_fd, int dst_fd, uint64_t src_offset, uint64_t dst_offset, uint64_t count,
              uint64_t *bytes, ssc_error *err);

/* copy.start on two descriptors (COPY), or on two absolute paths (only for a peer
 * running as root or as the agent's user). */
int ssc_copy_start(ssc_client *client, int src_fd, int dst_fd, const ssc_copy_args *args, ssc_copy_result *result,
                   ssc_error *err);
int ssc_copy_start_paths(ssc_client *client, const char *src_path, const char *dst_path, const ssc_copy_args *args,
                         ssc_copy_result *result, ssc_error *err);

/* copy.status (OFFLOAD_STATUS), copy.cancel (OFFLOAD_CANCEL), copy.release. */
int ssc_copy_status(ssc_client *client, const char *job, ssc_job_status *status, ssc_error *err);
int ssc_copy_cancel(ssc_client *client, const char *job, ssc_job_status *status, ssc_error *err);
int ssc_copy_release(ssc_client *client, const char *job, ssc_error *err);

/* events.subscribe, then ssc_wait_copy_done for each copy.done notification
 * (timeout_ms < 0 waits forever; returns 1 when the timeout passed first). */
int ssc_subscribe(ssc_client *client, uint64_t *seq, ssc_error *err);
int ssc_wait_copy_done(ssc_client *client, int timeout_ms, ssc_copy_done *event, ssc_error *err);

/* Any method: params as a JSON object text, optional descriptors; on success *result
 * holds the result's JSON text (free() it). */
int ssc_call(ssc_client *client, const char *method, const char *params_json, const int *fds, int fd_count,
             char **result, ssc_error *err);

/* Reading JSON texts the calls return: the member `key` of a top-level object. */
int ssc_json_string(const char *json, const char *key, char *out, size_t out_size);
int ssc_json_u64(const char *json, const char *key, uint64_t *out);
int ssc_json_bool(const char *json, const char *key, int *out);
/* A pointer to the raw value text of `key` (not copied), with its length. */
const char *ssc_json_value(const char *json, const char *key, size_t *length);

#ifdef __cplusplus
}
#endif

#endif
