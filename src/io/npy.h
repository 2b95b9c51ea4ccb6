/* numpy's .npy format (versions 1, 2 and 3): a magic string, a version, a
 * little-endian header length and a Python dict literal naming the dtype
 * ('descr'), the memory order ('fortran_order') and the shape, then the data.
 *
 * The writer emits float32 ('<f4'), C order, shape (rows, cols), atomically.
 * The reader accepts '<f4', '<f8', '|u1' ('<u1', '|i1'), '<i4' and '<i8' in C
 * order with 1 to 4 dimensions and hands back every element as a float,
 * unscaled (the data loader decides what uint8 means). */
#ifndef CLAE_NPY_H
#define CLAE_NPY_H

#include <stddef.h>
#include <stdio.h>

#include "clae/status.h"

#define CLAE_NPY_MAX_DIMS 4

typedef enum {
    CLAE_NPY_F4,
    CLAE_NPY_F8,
    CLAE_NPY_U1,
    CLAE_NPY_I1,
    CLAE_NPY_I4,
    CLAE_NPY_I8
} clae_npy_dtype;

typedef struct {
    clae_npy_dtype dtype;
    int ndim;
    size_t shape[CLAE_NPY_MAX_DIMS];
    size_t count; /* product of the shape */
    float *data;  /* count values, malloc'd, C order */
} clae_npy;

/* Writes a float32 matrix of shape (rows, cols) to path: a temporary file
 * beside it, fsync, rename, so a failure leaves any previous file untouched. */
clae_status clae__npy_write(clae_ctx *ctx, const char *path, const float *data, size_t rows,
                            size_t cols);

/* Reads and validates a whole .npy file. Errors name the file and what is
 * wrong (bad magic, unsupported dtype, fortran_order True, truncated data).
 * On success out->data is owned by the caller: free with clae__npy_free. */
clae_status clae__npy_read(clae_ctx *ctx, const char *path, clae_npy *out);
/* The same from the file's bytes in memory (path is used in messages). */
clae_status clae__npy_parse(clae_ctx *ctx, const char *path, const void *bytes, size_t size,
                            clae_npy *out);

/* The header of the .npy file f, read from its start; size is the file's
 * size (from stat). Checks what clae__npy_read does, the data's size against
 * the file's ("truncated at byte X of Y", "N trailing bytes after byte X")
 * included, without reading any value: on success out has the dtype, shape
 * and count, out->data is NULL, and f is at the first element. */
clae_status clae__npy_read_header(clae_ctx *ctx, const char *path, FILE *f, size_t size,
                                  clae_npy *out);
/* The next n elements of f, an array with header h, as floats into out,
 * read through a fixed 64 KiB buffer. */
clae_status clae__npy_read_values(clae_ctx *ctx, const char *path, FILE *f, const clae_npy *h,
                                  float *out, size_t n);
void clae__npy_free(clae_npy *npy);

#endif
