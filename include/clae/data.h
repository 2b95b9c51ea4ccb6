/* Datasets: loading (IDX, plain or gzipped; the bundled digits), splitting
 * and shuffling. Values are floats scaled to [0, 1]. */
#ifndef CLAE_DATA_H
#define CLAE_DATA_H

#include <stddef.h>
#include <stdint.h>

#include "clae/status.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct clae_dataset {
    char name[256];  /* file name or "mnist", for messages */
    size_t count;    /* samples */
    int channels;    /* image shape; a flat vector of n values is 1 x 1 x n */
    int height;
    int width;
    size_t dim;      /* values per sample = channels * height * width */
    float *x;        /* count * dim values in [0, 1], sample-major */
    int *labels;     /* count labels, or NULL */
} clae_dataset;

/* Reads an IDX image file (ubyte, 1-3 dimensions after the count) from path;
 * gzip is detected by its magic bytes. Every problem names the file and byte. */
clae_status clae_idx_read_images(clae_ctx *ctx, const char *path, clae_dataset *out);
/* Reads an IDX label file (ubyte, 1 dimension) into ds->labels; the count must match. */
clae_status clae_idx_read_labels(clae_ctx *ctx, const char *path, clae_dataset *ds);
/* The same from bytes in memory (gzipped or not); name is used in messages. */
clae_status clae_idx_parse_images(clae_ctx *ctx, const char *name, const unsigned char *bytes,
                                  size_t size, clae_dataset *out);
clae_status clae_idx_parse_labels(clae_ctx *ctx, const char *name, const unsigned char *bytes,
                                  size_t size, clae_dataset *ds);

/* The 10,000 bundled MNIST digits with labels, embedded in the binary. */
clae_status clae_dataset_load_mnist(clae_ctx *ctx, clae_dataset *out);

/* Keeps only the first `limit` samples (0 = all). */
void clae_dataset_limit(clae_dataset *ds, size_t limit);
/* Moves the last round(holdout * count) samples of *all into *test (at least one
 * of each side must remain, or CLAE_EDATA). *all keeps the rest. */
clae_status clae_dataset_split(clae_ctx *ctx, clae_dataset *all, double holdout, clae_dataset *test);
void clae_dataset_free(clae_dataset *ds);
/* Every image bilinearly resized to h x w (PyTorch's align_corners = False). */
clae_status clae_dataset_resize(clae_ctx *ctx, clae_dataset *ds, int h, int w);
/* pad zeros added on each side of every image. */
clae_status clae_dataset_pad(clae_ctx *ctx, clae_dataset *ds, int pad);

/* Fills perm with a permutation of 0..n-1 that depends only on (seed, epoch). */
void clae_shuffle(uint32_t *perm, size_t n, uint64_t seed, uint64_t epoch);

#ifdef __cplusplus
}
#endif
#endif
