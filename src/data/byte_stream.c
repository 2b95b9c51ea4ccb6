/* A sequential byte source, plain or gzipped, from memory or a file. */
#define ZLIB_CONST
#include "data/byte_stream.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "data/reader.h"
#include "io/fsutil.h"

/* Compressed input read from a file at a time. */
#define IN_CHUNK ((size_t)1 << 18)

static int is_gzip(const unsigned char *b, size_t n)
{
    return n >= 2 && b[0] == 0x1f && b[1] == 0x8b;
}

/* zlib counts in uInt; hand it at most this much at a time. */
static uInt zchunk(size_t n) { return n > UINT_MAX ? UINT_MAX : (uInt)n; }

static clae_status start_inflate(clae__byte_stream *bs)
{
    int zr = inflateInit2(&bs->zs, 16 + MAX_WBITS);
    if (zr != Z_OK)
        return clae__fail(bs->ctx, zr == Z_MEM_ERROR ? CLAE_ENOMEM : CLAE_EDATA,
                          "%s: cannot start gzip decompression", bs->name);
    bs->zs_live = 1;
    return CLAE_OK;
}

clae_status clae__byte_stream_memory(clae_ctx *ctx, clae__byte_stream *bs, const char *name,
                                     const unsigned char *bytes, size_t size)
{
    memset(bs, 0, sizeof *bs);
    bs->ctx = ctx;
    bs->name = name;
    if (!bytes && size) return clae__fail(ctx, CLAE_EDATA, "%s: no data", name);
    bs->mem = bytes;
    bs->size = size;
    bs->gzip = is_gzip(bytes, size);
    return bs->gzip ? start_inflate(bs) : CLAE_OK;
}

static clae_status read_error(clae__byte_stream *bs)
{
    return clae__fail(bs->ctx, CLAE_EIO, "%s: read error: %s", bs->name,
                      strerror(errno ? errno : EIO));
}

clae_status clae__byte_stream_file(clae_ctx *ctx, clae__byte_stream *bs, const char *path)
{
    memset(bs, 0, sizeof *bs);
    bs->ctx = ctx;
    bs->name = path;
    clae_status st = clae__data_file_check(ctx, path, &bs->size);
    if (st != CLAE_OK) return st;
    bs->file = clae__open_regular(ctx, path, &st); /* never blocks on a FIFO swapped in */
    if (!bs->file) return st;
    unsigned char magic[2];
    errno = 0;
    size_t n = fread(magic, 1, sizeof magic, bs->file);
    if (ferror(bs->file)) return read_error(bs);
    rewind(bs->file);
    bs->gzip = is_gzip(magic, n);
    if (!bs->gzip) return CLAE_OK;
    bs->in_buf = malloc(IN_CHUNK);
    if (!bs->in_buf) return clae__fail(ctx, CLAE_ENOMEM, "%s: out of memory reading", path);
    return start_inflate(bs);
}

/* Compressed bytes inflate has taken so far. */
static size_t in_pos(const clae__byte_stream *bs) { return bs->in_fed - bs->zs.avail_in; }

/* Gives inflate more input, keeping what it has not taken yet; avail_in stays
 * as it was at the end of the input. */
static clae_status refill(clae__byte_stream *bs)
{
    if (bs->mem) {
        size_t at = in_pos(bs);
        bs->zs.next_in = bs->mem + at;
        bs->zs.avail_in = zchunk(bs->size - at);
        bs->in_fed = at + bs->zs.avail_in;
        return CLAE_OK;
    }
    size_t keep = bs->zs.avail_in;
    if (keep) memmove(bs->in_buf, bs->zs.next_in, keep);
    errno = 0;
    size_t n = fread(bs->in_buf + keep, 1, IN_CHUNK - keep, bs->file);
    if (n < IN_CHUNK - keep && ferror(bs->file)) return read_error(bs);
    bs->zs.next_in = bs->in_buf;
    bs->zs.avail_in = (uInt)(keep + n);
    bs->in_fed += n;
    return CLAE_OK;
}

/* At the end of a gzip member: the end of the input, another member, or an error. */
static clae_status next_member(clae__byte_stream *bs)
{
    size_t at = in_pos(bs);
    clae_status st = bs->zs.avail_in < 2 ? refill(bs) : CLAE_OK;
    if (st != CLAE_OK) return st;
    if (bs->zs.avail_in == 0) {
        bs->ended = 1;
        return CLAE_OK;
    }
    if (is_gzip(bs->zs.next_in, bs->zs.avail_in) && inflateReset(&bs->zs) == Z_OK) return CLAE_OK;
    /* The input's size (stat's for a file): the rest is not read to count it. */
    size_t size = bs->size > at ? bs->size : in_pos(bs) + bs->zs.avail_in;
    return clae__fail(bs->ctx, CLAE_EDATA,
                      "%s: %zu trailing bytes after gzip stream at compressed byte %zu", bs->name,
                      size - at, at);
}

static clae_status inflate_into(clae__byte_stream *bs, unsigned char *dst, size_t n, size_t *got)
{
    z_stream *zs = &bs->zs;
    clae_status st = CLAE_OK;
    while (*got < n && !bs->ended && st == CLAE_OK) {
        if (zs->avail_in == 0 && (st = refill(bs)) != CLAE_OK) break;
        zs->next_out = dst + *got;
        zs->avail_out = zchunk(n - *got);
        uInt ao = zs->avail_out;
        int zr = inflate(zs, Z_NO_FLUSH);
        *got += ao - zs->avail_out;
        bs->pos += ao - zs->avail_out;
        if (zr == Z_STREAM_END) {
            st = next_member(bs);
            continue;
        }
        if (zr == Z_MEM_ERROR)
            return clae__fail(bs->ctx, CLAE_ENOMEM, "%s: out of memory decompressing", bs->name);
        if (zr != Z_OK && zr != Z_BUF_ERROR)
            return clae__fail(bs->ctx, CLAE_EDATA,
                              "%s: corrupt gzip stream at compressed byte %zu: %s", bs->name,
                              in_pos(bs), zs->msg ? zs->msg : "invalid data");
        /* inflate stops with output room left only when it has run out of input. */
        if (zs->avail_out > 0 && zs->avail_in == 0) {
            if ((st = refill(bs)) != CLAE_OK) break;
            if (zs->avail_in == 0)
                return clae__fail(bs->ctx, CLAE_EDATA,
                                  "%s: truncated gzip stream (ends at compressed byte %zu after "
                                  "%zu decompressed bytes)",
                                  bs->name, bs->in_fed, bs->pos);
        }
    }
    return st;
}

clae_status clae__byte_stream_read(clae__byte_stream *bs, void *dst, size_t n, size_t *got)
{
    *got = 0;
    if (bs->gzip) return inflate_into(bs, dst, n, got);
    if (!bs->file) {
        *got = n < bs->size - bs->pos ? n : bs->size - bs->pos;
        if (*got) memcpy(dst, bs->mem + bs->pos, *got);
    } else {
        errno = 0;
        *got = fread(dst, 1, n, bs->file);
        /* fread comes back short only at the end of the file or on an error. */
        if (*got < n && ferror(bs->file)) return read_error(bs);
    }
    bs->pos += *got;
    return CLAE_OK;
}

uint64_t clae__byte_stream_max_bytes(const clae__byte_stream *bs)
{
    return bs->gzip ? (uint64_t)bs->size * CLAE_GZIP_MAX_RATIO : (uint64_t)bs->size;
}

void clae__byte_stream_close(clae__byte_stream *bs)
{
    if (bs->zs_live) inflateEnd(&bs->zs);
    if (bs->file) fclose(bs->file);
    free(bs->in_buf);
    memset(bs, 0, sizeof *bs);
}
