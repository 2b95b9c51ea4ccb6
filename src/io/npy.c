/* numpy's .npy files: the header dict (checked against the file's size
 * before any value is read), the elements as floats in fixed chunks, and a
 * float32 writer. Byte order is handled explicitly, so the files are the
 * same whatever the host's endianness. */
#include "io/npy.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "io/fsutil.h"

static const char npy_magic[6] = {'\x93', 'N', 'U', 'M', 'P', 'Y'};

/* The header dict is a few dozen characters; anything this long is not numpy's. */
#define NPY_MAX_HEADER (1u << 20)

typedef struct {
    const char *name;
    clae_npy_dtype dtype;
    size_t size;
} dtype_info;

/* '|' marks "byte order not applicable"; numpy writes '|u1' but accepts '<u1'. */
static const dtype_info dtypes[] = {
    {"<f4", CLAE_NPY_F4, 4}, {"<f8", CLAE_NPY_F8, 8}, {"|u1", CLAE_NPY_U1, 1},
    {"<u1", CLAE_NPY_U1, 1}, {"|i1", CLAE_NPY_I1, 1}, {"<i1", CLAE_NPY_I1, 1},
    {"<i4", CLAE_NPY_I4, 4}, {"<i8", CLAE_NPY_I8, 8},
};

/* ------------------------------------------------------------ header dict */

typedef struct {
    const char *p, *end;
} cursor;

static void skip_space(cursor *c)
{
    while (c->p < c->end && (*c->p == ' ' || *c->p == '\t' || *c->p == '\n' || *c->p == '\r'))
        c->p++;
}

static int eat(cursor *c, char ch)
{
    skip_space(c);
    if (c->p < c->end && *c->p == ch) {
        c->p++;
        return 1;
    }
    return 0;
}

/* A Python string literal in single or double quotes, without escapes. */
static int read_string(cursor *c, char *out, size_t cap)
{
    skip_space(c);
    if (c->p >= c->end || (*c->p != '\'' && *c->p != '"')) return 0;
    char q = *c->p++;
    size_t n = 0;
    while (c->p < c->end && *c->p != q) {
        if (n + 1 >= cap) return 0;
        out[n++] = *c->p++;
    }
    if (c->p >= c->end) return 0;
    c->p++;
    out[n] = '\0';
    return 1;
}

static int read_word(cursor *c, const char *w)
{
    skip_space(c);
    size_t n = strlen(w);
    if ((size_t)(c->end - c->p) >= n && memcmp(c->p, w, n) == 0) {
        c->p += n;
        return 1;
    }
    return 0;
}

/* A tuple of non-negative integers: "()", "(5,)", "(3, 4)". Python ints may
 * carry an "L" suffix in files written by Python 2's numpy. */
static int read_shape(cursor *c, clae_npy *h)
{
    if (!eat(c, '(')) return 0;
    h->ndim = 0;
    for (;;) {
        if (eat(c, ')')) return 1;
        skip_space(c);
        if (c->p >= c->end || !isdigit((unsigned char)*c->p)) return 0;
        unsigned long long v = 0;
        while (c->p < c->end && isdigit((unsigned char)*c->p)) {
            unsigned d = (unsigned)(*c->p++ - '0');
            if (v > (ULLONG_MAX - d) / 10) return 0;
            v = v * 10 + d;
        }
        if (c->p < c->end && *c->p == 'L') c->p++;
        if (h->ndim >= CLAE_NPY_MAX_DIMS || v > SIZE_MAX) return -1;
        h->shape[h->ndim++] = (size_t)v;
        if (eat(c, ')')) return 1;
        if (!eat(c, ',')) return 0;
    }
}

static clae_status parse_header(clae_ctx *ctx, const char *path, const char *text, size_t len,
                                clae_npy *h, size_t *item)
{
    cursor c = {text, text + len};
    int have_descr = 0, have_order = 0, have_shape = 0;
    char key[32], descr[32];
    if (!eat(&c, '{')) goto bad;
    while (!eat(&c, '}')) {
        if (!read_string(&c, key, sizeof key) || !eat(&c, ':')) goto bad;
        if (strcmp(key, "descr") == 0) {
            if (!read_string(&c, descr, sizeof descr))
                return clae__fail(ctx, CLAE_EDATA,
                                  "%s: unsupported npy dtype (a structured dtype; expected '<f4', "
                                  "'<f8', '|u1', '|i1', '<i4' or '<i8')",
                                  path);
            have_descr = 1;
        } else if (strcmp(key, "fortran_order") == 0) {
            if (read_word(&c, "True"))
                return clae__fail(ctx, CLAE_EDATA,
                                  "%s: fortran_order is True; save the array in C order "
                                  "(numpy.ascontiguousarray) and try again",
                                  path);
            if (!read_word(&c, "False")) goto bad;
            have_order = 1;
        } else if (strcmp(key, "shape") == 0) {
            int r = read_shape(&c, h);
            if (r < 0)
                return clae__fail(ctx, CLAE_EDATA, "%s: npy shape has more than %d dimensions",
                                  path, CLAE_NPY_MAX_DIMS);
            if (r == 0) goto bad;
            have_shape = 1;
        } else {
            return clae__fail(ctx, CLAE_EDATA, "%s: unexpected key '%s' in the npy header", path,
                              key);
        }
        if (!eat(&c, ',')) {
            if (!eat(&c, '}')) goto bad;
            break;
        }
    }
    if (!have_descr || !have_order || !have_shape)
        return clae__fail(ctx, CLAE_EDATA, "%s: npy header lacks '%s'", path,
                          !have_descr ? "descr" : !have_order ? "fortran_order" : "shape");
    for (size_t i = 0; i < sizeof dtypes / sizeof dtypes[0]; i++)
        if (strcmp(descr, dtypes[i].name) == 0) {
            h->dtype = dtypes[i].dtype;
            *item = dtypes[i].size;
            return CLAE_OK;
        }
    return clae__fail(ctx, CLAE_EDATA,
                      "%s: unsupported npy dtype '%s' (expected '<f4', '<f8', '|u1', '|i1', '<i4' "
                      "or '<i8')",
                      path, descr);
bad:
    return clae__fail(ctx, CLAE_EDATA, "%s: malformed npy header at byte %zu", path,
                      (size_t)(c.p - text));
}

/* ------------------------------------------------------------------ read */

static uint64_t le(const unsigned char *p, size_t n)
{
    uint64_t v = 0;
    for (size_t i = n; i-- > 0;) v = v << 8 | p[i];
    return v;
}

static size_t dtype_size(clae_npy_dtype t)
{
    for (size_t i = 0; i < sizeof dtypes / sizeof dtypes[0]; i++)
        if (dtypes[i].dtype == t) return dtypes[i].size;
    return 1;
}

/* n elements of type t at b as floats. */
static void convert(const unsigned char *b, size_t n, clae_npy_dtype t, float *out)
{
    switch (t) {
    case CLAE_NPY_F4:
        for (size_t i = 0; i < n; i++) {
            uint32_t u = (uint32_t)le(b + 4 * i, 4);
            memcpy(&out[i], &u, 4);
        }
        break;
    case CLAE_NPY_F8:
        for (size_t i = 0; i < n; i++) {
            uint64_t u = le(b + 8 * i, 8);
            double d;
            memcpy(&d, &u, 8);
            out[i] = (float)d;
        }
        break;
    case CLAE_NPY_U1:
        for (size_t i = 0; i < n; i++) out[i] = (float)b[i];
        break;
    case CLAE_NPY_I1:
        for (size_t i = 0; i < n; i++) out[i] = (float)(int8_t)b[i];
        break;
    case CLAE_NPY_I4:
        for (size_t i = 0; i < n; i++) out[i] = (float)(int32_t)(uint32_t)le(b + 4 * i, 4);
        break;
    case CLAE_NPY_I8:
        for (size_t i = 0; i < n; i++) out[i] = (float)(int64_t)le(b + 8 * i, 8);
        break;
    }
}

/* The magic, the version and the header length, from the first bytes b of a
 * file of size bytes (b holds at least min(size, 12) of them). Sets where the
 * header dict starts and its length. */
static clae_status check_preamble(clae_ctx *ctx, const char *path, const unsigned char *b,
                                  size_t size, size_t *dict_at, size_t *head_len)
{
    if (size < 8 || memcmp(b, npy_magic, sizeof npy_magic) != 0)
        return clae__fail(ctx, CLAE_EDATA, "%s: not a .npy file (no \\x93NUMPY magic at byte 0)",
                          path);
    if (b[6] < 1 || b[6] > 3)
        return clae__fail(ctx, CLAE_EDATA, "%s: unsupported npy format version %u.%u (byte 6)",
                          path, b[6], b[7]);
    size_t len_bytes = b[6] == 1 ? 2 : 4;
    if (size < 8 + len_bytes)
        return clae__fail(ctx, CLAE_EDATA, "%s: truncated at byte %zu of %zu", path, size,
                          8 + len_bytes);
    *dict_at = 8 + len_bytes;
    *head_len = (size_t)le(b + 8, len_bytes);
    if (*head_len > NPY_MAX_HEADER)
        return clae__fail(ctx, CLAE_EDATA, "%s: npy header of %zu bytes is implausibly long",
                          path, *head_len);
    if (size < *dict_at + *head_len)
        return clae__fail(ctx, CLAE_EDATA, "%s: truncated at byte %zu of %zu", path, size,
                          *dict_at + *head_len);
    return CLAE_OK;
}

/* The shape's element count, and that the file of size bytes holds exactly
 * that many elements after the header (data_at bytes). */
static clae_status check_size(clae_ctx *ctx, const char *path, clae_npy *h, size_t data_at,
                              size_t size)
{
    size_t item = dtype_size(h->dtype);
    if (h->ndim == 0)
        return clae__fail(ctx, CLAE_EDATA, "%s: npy array is a scalar (shape ())", path);
    h->count = 1;
    for (int i = 0; i < h->ndim; i++) {
        if (h->shape[i] != 0 && h->count > SIZE_MAX / item / h->shape[i])
            return clae__fail(ctx, CLAE_EDATA, "%s: npy shape overflows size_t", path);
        h->count *= h->shape[i];
    }
    size_t want = data_at + h->count * item;
    if (want < data_at) return clae__fail(ctx, CLAE_EDATA, "%s: npy shape overflows size_t", path);
    if (size < want)
        return clae__fail(ctx, CLAE_EDATA, "%s: truncated at byte %zu of %zu", path, size, want);
    if (size > want)
        return clae__fail(ctx, CLAE_EDATA, "%s: %zu trailing bytes after byte %zu", path,
                          size - want, want);
    return CLAE_OK;
}

/* A read that came back short: an I/O error, or a file that shrank after its
 * size was taken. */
static clae_status short_read(clae_ctx *ctx, const char *path, FILE *f)
{
    if (ferror(f)) return clae__fail(ctx, CLAE_EIO, "%s: read failed", path);
    return clae__fail(ctx, CLAE_EDATA, "%s: the file ended early (was it changed while read?)",
                      path);
}

clae_status clae__npy_read_header(clae_ctx *ctx, const char *path, FILE *f, size_t size,
                                  clae_npy *out)
{
    memset(out, 0, sizeof *out);
    unsigned char b[12];
    size_t avail = size < sizeof b ? size : sizeof b;
    if (fread(b, 1, avail, f) != avail) return short_read(ctx, path, f);
    size_t dict_at = 0, head_len = 0, item = 0;
    clae_status st = check_preamble(ctx, path, b, size, &dict_at, &head_len);
    if (st != CLAE_OK) return st;
    char *dict = malloc(head_len ? head_len : 1);
    if (!dict) return clae__fail(ctx, CLAE_ENOMEM, "%s: out of memory for the npy header", path);
    if (fseek(f, (long)dict_at, SEEK_SET) != 0 || fread(dict, 1, head_len, f) != head_len)
        st = short_read(ctx, path, f);
    clae_npy h;
    memset(&h, 0, sizeof h);
    if (st == CLAE_OK) st = parse_header(ctx, path, dict, head_len, &h, &item);
    free(dict);
    if (st == CLAE_OK) st = check_size(ctx, path, &h, dict_at + head_len, size);
    if (st == CLAE_OK) *out = h;
    return st;
}

clae_status clae__npy_read_values(clae_ctx *ctx, const char *path, FILE *f, const clae_npy *h,
                                  float *out, size_t n)
{
    /* A fixed chunk of file bytes, converted as it comes: the file's bytes
     * are never held whole. */
    unsigned char chunk[1 << 16];
    size_t item = dtype_size(h->dtype), per = sizeof chunk / item;
    while (n > 0) {
        size_t k = n < per ? n : per;
        if (fread(chunk, item, k, f) != k) return short_read(ctx, path, f);
        convert(chunk, k, h->dtype, out);
        out += k;
        n -= k;
    }
    return CLAE_OK;
}

clae_status clae__npy_read(clae_ctx *ctx, const char *path, clae_npy *out)
{
    memset(out, 0, sizeof *out);
    clae_status st = CLAE_OK;
    FILE *f = clae__open_regular(ctx, path, &st);
    if (!f) return st;
    struct stat sb;
    clae_npy h;
    memset(&h, 0, sizeof h);
    if (fstat(fileno(f), &sb) != 0 || (uint64_t)sb.st_size > SIZE_MAX)
        st = clae__fail(ctx, CLAE_EIO, "%s: cannot read its size", path);
    if (st == CLAE_OK) st = clae__npy_read_header(ctx, path, f, (size_t)sb.st_size, &h);
    if (st == CLAE_OK) {
        h.data = malloc((h.count ? h.count : 1) * sizeof *h.data);
        if (!h.data)
            st = clae__fail(ctx, CLAE_ENOMEM, "%s: out of memory for %zu values", path, h.count);
    }
    if (st == CLAE_OK) st = clae__npy_read_values(ctx, path, f, &h, h.data, h.count);
    fclose(f);
    if (st == CLAE_OK)
        *out = h;
    else
        clae__npy_free(&h);
    return st;
}

clae_status clae__npy_parse(clae_ctx *ctx, const char *path, const void *bytes, size_t size,
                            clae_npy *out)
{
    memset(out, 0, sizeof *out);
    const unsigned char *b = bytes;
    size_t dict_at = 0, head_len = 0, item = 0;
    clae_status st = check_preamble(ctx, path, b, size, &dict_at, &head_len);
    if (st != CLAE_OK) return st;
    clae_npy h;
    memset(&h, 0, sizeof h);
    st = parse_header(ctx, path, (const char *)b + dict_at, head_len, &h, &item);
    if (st == CLAE_OK) st = check_size(ctx, path, &h, dict_at + head_len, size);
    if (st != CLAE_OK) return st;
    h.data = malloc((h.count ? h.count : 1) * sizeof *h.data);
    if (!h.data)
        return clae__fail(ctx, CLAE_ENOMEM, "%s: out of memory for %zu values", path, h.count);
    convert(b + dict_at + head_len, h.count, h.dtype, h.data);
    *out = h;
    return CLAE_OK;
}

void clae__npy_free(clae_npy *npy)
{
    if (!npy) return;
    free(npy->data);
    memset(npy, 0, sizeof *npy);
}

/* ----------------------------------------------------------------- write */

clae_status clae__npy_write(clae_ctx *ctx, const char *path, const float *data, size_t rows,
                            size_t cols)
{
    if (!data && rows * cols > 0) return clae__fail(ctx, CLAE_EUSAGE, "%s: no data", path);
    if (cols != 0 && rows > SIZE_MAX / 4 / cols)
        return clae__fail(ctx, CLAE_EUSAGE, "%s: %zu x %zu values is too large", path, rows, cols);
    char dict[160];
    int n = snprintf(dict, sizeof dict, "{'descr': '<f4', 'fortran_order': False, 'shape': (%zu, %zu), }",
                     rows, cols);
    if (n < 0 || (size_t)n >= sizeof dict)
        return clae__fail(ctx, CLAE_EINTERNAL, "%s: npy header too long", path);
    /* Version 1.0: the magic, the version, a 2-byte length and the dict padded
     * with spaces and a newline so that the data starts 64-byte aligned. */
    size_t head = 10 + (size_t)n + 1;
    size_t padded = (head + 63) / 64 * 64;
    size_t bytes = rows * cols * 4;
    unsigned char *buf = malloc(padded + bytes);
    if (!buf)
        return clae__fail(ctx, CLAE_ENOMEM, "%s: out of memory for %zu x %zu values", path, rows,
                          cols);
    memcpy(buf, npy_magic, sizeof npy_magic);
    buf[6] = 1;
    buf[7] = 0;
    size_t dict_len = padded - 10;
    buf[8] = (unsigned char)(dict_len & 0xFF);
    buf[9] = (unsigned char)(dict_len >> 8);
    memcpy(buf + 10, dict, (size_t)n);
    memset(buf + 10 + n, ' ', padded - 10 - (size_t)n - 1);
    buf[padded - 1] = '\n';
    unsigned char *p = buf + padded;
    for (size_t i = 0; i < rows * cols; i++) {
        uint32_t u;
        memcpy(&u, &data[i], 4);
        p[4 * i] = (unsigned char)u;
        p[4 * i + 1] = (unsigned char)(u >> 8);
        p[4 * i + 2] = (unsigned char)(u >> 16);
        p[4 * i + 3] = (unsigned char)(u >> 24);
    }
    clae_status st = clae__write_file_atomic(ctx, path, buf, padded + bytes);
    free(buf);
    return st;
}
