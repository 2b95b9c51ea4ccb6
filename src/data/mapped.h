/* Datasets read through a read-only mmap of their file (clae_dataset_map):
 * what the IDX and NPY header parsers hand to mapping, and what the loader
 * and the trainer need of a mapped set. */
#ifndef CLAE_DATA_MAPPED_H
#define CLAE_DATA_MAPPED_H

#include <stddef.h>
#include <stdint.h>

#include "clae/data.h"

/* How a file stores its values. */
typedef enum {
    CLAE__MAPPED_OTHER,  /* a type that is read into memory, not mapped */
    CLAE__MAPPED_U8,     /* unsigned bytes, / 255 */
    CLAE__MAPPED_F32_BE, /* IDX floats (0x0D) */
    CLAE__MAPPED_F32_LE  /* NPY '<f4' */
} clae__mapped_type;

/* What a reader's header parser tells mapping: the dataset's shape (name,
 * file_count, channels, height, width and dim; count 0, no values), where
 * the first sample starts in the file, the type of its values, and whether
 * a sample is stored interleaved (H x W x C, moved to planar C x H x W). */
typedef struct {
    clae_dataset shape;
    size_t offset;
    clae__mapped_type type;
    int interleaved;
} clae__mapped_layout;

/* The header of a plain IDX image file (idx.c) or a .npy image array
 * (npy_data.c), checked as its reader checks it, with the same messages
 * (the file's size against the shape included). A gzipped IDX file, and
 * any other element type or dtype, is CLAE__MAPPED_OTHER with no shape. */
clae_status clae__idx_layout(clae_ctx *ctx, const char *path, clae__mapped_layout *out);
clae_status clae__npy_layout(clae_ctx *ctx, const char *path, clae__mapped_layout *out);

/* Bytes of the file that are mapped (its header and the samples kept). */
size_t clae__mapped_bytes(const struct clae_mapped *m);
/* The data budget of the bounds it was mapped with: what a copy out of it
 * into memory (a holdout split) may take. */
uint64_t clae__mapped_budget(const struct clae_mapped *m);
/* Gives back the samples, freed or unmapped; shape, count and labels stay
 * (a training set that the device holds now). */
void clae__dataset_drop_samples(clae_dataset *ds);
void clae__mapped_close(struct clae_mapped *m);

#endif
