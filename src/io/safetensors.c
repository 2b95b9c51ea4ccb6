/* safetensors reader and writer (F32 only), header JSON via cJSON. */
#if !defined(_GNU_SOURCE) && !defined(_POSIX_C_SOURCE)
#define _POSIX_C_SOURCE 200809L
#endif
#include "io/safetensors.h"
#include "io/fsutil.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define ST_MAX_HEADER 100000000ull    /* the reference implementation's limit */
#define ST_MAX_INT 9007199254740992.0 /* 2^53: larger JSON numbers are inexact */

typedef struct {
    char *name;
    const float *data;
    float *owned; /* set when the data had to be copied (alignment, byte order) */
    int ndim;
    size_t shape[CLAE_ST_MAX_DIMS];
    size_t count;
    size_t begin, end;
} st_entry;

struct clae_safetensors {
    unsigned char *buf; /* the whole file */
    st_entry *t;        /* sorted by name */
    size_t n_t;
    clae_st_meta *meta; /* sorted by key, strings owned */
    size_t n_meta;
};

static int host_is_le(void)
{
    const uint32_t one = 1;
    unsigned char b;
    memcpy(&b, &one, 1);
    return b == 1;
}

static char *dup_str(const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = malloc(n);
    if (d) memcpy(d, s, n);
    return d;
}

static const char *err_text(int e) { return e ? strerror(e) : "short write"; }

/* ---------------------------------------------------------------- writing */

static int mul_ok(size_t a, size_t b, size_t *out)
{
    if (a && b > SIZE_MAX / a) return 0;
    *out = a * b;
    return 1;
}

static clae_status check_args(clae_ctx *ctx, const char *path, const clae_st_tensor *t, int n_t,
                              const clae_st_meta *m, int n_m, size_t *total)
{
    if (n_t < 0 || n_m < 0 || (n_t > 0 && !t) || (n_m > 0 && !m))
        return clae__fail(ctx, CLAE_EUSAGE, "%s: invalid tensor or metadata list", path);
    *total = 0;
    for (int i = 0; i < n_t; i++) {
        const char *name = t[i].name;
        if (!name || !name[0]) return clae__fail(ctx, CLAE_EUSAGE, "%s: tensor %d has no name", path, i);
        if (strcmp(name, "__metadata__") == 0)
            return clae__fail(ctx, CLAE_EUSAGE, "%s: tensor name \"__metadata__\" is reserved", path);
        for (int j = 0; j < i; j++)
            if (strcmp(t[j].name, name) == 0)
                return clae__fail(ctx, CLAE_EUSAGE, "%s: duplicate tensor name \"%s\"", path, name);
        if (t[i].ndim < 0 || t[i].ndim > CLAE_ST_MAX_DIMS)
            return clae__fail(ctx, CLAE_EUSAGE, "%s: tensor \"%s\": ndim %d is not in 0..%d", path, name,
                              t[i].ndim, CLAE_ST_MAX_DIMS);
        size_t count = 1, bytes;
        for (int d = 0; d < t[i].ndim; d++)
            if (!mul_ok(count, t[i].shape[d], &count) || t[i].shape[d] > (size_t)ST_MAX_INT)
                return clae__fail(ctx, CLAE_EUSAGE, "%s: tensor \"%s\" is too large", path, name);
        if (!mul_ok(count, sizeof(float), &bytes) || bytes > (size_t)ST_MAX_INT - *total)
            return clae__fail(ctx, CLAE_EUSAGE, "%s: tensor \"%s\" is too large", path, name);
        if (count && !t[i].data)
            return clae__fail(ctx, CLAE_EUSAGE, "%s: tensor \"%s\" has no data", path, name);
        *total += bytes;
    }
    for (int i = 0; i < n_m; i++) {
        if (!m[i].key || !m[i].key[0] || !m[i].value)
            return clae__fail(ctx, CLAE_EUSAGE, "%s: metadata entry %d has no key or value", path, i);
        for (int j = 0; j < i; j++)
            if (strcmp(m[j].key, m[i].key) == 0)
                return clae__fail(ctx, CLAE_EUSAGE, "%s: duplicate metadata key \"%s\"", path, m[i].key);
    }
    return CLAE_OK;
}

/* The header JSON, unpadded; NULL when out of memory. */
static char *build_header(const clae_st_tensor *t, int n_t, const clae_st_meta *m, int n_m)
{
    cJSON *root = cJSON_CreateObject();
    int ok = root != NULL;
    if (ok && n_m > 0) {
        cJSON *md = cJSON_AddObjectToObject(root, "__metadata__");
        ok = md != NULL;
        for (int i = 0; ok && i < n_m; i++) ok = cJSON_AddStringToObject(md, m[i].key, m[i].value) != NULL;
    }
    size_t offset = 0;
    for (int i = 0; ok && i < n_t; i++) {
        size_t count = 1;
        for (int d = 0; d < t[i].ndim; d++) count *= t[i].shape[d];
        cJSON *e = cJSON_AddObjectToObject(root, t[i].name);
        cJSON *shape =
            e && cJSON_AddStringToObject(e, "dtype", "F32") ? cJSON_AddArrayToObject(e, "shape") : NULL;
        cJSON *offs = shape ? cJSON_AddArrayToObject(e, "data_offsets") : NULL;
        ok = offs != NULL;
        for (int d = 0; ok && d < t[i].ndim; d++)
            ok = cJSON_AddItemToArray(shape, cJSON_CreateNumber((double)t[i].shape[d]));
        ok = ok && cJSON_AddItemToArray(offs, cJSON_CreateNumber((double)offset));
        offset += count * sizeof(float);
        ok = ok && cJSON_AddItemToArray(offs, cJSON_CreateNumber((double)offset));
    }
    char *json = ok ? cJSON_PrintUnformatted(root) : NULL;
    cJSON_Delete(root);
    return json;
}

/* Writes floats little-endian whatever the host order; 0 with errno on failure. */
static int write_floats(FILE *f, const float *data, size_t count)
{
    if (!count) return 1;
    if (host_is_le()) return fwrite(data, sizeof(float), count, f) == count;
    unsigned char chunk[4096];
    while (count) {
        size_t n = count < sizeof chunk / 4 ? count : sizeof chunk / 4;
        for (size_t i = 0; i < n; i++) {
            uint32_t u;
            memcpy(&u, &data[i], 4);
            for (int b = 0; b < 4; b++) chunk[4 * i + b] = (unsigned char)(u >> (8 * b));
        }
        if (fwrite(chunk, 4, n, f) != n) return 0;
        data += n;
        count -= n;
    }
    return 1;
}

/* fsync of the directory makes the rename itself durable. */
static int sync_dir(const char *path)
{
    const char *slash = strrchr(path, '/');
    char *dir = dup_str(!slash ? "." : path);
    if (!dir) return ENOMEM;
    if (slash) dir[slash == path ? 1 : slash - path] = '\0';
    int fd = open(dir, O_RDONLY);
    free(dir);
    if (fd < 0) return errno;
    int e = fsync(fd) == 0 || errno == EINVAL ? 0 : errno; /* EINVAL: fs without dir sync */
    close(fd);
    return e;
}

clae_status clae_safetensors_write(clae_ctx *ctx, const char *path, const clae_st_tensor *tensors,
                                   int n_tensors, const clae_st_meta *meta, int n_meta)
{
    if (!path || !path[0]) return clae__fail(ctx, CLAE_EUSAGE, "safetensors: no output path");
    size_t total;
    clae_status s = check_args(ctx, path, tensors, n_tensors, meta, n_meta, &total);
    if (s != CLAE_OK) return s;

    char *json = build_header(tensors, n_tensors, meta, n_meta);
    size_t tmp_len = strlen(path) + 32;
    char *tmp = malloc(tmp_len);
    if (!json || !tmp) {
        free(json);
        free(tmp);
        return clae__fail(ctx, CLAE_ENOMEM, "%s: out of memory building the header", path);
    }
    snprintf(tmp, tmp_len, "%s.tmp.%ld", path, (long)getpid());
    size_t json_len = strlen(json);
    size_t hlen = (json_len + 7) / 8 * 8; /* pad so the data starts 8-byte aligned */
    unsigned char len_bytes[8];
    for (int b = 0; b < 8; b++) len_bytes[b] = (unsigned char)((uint64_t)hlen >> (8 * b));

    FILE *f = fopen(tmp, "wb");
    if (!f) {
        int e = errno;
        free(json);
        free(tmp);
        return clae__fail(ctx, CLAE_EIO, "%s: cannot open for writing: %s", path, strerror(e));
    }
    errno = 0;
    int ok = fwrite(len_bytes, 1, 8, f) == 8 && fwrite(json, 1, json_len, f) == json_len;
    for (size_t i = json_len; ok && i < hlen; i++) ok = fputc(' ', f) != EOF;
    for (int i = 0; ok && i < n_tensors; i++) {
        size_t count = 1;
        for (int d = 0; d < tensors[i].ndim; d++) count *= tensors[i].shape[d];
        ok = write_floats(f, tensors[i].data, count);
    }
    ok = ok && fflush(f) == 0 && fsync(fileno(f)) == 0;
    int e = errno;
    if (fclose(f) != 0 && ok) {
        ok = 0;
        e = errno;
    }
    free(json);
    if (!ok) {
        remove(tmp);
        free(tmp);
        return clae__fail(ctx, CLAE_EIO, "%s: write failed: %s", path, err_text(e));
    }
    if (rename(tmp, path) != 0) {
        e = errno;
        remove(tmp);
        free(tmp);
        return clae__fail(ctx, CLAE_EIO, "%s: rename failed: %s", path, strerror(e));
    }
    free(tmp);
    e = sync_dir(path);
    if (e) return clae__fail(ctx, CLAE_EIO, "%s: cannot sync directory: %s", path, strerror(e));
    return CLAE_OK;
}

/* ---------------------------------------------------------------- reading */

/* Offset of the first byte that is not UTF-8 text (control characters other
 * than JSON whitespace included, as strict JSON parsers reject them), or n. */
static size_t bad_text_at(const unsigned char *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        unsigned c = s[i];
        if (c < 0x80) {
            if (c < 0x20 && c != '\t' && c != '\n' && c != '\r') return i;
            i++;
            continue;
        }
        size_t len = c >= 0xC2 && c <= 0xDF ? 2 : c >= 0xE0 && c <= 0xEF ? 3 : c >= 0xF0 && c <= 0xF4 ? 4 : 0;
        if (!len || i + len > n) return i;
        unsigned lo = 0x80, hi = 0xBF; /* second-byte range rules out overlongs and surrogates */
        if (c == 0xE0) lo = 0xA0;
        if (c == 0xED) hi = 0x9F;
        if (c == 0xF0) lo = 0x90;
        if (c == 0xF4) hi = 0x8F;
        if (s[i + 1] < lo || s[i + 1] > hi) return i;
        for (size_t k = 2; k < len; k++)
            if ((s[i + k] & 0xC0) != 0x80) return i;
        i += len;
    }
    return n;
}

/* A JSON number that is an exact non-negative integer. */
static int json_size(const cJSON *j, size_t *out)
{
    if (!cJSON_IsNumber(j)) return 0;
    double v = j->valuedouble;
    if (!(v >= 0 && v <= ST_MAX_INT) || v != floor(v) || v > (double)SIZE_MAX) return 0;
    *out = (size_t)v;
    return 1;
}

static int cmp_entry_name(const void *a, const void *b)
{
    return strcmp(((const st_entry *)a)->name, ((const st_entry *)b)->name);
}

static int cmp_meta_key(const void *a, const void *b)
{
    return strcmp(((const clae_st_meta *)a)->key, ((const clae_st_meta *)b)->key);
}

static int cmp_entry_begin(const void *a, const void *b)
{
    const st_entry *x = *(const st_entry *const *)a, *y = *(const st_entry *const *)b;
    return x->begin < y->begin ? -1 : x->begin > y->begin;
}

static clae_status parse_metadata(clae_ctx *ctx, const char *path, const cJSON *md, clae_safetensors *st)
{
    if (!cJSON_IsObject(md)) return clae__fail(ctx, CLAE_EDATA, "%s: __metadata__ is not an object", path);
    size_t n = (size_t)cJSON_GetArraySize(md);
    st->meta = calloc(n ? n : 1, sizeof *st->meta);
    if (!st->meta) return clae__fail(ctx, CLAE_ENOMEM, "%s: out of memory", path);
    const cJSON *it;
    cJSON_ArrayForEach (it, md) {
        if (!cJSON_IsString(it))
            return clae__fail(ctx, CLAE_EDATA, "%s: metadata \"%s\" is not a string", path, it->string);
        clae_st_meta *m = &st->meta[st->n_meta++];
        m->key = dup_str(it->string);
        m->value = dup_str(it->valuestring);
        if (!m->key || !m->value) return clae__fail(ctx, CLAE_ENOMEM, "%s: out of memory", path);
    }
    qsort(st->meta, st->n_meta, sizeof *st->meta, cmp_meta_key);
    for (size_t i = 1; i < st->n_meta; i++)
        if (strcmp(st->meta[i - 1].key, st->meta[i].key) == 0)
            return clae__fail(ctx, CLAE_EDATA, "%s: duplicate metadata key \"%s\"", path, st->meta[i].key);
    return CLAE_OK;
}

static clae_status parse_tensor(clae_ctx *ctx, const char *path, const cJSON *j, size_t data_len, st_entry *e)
{
    const char *name = j->string;
    if (!cJSON_IsObject(j))
        return clae__fail(ctx, CLAE_EDATA, "%s: tensor \"%s\" is not an object", path, name);
    const cJSON *dtype = cJSON_GetObjectItemCaseSensitive(j, "dtype");
    if (!cJSON_IsString(dtype))
        return clae__fail(ctx, CLAE_EDATA, "%s: tensor \"%s\": dtype is missing or not a string", path, name);
    if (strcmp(dtype->valuestring, "F32") != 0)
        return clae__fail(ctx, CLAE_EDATA, "%s: tensor \"%s\": dtype \"%s\" is not supported (only F32)",
                          path, name, dtype->valuestring);
    const cJSON *shape = cJSON_GetObjectItemCaseSensitive(j, "shape");
    if (!cJSON_IsArray(shape))
        return clae__fail(ctx, CLAE_EDATA, "%s: tensor \"%s\": shape is missing or not an array", path, name);
    int ndim = cJSON_GetArraySize(shape);
    if (ndim > CLAE_ST_MAX_DIMS)
        return clae__fail(ctx, CLAE_EDATA, "%s: tensor \"%s\": shape has %d dimensions (at most %d)", path,
                          name, ndim, CLAE_ST_MAX_DIMS);
    e->ndim = ndim;
    e->count = 1;
    int overflow = 0;
    for (int d = 0; d < ndim; d++) {
        if (!json_size(cJSON_GetArrayItem(shape, d), &e->shape[d]))
            return clae__fail(ctx, CLAE_EDATA, "%s: tensor \"%s\": shape[%d] is not a non-negative integer",
                              path, name, d);
        overflow |= !mul_ok(e->count, e->shape[d], &e->count);
    }
    const cJSON *offs = cJSON_GetObjectItemCaseSensitive(j, "data_offsets");
    if (!cJSON_IsArray(offs) || cJSON_GetArraySize(offs) != 2 ||
        !json_size(cJSON_GetArrayItem(offs, 0), &e->begin) ||
        !json_size(cJSON_GetArrayItem(offs, 1), &e->end))
        return clae__fail(ctx, CLAE_EDATA, "%s: tensor \"%s\": data_offsets is not [begin, end]", path, name);
    if (e->begin > e->end)
        return clae__fail(ctx, CLAE_EDATA, "%s: tensor \"%s\": data_offsets [%zu, %zu] end before they begin",
                          path, name, e->begin, e->end);
    if (e->end > data_len)
        return clae__fail(ctx, CLAE_EDATA,
                          "%s: tensor \"%s\": data_offsets end %zu is past the end of the data (%zu bytes)",
                          path, name, e->end, data_len);
    size_t want;
    if (overflow || !mul_ok(e->count, sizeof(float), &want))
        return clae__fail(ctx, CLAE_EDATA, "%s: tensor \"%s\": shape is too large", path, name);
    if (want != e->end - e->begin)
        return clae__fail(ctx, CLAE_EDATA,
                          "%s: tensor \"%s\": data_offsets span %zu bytes but the shape needs %zu", path,
                          name, e->end - e->begin, want);
    e->name = dup_str(name);
    if (!e->name) return clae__fail(ctx, CLAE_ENOMEM, "%s: out of memory", path);
    return CLAE_OK;
}

/* Points each tensor at its data, copying where it is misaligned or the host is big-endian. */
static clae_status place_data(clae_ctx *ctx, const char *path, clae_safetensors *st,
                              const unsigned char *data)
{
    int le = host_is_le();
    for (size_t i = 0; i < st->n_t; i++) {
        st_entry *e = &st->t[i];
        const unsigned char *src = data + e->begin;
        if (le && (uintptr_t)src % sizeof(float) == 0) {
            e->data = (const float *)(const void *)src;
            continue;
        }
        e->owned = malloc(e->count ? e->count * sizeof(float) : sizeof(float));
        if (!e->owned) return clae__fail(ctx, CLAE_ENOMEM, "%s: out of memory", path);
        for (size_t k = 0; k < e->count; k++) {
            const unsigned char *b = src + 4 * k;
            uint32_t u = (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
            memcpy(&e->owned[k], &u, 4);
        }
        e->data = e->owned;
    }
    return CLAE_OK;
}

static clae_status parse_header(clae_ctx *ctx, const char *path, clae_safetensors *st, size_t hlen,
                                size_t data_len)
{
    const char *text = (const char *)st->buf + 8;
    size_t bad = bad_text_at(st->buf + 8, hlen);
    if (bad < hlen)
        return clae__fail(ctx, CLAE_EDATA, "%s: header is not valid UTF-8 text (at byte %zu)", path, bad);
    const char *end = NULL;
    cJSON *root = cJSON_ParseWithLengthOpts(text, hlen, &end, 0);
    size_t at = end ? (size_t)(end - text) : 0;
    while (root && at < hlen && (text[at] == ' ' || text[at] == '\t' || text[at] == '\n' || text[at] == '\r'))
        at++;
    if (root && at < hlen) { /* only whitespace padding may follow the object */
        cJSON_Delete(root);
        root = NULL;
    }
    if (!root) return clae__fail(ctx, CLAE_EDATA, "%s: header is not valid JSON (at byte %zu)", path, at);
    clae_status s = CLAE_OK;
    st_entry **by_begin = NULL;
    if (!cJSON_IsObject(root)) {
        s = clae__fail(ctx, CLAE_EDATA, "%s: header is not a JSON object", path);
        goto done;
    }
    size_t n = (size_t)cJSON_GetArraySize(root);
    st->t = calloc(n ? n : 1, sizeof *st->t);
    by_begin = malloc((n ? n : 1) * sizeof *by_begin);
    if (!st->t || !by_begin) {
        s = clae__fail(ctx, CLAE_ENOMEM, "%s: out of memory", path);
        goto done;
    }
    const cJSON *it;
    cJSON_ArrayForEach (it, root) {
        if (strcmp(it->string, "__metadata__") == 0) {
            s = st->meta ? clae__fail(ctx, CLAE_EDATA, "%s: duplicate __metadata__", path)
                         : parse_metadata(ctx, path, it, st);
        } else {
            s = parse_tensor(ctx, path, it, data_len, &st->t[st->n_t]);
            by_begin[st->n_t] = &st->t[st->n_t];
            if (s == CLAE_OK) st->n_t++;
        }
        if (s != CLAE_OK) goto done;
    }
    qsort(by_begin, st->n_t, sizeof *by_begin, cmp_entry_begin);
    const st_entry *prev = NULL; /* the non-empty range ending furthest so far */
    for (size_t i = 0; i < st->n_t; i++) {
        const st_entry *e = by_begin[i];
        if (e->begin == e->end) continue;
        if (prev && e->begin < prev->end) {
            s = clae__fail(ctx, CLAE_EDATA, "%s: tensors \"%s\" and \"%s\" overlap", path, prev->name,
                           e->name);
            goto done;
        }
        if (!prev || e->end > prev->end) prev = e;
    }
    qsort(st->t, st->n_t, sizeof *st->t, cmp_entry_name);
    for (size_t i = 1; i < st->n_t; i++)
        if (strcmp(st->t[i - 1].name, st->t[i].name) == 0) {
            s = clae__fail(ctx, CLAE_EDATA, "%s: duplicate tensor \"%s\"", path, st->t[i].name);
            goto done;
        }
    s = place_data(ctx, path, st, st->buf + 8 + hlen);
done:
    free(by_begin);
    cJSON_Delete(root);
    return s;
}

static clae_status read_file(clae_ctx *ctx, const char *path, unsigned char **buf, size_t *size)
{
    clae_status status = CLAE_OK;
    FILE *f = clae__open_regular(ctx, path, &status);
    if (!f) return status;
    struct stat sb;
    int e = fstat(fileno(f), &sb) != 0 ? errno : 0;
    if (e) {
        fclose(f);
        return clae__fail_open(ctx, path, e);
    }
    if (sb.st_size < 0 || (uintmax_t)sb.st_size >= SIZE_MAX) {
        fclose(f);
        return clae__fail(ctx, CLAE_EIO, "%s: file is too large", path);
    }
    *size = (size_t)sb.st_size;
    *buf = malloc(*size + 1); /* +1: a terminator, so the JSON parser never runs off the end */
    if (!*buf) {
        fclose(f);
        return clae__fail(ctx, CLAE_ENOMEM, "%s: out of memory reading %zu bytes", path, *size);
    }
    errno = 0;
    size_t got = fread(*buf, 1, *size, f);
    e = ferror(f) ? errno : 0;
    fclose(f);
    (*buf)[got] = 0;
    if (got != *size)
        return clae__fail(ctx, CLAE_EIO, "%s: read failed: %s", path,
                          e ? strerror(e) : "file shrank while reading");
    return CLAE_OK;
}

clae_status clae_safetensors_read(clae_ctx *ctx, const char *path, clae_safetensors **out)
{
    if (!out) return clae__fail(ctx, CLAE_EUSAGE, "safetensors: no result pointer");
    *out = NULL;
    if (!path || !path[0]) return clae__fail(ctx, CLAE_EUSAGE, "safetensors: no input path");
    clae_safetensors *st = calloc(1, sizeof *st);
    if (!st) return clae__fail(ctx, CLAE_ENOMEM, "%s: out of memory", path);
    size_t size = 0;
    clae_status s = read_file(ctx, path, &st->buf, &size);
    if (s == CLAE_OK && size < 8)
        s = clae__fail(ctx, CLAE_EDATA, "%s: file is too short (%zu bytes) for a safetensors header", path,
                       size);
    uint64_t hlen = 0;
    for (int b = 0; s == CLAE_OK && b < 8; b++) hlen |= (uint64_t)st->buf[b] << (8 * b);
    if (s == CLAE_OK && hlen > ST_MAX_HEADER)
        s = clae__fail(ctx, CLAE_EDATA, "%s: header length %llu is over the %llu-byte limit", path,
                       (unsigned long long)hlen, ST_MAX_HEADER);
    if (s == CLAE_OK && hlen > size - 8)
        s = clae__fail(ctx, CLAE_EDATA, "%s: header length %llu is past the end of the file (%zu bytes)",
                       path, (unsigned long long)hlen, size);
    if (s == CLAE_OK) s = parse_header(ctx, path, st, (size_t)hlen, size - 8 - (size_t)hlen);
    if (s != CLAE_OK) {
        clae_safetensors_free(st);
        return s;
    }
    *out = st;
    return CLAE_OK;
}

const float *clae_safetensors_tensor(const clae_safetensors *st, const char *name, int *ndim,
                                     size_t shape[CLAE_ST_MAX_DIMS], size_t *count)
{
    if (!st || !name || !st->n_t) return NULL;
    st_entry key = {0};
    key.name = (char *)name;
    const st_entry *e = bsearch(&key, st->t, st->n_t, sizeof *st->t, cmp_entry_name);
    if (!e) return NULL;
    if (ndim) *ndim = e->ndim;
    if (shape)
        for (int d = 0; d < CLAE_ST_MAX_DIMS; d++) shape[d] = d < e->ndim ? e->shape[d] : 0;
    if (count) *count = e->count;
    return e->data;
}

const char *clae_safetensors_meta(const clae_safetensors *st, const char *key)
{
    if (!st || !key || !st->n_meta) return NULL;
    clae_st_meta k = {key, NULL};
    const clae_st_meta *m = bsearch(&k, st->meta, st->n_meta, sizeof *st->meta, cmp_meta_key);
    return m ? m->value : NULL;
}

void clae_safetensors_free(clae_safetensors *st)
{
    if (!st) return;
    for (size_t i = 0; i < st->n_t; i++) {
        free(st->t[i].name);
        free(st->t[i].owned);
    }
    for (size_t i = 0; i < st->n_meta; i++) {
        free((char *)st->meta[i].key);
        free((char *)st->meta[i].value);
    }
    free(st->t);
    free(st->meta);
    free(st->buf);
    free(st);
}
