/* Datasets from numpy .npy arrays: images of shape (N, D), (N, H, W),
 * (N, C, H, W) or (N, H, W, C), and integer label arrays. The file format is
 * io/npy.c.
 *
 * Rank 4 is (N, C, H, W), PyTorch's layout, unless the last dimension is a
 * channel count (1, 3 or 4) and the second is not: then (N, H, W, C), the
 * layout of PIL, Keras and IDX, moved to planar. Values: uint8 is pixel
 * bytes, divided by 255; the other integer dtypes follow the CSV rule (all
 * within 0 to 255, and divided by 255 when any is above 1); floats are taken
 * as they are. */
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clae/data.h"
#include "data/reader.h"
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

/* A .npy file through the data-file checks (a regular file, of bounded size). */
static clae_status read_npy(clae_ctx *ctx, const char *path, clae_npy *a)
{
    memset(a, 0, sizeof *a);
    char *bytes;
    size_t size;
    clae_status st = clae__data_read_file(ctx, path, &bytes, &size);
    if (st != CLAE_OK) return st;
    st = clae__npy_parse(ctx, path, bytes, size, a);
    free(bytes);
    return st;
}

static int channel_count(size_t n) { return n == 1 || n == 3 || n == 4; }

/* (N, H, W, C) to planar (N, C, H, W); NULL when out of memory. */
static float *to_planar(const float *x, size_t count, size_t plane, size_t c)
{
    size_t n = count * plane * c;
    float *y = malloc((n > 0 ? n : 1) * sizeof *y);
    if (!y) return NULL;
    for (size_t s = 0; s < count; s++)
        for (size_t p = 0; p < plane; p++)
            for (size_t ch = 0; ch < c; ch++)
                y[(s * c + ch) * plane + p] = x[(s * plane + p) * c + ch];
    return y;
}

clae_status clae_npy_read_images(clae_ctx *ctx, const char *path, clae_dataset *out)
{
    memset(out, 0, sizeof *out);
    clae_npy a;
    clae_status st = read_npy(ctx, path, &a);
    if (st != CLAE_OK) return st;
    char shape[96];
    shape_text(&a, shape, sizeof shape);
    if (a.ndim < 2) {
        st = clae__fail(ctx, CLAE_EDATA,
                        "%s: shape (%s) is not (N, D), (N, H, W), (N, C, H, W) or (N, H, W, C)",
                        path, shape);
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
    int nhwc = a.ndim == 4 && channel_count(a.shape[3]) && !channel_count(a.shape[1]);
    if (a.ndim == 2) {
        clae__data_flat_shape(&ds, ds.dim); /* as for CSV */
    } else {
        ds.channels = a.ndim == 4 ? (int)a.shape[nhwc ? 3 : 1] : 1;
        ds.height = (int)a.shape[nhwc ? 1 : a.ndim - 2];
        ds.width = (int)a.shape[nhwc ? 2 : a.ndim - 1];
    }
    int integer = a.dtype != CLAE_NPY_F4 && a.dtype != CLAE_NPY_F8;
    float max = 0;
    for (size_t i = 0; i < a.count; i++) {
        float v = a.data[i];
        if (!isfinite(v)) {
            st = clae__fail(ctx, CLAE_EDATA, "%s: entry %zu is not a finite number", path, i);
            goto done;
        }
        if (integer && (v < 0 || v > 255)) {
            st = clae__fail(ctx, CLAE_EDATA,
                            "%s: entry %zu is %.0f; an integer array holds pixel values from 0 "
                            "to 255 (save other values as floats)",
                            path, i, (double)v);
            goto done;
        }
        if (v > max) max = v;
    }
    /* uint8 is bytes whatever its values; other integers as CSV numbers are. */
    if (a.dtype == CLAE_NPY_U1 || (integer && max > 1))
        for (size_t i = 0; i < a.count; i++) a.data[i] /= 255.0f;
    if (nhwc) {
        ds.x = to_planar(a.data, ds.count, (size_t)ds.height * (size_t)ds.width,
                         (size_t)ds.channels);
        if (!ds.x) {
            st = clae__fail(ctx, CLAE_ENOMEM, "%s: out of memory for %zu values", path, a.count);
            goto done;
        }
    } else {
        /* The array's memory becomes the dataset's (C order is sample-major, planar). */
        ds.x = a.data;
        a.data = NULL;
    }
    *out = ds;
done:
    clae__npy_free(&a);
    return st;
}

clae_status clae_npy_read_labels(clae_ctx *ctx, const char *path, clae_dataset *ds)
{
    clae_npy a;
    clae_status st = read_npy(ctx, path, &a);
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
