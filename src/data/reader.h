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

/* How many samples a reader keeps of the `count` its file declares, each of
 * dim values (and a label when labelled): min(count, take). Fails with
 * CLAE_EDATA, naming the sizes, when they need more than the budget. Readers
 * call it before reading any value; a reader that learns its count as it
 * goes (CSV) calls it as the count grows. */
clae_status clae__data_take(clae_ctx *ctx, const char *name, const clae_data_bounds *bounds,
                            size_t count, size_t dim, int labelled, size_t *take);
/* The budget in effect (bounds->budget, else the default) and the samples
 * kept of count (bounds->take, else all). */
uint64_t clae__data_budget(const clae_data_bounds *bounds);
size_t clae__data_keep(const clae_data_bounds *bounds, size_t count);
/* The number of labels a labels file for ds must hold: the samples of its
 * file, not only those kept. */
size_t clae__data_file_count(const clae_dataset *ds);

/* The reader a data path needs: "mnist", a folder of PNGs, .csv, .npy (by
 * name or magic), a .bin of CIFAR records, IDX (by its magic or name, .gz
 * too). A missing file or an unknown format fails with clae_dataset_read's
 * messages. */
typedef enum {
    CLAE__DATA_MNIST,
    CLAE__DATA_FOLDER,
    CLAE__DATA_CSV,
    CLAE__DATA_NPY,
    CLAE__DATA_CIFAR,
    CLAE__DATA_IDX,
    CLAE__DATA_UNKNOWN
} clae__data_format;
clae_status clae__data_format_of(clae_ctx *ctx, const char *path, clae__data_format *out);

/* Whether path ends with suffix (lower case), ignoring case: ".npy", "-ubyte". */
int clae__data_ends_with(const char *path, const char *suffix);

/* n values a sample with no shape of their own: a 1 x s x s image when
 * n = s * s, else a 1 x 1 x n vector. Sets channels, height, width and dim. */
void clae__data_flat_shape(clae_dataset *ds, size_t n);

/* PNG class folders: when dir (a --input or [data] test folder) and train_dir
 * are both folders of named (non-numeric) class folders, their names must be
 * the same, since named classes are numbered by sorted position. Anything
 * else (numeric names, files, a train_dir that is gone) passes. */
clae_status clae__png_dir_same_classes(clae_ctx *ctx, const char *dir, const char *train_dir);

#endif
