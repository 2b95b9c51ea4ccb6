/* IDX files (the MNIST format), plain or gzipped.
 *
 * Layout: 0x00 0x00 type ndims, then ndims big-endian uint32 dimensions, then
 * the big-endian values: 0x08 ubyte, 0x09 sbyte, 0x0B short, 0x0C int,
 * 0x0D float, 0x0E double. Unsigned bytes are pixels and divided by 255;
 * every other type is taken as it is. Labels need an integer type. Every byte offset
 * in a message refers to the decompressed IDX stream, except where a message
 * says "compressed byte".
 *
 * The input is read once, in chunks, converting values straight into the one
 * float array: the header first, then only the samples kept (bounds.take),
 * after the budget has allowed them. A plain file of bytes or floats may be
 * mapped instead (mapped.c), through the same header checks
 * (clae__idx_layout). */
#include "clae/data.h"
#include "data/byte_stream.h"
#include "data/mapped.h"
#include "data/reader.h"

#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Refuse to decompress more than this (a plain file may be no larger either). */
#define IDX_MAX_BYTES ((uint64_t)CLAE_DATA_MAX_FILE_BYTES)
/* Payload bytes read and converted at a time. */
#define IDX_CHUNK ((size_t)1 << 16)
#define IDX_TYPE_UBYTE 0x08u
#define IDX_TYPE_FLOAT 0x0Du
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

/* A validated IDX header: dims[0] is the sample count, per_sample the product
 * of the remaining dimensions, and the payload starts at `offset`. */
typedef struct {
    unsigned type;
    size_t esize; /* bytes per element */
    unsigned rank;
    uint32_t dims[IDX_MAX_RANK];
    size_t per_sample;
    size_t offset;
    size_t expected; /* bytes of the whole file: offset + count x per_sample x esize */
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
    case IDX_TYPE_FLOAT: {
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


/* Reads and checks the header: 4 bytes, then 4 per dimension. A plain input's
 * size is known, so it must be exactly the size the header declares; a
 * gzipped one is checked as it is read. */
static clae_status read_header(clae__byte_stream *bs, unsigned min_rank, unsigned max_rank,
                               const char *what, idx_header *h)
{
    clae_ctx *ctx = bs->ctx;
    const char *name = bs->name;
    unsigned char d[4 + 4 * IDX_MAX_RANK];
    size_t got;
    clae_status st = clae__byte_stream_read(bs, d, 4, &got);
    if (st != CLAE_OK) return st;
    if (got < 4) return clae__fail(ctx, CLAE_EDATA, "%s: truncated at byte %zu of 4", name, got);
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
    st = clae__byte_stream_read(bs, d + 4, h->offset - 4, &got);
    if (st != CLAE_OK) return st;
    if (4 + got < h->offset)
        return clae__fail(ctx, CLAE_EDATA, "%s: truncated at byte %zu of %zu", name, 4 + got,
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
    h->expected = h->offset + total * h->esize;
    if (bs->gzip) return CLAE_OK;
    if (bs->size < h->expected)
        return clae__fail(ctx, CLAE_EDATA, "%s: truncated at byte %zu of %zu", name, bs->size,
                          h->expected);
    if (bs->size > h->expected)
        return clae__fail(ctx, CLAE_EDATA, "%s: %zu trailing bytes after byte %zu", name,
                          bs->size - h->expected, h->expected);
    return CLAE_OK;
}

/* The next `n` elements of the payload into buf (n x esize <= IDX_CHUNK). */
static clae_status read_elements(clae__byte_stream *bs, const idx_header *h, unsigned char *buf,
                                 size_t n)
{
    size_t got;
    clae_status st = clae__byte_stream_read(bs, buf, n * h->esize, &got);
    if (st == CLAE_OK && got < n * h->esize)
        st = clae__fail(bs->ctx, CLAE_EDATA, "%s: truncated at byte %zu of %zu", bs->name,
                        bs->pos, h->expected);
    return st;
}

/* After the whole payload of a gzipped input: the stream must end there.
 * The bytes after it are read (to count them, up to IDX_MAX_BYTES), and so is
 * the rest of the stream, whose own faults come first. */
/* Trailing bytes are counted up to this many; past it the verdict is the
 * same and inflating on (a bomb's worth, perhaps) would only cost time. */
#define TRAILING_COUNTED ((size_t)1 << 20)

static clae_status check_end(clae__byte_stream *bs, const idx_header *h, unsigned char *buf)
{
    size_t got;
    do {
        clae_status st = clae__byte_stream_read(bs, buf, IDX_CHUNK, &got);
        if (st != CLAE_OK) return st;
    } while (got == IDX_CHUNK && bs->pos - h->expected <= TRAILING_COUNTED);
    if (bs->pos - h->expected > TRAILING_COUNTED)
        return clae__fail(bs->ctx, CLAE_EDATA, "%s: more than %zu trailing bytes after byte %zu",
                          bs->name, TRAILING_COUNTED, h->expected);
    if (bs->pos > h->expected)
        return clae__fail(bs->ctx, CLAE_EDATA, "%s: %zu trailing bytes after byte %zu", bs->name,
                          bs->pos - h->expected, h->expected);
    return CLAE_OK;
}

/* The first `take` samples' values, converted chunk by chunk into x: scaled
 * when bytes, and from interleaved HWC in the file (rank 4) to planar CHW. */
static clae_status read_values(clae__byte_stream *bs, const idx_header *h, const clae_dataset *ds,
                               unsigned char *buf)
{
    size_t n = ds->count * ds->dim, per_chunk = IDX_CHUNK / h->esize;
    size_t c = (size_t)ds->channels, plane = (size_t)ds->height * (size_t)ds->width;
    size_t s = 0, p = 0, ch = 0;
    for (size_t i = 0; i < n;) {
        size_t k = n - i < per_chunk ? n - i : per_chunk;
        clae_status st = read_elements(bs, h, buf, k);
        if (st != CLAE_OK) return st;
        for (size_t j = 0; j < k; j++, i++) {
            double v = element(h, buf, j);
            if (h->type == IDX_TYPE_UBYTE) v /= 255.0;
            if (!isfinite((float)v))
                return clae__fail(bs->ctx, CLAE_EDATA,
                                  "%s: value %zu (byte %zu) is not a finite float", bs->name, i,
                                  h->offset + i * h->esize);
            ds->x[s * ds->dim + ch * plane + p] = (float)v;
            if (++ch < c) continue;
            ch = 0;
            if (++p < plane) continue;
            p = 0;
            s++;
        }
    }
    return CLAE_OK;
}

/* The dataset an image header describes, before any sample is kept. */
static void image_shape(const idx_header *h, const char *name, clae_dataset *ds)
{
    memset(ds, 0, sizeof *ds);
    snprintf(ds->name, sizeof ds->name, "%s", name);
    ds->file_count = h->dims[0];
    /* count x n is a flat vector (1 x 1 x n); rank 4 is count x h x w x c. */
    ds->channels = h->rank == 4 ? (int)h->dims[3] : 1;
    ds->height = h->rank == 2 ? 1 : (int)h->dims[1];
    ds->width = h->rank == 2 ? (int)h->dims[1] : (int)h->dims[2];
    ds->dim = h->per_sample;
}

static clae_status read_images(clae__byte_stream *bs, const clae_data_bounds *bounds,
                               clae_dataset *out)
{
    idx_header h;
    clae_status st = read_header(bs, 2, 4, "images", &h);
    if (st != CLAE_OK) return st;
    clae_dataset ds;
    image_shape(&h, bs->name, &ds);
    st = clae__data_take(bs->ctx, bs->name, bounds, ds.file_count, ds.dim, 0, &ds.count);
    if (st != CLAE_OK) return st;
    /* What a gzipped input must inflate to for them (the file's size when all are
     * read): refused before the floats are allocated when no stream of its size
     * could hold that much. */
    uint64_t need = (uint64_t)h.offset + (uint64_t)ds.count * ds.dim * h.esize;
    if (bs->gzip && need > clae__byte_stream_max_bytes(bs))
        return clae__fail(bs->ctx, CLAE_EDATA,
                          "%s: truncated: a gzip stream of %zu bytes inflates to at most %llu, "
                          "and %zu samples need %llu bytes",
                          bs->name, bs->size,
                          (unsigned long long)clae__byte_stream_max_bytes(bs), ds.count,
                          (unsigned long long)need);
    if (bs->gzip && need > IDX_MAX_BYTES)
        return clae__fail(bs->ctx, CLAE_EDATA, "%s: decompressed size exceeds %llu bytes",
                          bs->name, (unsigned long long)IDX_MAX_BYTES);
    unsigned char *buf = malloc(IDX_CHUNK);
    ds.x = malloc(ds.count * ds.dim * sizeof(float));
    if (!buf || !ds.x) {
        free(buf);
        free(ds.x);
        return clae__fail(bs->ctx, CLAE_ENOMEM, "%s: out of memory for %zu x %zu values",
                          bs->name, ds.count, ds.dim);
    }
    st = read_values(bs, &h, &ds, buf);
    /* With fewer samples than the file holds, the rest of a gzipped stream is
     * not read, so not checked either; a plain input's size was checked. */
    if (st == CLAE_OK && bs->gzip && ds.count == ds.file_count) st = check_end(bs, &h, buf);
    free(buf);
    if (st != CLAE_OK) {
        free(ds.x);
        return st;
    }
    *out = ds;
    return CLAE_OK;
}

/* Labels for the first ds->count samples of a file of clae__data_file_count(ds). */
static clae_status read_labels(clae__byte_stream *bs, clae_dataset *ds)
{
    idx_header h;
    clae_status st = read_header(bs, 1, 1, "labels", &h);
    if (st != CLAE_OK) return st;
    if (h.type == 0x0D || h.type == 0x0E)
        return clae__fail(bs->ctx, CLAE_EDATA,
                          "%s: labels need an integer IDX type (0x08, 0x09, 0x0B or 0x0C), got "
                          "0x%02X",
                          bs->name, h.type);
    size_t file_count = clae__data_file_count(ds);
    if (h.dims[0] != file_count)
        return clae__fail(bs->ctx, CLAE_EDATA, "%s: %lu labels for %zu images", bs->name,
                          (unsigned long)h.dims[0], file_count);
    size_t n = ds->count < file_count ? ds->count : file_count;
    unsigned char *buf = malloc(IDX_CHUNK);
    int *labels = malloc((n ? n : 1) * sizeof *labels);
    if (!buf || !labels) {
        free(buf);
        free(labels);
        return clae__fail(bs->ctx, CLAE_ENOMEM, "%s: out of memory for %zu labels", bs->name, n);
    }
    size_t per_chunk = IDX_CHUNK / h.esize;
    for (size_t i = 0; i < n && st == CLAE_OK;) {
        size_t k = n - i < per_chunk ? n - i : per_chunk;
        st = read_elements(bs, &h, buf, k);
        for (size_t j = 0; j < k && st == CLAE_OK; j++, i++) {
            double v = element(&h, buf, j);
            if (v < 0 || v > CLAE_DATA_MAX_LABEL)
                st = clae__fail(bs->ctx, CLAE_EDATA,
                                "%s: label %zu (byte %zu) is %.0f, expected 0 to %d", bs->name, i,
                                h.offset + i * h.esize, v, CLAE_DATA_MAX_LABEL);
            labels[i] = (int)v;
        }
    }
    /* As for images: a gzipped stream is checked to its end only when all of it is used. */
    if (st == CLAE_OK && bs->gzip && n == h.dims[0]) st = check_end(bs, &h, buf);
    free(buf);
    if (st != CLAE_OK) {
        free(labels);
        return st;
    }
    free(ds->labels);
    ds->labels = labels;
    return CLAE_OK;
}

clae_status clae_idx_parse_images(clae_ctx *ctx, const char *name, const unsigned char *bytes,
                                  size_t size, const clae_data_bounds *bounds, clae_dataset *out)
{
    memset(out, 0, sizeof *out);
    clae__byte_stream bs;
    clae_status st = clae__byte_stream_memory(ctx, &bs, name ? name : "(memory)", bytes, size);
    if (st == CLAE_OK) st = read_images(&bs, bounds, out);
    clae__byte_stream_close(&bs);
    return st;
}

clae_status clae_idx_parse_labels(clae_ctx *ctx, const char *name, const unsigned char *bytes,
                                  size_t size, clae_dataset *ds)
{
    clae__byte_stream bs;
    clae_status st = clae__byte_stream_memory(ctx, &bs, name ? name : "(memory)", bytes, size);
    if (st == CLAE_OK) st = read_labels(&bs, ds);
    clae__byte_stream_close(&bs);
    return st;
}

clae_status clae_idx_read_images(clae_ctx *ctx, const char *path, const clae_data_bounds *bounds,
                                 clae_dataset *out)
{
    memset(out, 0, sizeof *out);
    clae__byte_stream bs;
    clae_status st = clae__byte_stream_file(ctx, &bs, path);
    if (st == CLAE_OK) st = read_images(&bs, bounds, out);
    clae__byte_stream_close(&bs);
    return st;
}

clae_status clae__idx_layout(clae_ctx *ctx, const char *path, clae__mapped_layout *out)
{
    memset(out, 0, sizeof *out);
    clae__byte_stream bs;
    clae_status st = clae__byte_stream_file(ctx, &bs, path);
    idx_header h;
    if (st == CLAE_OK && !bs.gzip) st = read_header(&bs, 2, 4, "images", &h);
    if (st == CLAE_OK && !bs.gzip && (h.type == IDX_TYPE_UBYTE || h.type == IDX_TYPE_FLOAT)) {
        image_shape(&h, path, &out->shape);
        out->offset = h.offset;
        out->type = h.type == IDX_TYPE_UBYTE ? CLAE__MAPPED_U8 : CLAE__MAPPED_F32_BE;
        out->interleaved = h.rank == 4;
    }
    clae__byte_stream_close(&bs);
    return st;
}

clae_status clae_idx_read_labels(clae_ctx *ctx, const char *path, clae_dataset *ds)
{
    clae__byte_stream bs;
    clae_status st = clae__byte_stream_file(ctx, &bs, path);
    if (st == CLAE_OK) st = read_labels(&bs, ds);
    clae__byte_stream_close(&bs);
    return st;
}
