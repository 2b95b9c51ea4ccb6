/* Datasets from numpy .npy arrays: images of shape (N, D), (N, H, W) or
 * (N, C, H, W), and integer label arrays. The file format is io/npy.c. */
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clae/data.h"
#include "io/npy.h"

static void shape_text(const clae_npy *a, char *buf, size_t cap)
{
    size_t used = 0;
    buf[0] = '\0';
    for (int i = 0; i < a->ndim; i++) {
        int n = snprintf(buf + used, cap - used, "%s%zu", i ? ", " : "", a->shape[i]);
        if (n > 0 && (size_t)n < cap - used) used += (size_t)n;
    }
    if (a->ndim == 1 && used + 1 < cap) strcat(buf, ",");
}

clae_status clae_npy_read_images(clae_ctx *ctx, const char *path, clae_dataset *out)
{
    memset(out, 0, sizeof *out);
    clae_npy a;
    clae_status st = clae__npy_read(ctx, path, &a);
    if (st != CLAE_OK) return st;
    char shape[96];
    shape_text(&a, shape, sizeof shape);
    if (a.ndim < 2) {
        st = clae__fail(ctx, CLAE_EDATA,
                        "%s: shape (%s) is not (N, D), (N, H, W) or (N, C, H, W)", path, shape);
        goto done;
    }
    if (a.count == 0) {
        st = clae__fail(ctx, CLAE_EDATA, "%s: empty dataset (shape (%s))", path, shape);
        goto done;
    }
    for (int i = 1; i < a.ndim; i++)
        if (a.shape[i] > INT_MAX) {
            st = clae__fail(ctx, CLAE_EDATA, "%s: dimension %d of shape (%s) is too large", path,
                            i + 1, shape);
            goto done;
        }
    clae_dataset ds;
    memset(&ds, 0, sizeof ds);
    snprintf(ds.name, sizeof ds.name, "%s", path);
    ds.count = a.shape[0];
    ds.dim = a.count / a.shape[0];
    ds.channels = a.ndim == 4 ? (int)a.shape[1] : 1;
    ds.height = a.ndim >= 3 ? (int)a.shape[a.ndim - 2] : 1;
    ds.width = a.ndim >= 3 ? (int)a.shape[a.ndim - 1] : (int)ds.dim;
    if (a.ndim == 2) {
        /* A flat vector of s * s values is taken as an s x s image (as for CSV). */
        size_t s = (size_t)sqrt((double)ds.dim);
        while (s * s > ds.dim) s--;
        while ((s + 1) * (s + 1) <= ds.dim) s++;
        if (s * s == ds.dim) ds.height = ds.width = (int)s;
    }
    for (size_t i = 0; i < a.count; i++) {
        if (!isfinite(a.data[i])) {
            st = clae__fail(ctx, CLAE_EDATA, "%s: entry %zu is not a finite number", path, i);
            goto done;
        }
        if (a.dtype == CLAE_NPY_U1) a.data[i] /= 255.0f;
    }
    /* The array's memory becomes the dataset's (C order is sample-major, planar). */
    ds.x = a.data;
    a.data = NULL;
    *out = ds;
done:
    clae__npy_free(&a);
    return st;
}

clae_status clae_npy_read_labels(clae_ctx *ctx, const char *path, clae_dataset *ds)
{
    clae_npy a;
    clae_status st = clae__npy_read(ctx, path, &a);
    if (st != CLAE_OK) return st;
    char shape[96];
    shape_text(&a, shape, sizeof shape);
    int *labels = NULL;
    if (a.dtype == CLAE_NPY_F4 || a.dtype == CLAE_NPY_F8) {
        st = clae__fail(ctx, CLAE_EDATA,
                        "%s: labels need an integer dtype ('|u1', '|i1', '<i4' or '<i8')", path);
        goto done;
    }
    if (!(a.ndim == 1 || (a.ndim == 2 && a.shape[1] == 1))) {
        st = clae__fail(ctx, CLAE_EDATA, "%s: labels of shape (%s), expected (N,) or (N, 1)",
                        path, shape);
        goto done;
    }
    if (a.shape[0] != ds->count) {
        st = clae__fail(ctx, CLAE_EDATA, "%s: %zu labels for %zu images", path, a.shape[0],
                        ds->count);
        goto done;
    }
    labels = malloc((ds->count ? ds->count : 1) * sizeof *labels);
    if (!labels) {
        st = clae__fail(ctx, CLAE_ENOMEM, "%s: out of memory for %zu labels", path, ds->count);
        goto done;
    }
    for (size_t i = 0; i < ds->count; i++) {
        /* int64 labels beyond 2^24 lose precision as floats, but those are refused anyway. */
        float v = a.data[i];
        if (v < 0 || v > CLAE_DATA_MAX_LABEL) {
            st = clae__fail(ctx, CLAE_EDATA, "%s: entry %zu: label %.0f is outside 0 to %d", path,
                            i, (double)v, CLAE_DATA_MAX_LABEL);
            goto done;
        }
        labels[i] = (int)v;
    }
    free(ds->labels);
    ds->labels = labels;
    labels = NULL;
done:
    free(labels);
    clae__npy_free(&a);
    return st;
}
