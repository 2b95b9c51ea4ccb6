/* A sequential byte source for the IDX reader: bytes in memory or a regular
 * file, plain or gzipped (told by the magic bytes; several concatenated gzip
 * members are one stream, as gzip(1) writes them). A gzipped input is
 * inflated as it is read, straight into the caller's buffer, so that reading
 * the first n bytes costs one compressed-input chunk and never the rest. */
#ifndef CLAE_DATA_BYTE_STREAM_H
#define CLAE_DATA_BYTE_STREAM_H

#include <stdint.h>
#include <stdio.h>
#include <zlib.h>

#include "clae/status.h"

/* Deflate's largest expansion: a 258-byte match coded in 2 bits. */
#define CLAE_GZIP_MAX_RATIO 1032u

typedef struct clae__byte_stream {
    clae_ctx *ctx;
    const char *name;          /* for messages; must outlive the stream */
    int gzip;                  /* the input is gzipped */
    size_t size;               /* bytes of the input (compressed when gzip) */
    size_t pos;                /* (decompressed) bytes read so far */
    /* Where the input comes from: mem, or file through in_buf. */
    const unsigned char *mem;
    FILE *file;
    unsigned char *in_buf;
    size_t in_fed;             /* input bytes handed to zlib so far */
    int ended;                 /* the gzip stream ended where the input does */
    z_stream zs;
    int zs_live;
} clae__byte_stream;

/* Bytes in memory (not copied; they must outlive the stream). */
clae_status clae__byte_stream_memory(clae_ctx *ctx, clae__byte_stream *bs, const char *name,
                                     const unsigned char *bytes, size_t size);
/* A data file: clae__data_file_check, then opened for reading. */
clae_status clae__byte_stream_file(clae_ctx *ctx, clae__byte_stream *bs, const char *path);
/* Reads up to n bytes into dst. *got < n only at the end of the data; a
 * corrupt, truncated or trailing gzip stream is an error naming the
 * compressed byte, as is a read error. */
clae_status clae__byte_stream_read(clae__byte_stream *bs, void *dst, size_t n, size_t *got);
/* The most (decompressed) bytes the input can hold: its size, or for gzip
 * CLAE_GZIP_MAX_RATIO times that. */
uint64_t clae__byte_stream_max_bytes(const clae__byte_stream *bs);
void clae__byte_stream_close(clae__byte_stream *bs);

#endif
