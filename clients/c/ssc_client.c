/*
 * ssc_client.c: the protocol over a Unix stream socket with libc only. Frames are a
 * 4-byte big-endian length and that many bytes of JSON (JSON-RPC 2.0). The JSON writer
 * escapes every string it sends; the reader is a bounds-checked scanner that finds
 * members of an object without building a tree.
 */
#define _GNU_SOURCE
#include "ssc_client.h"

#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#define SSC_MAX_FRAME (1u << 20)

typedef struct pending_note {
    char *json;
    struct pending_note *next;
} pending_note;

struct ssc_client {
    int fd;
    long long next_id;
    pending_note *notes_head, *notes_tail;
};

/* ---------------------------------------------------------------- errors */

static void set_error(ssc_error *err, const char *kind, const char *nfs4, const char *fmt, ...) {
    if (!err) return;
    memset(err, 0, sizeof(*err));
    snprintf(err->kind, sizeof(err->kind), "%s", kind);
    snprintf(err->nfs4, sizeof(err->nfs4), "%s", nfs4);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->message, sizeof(err->message), fmt, ap);
    va_end(ap);
}

static void transport_error(ssc_error *err, const char *what) {
    set_error(err, "transport", "NFS4ERR_SERVERFAULT", "%s: %s", what, errno ? strerror(errno) : "connection closed");
}

/* ---------------------------------------------------------------- JSON reading */

static const char *skip_ws(const char *p, const char *end) {
    while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')) p++;
    return p;
}

/* The end of the value starting at p, or NULL when malformed. */
static const char *skip_value(const char *p, const char *end) {
    p = skip_ws(p, end);
    if (p >= end) return NULL;
    if (*p == '"') {
        for (p++; p < end; p++) {
            if (*p == '\\') { p++; continue; }
            if (*p == '"') return p + 1;
        }
        return NULL;
    }
    if (*p == '{' || *p == '[') {
        int depth = 0;
        for (; p < end; p++) {
            if (*p == '"') {
                p = skip_value(p, end);
                if (!p) return NULL;
                p--;
            } else if (*p == '{' || *p == '[') {
                if (++depth > 64) return NULL;
            } else if (*p == '}' || *p == ']') {
                if (--depth == 0) return p + 1;
            }
        }
        return NULL;
    }
    while (p < end && *p != ',' && *p != '}' && *p != ']' && *p != ' ' && *p != '\n' && *p != '\r' && *p != '\t') p++;
    return p;
}

/* Finds member `key` of the object in [p, end); its value in [*vs, *ve). */
static int find_member(const char *p, const char *end, const char *key, const char **vs, const char **ve) {
    p = skip_ws(p, end);
    if (p >= end || *p != '{') return -1;
    p++;
    size_t key_length = strlen(key);
    for (;;) {
        p = skip_ws(p, end);
        if (p >= end || *p == '}') return -1;
        if (*p != '"') return -1;
        const char *name = p + 1;
        const char *name_end = skip_value(p, end);
        if (!name_end) return -1;
        p = skip_ws(name_end, end);
        if (p >= end || *p != ':') return -1;
        const char *value = skip_ws(p + 1, end);
        const char *value_end = skip_value(value, end);
        if (!value_end) return -1;
        /* Member names this protocol uses need no escapes: compare raw. */
        if ((size_t)(name_end - 1 - name) == key_length && memcmp(name, key, key_length) == 0) {
            *vs = value;
            *ve = value_end;
            return 0;
        }
        p = skip_ws(value_end, end);
        if (p < end && *p == ',') p++;
    }
}

static void put_utf8(char *out, size_t size, size_t *n, unsigned cp) {
    char bytes[4];
    int len;
    if (cp < 0x80) { bytes[0] = (char)cp; len = 1; }
    else if (cp < 0x800) { bytes[0] = (char)(0xC0 | cp >> 6); bytes[1] = (char)(0x80 | (cp & 0x3F)); len = 2; }
    else if (cp < 0x10000) {
        bytes[0] = (char)(0xE0 | cp >> 12); bytes[1] = (char)(0x80 | ((cp >> 6) & 0x3F)); bytes[2] = (char)(0x80 | (cp & 0x3F)); len = 3;
    } else {
        bytes[0] = (char)(0xF0 | cp >> 18); bytes[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
        bytes[2] = (char)(0x80 | ((cp >> 6) & 0x3F)); bytes[3] = (char)(0x80 | (cp & 0x3F)); len = 4;
    }
    for (int i = 0; i < len; i++) if (*n + 1 < size) out[(*n)++] = bytes[i];
}

static int hex4(const char *p, const char *end, unsigned *out) {
    if (end - p < 4) return -1;
    unsigned v = 0;
    for (int i = 0; i < 4; i++) {
        char c = p[i];
        v <<= 4;
        if (c >= '0' && c <= '9') v |= (unsigned)(c - '0');
        else if (c >= 'a' && c <= 'f') v |= (unsigned)(c - 'a' + 10);
        else if (c >= 'A' && c <= 'F') v |= (unsigned)(c - 'A' + 10);
        else return -1;
    }
    *out = v;
    return 0;
}

/* Decodes the string value [vs, ve) into out (always NUL-terminated, cut to fit). */
static int decode_string(const char *vs, const char *ve, char *out, size_t size) {
    if (size == 0 || ve - vs < 2 || *vs != '"') return -1;
    size_t n = 0;
    for (const char *p = vs + 1; p < ve - 1; p++) {
        if (*p != '\\') {
            if (n + 1 < size) out[n++] = *p;
            continue;
        }
        if (++p >= ve - 1) break;
        switch (*p) {
        case 'n': if (n + 1 < size) out[n++] = '\n'; break;
        case 't': if (n + 1 < size) out[n++] = '\t'; break;
        case 'r': if (n + 1 < size) out[n++] = '\r'; break;
        case 'b': if (n + 1 < size) out[n++] = '\b'; break;
        case 'f': if (n + 1 < size) out[n++] = '\f'; break;
        case 'u': {
            unsigned cp;
            if (hex4(p + 1, ve - 1, &cp) != 0) return -1;
            p += 4;
            if (cp >= 0xD800 && cp <= 0xDBFF && ve - 1 - p >= 7 && p[1] == '\\' && p[2] == 'u') {
                unsigned low;
                if (hex4(p + 3, ve - 1, &low) == 0 && low >= 0xDC00 && low <= 0xDFFF) {
                    cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
                    p += 6;
                }
            }
            put_utf8(out, size, &n, cp);
            break;
        }
        default: if (n + 1 < size) out[n++] = *p; break;
        }
    }
    out[n] = 0;
    return 0;
}

const char *ssc_json_value(const char *json, const char *key, size_t *length) {
    const char *vs, *ve;
    if (!json || find_member(json, json + strlen(json), key, &vs, &ve) != 0) return NULL;
    if (length) *length = (size_t)(ve - vs);
    return vs;
}

static int member_string(const char *p, const char *end, const char *key, char *out, size_t size) {
    const char *vs, *ve;
    if (find_member(p, end, key, &vs, &ve) != 0) return -1;
    return decode_string(vs, ve, out, size);
}

static int member_u64(const char *p, const char *end, const char *key, uint64_t *out) {
    const char *vs, *ve;
    if (find_member(p, end, key, &vs, &ve) != 0 || vs >= ve || *vs < '0' || *vs > '9') return -1;
    uint64_t v = 0;
    for (const char *q = vs; q < ve; q++) {
        if (*q < '0' || *q > '9') return -1;
        if (v > (UINT64_MAX - (uint64_t)(*q - '0')) / 10) return -1;
        v = v * 10 + (uint64_t)(*q - '0');
    }
    *out = v;
    return 0;
}

static int member_bool(const char *p, const char *end, const char *key, int *out) {
    const char *vs, *ve;
    if (find_member(p, end, key, &vs, &ve) != 0) return -1;
    if (ve - vs == 4 && memcmp(vs, "true", 4) == 0) { *out = 1; return 0; }
    if (ve - vs == 5 && memcmp(vs, "false", 5) == 0) { *out = 0; return 0; }
    return -1;
}

int ssc_json_string(const char *json, const char *key, char *out, size_t out_size) {
    return json ? member_string(json, json + strlen(json), key, out, out_size) : -1;
}

int ssc_json_u64(const char *json, const char *key, uint64_t *out) {
    return json ? member_u64(json, json + strlen(json), key, out) : -1;
}

int ssc_json_bool(const char *json, const char *key, int *out) {
    return json ? member_bool(json, json + strlen(json), key, out) : -1;
}

/* Reads a JSON-RPC error object [vs, ve) into err. */
static void read_error(const char *vs, const char *ve, ssc_error *err) {
    if (!err) return;
    memset(err, 0, sizeof(*err));
    const char *cs, *ce;
    if (find_member(vs, ve, "code", &cs, &ce) == 0) err->code = (int)strtol(cs, NULL, 10);
    member_string(vs, ve, "message", err->message, sizeof(err->message));
    const char *ds, *de;
    if (find_member(vs, ve, "data", &ds, &de) == 0) {
        member_string(ds, de, "kind", err->kind, sizeof(err->kind));
        member_string(ds, de, "nfs4", err->nfs4, sizeof(err->nfs4));
        const char *es, *ee;
        if (find_member(ds, de, "errno", &es, &ee) == 0) {
            err->has_errno = 1;
            err->errno_value = strtoll(es, NULL, 10);
        }
        if (member_u64(ds, de, "bytes", &err->bytes) == 0) err->has_bytes = 1;
    }
    if (!err->kind[0]) snprintf(err->kind, sizeof(err->kind), "internal");
    if (!err->nfs4[0]) snprintf(err->nfs4, sizeof(err->nfs4), "NFS4ERR_SERVERFAULT");
}

/* ---------------------------------------------------------------- JSON writing */

typedef struct {
    char *data;
    size_t length, capacity;
    int failed;
} text;

static void append(text *t, const char *s, size_t n) {
    if (t->failed) return;
    if (t->length + n + 1 > t->capacity) {
        size_t capacity = t->capacity ? t->capacity : 256;
        while (capacity < t->length + n + 1) capacity *= 2;
        char *grown = realloc(t->data, capacity);
        if (!grown) { t->failed = 1; return; }
        t->data = grown;
        t->capacity = capacity;
    }
    memcpy(t->data + t->length, s, n);
    t->length += n;
    t->data[t->length] = 0;
}

static void appendf(text *t, const char *fmt, ...) {
    char buffer[256];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buffer, sizeof(buffer), fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= sizeof(buffer)) { t->failed = 1; return; }
    append(t, buffer, (size_t)n);
}

static void append_string(text *t, const char *s) {
    append(t, "\"", 1);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '"' || *p == '\\') { char e[2] = { '\\', (char)*p }; append(t, e, 2); }
        else if (*p < 0x20) appendf(t, "\\u%04x", *p);
        else append(t, (const char *)p, 1);
    }
    append(t, "\"", 1);
}

/* ---------------------------------------------------------------- frames */

static int send_frame(ssc_client *c, const char *json, size_t length, const int *fds, int fd_count) {
    if (length == 0 || length > SSC_MAX_FRAME) { errno = EMSGSIZE; return -1; }
    char *frame = malloc(length + 4);
    if (!frame) return -1;
    frame[0] = (char)(length >> 24); frame[1] = (char)(length >> 16); frame[2] = (char)(length >> 8); frame[3] = (char)length;
    memcpy(frame + 4, json, length);
    size_t sent = 0, total = length + 4;
    while (sent < total) {
        struct iovec iov = { frame + sent, total - sent };
        struct msghdr msg = { 0 };
        msg.msg_iov = &iov;
        msg.msg_iovlen = 1;
        char control[CMSG_SPACE(sizeof(int) * 8)];
        if (sent == 0 && fd_count > 0) {
            if (fd_count > 8) { free(frame); errno = EINVAL; return -1; }
            memset(control, 0, sizeof(control));
            msg.msg_control = control;
            msg.msg_controllen = CMSG_SPACE(sizeof(int) * (size_t)fd_count);
            struct cmsghdr *cm = CMSG_FIRSTHDR(&msg);
            cm->cmsg_level = SOL_SOCKET;
            cm->cmsg_type = SCM_RIGHTS;
            cm->cmsg_len = CMSG_LEN(sizeof(int) * (size_t)fd_count);
            memcpy(CMSG_DATA(cm), fds, sizeof(int) * (size_t)fd_count);
        }
        ssize_t n = sendmsg(c->fd, &msg, MSG_NOSIGNAL);
        if (n < 0) {
            if (errno == EINTR) continue;
            free(frame);
            return -1;
        }
        sent += (size_t)n;
    }
    free(frame);
    return 0;
}

static int read_exact(int fd, char *buffer, size_t length) {
    size_t done = 0;
    while (done < length) {
        char control[CMSG_SPACE(sizeof(int) * 8)];
        struct iovec iov = { buffer + done, length - done };
        struct msghdr msg = { 0 };
        msg.msg_iov = &iov;
        msg.msg_iovlen = 1;
        msg.msg_control = control;
        msg.msg_controllen = sizeof(control);
        ssize_t n = recvmsg(fd, &msg, MSG_CMSG_CLOEXEC);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) { if (n == 0) errno = 0; return -1; }
        /* The agent sends no descriptors; close any that arrive anyway. */
        for (struct cmsghdr *cm = CMSG_FIRSTHDR(&msg); cm; cm = CMSG_NXTHDR(&msg, cm)) {
            if (cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SCM_RIGHTS) {
                int *received = (int *)CMSG_DATA(cm);
                size_t count = (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int);
                for (size_t i = 0; i < count; i++) close(received[i]);
            }
        }
        done += (size_t)n;
    }
    return 0;
}

/* One message from the agent, NUL-terminated (free() it). */
static char *read_frame(ssc_client *c) {
    unsigned char header[4];
    if (read_exact(c->fd, (char *)header, 4) != 0) return NULL;
    uint32_t length = (uint32_t)header[0] << 24 | (uint32_t)header[1] << 16 | (uint32_t)header[2] << 8 | header[3];
    if (length == 0 || length > SSC_MAX_FRAME) { errno = EPROTO; return NULL; }
    char *json = malloc(length + 1);
    if (!json) return NULL;
    if (read_exact(c->fd, json, length) != 0) { free(json); return NULL; }
    json[length] = 0;
    return json;
}

static void keep_notification(ssc_client *c, char *json) {
    pending_note *note = malloc(sizeof(*note));
    if (!note) { free(json); return; }
    note->json = json;
    note->next = NULL;
    if (c->notes_tail) c->notes_tail->next = note; else c->notes_head = note;
    c->notes_tail = note;
}

/* ---------------------------------------------------------------- calls */

int ssc_call(ssc_client *c, const char *method, const char *params_json, const int *fds, int fd_count, char **result,
             ssc_error *err) {
    if (result) *result = NULL;
    long long id = c->next_id++;
    text request = { 0 };
    appendf(&request, "{\"jsonrpc\":\"2.0\",\"id\":%lld,\"method\":", id);
    append_string(&request, method);
    append(&request, ",\"params\":", 10);
    append(&request, params_json ? params_json : "{}", strlen(params_json ? params_json : "{}"));
    append(&request, "}", 1);
    if (request.failed) { free(request.data); set_error(err, "transport", "NFS4ERR_SERVERFAULT", "out of memory"); return -1; }
    int rc = send_frame(c, request.data, request.length, fds, fd_count);
    free(request.data);
    if (rc != 0) { transport_error(err, "sending to the agent"); return -1; }
    for (;;) {
        char *reply = read_frame(c);
        if (!reply) { transport_error(err, "receiving from the agent"); return -1; }
        const char *end = reply + strlen(reply);
        const char *vs, *ve;
        if (find_member(reply, end, "id", &vs, &ve) != 0) {
            keep_notification(c, reply);  /* a notification (copy.done) */
            continue;
        }
        if (strtoll(vs, NULL, 10) != id || *vs == 'n') {
            /* A reply to something else (or a protocol error with id null). */
            if (*vs == 'n' && find_member(reply, end, "error", &vs, &ve) == 0) {
                read_error(vs, ve, err);
                free(reply);
                return -1;
            }
            free(reply);
            continue;
        }
        if (find_member(reply, end, "error", &vs, &ve) == 0) {
            read_error(vs, ve, err);
            free(reply);
            return -1;
        }
        if (find_member(reply, end, "result", &vs, &ve) != 0) {
            set_error(err, "transport", "NFS4ERR_SERVERFAULT", "reply without result or error");
            free(reply);
            return -1;
        }
        if (result) {
            size_t n = (size_t)(ve - vs);
            *result = malloc(n + 1);
            if (*result) { memcpy(*result, vs, n); (*result)[n] = 0; }
        }
        free(reply);
        return 0;
    }
}

ssc_client *ssc_connect(const char *socket_path, ssc_error *err) {
    struct sockaddr_un address = { 0 };
    address.sun_family = AF_UNIX;
    if (strlen(socket_path) >= sizeof(address.sun_path)) {
        set_error(err, "invalid", "NFS4ERR_INVAL", "%s: socket path too long", socket_path);
        return NULL;
    }
    strcpy(address.sun_path, socket_path);
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) { transport_error(err, "socket"); return NULL; }
    if (connect(fd, (struct sockaddr *)&address, sizeof(address)) != 0) {
        int saved = errno;
        close(fd);
        errno = saved;
        transport_error(err, socket_path);
        return NULL;
    }
    ssc_client *c = calloc(1, sizeof(*c));
    if (!c) { close(fd); set_error(err, "transport", "NFS4ERR_SERVERFAULT", "out of memory"); return NULL; }
    c->fd = fd;
    c->next_id = 1;
    return c;
}

void ssc_close(ssc_client *c) {
    if (!c) return;
    close(c->fd);
    while (c->notes_head) {
        pending_note *next = c->notes_head->next;
        free(c->notes_head->json);
        free(c->notes_head);
        c->notes_head = next;
    }
    free(c);
}

int ssc_hello(ssc_client *c, char *boot_id, size_t boot_id_size, uint64_t *sync_max_bytes, int *max_async_jobs, ssc_error *err) {
    char *result;
    if (ssc_call(c, "agent.hello", "{\"client\":\"ssc_client.c\"}", NULL, 0, &result, err) != 0) return -1;
    if (boot_id) ssc_json_string(result, "boot_id", boot_id, boot_id_size);
    size_t n;
    const char *limits = ssc_json_value(result, "limits", &n);
    if (limits) {
        uint64_t v;
        if (sync_max_bytes && member_u64(limits, limits + n, "sync_max_bytes", &v) == 0) *sync_max_bytes = v;
        if (max_async_jobs && member_u64(limits, limits + n, "max_async_jobs", &v) == 0) *max_async_jobs = (int)v;
    }
    free(result);
    return 0;
}

int ssc_clone(ssc_client *c, int src_fd, int dst_fd, uint64_t src_offset, uint64_t dst_offset, uint64_t count,
              uint64_t *bytes, ssc_error *err) {
    char params[256];
    snprintf(params, sizeof(params),
             "{\"src\":{\"fd\":0},\"dst\":{\"fd\":1},\"src_offset\":%llu,\"dst_offset\":%llu,\"count\":%llu}",
             (unsigned long long)src_offset, (unsigned long long)dst_offset, (unsigned long long)count);
    int fds[2] = { src_fd, dst_fd };
    char *result;
    if (ssc_call(c, "copy.clone", params, fds, 2, &result, err) != 0) return -1;
    if (bytes) ssc_json_u64(result, "bytes", bytes);
    free(result);
    return 0;
}

static int copy_start(ssc_client *c, const char *src_ref, const char *dst_ref, const int *fds, int fd_count,
                      const ssc_copy_args *a, ssc_copy_result *r, ssc_error *err) {
    text params = { 0 };
    append(&params, "{\"src\":", 7);
    append(&params, src_ref, strlen(src_ref));
    append(&params, ",\"dst\":", 7);
    append(&params, dst_ref, strlen(dst_ref));
    appendf(&params, ",\"src_offset\":%llu,\"dst_offset\":%llu,\"count\":%llu", (unsigned long long)a->src_offset,
            (unsigned long long)a->dst_offset, (unsigned long long)a->count);
    appendf(&params, ",\"synchronous\":%s,\"stable\":%s,\"guarded\":%s,\"truncate\":%s", a->synchronous ? "true" : "false",
            a->stable ? "true" : "false", a->guarded ? "true" : "false", a->truncate ? "true" : "false");
    if (a->backend) { append(&params, ",\"backend\":", 11); append_string(&params, a->backend); }
    if (a->key) { append(&params, ",\"key\":", 7); append_string(&params, a->key); }
    append(&params, "}", 1);
    if (params.failed) { free(params.data); set_error(err, "transport", "NFS4ERR_SERVERFAULT", "out of memory"); return -1; }
    char *result;
    int rc = ssc_call(c, "copy.start", params.data, fds, fd_count, &result, err);
    free(params.data);
    if (rc != 0) return -1;
    memset(r, 0, sizeof(*r));
    ssc_json_u64(result, "bytes", &r->bytes);
    ssc_json_bool(result, "short", &r->is_short);
    ssc_json_string(result, "committed", r->committed, sizeof(r->committed));
    ssc_json_string(result, "verifier", r->verifier, sizeof(r->verifier));
    ssc_json_string(result, "backend", r->backend, sizeof(r->backend));
    ssc_json_string(result, "job", r->job, sizeof(r->job));
    free(result);
    return 0;
}

int ssc_copy_start(ssc_client *c, int src_fd, int dst_fd, const ssc_copy_args *a, ssc_copy_result *r, ssc_error *err) {
    int fds[2] = { src_fd, dst_fd };
    return copy_start(c, "{\"fd\":0}", "{\"fd\":1}", fds, 2, a, r, err);
}

int ssc_copy_start_paths(ssc_client *c, const char *src, const char *dst, const ssc_copy_args *a, ssc_copy_result *r,
                         ssc_error *err) {
    text s = { 0 }, d = { 0 };
    append(&s, "{\"path\":", 8); append_string(&s, src); append(&s, "}", 1);
    append(&d, "{\"path\":", 8); append_string(&d, dst); append(&d, "}", 1);
    int rc = -1;
    if (s.failed || d.failed) set_error(err, "transport", "NFS4ERR_SERVERFAULT", "out of memory");
    else rc = copy_start(c, s.data, d.data, NULL, 0, a, r, err);
    free(s.data);
    free(d.data);
    return rc;
}

static void read_status(const char *json, ssc_job_status *s) {
    memset(s, 0, sizeof(*s));
    const char *end = json + strlen(json);
    member_string(json, end, "job", s->job, sizeof(s->job));
    member_string(json, end, "state", s->state, sizeof(s->state));
    member_u64(json, end, "bytes", &s->bytes);
    member_u64(json, end, "count", &s->count);
    member_string(json, end, "backend", s->backend, sizeof(s->backend));
    member_string(json, end, "committed", s->committed, sizeof(s->committed));
    const char *vs, *ve;
    if (find_member(json, end, "error", &vs, &ve) == 0) {
        s->has_error = 1;
        read_error(vs, ve, &s->error);
    }
}

static int job_call(ssc_client *c, const char *method, const char *job, ssc_job_status *status, ssc_error *err) {
    text params = { 0 };
    append(&params, "{\"job\":", 7);
    append_string(&params, job);
    append(&params, "}", 1);
    char *result = NULL;
    int rc = params.failed ? -1 : ssc_call(c, method, params.data, NULL, 0, &result, err);
    free(params.data);
    if (rc != 0) return -1;
    if (status) read_status(result, status);
    free(result);
    return 0;
}

int ssc_copy_status(ssc_client *c, const char *job, ssc_job_status *status, ssc_error *err) {
    return job_call(c, "copy.status", job, status, err);
}

int ssc_copy_cancel(ssc_client *c, const char *job, ssc_job_status *status, ssc_error *err) {
    return job_call(c, "copy.cancel", job, status, err);
}

int ssc_copy_release(ssc_client *c, const char *job, ssc_error *err) {
    return job_call(c, "copy.release", job, NULL, err);
}

int ssc_subscribe(ssc_client *c, uint64_t *seq, ssc_error *err) {
    char *result;
    if (ssc_call(c, "events.subscribe", "{}", NULL, 0, &result, err) != 0) return -1;
    if (seq) ssc_json_u64(result, "seq", seq);
    free(result);
    return 0;
}

int ssc_wait_copy_done(ssc_client *c, int timeout_ms, ssc_copy_done *event, ssc_error *err) {
    for (;;) {
        while (c->notes_head) {
            pending_note *note = c->notes_head;
            c->notes_head = note->next;
            if (!c->notes_head) c->notes_tail = NULL;
            char method[32] = "";
            ssc_json_string(note->json, "method", method, sizeof(method));
            size_t n;
            const char *params = ssc_json_value(note->json, "params", &n);
            int found = strcmp(method, "copy.done") == 0 && params;
            if (found) {
                memset(event, 0, sizeof(*event));
                const char *end = params + n;
                member_u64(params, end, "seq", &event->seq);
                member_string(params, end, "job", event->job, sizeof(event->job));
                member_string(params, end, "state", event->state, sizeof(event->state));
                member_u64(params, end, "bytes", &event->bytes);
                member_string(params, end, "committed", event->committed, sizeof(event->committed));
                member_string(params, end, "verifier", event->verifier, sizeof(event->verifier));
                const char *vs, *ve;
                if (find_member(params, end, "error", &vs, &ve) == 0) {
                    event->has_error = 1;
                    read_error(vs, ve, &event->error);
                }
            }
            free(note->json);
            free(note);
            if (found) return 0;
        }
        struct pollfd p = { c->fd, POLLIN, 0 };
        int rc = poll(&p, 1, timeout_ms);
        if (rc == 0) return 1;
        if (rc < 0) {
            if (errno == EINTR) continue;
            transport_error(err, "poll");
            return -1;
        }
        char *message = read_frame(c);
        if (!message) { transport_error(err, "receiving from the agent"); return -1; }
        keep_notification(c, message);
    }
}
