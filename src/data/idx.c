/* IDX files (the MNIST format), plain or gzipped.
 *
 * Layout: 0x00 0x00 type ndims, then ndims big-endian uint32 dimensions, then
 * the big-endian values: 0x08 ubyte, 0x09 sbyte, 0x0B short, 0x0C int,
 * 0x0D float, 0x0E double. Unsigned bytes are pixels and divided by 255;
 * every other type is taken as it is. Labels need an integer type. Every byte offset
 * in a message refers to the decompressed IDX stream, except where a message
 * says "compressed byte". */
#define ZLIB_CONST
#include "clae/data.h"
#include "data/reader.h"
#include "io/fsutil.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

/* Refuse anything larger (raw or decompressed) rather than exhaust memory. */
#define IDX_MAX_BYTES ((uint64_t)CLAE_DATA_MAX_FILE_BYTES)
#define IDX_TYPE_UBYTE 0x08u
#define IDX_MAX_RANK 4u

/* Element size in bytes of an IDX type code, 0 for an unknown code. */
static size_t type_size(unsigned t)
{
    switch (t) {
    case 0x08: case 0x09: return 1;
    case 0x0B: return 2;
    case 0x0C: case 0x0D: return 4;
    case 0x0E: return 8;
    default: return 0;
    }
}

static uint32_t be32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | (uint32_t)p[3];
}

/* zlib counts in uInt; feed it at most this much at a time. */
static uInt zchunk(size_t n) { return n > UINT_MAX ? UINT_MAX : (uInt)n; }

static int is_gzip(const unsigned char *bytes, size_t size)
{
    return size >= 2 && bytes[0] == 0x1f && bytes[1] == 0x8b;
}


/* Doubles a buffer that is full, up to one byte past IDX_MAX_BYTES: room for
 * that byte is enough to tell an input that exceeds the limit. `too_large`
 * and `verb` finish the messages ("decompressed size exceeds", "decompressing"). */
static clae_status grow_to_limit(clae_ctx *ctx, const char *name, unsigned char **buf,
                                 size_t *cap, const char *too_large, const char *verb)
{
    if ((uint64_t)*cap > IDX_MAX_BYTES)
        return clae__fail(ctx, CLAE_EDATA, "%s: %s %llu bytes", name, too_large,
                          (unsigned long long)IDX_MAX_BYTES);
    uint64_t want = (uint64_t)*cap * 2;
    if (want > IDX_MAX_BYTES + 1) want = IDX_MAX_BYTES + 1;
    if (want > SIZE_MAX) want = SIZE_MAX;
    unsigned char *nb = (size_t)want > *cap ? realloc(*buf, (size_t)want) : NULL;
    if (!nb) return clae__fail(ctx, CLAE_ENOMEM, "%s: out of memory %s", name, verb);
    *buf = nb;
    *cap = (size_t)want;
    return CLAE_OK;
}
/* Inflates a gzip stream (several members are allowed, as gzip(1) writes
 * them when files are concatenated) into a malloc'd buffer. */
static clae_status gunzip(clae_ctx *ctx, const char *name, const unsigned char *bytes, size_t size,
                          unsigned char **out, size_t *out_size)
{
    *out = NULL;
    *out_size = 0;
    z_stream zs;
    memset(&zs, 0, sizeof zs);
    int zr = inflateInit2(&zs, 16 + MAX_WBITS);
    if (zr != Z_OK)
        return clae__fail(ctx, zr == Z_MEM_ERROR ? CLAE_ENOMEM : CLAE_EDATA,
                          "%s: cannot start gzip decompression", name);

    /* The gzip trailer holds the size mod 2^32: a good first guess when it is
     * plausible (deflate cannot expand more than ~1032:1). */
    size_t cap = size < ((size_t)-1 - 65536) / 4 ? size * 4 + 65536 : size;
    if (size >= 18) {
        const unsigned char *t = bytes + size - 4;
        size_t hint = (size_t)((uint32_t)t[0] | (uint32_t)t[1] << 8 | (uint32_t)t[2] << 16 |
                               (uint32_t)t[3] << 24);
        if (hint > cap && hint / 1032 <= size) cap = hint;
    }
    if ((uint64_t)cap > IDX_MAX_BYTES + 1) cap = (size_t)(IDX_MAX_BYTES + 1);
    unsigned char *buf = malloc(cap);
    if (!buf) {
        inflateEnd(&zs);
        return clae__fail(ctx, CLAE_ENOMEM, "%s: out of memory decompressing", name);
    }

    size_t in_pos = 0, have = 0;
    clae_status st = CLAE_OK;
    for (;;) {
        if (have == cap &&
            (st = grow_to_limit(ctx, name, &buf, &cap, "decompressed size exceeds",
                                "decompressing")) != CLAE_OK)
            break;
        if (zs.avail_in == 0) {
            zs.next_in = bytes + in_pos;
            zs.avail_in = zchunk(size - in_pos);
        }
        zs.next_out = buf + have;
        zs.avail_out = zchunk(cap - have);
        uInt ai = zs.avail_in, ao = zs.avail_out;
        zr = inflate(&zs, Z_NO_FLUSH);
        in_pos += ai - zs.avail_in;
        have += ao - zs.avail_out;

        if (zr == Z_STREAM_END) {
            if (in_pos == size) break;
            if (is_gzip(bytes + in_pos, size - in_pos) && inflateReset(&zs) == Z_OK) continue;
            st = clae__fail(ctx, CLAE_EDATA,
                            "%s: %zu trailing bytes after gzip stream at compressed byte %zu", name,
                            size - in_pos, in_pos);
            break;
        }
        if (zr == Z_MEM_ERROR) {
            st = clae__fail(ctx, CLAE_ENOMEM, "%s: out of memory decompressing", name);
            break;
        }
        if (zr != Z_OK && zr != Z_BUF_ERROR) {
            st = clae__fail(ctx, CLAE_EDATA, "%s: corrupt gzip stream at compressed byte %zu: %s",
                            name, in_pos, zs.msg ? zs.msg : "invalid data");
            break;
        }
        /* inflate stops with output room left only when it has run out of input. */
        if (zs.avail_out > 0 && zs.avail_in == 0 && in_pos == size) {
            st = clae__fail(ctx, CLAE_EDATA,
                            "%s: truncated gzip stream (ends at compressed byte %zu after %zu "
                            "decompressed bytes)",
                            name, size, have);
            break;
        }
    }
    inflateEnd(&zs);
    /* The buffer may hold one byte past the limit, and the stream may end right there. */
    if (st == CLAE_OK && (uint64_t)have > IDX_MAX_BYTES)
        st = clae__fail(ctx, CLAE_EDATA, "%s: decompressed size exceeds %llu bytes", name,
                        (unsigned long long)IDX_MAX_BYTES);
    if (st != CLAE_OK) {
        free(buf);
        return st;
    }
    *out = buf;
    *out_size = have;
    return CLAE_OK;
}

/* The IDX bytes of an input: decompressed into *owned if gzipped, else the input itself. */
static clae_status idx_bytes(clae_ctx *ctx, const char *name, const unsigned char *bytes,
                             size_t size, unsigned char **owned, const unsigned char **data,
                             size_t *data_size)
{
    *owned = NULL;
    if (!bytes && size) return clae__fail(ctx, CLAE_EDATA, "%s: no data", name);
    if (!is_gzip(bytes, size)) {
        *data = bytes;
        *data_size = size;
        return CLAE_OK;
    }
    clae_status st = gunzip(ctx, name, bytes, size, owned, data_size);
    *data = *owned;
    return st;
}

/* A validated IDX header: dims[0] is the sample count, per_sample the product
 * of the remaining dimensions, and the payload starts at `offset`. */
typedef struct {
    unsigned type;
    size_t esize; /* bytes per element */
    unsigned rank;
    uint32_t dims[IDX_MAX_RANK];
    size_t per_sample;
    size_t offset;
} idx_header;

/* Element i of the payload as a double (every IDX type fits one exactly). */
static double element(const idx_header *h, const unsigned char *p, size_t i)
{
    p += i * h->esize;
    switch (h->type) {
    case 0x08: return p[0];
    case 0x09: return (int8_t)p[0];
    case 0x0B: return (int16_t)(uint16_t)((unsigned)p[0] << 8 | p[1]);
    case 0x0C: return (int32_t)be32(p);
    case 0x0D: {
        uint32_t u = be32(p);
        float f;
        memcpy(&f, &u, sizeof f);
        return f;
    }
    default: {
        uint64_t u = (uint64_t)be32(p) << 32 | be32(p + 4);
        double d;
        memcpy(&d, &u, sizeof d);
        return d;
    }
    }
}

static clae_status parse_header(clae_ctx *ctx, const char *name, const unsigned char *d,
                                size_t size, unsigned min_rank, unsigned max_rank,
                                const char *what, idx_header *h)
{
    if (size < 4) return clae__fail(ctx, CLAE_EDATA, "%s: truncated at byte %zu of 4", name, size);
    if (d[0] != 0 || d[1] != 0) {
        char ranks[32];
        if (min_rank == max_rank)
            snprintf(ranks, sizeof ranks, "%u", min_rank);
        else
            snprintf(ranks, sizeof ranks, "%u to %u", min_rank, max_rank);
        return clae__fail(ctx, CLAE_EDATA,
                          "%s: bad IDX magic 0x%08lX (expected bytes 0x00 0x00, an element type "
                          "0x08, 0x09 or 0x0B to 0x0E, and %s %s)",
                          name, (unsigned long)be32(d), min_rank == max_rank ? "rank" : "a rank of",
                          ranks);
    }
    h->type = d[2];
    h->esize = type_size(d[2]);
    if (!h->esize)
        return clae__fail(ctx, CLAE_EDATA,
                          "%s: unsupported IDX element type 0x%02X (expected 0x08, 0x09, 0x0B, "
                          "0x0C, 0x0D or 0x0E)",
                          name, d[2]);
    h->rank = d[3];
    if (h->rank < min_rank || h->rank > max_rank) {
        if (min_rank == max_rank)
            return clae__fail(ctx, CLAE_EDATA,
                              "%s: IDX file has rank %u, %s need rank %u", name, h->rank, what,
                              min_rank);
        return clae__fail(ctx, CLAE_EDATA, "%s: IDX file has rank %u, %s need rank %u to %u",
                          name, h->rank, what, min_rank, max_rank);
    }
    h->offset = 4 + 4 * (size_t)h->rank;
    if (size < h->offset)
        return clae__fail(ctx, CLAE_EDATA, "%s: truncated at byte %zu of %zu", name, size,
                          h->offset);

    char shape[80] = "";
    size_t used = 0;
    for (unsigned i = 0; i < h->rank; i++) {
        h->dims[i] = be32(d + 4 + 4 * i);
        int n = snprintf(shape + used, sizeof shape - used, "%s%lu", i ? " x " : "",
                         (unsigned long)h->dims[i]);
        if (n > 0 && (size_t)n < sizeof shape - used) used += (size_t)n;
    }
    if (h->dims[0] == 0)
        return clae__fail(ctx, CLAE_EDATA, "%s: empty dataset (count 0 at byte 4)", name);
    /* The count times all other dimensions must fit size_t (checked before adding the header). */
    size_t total = h->dims[0];
    h->per_sample = 1;
    for (unsigned i = 1; i < h->rank; i++) {
        if (h->dims[i] == 0)
            return clae__fail(ctx, CLAE_EDATA, "%s: IDX dimension %u is zero (byte %u)", name,
                              i + 1, 4 + 4 * i);
        if (h->dims[i] > INT_MAX)
            return clae__fail(ctx, CLAE_EDATA, "%s: IDX dimension %u is too large: %lu (byte %u)",
                              name, i + 1, (unsigned long)h->dims[i], 4 + 4 * i);
        if (total > SIZE_MAX / h->dims[i])
            return clae__fail(ctx, CLAE_EDATA, "%s: IDX dimensions %s overflow size_t", name,
                              shape);
        total *= h->dims[i];
        h->per_sample *= h->dims[i];
    }
    if (total > (SIZE_MAX - h->offset) / h->esize || total > SIZE_MAX / sizeof(float))
        return clae__fail(ctx, CLAE_EDATA, "%s: IDX dimensions %s overflow size_t", name, shape);
    size_t expected = h->offset + total * h->esize;
    if (size < expected)
        return clae__fail(ctx, CLAE_EDATA, "%s: truncated at byte %zu of %zu", name, size,
                          expected);
    if (size > expected)
        return clae__fail(ctx, CLAE_EDATA, "%s: %zu trailing bytes after byte %zu", name,
                          size - expected, expected);
    return CLAE_OK;
}

clae_status clae_idx_parse_images(clae_ctx *ctx, const char *name, const unsigned char *bytes,
                                  size_t size, clae_dataset *out)
{
    memset(out, 0, sizeof *out);
    if (!name) name = "(memory)";
    unsigned char *owned;
    const unsigned char *d = NULL;
    size_t dsize;
    clae_status st = idx_bytes(ctx, name, bytes, size, &owned, &d, &dsize);
    if (st != CLAE_OK) return st;
    idx_header h;
    st = parse_header(ctx, name, d, dsize, 2, 4, "images", &h);
    if (st != CLAE_OK) {
        free(owned);
        return st;
    }

    clae_dataset ds;
    memset(&ds, 0, sizeof ds);
    snprintf(ds.name, sizeof ds.name, "%s", name);
    ds.count = h.dims[0];
    /* count x n is a flat vector (1 x 1 x n); rank 4 is count x h x w x c. */
    ds.channels = h.rank == 4 ? (int)h.dims[3] : 1;
    ds.height = h.rank == 2 ? 1 : (int)h.dims[1];
    ds.width = h.rank == 2 ? (int)h.dims[1] : (int)h.dims[2];
    ds.dim = h.per_sample;
    ds.x = malloc(ds.count * ds.dim * sizeof(float));
    if (!ds.x) {
        free(owned);
        return clae__fail(ctx, CLAE_ENOMEM, "%s: out of memory for %zu x %zu values", name,
                          ds.count, ds.dim);
    }
    const unsigned char *src = d + h.offset;
    size_t n = ds.count * ds.dim;
    /* Interleaved HWC in the file (rank 4), planar CHW in memory. */
    size_t c = (size_t)ds.channels, plane = (size_t)ds.height * (size_t)ds.width;
    for (size_t i = 0; i < n; i++) {
        size_t s = i / ds.dim, r = i % ds.dim, p = r / c, ch = r % c;
        double v = element(&h, src, i);
        if (h.type == IDX_TYPE_UBYTE) v /= 255.0;
        if (!isfinite((float)v)) {
            free(owned);
            free(ds.x);
            return clae__fail(ctx, CLAE_EDATA, "%s: value %zu (byte %zu) is not a finite float",
                              name, i, h.offset + i * h.esize);
        }
        ds.x[s * ds.dim + ch * plane + p] = (float)v;
    }
    free(owned);
    *out = ds;
    return CLAE_OK;
}

clae_status clae_idx_parse_labels(clae_ctx *ctx, const char *name, const unsigned char *bytes,
                                  size_t size, clae_dataset *ds)
{
    if (!name) name = "(memory)";
    unsigned char *owned;
    const unsigned char *d = NULL;
    size_t dsize;
    clae_status st = idx_bytes(ctx, name, bytes, size, &owned, &d, &dsize);
    if (st != CLAE_OK) return st;
    idx_header h;
    st = parse_header(ctx, name, d, dsize, 1, 1, "labels", &h);
    if (st == CLAE_OK && (h.type == 0x0D || h.type == 0x0E))
        st = clae__fail(ctx, CLAE_EDATA,
                        "%s: labels need an integer IDX type (0x08, 0x09, 0x0B or 0x0C), got 0x%02X",
                        name, h.type);
    if (st == CLAE_OK && h.dims[0] != ds->count)
        st = clae__fail(ctx, CLAE_EDATA, "%s: %lu labels for %zu images", name,
                        (unsigned long)h.dims[0], ds->count);
    int *labels = NULL;
    if (st == CLAE_OK) {
        labels = malloc(ds->count * sizeof *labels);
        if (!labels)
            st = clae__fail(ctx, CLAE_ENOMEM, "%s: out of memory for %zu labels", name, ds->count);
    }
    if (st == CLAE_OK) {
        for (size_t i = 0; i < ds->count && st == CLAE_OK; i++) {
            double v = element(&h, d + h.offset, i);
            if (v < 0 || v > CLAE_DATA_MAX_LABEL)
                st = clae__fail(ctx, CLAE_EDATA,
                                "%s: label %zu (byte %zu) is %.0f, expected 0 to %d", name, i,
                                h.offset + i * h.esize, v, CLAE_DATA_MAX_LABEL);
            labels[i] = (int)v;
        }
    }
    if (st == CLAE_OK) {
        free(ds->labels);
        ds->labels = labels;
        labels = NULL;
    }
    free(labels);
    free(owned);
    return st;
}

/* Reads a whole file into a malloc'd buffer. */
static clae_status read_file(clae_ctx *ctx, const char *path, unsigned char **out, size_t *size)
{
    *out = NULL;
    *size = 0;
    clae_status st = clae__data_file_check(ctx, path, NULL);
    if (st != CLAE_OK) return st;
    FILE *f = fopen(path, "rb");
    if (!f) return clae__fail_open(ctx, path, errno);
    size_t cap = 1 << 16, have = 0;
    unsigned char *buf = malloc(cap);
    st = buf ? CLAE_OK : clae__fail(ctx, CLAE_ENOMEM, "%s: out of memory reading", path);
    while (st == CLAE_OK) {
        if (have == cap &&
            (st = grow_to_limit(ctx, path, &buf, &cap, "file is larger than", "reading")) !=
                CLAE_OK)
            break;
        errno = 0;
        size_t want = cap - have;
        have += fread(buf + have, 1, want, f);
        /* fread comes back short only at the end of the file or on an error. */
        if (have < cap) {
            if (ferror(f))
                st = clae__fail(ctx, CLAE_EIO, "%s: read error: %s", path,
                                strerror(errno ? errno : EIO));
            break;
        }
    }
    fclose(f);
    if (st != CLAE_OK) {
        free(buf);
        return st;
    }
    *out = buf;
    *size = have;
    return CLAE_OK;
}

clae_status clae_idx_read_images(clae_ctx *ctx, const char *path, clae_dataset *out)
{
    memset(out, 0, sizeof *out);
    unsigned char *buf;
    size_t size;
    clae_status st = read_file(ctx, path, &buf, &size);
    if (st != CLAE_OK) return st;
    st = clae_idx_parse_images(ctx, path, buf, size, out);
    free(buf);
    return st;
}

clae_status clae_idx_read_labels(clae_ctx *ctx, const char *path, clae_dataset *ds)
{
    unsigned char *buf;
    size_t size;
    clae_status st = read_file(ctx, path, &buf, &size);
    if (st != CLAE_OK) return st;
    st = clae_idx_parse_labels(ctx, path, buf, size, ds);
    free(buf);
    return st;
}
