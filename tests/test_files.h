/* What the data tests build their input files from: bytes written to a path,
 * and one gzip member made in memory. */
#ifndef CLAE_TEST_FILES_H
#define CLAE_TEST_FILES_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

/* 1 when all size bytes reached path. */
static inline int write_bytes(const char *path, const void *bytes, size_t size)
{
    FILE *f = fopen(path, "wb");
    if (!f) return 0;
    size_t n = size ? fwrite(bytes, 1, size, f) : 0;
    return (fclose(f) == 0) & (n == size);
}

/* One gzip member of the bytes (malloc'd), NULL on failure. */
static inline unsigned char *gzip_bytes(const unsigned char *in, size_t n, size_t *out_n)
{
    z_stream zs;
    memset(&zs, 0, sizeof zs);
    if (deflateInit2(&zs, 9, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY) != Z_OK)
        return NULL;
    size_t cap = deflateBound(&zs, (uLong)n) + 64;
    unsigned char *out = malloc(cap);
    zs.next_in = (Bytef *)(uintptr_t)in;
    zs.avail_in = (uInt)n;
    zs.next_out = out;
    zs.avail_out = (uInt)cap;
    int r = out ? deflate(&zs, Z_FINISH) : Z_MEM_ERROR;
    *out_n = zs.total_out;
    deflateEnd(&zs);
    if (r != Z_STREAM_END) {
        free(out);
        return NULL;
    }
    return out;
}

#endif
