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

/* dir/name, in one of 64 buffers that take turns (a test holds a few at once). */
static inline const char *test_path(const char *dir, const char *name)
{
    static char paths[64][128];
    static int next;
    char *p = paths[next++ % 64];
    snprintf(p, sizeof paths[0], "%s/%s", dir, name);
    return p;
}

/* dir/name holding the bytes (a message when it cannot be written). */
static inline const char *test_put(const char *dir, const char *name, const void *bytes,
                                   size_t size)
{
    const char *path = test_path(dir, name);
    if (!write_bytes(path, bytes, size)) fprintf(stderr, "cannot write %s\n", path);
    return path;
}

/* A version 1.0 .npy into buf (128 + n bytes): the dict padded to a 128-byte
 * header, then the n data bytes. Returns its size. */
static inline size_t npy_v1_bytes(unsigned char *buf, const char *descr, const char *shape,
                                  const void *data, size_t n)
{
    char dict[118];
    int len = snprintf(dict, sizeof dict, "{'descr': '%s', 'fortran_order': False, 'shape': %s, }",
                       descr, shape);
    memcpy(buf, "\x93NUMPY\x01\x00\x76\x00", 10);
    memset(buf + 10, ' ', 117);
    memcpy(buf + 10, dict, (size_t)len);
    buf[127] = '\n';
    if (n) memcpy(buf + 128, data, n);
    return 128 + n;
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
