/* Datasets: loading (IDX, plain or gzipped; the bundled digits; folders of
 * PNGs; numeric CSV; numpy .npy; CIFAR-10 binary batches), or mapping a
 * plain IDX or NPY file of bytes or floats; splitting and shuffling. Byte
 * data is scaled to [0, 1]; other data is taken as it is. */
#ifndef CLAE_DATA_H
#define CLAE_DATA_H

#include <stddef.h>
#include <stdint.h>

#include "clae/status.h"

#ifdef __cplusplus
extern "C" {
#endif

struct clae_mapped; /* a read-only mapping of a data file (clae_dataset_map) */

typedef struct clae_dataset {
    char name[256];  /* file name or "mnist", for messages */
    size_t count;    /* samples */
    int channels;    /* image shape; a flat vector of n values is 1 x 1 x n */
    int height;
    int width;
    size_t dim;      /* values per sample = channels * height * width */
    float *x;        /* count * dim values (byte data in [0, 1]), sample-major, planar;
                        NULL when mapped: then read them with clae_dataset_rows */
    int *labels;     /* count labels, or NULL */
    size_t file_count; /* samples in the file read, before bounds.take (a labels
                          file must hold this many); 0 = count */
    struct clae_mapped *mapped; /* set when the samples are a mapped file's, not x */
} clae_dataset;

/* What a reader may hold: the first `take` samples of a file (0 = all) and at
 * most `budget` bytes for them (0 = clae_data_default_budget()): their values
 * as floats, and the labels of formats that carry them in the same file (CSV,
 * CIFAR; a separate labels file adds 4 bytes a sample). Readers stop reading
 * after `take` samples, and refuse a file whose declared size is over the
 * budget before reading its values (a format that declares no size, CSV, when
 * it reaches the budget; its line buffer may grow to the budget too). The
 * budget bounds the reading: [data] resize and pad then make the resized copy.
 * A NULL bounds is all samples within the default budget. */
typedef struct clae_data_bounds {
    size_t take;
    uint64_t budget;
} clae_data_bounds;

/* Reads an IDX image file (1-3 dimensions after the count) from path; gzip is
 * detected by its magic bytes. Unsigned bytes (0x08) are divided by 255;
 * the other element types (0x09 sbyte, 0x0B short, 0x0C int, 0x0D float,
 * 0x0E double, big-endian) are taken as they are. Every problem names the
 * file and byte. */
clae_status clae_idx_read_images(clae_ctx *ctx, const char *path, const clae_data_bounds *bounds,
                                 clae_dataset *out);
/* Reads an IDX label file (an integer type, 1 dimension) into ds->labels; the
 * count must match the images' file_count (the first ds->count are kept), and
 * every label lie in 0 .. CLAE_DATA_MAX_LABEL. */
clae_status clae_idx_read_labels(clae_ctx *ctx, const char *path, clae_dataset *ds);
/* The same from bytes in memory (gzipped or not); name is used in messages. */
clae_status clae_idx_parse_images(clae_ctx *ctx, const char *name, const unsigned char *bytes,
                                  size_t size, const clae_data_bounds *bounds, clae_dataset *out);
clae_status clae_idx_parse_labels(clae_ctx *ctx, const char *name, const unsigned char *bytes,
                                  size_t size, clae_dataset *ds);

/* Labels are integers from 0 to this ([data] classes selects among them). */
#define CLAE_DATA_MAX_LABEL 255

/* The budget when none is given: half the machine's physical memory, or of
 * the container's (cgroup) memory limit when that is lower. */
uint64_t clae_data_default_budget(void);

/* Any format, told by what path is: "mnist" (the bundled digits); a folder
 * (clae_png_dir_read); .csv (clae_csv_read); .npy (clae_npy_read_images);
 * .bin of whole 3073-byte records (clae_cifar_read); else IDX by its magic
 * bytes, gzipped or not. label_column is for CSV: 0 none, N the N-th column
 * (1-based), -1 the last. Anything else is refused naming what is accepted. */
clae_status clae_dataset_read(clae_ctx *ctx, const char *path, int label_column,
                              const clae_data_bounds *bounds, clae_dataset *out);
/* The samples of a plain (not gzipped) IDX image file of unsigned bytes
 * (0x08) or big-endian floats (0x0D), or of a .npy array of dtype '|u1' or
 * '<f4' (the shapes clae_npy_read_images takes), mapped read-only instead of
 * read: *mapped = 1 and out is what clae_dataset_read gives (name, count
 * after bounds->take, file_count, shape; no labels), except that out->x is
 * NULL and out->mapped holds the mapping. Header errors are the reader's;
 * floats are checked once, here, for values that are not finite (the
 * reader's message), so that clae_dataset_rows cannot fail. The data budget
 * (bounds->budget, [data] max_memory) does not apply to the mapped samples:
 * they are the kernel's page cache, dropped under memory pressure, not the
 * heap; it bounds what is copied out of them (clae_dataset_split). Any other
 * data ("mnist", a folder, CSV, CIFAR, gzip, another type; or a file system
 * that cannot map): *mapped = 0, out empty and CLAE_OK, to be read with
 * clae_dataset_read; a missing file or an unknown format fails as there. A mapped file must not be truncated while it is in use
 * (reading past its new end is SIGBUS). */
clae_status clae_dataset_map(clae_ctx *ctx, const char *path, const clae_data_bounds *bounds,
                             clae_dataset *out, int *mapped);
/* Rows order[first .. first + n) of ds (order NULL: rows first .. first + n)
 * into out (n * dim floats), planar, bit for bit the values
 * clae_dataset_read gives: copied from x, or converted from a mapped file. */
void clae_dataset_rows(const clae_dataset *ds, const uint32_t *order, size_t first, size_t n,
                       float *out);

/* A labels file for ds, replacing any labels it has: IDX of an integer type,
 * .npy of integers (shape (N,) or (N, 1)), or text with one integer a line
 * (.csv, .txt). The count must match ds->file_count (or count when that is
 * 0); the first ds->count labels are kept. */
clae_status clae_dataset_read_labels(clae_ctx *ctx, const char *path, clae_dataset *ds);

/* A folder of PNGs in sorted file order, without labels; or, when it holds
 * sub-folders, one sub-folder per class: numeric names (0-255, "007" = 7) are the
 * labels (names and numbers may not be mixed, nor two names be one number), other names are sorted and numbered 0, 1, ...; the classes are
 * interleaved in proportion (file r of a class of n at (r + 1/2) / n), so
 * that a holdout split or a limit holds every class in its share. All
 * images must have the same size; grey ones give 1 channel, and if any image
 * read (of the first bounds->take) is colour all give 3 (grey copied, alpha dropped). Values / 255. */
clae_status clae_png_dir_read(clae_ctx *ctx, const char *dir, const clae_data_bounds *bounds,
                              clae_dataset *out);
/* A numeric CSV, one sample a row, an optional header (a first line with no
 * number in it; a UTF-8 BOM is skipped; a lone \r ends a line), label_column
 * as for clae_dataset_read. Values must lie in [0, 255]; if any is above 1,
 * all are divided by 255 (decided over the rows read). n values a row make a
 * 1 x s x s image when n = s * s, else a 1 x 1 x n vector. With
 * bounds->take, the rows after take are counted for file_count, not checked. */
clae_status clae_csv_read(clae_ctx *ctx, const char *path, int label_column,
                          const clae_data_bounds *bounds, clae_dataset *out);
/* Text labels: one integer from 0 to CLAE_DATA_MAX_LABEL a line. */
clae_status clae_csv_read_labels(clae_ctx *ctx, const char *path, clae_dataset *ds);
/* CIFAR-10 binary batches: records of one label byte and 32 x 32 RGB planar
 * pixel bytes (batches concatenated with cat are one file). Values / 255. */
clae_status clae_cifar_read(clae_ctx *ctx, const char *path, const clae_data_bounds *bounds,
                            clae_dataset *out);
/* A .npy array of shape (N, D), (N, H, W), (N, C, H, W) or (N, H, W, C) (when
 * the last dimension is 1, 3 or 4 and the second is not); uint8 / 255; other
 * integers must lie in 0-255 and are / 255 when any is above 1; floats as they
 * are. (N, D) makes 1 x s x s images when D = s * s. */
clae_status clae_npy_read_images(clae_ctx *ctx, const char *path, const clae_data_bounds *bounds,
                                 clae_dataset *out);
clae_status clae_npy_read_labels(clae_ctx *ctx, const char *path, clae_dataset *ds);

/* Keeps the samples whose label l has keep[l] set (keep has
 * CLAE_DATA_MAX_LABEL + 1 entries). Refused for data without labels, for a
 * mapped set, and when nothing is left. */
clae_status clae_dataset_select_classes(clae_ctx *ctx, clae_dataset *ds,
                                        const unsigned char *keep);

/* The 10,000 bundled MNIST digits with labels, embedded in the binary. */
clae_status clae_dataset_load_mnist(clae_ctx *ctx, const clae_data_bounds *bounds,
                                    clae_dataset *out);

/* Keeps only the first `limit` samples (0 = all). */
void clae_dataset_limit(clae_dataset *ds, size_t limit);
/* Moves the last round(holdout * count) samples of *all into *test (at least one
 * of each side must remain, or CLAE_EDATA). *all keeps the rest. Of a mapped
 * set, test is a copy in memory (within the budget it was mapped with) and
 * *all stays mapped. */
clae_status clae_dataset_split(clae_ctx *ctx, clae_dataset *all, double holdout, clae_dataset *test);
/* Frees the samples (or unmaps them) and the labels. */
void clae_dataset_free(clae_dataset *ds);
/* Every image bilinearly resized to h x w (PyTorch's align_corners = False).
 * Resize and pad change x in place: not for a mapped set. */
clae_status clae_dataset_resize(clae_ctx *ctx, clae_dataset *ds, int h, int w);
/* pad zeros added on each side of every image. */
clae_status clae_dataset_pad(clae_ctx *ctx, clae_dataset *ds, int pad);

/* Fills perm with a permutation of 0..n-1 that depends only on (seed, epoch). */
void clae_shuffle(uint32_t *perm, size_t n, uint64_t seed, uint64_t epoch);

#ifdef __cplusplus
}
#endif
#endif
