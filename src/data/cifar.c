/* CIFAR-10 binary batches (data_batch_1.bin ... test_batch.bin): records of
 * one label byte (0-9) and 3072 pixel bytes, the 32 x 32 red plane, then
 * green, then blue, row by row. Records stored one after another, so
 * batches joined with cat are one file. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clae/data.h"
#include "data/reader.h"

#define CIFAR_SIDE 32
#define CIFAR_PIXELS (3 * CIFAR_SIDE * CIFAR_SIDE)
#define CIFAR_RECORD (1 + CIFAR_PIXELS)

clae_status clae_cifar_read(clae_ctx *ctx, const char *path, clae_dataset *out)
{
    memset(out, 0, sizeof *out);
    char *buf;
    size_t size;
    clae_status st = clae__data_read_file(ctx, path, &buf, &size);
    if (st != CLAE_OK) return st;
    const unsigned char *b = (const unsigned char *)buf;
    if (size == 0 || size % CIFAR_RECORD != 0) {
        st = clae__fail(ctx, CLAE_EDATA,
                        "%s: %zu bytes is not a whole number of CIFAR-10 records (%d bytes each: "
                        "a label byte and 32x32x3 pixel bytes)",
                        path, size, CIFAR_RECORD);
        free(buf);
        return st;
    }
    clae_dataset ds;
    memset(&ds, 0, sizeof ds);
    snprintf(ds.name, sizeof ds.name, "%s", path);
    ds.count = size / CIFAR_RECORD;
    ds.channels = 3;
    ds.height = ds.width = CIFAR_SIDE;
    ds.dim = CIFAR_PIXELS;
    ds.x = malloc(ds.count * ds.dim * sizeof *ds.x);
    ds.labels = malloc(ds.count * sizeof *ds.labels);
    if (!ds.x || !ds.labels) {
        st = clae__fail(ctx, CLAE_ENOMEM, "%s: out of memory for %zu images", path, ds.count);
        goto done;
    }
    for (size_t i = 0; i < ds.count; i++) {
        const unsigned char *r = b + i * CIFAR_RECORD;
        /* CIFAR-10 has 10 classes; a larger byte means another layout (CIFAR-100
         * records carry two label bytes) or a damaged file. */
        if (r[0] > 9) {
            st = clae__fail(ctx, CLAE_EDATA,
                            "%s: record %zu (byte %zu): label %u is not a CIFAR-10 class (0-9)",
                            path, i, i * CIFAR_RECORD, r[0]);
            goto done;
        }
        ds.labels[i] = r[0];
        /* The file's planes are the dataset's planar layout already. */
        float *x = ds.x + i * ds.dim;
        for (size_t k = 0; k < CIFAR_PIXELS; k++) x[k] = (float)r[1 + k] / 255.0f;
    }
    *out = ds;
    memset(&ds, 0, sizeof ds);
done:
    clae_dataset_free(&ds);
    free(buf);
    return st;
}
