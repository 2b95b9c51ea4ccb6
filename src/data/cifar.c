/* CIFAR-10 binary batches (data_batch_1.bin ... test_batch.bin): records of
 * one label byte (0-9) and 3072 pixel bytes, the 32 x 32 red plane, then
 * green, then blue, row by row. Records stored one after another, so
 * batches joined with cat are one file.
 *
 * The record count comes from the file's size, so the budget is checked
 * before any record is read; then only the kept records are read, a chunk
 * of records at a time. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clae/data.h"
#include "data/reader.h"
#include "io/fsutil.h"

#define CIFAR_SIDE 32
#define CIFAR_PIXELS (3 * CIFAR_SIDE * CIFAR_SIDE)
#define CIFAR_RECORD (1 + CIFAR_PIXELS)
/* Records per read: about 100 KB. */
#define CIFAR_CHUNK 32

/* Records first .. first + n - 1, in rec, into ds. */
static clae_status convert(clae_ctx *ctx, const char *path, const unsigned char *rec,
                           size_t first, size_t n, clae_dataset *ds)
{
    for (size_t i = first; i < first + n; i++, rec += CIFAR_RECORD) {
        /* CIFAR-10 has 10 classes; a larger byte means another layout (CIFAR-100
         * records carry two label bytes) or a damaged file. */
        if (rec[0] > 9)
            return clae__fail(ctx, CLAE_EDATA,
                              "%s: record %zu (byte %zu): label %u is not a CIFAR-10 class (0-9)",
                              path, i, i * CIFAR_RECORD, rec[0]);
        ds->labels[i] = rec[0];
        /* The file's planes are the dataset's planar layout already. */
        float *x = ds->x + i * ds->dim;
        for (size_t k = 0; k < CIFAR_PIXELS; k++) x[k] = (float)rec[1 + k] / 255.0f;
    }
    return CLAE_OK;
}

clae_status clae_cifar_read(clae_ctx *ctx, const char *path, const clae_data_bounds *bounds,
                            clae_dataset *out)
{
    memset(out, 0, sizeof *out);
    size_t size;
    clae_status st = clae__data_file_check(ctx, path, &size);
    if (st != CLAE_OK) return st;
    if (size == 0 || size % CIFAR_RECORD != 0)
        return clae__fail(ctx, CLAE_EDATA,
                          "%s: %zu bytes is not a whole number of CIFAR-10 records (%d bytes "
                          "each: a label byte and 32x32x3 pixel bytes)",
                          path, size, CIFAR_RECORD);
    clae_dataset ds;
    memset(&ds, 0, sizeof ds);
    snprintf(ds.name, sizeof ds.name, "%s", path);
    ds.file_count = size / CIFAR_RECORD;
    ds.channels = 3;
    ds.height = ds.width = CIFAR_SIDE;
    ds.dim = CIFAR_PIXELS;
    /* Records after the first ds.count are not read, so their labels are not checked. */
    st = clae__data_take(ctx, path, bounds, ds.file_count, ds.dim, 1, &ds.count);
    if (st != CLAE_OK) return st;
    FILE *f = clae__open_regular(ctx, path, &st);
    if (!f) return st;
    unsigned char *chunk = malloc((size_t)CIFAR_CHUNK * CIFAR_RECORD);
    ds.x = malloc(ds.count * ds.dim * sizeof *ds.x);
    ds.labels = malloc(ds.count * sizeof *ds.labels);
    if (!chunk || !ds.x || !ds.labels) {
        st = clae__fail(ctx, CLAE_ENOMEM, "%s: out of memory for %zu images", path, ds.count);
        goto done;
    }
    for (size_t i = 0; i < ds.count;) {
        size_t n = ds.count - i < CIFAR_CHUNK ? ds.count - i : CIFAR_CHUNK;
        if (fread(chunk, CIFAR_RECORD, n, f) != n) {
            /* a read error, or a file that shrank after its size was taken */
            st = ferror(f) ? clae__fail(ctx, CLAE_EIO, "%s: read failed", path)
                           : clae__fail(ctx, CLAE_EDATA,
                                        "%s: the file ended early (was it changed while read?)",
                                        path);
            goto done;
        }
        st = convert(ctx, path, chunk, i, n, &ds);
        if (st != CLAE_OK) goto done;
        i += n;
    }
    *out = ds;
    memset(&ds, 0, sizeof ds);
done:
    clae_dataset_free(&ds);
    free(chunk);
    fclose(f);
    return st;
}
