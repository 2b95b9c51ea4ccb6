/* The safetensors file format: an 8-byte little-endian header length, a JSON
 * header naming each tensor's dtype, shape and byte range, then the data.
 * Only F32 tensors are written or read. Metadata is a string -> string map. */
#ifndef CLAE_SAFETENSORS_H
#define CLAE_SAFETENSORS_H

#include <stddef.h>
#include <stdint.h>

#include "clae/status.h"

#define CLAE_ST_MAX_DIMS 4

typedef struct {
    const char *name;
    const float *data;
    int ndim;
    size_t shape[CLAE_ST_MAX_DIMS];
} clae_st_tensor;

typedef struct {
    const char *key;
    const char *value;
} clae_st_meta;

/* Writes atomically: a temporary file beside path, fsync, rename, fsync of the
 * directory. On any failure the previous file at path is untouched. */
clae_status clae_safetensors_write(clae_ctx *ctx, const char *path, const clae_st_tensor *tensors,
                                   int n_tensors, const clae_st_meta *meta, int n_meta);

typedef struct clae_safetensors clae_safetensors;

/* Reads and validates the whole file (header JSON, dtypes, shapes, offsets that
 * lie inside the file and do not overlap). Errors name the file and the problem. */
clae_status clae_safetensors_read(clae_ctx *ctx, const char *path, clae_safetensors **out);
/* A tensor's data and shape, or NULL if absent. count = product of the shape. */
const float *clae_safetensors_tensor(const clae_safetensors *st, const char *name, int *ndim,
                                     size_t shape[CLAE_ST_MAX_DIMS], size_t *count);
/* A metadata value, or NULL if absent. */
const char *clae_safetensors_meta(const clae_safetensors *st, const char *key);
void clae_safetensors_free(clae_safetensors *st);

#endif
