/* What the data readers share: which paths may be read as data files (and
 * how large), and the shape of a flat row of values. */
#ifndef CLAE_DATA_READER_H
#define CLAE_DATA_READER_H

#include <stddef.h>

#include "clae/data.h"

/* The largest data file read whole (raw or, for IDX, decompressed): the full
 * MNIST training set is 47 MB, CIFAR-10's five batches 150 MB. */
#define CLAE_DATA_MAX_FILE_BYTES ((unsigned long long)1 << 32)

/* A data or labels file must be a regular file (a FIFO would block the read,
 * a device would never end) of at most CLAE_DATA_MAX_FILE_BYTES. A folder is
 * "cannot open: Is a directory" (exit 2, as for a missing file); anything
 * else "not a regular file". *size (may be NULL) gets the file's size. */
clae_status clae__data_file_check(clae_ctx *ctx, const char *path, size_t *size);
/* clae__data_file_check, then the whole file (NUL-terminated, malloc'd). */
clae_status clae__data_read_file(clae_ctx *ctx, const char *path, char **bytes, size_t *size);

/* n values a sample with no shape of their own: a 1 x s x s image when
 * n = s * s, else a 1 x 1 x n vector. Sets channels, height, width and dim. */
void clae__data_flat_shape(clae_dataset *ds, size_t n);

/* PNG class folders: when dir (a --input or [data] test folder) and train_dir
 * are both folders of named (non-numeric) class folders, their names must be
 * the same, since named classes are numbered by sorted position. Anything
 * else (numeric names, files, a train_dir that is gone) passes. */
clae_status clae__png_dir_same_classes(clae_ctx *ctx, const char *dir, const char *train_dir);

#endif
