/* Datasets from numpy .npy arrays: images of shape (N, D), (N, H, W),
 * (N, C, H, W) or (N, H, W, C), and integer label arrays. The file format is
 * io/npy.c.
 *
 * Rank 4 is (N, C, H, W), PyTorch's layout, unless the last dimension is a
 * channel count (1, 3 or 4) and the second is not: then (N, H, W, C), the
 * layout of PIL, Keras and IDX, moved to planar. Values: uint8 is pixel
 * bytes, divided by 255; the other integer dtypes follow the CSV rule (all
 * within 0 to 255, and divided by 255 when any is above 1); floats are taken
 * as they are.
 *
 * The header is checked against the file's size, and the kept samples
 * against the budget, before any value is read; then only the kept samples
 * are read, converted chunk by chunk straight into the dataset's floats.
 * A '|u1' or '<f4' array may be mapped instead (mapped.c), through the same
 * header checks (clae__npy_layout). */
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clae/data.h"
#include "data/mapped.h"
#include "data/reader.h"
#include "io/fsutil.h"
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

/* A .npy file through the data-file checks (a regular file, of bounded
 * size), open at its first element, with its header in h. */
static clae_status open_npy(clae_ctx *ctx, const char *path, FILE **f, clae_npy *h)
{
    memset(h, 0, sizeof *h);
    *f = NULL;
    size_t size;
    clae_status st = clae__data_file_check(ctx, path, &size);
    if (st != CLAE_OK) return st;
    *f = clae__open_regular(ctx, path, &st);
    if (!*f) return st;
    st = clae__npy_read_header(ctx, path, *f, size, h);
    if (st != CLAE_OK) {
        fclose(*f);
        *f = NULL;
    }
    return st;
}

static int channel_count(size_t n) { return n == 1 || n == 3 || n == 4; }

/* The values of an integer array must be pixel values; none may be NaN or
 * infinite. first is x[0]'s index in the file, for the message; *max grows
 * to the largest value seen. */
static clae_status check_values(clae_ctx *ctx, const char *path, const float *x, size_t n,
                                size_t first, int integer, float *max)
{
    for (size_t i = 0; i < n; i++) {
        float v = x[i];
        if (!isfinite(v))
            return clae__fail(ctx, CLAE_EDATA, "%s: entry %zu is not a finite number", path,
                              first + i);
        if (integer && (v < 0 || v > 255))
            return clae__fail(ctx, CLAE_EDATA,
                              "%s: entry %zu is %.0f; an integer array holds pixel values from 0 "
                              "to 255 (save other values as floats)",
                              path, first + i, (double)v);
        if (v > *max) *max = v;
    }
    return CLAE_OK;
}

/* The dataset an image array's header describes, before any sample is
 * kept; *nhwc when it is stored (N, H, W, C). */
static clae_status image_shape(clae_ctx *ctx, const char *path, const clae_npy *a,
                               clae_dataset *ds, int *nhwc)
{
    memset(ds, 0, sizeof *ds);
    char shape[96];
    shape_text(a, shape, sizeof shape);
    if (a->ndim < 2)
        return clae__fail(ctx, CLAE_EDATA,
                          "%s: shape (%s) is not (N, D), (N, H, W), (N, C, H, W) or (N, H, W, C)",
                          path, shape);
    if (a->count == 0)
        return clae__fail(ctx, CLAE_EDATA, "%s: empty dataset (shape (%s))", path, shape);
    for (int i = 1; i < a->ndim; i++)
        if (a->shape[i] > INT_MAX)
            return clae__fail(ctx, CLAE_EDATA, "%s: dimension %d of shape (%s) is too large",
                              path, i + 1, shape);
    snprintf(ds->name, sizeof ds->name, "%s", path);
    ds->file_count = a->shape[0];
    ds->dim = a->count / a->shape[0];
    *nhwc = a->ndim == 4 && channel_count(a->shape[3]) && !channel_count(a->shape[1]);
    if (a->ndim == 2) {
        clae__data_flat_shape(ds, ds->dim); /* as for CSV */
    } else {
        ds->channels = a->ndim == 4 ? (int)a->shape[*nhwc ? 3 : 1] : 1;
        ds->height = (int)a->shape[*nhwc ? 1 : a->ndim - 2];
        ds->width = (int)a->shape[*nhwc ? 2 : a->ndim - 1];
    }
    return CLAE_OK;
}

clae_status clae__npy_layout(clae_ctx *ctx, const char *path, clae__mapped_layout *out)
{
    memset(out, 0, sizeof *out);
    clae_npy a;
    FILE *f;
    clae_status st = open_npy(ctx, path, &f, &a);
    if (st != CLAE_OK) return st;
    long offset = ftell(f); /* the header is read: f is at the first element */
    clae_dataset ds;
    int nhwc = 0;
    st = image_shape(ctx, path, &a, &ds, &nhwc);
    if (st == CLAE_OK && offset < 0)
        st = clae__fail(ctx, CLAE_EIO, "%s: cannot tell where its data starts", path);
    if (st == CLAE_OK && (a.dtype == CLAE_NPY_U1 || a.dtype == CLAE_NPY_F4)) {
        out->shape = ds;
        out->offset = (size_t)offset;
        out->type = a.dtype == CLAE_NPY_U1 ? CLAE__MAPPED_U8 : CLAE__MAPPED_F32_LE;
        out->interleaved = nhwc;
    }
    fclose(f);
    return st;
}

clae_status clae_npy_read_images(clae_ctx *ctx, const char *path, const clae_data_bounds *bounds,
                                 clae_dataset *out)
{
    memset(out, 0, sizeof *out);
    clae_npy a;
    FILE *f;
    clae_status st = open_npy(ctx, path, &f, &a);
    if (st != CLAE_OK) return st;
    clae_dataset ds;
    float *sample = NULL;
    int nhwc = 0;
    st = image_shape(ctx, path, &a, &ds, &nhwc);
    if (st != CLAE_OK) goto done;
    /* The budget is checked on the shape alone, before any value is read;
     * the samples after the first ds.count are never read. */
    st = clae__data_take(ctx, path, bounds, ds.file_count, ds.dim, 0, &ds.count);
    if (st != CLAE_OK) goto done;
    size_t n = ds.count * ds.dim;
    ds.x = malloc(n * sizeof *ds.x);
    if (nhwc) sample = malloc(ds.dim * sizeof *sample);
    if (!ds.x || (nhwc && !sample)) {
        st = clae__fail(ctx, CLAE_ENOMEM, "%s: out of memory for %zu values", path, n);
        goto done;
    }
    int integer = a.dtype != CLAE_NPY_F4 && a.dtype != CLAE_NPY_F8;
    float max = 0;
    if (nhwc) {
        /* (N, H, W, C) to planar (N, C, H, W), a sample at a time. */
        size_t plane = (size_t)ds.height * (size_t)ds.width, c = (size_t)ds.channels;
        for (size_t s = 0; s < ds.count; s++) {
            st = clae__npy_read_values(ctx, path, f, &a, sample, ds.dim);
            if (st == CLAE_OK)
                st = check_values(ctx, path, sample, ds.dim, s * ds.dim, integer, &max);
            if (st != CLAE_OK) goto done;
            float *y = ds.x + s * ds.dim;
            for (size_t p = 0; p < plane; p++)
                for (size_t ch = 0; ch < c; ch++) y[ch * plane + p] = sample[p * c + ch];
        }
    } else {
        /* C order is sample-major and planar: the values go straight in. */
        st = clae__npy_read_values(ctx, path, f, &a, ds.x, n);
        if (st == CLAE_OK) st = check_values(ctx, path, ds.x, n, 0, integer, &max);
        if (st != CLAE_OK) goto done;
    }
    /* uint8 is bytes whatever its values; other integers as CSV numbers are.
     * With bounds->take, "any value above 1" is over the samples read, not
     * the whole file. */
    if (a.dtype == CLAE_NPY_U1 || (integer && max > 1))
        for (size_t i = 0; i < n; i++) ds.x[i] /= 255.0f;
    *out = ds;
    memset(&ds, 0, sizeof ds);
done:
    clae_dataset_free(&ds);
    free(sample);
    fclose(f);
    return st;
}

clae_status clae_npy_read_labels(clae_ctx *ctx, const char *path, clae_dataset *ds)
{
    clae_npy a;
    FILE *f;
    clae_status st = open_npy(ctx, path, &f, &a);
    if (st != CLAE_OK) return st;
    char shape[96];
    shape_text(&a, shape, sizeof shape);
    int *labels = NULL;
    size_t want = clae__data_file_count(ds);
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
    if (a.shape[0] != want || ds->count > want) {
        st = clae__fail(ctx, CLAE_EDATA, "%s: %zu labels for %zu images", path, a.shape[0], want);
        goto done;
    }
    labels = malloc((ds->count ? ds->count : 1) * sizeof *labels);
    if (!labels) {
        st = clae__fail(ctx, CLAE_ENOMEM, "%s: out of memory for %zu labels", path, ds->count);
        goto done;
    }
    /* Only the first ds->count labels (the images kept) are read, a chunk at a time. */
    float chunk[4096];
    for (size_t i = 0; i < ds->count;) {
        size_t k = ds->count - i < 4096 ? ds->count - i : 4096;
        st = clae__npy_read_values(ctx, path, f, &a, chunk, k);
        if (st != CLAE_OK) goto done;
        for (size_t j = 0; j < k; j++, i++) {
            /* int64 labels beyond 2^24 lose precision as floats, but those are refused anyway. */
            float v = chunk[j];
            if (v < 0 || v > CLAE_DATA_MAX_LABEL) {
                st = clae__fail(ctx, CLAE_EDATA, "%s: entry %zu: label %.0f is outside 0 to %d",
                                path, i, (double)v, CLAE_DATA_MAX_LABEL);
                goto done;
            }
            labels[i] = (int)v;
        }
    }
    free(ds->labels);
    ds->labels = labels;
    labels = NULL;
done:
    free(labels);
    fclose(f);
    return st;
}
