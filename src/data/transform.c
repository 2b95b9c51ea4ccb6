/* Per-image transforms of a loaded dataset: bilinear resizing (PyTorch's
 * interpolate with align_corners = False: pixel centres map to pixel centres,
 * edges clamp) and zero padding on every side. Both run once, on the host,
 * before the data goes to the device. */
#include <stdlib.h>
#include <string.h>

#include "clae/data.h"

/* Source coordinate of output index i along an axis of in -> out pixels, and
 * the two neighbours with the weight of the second. */
static void axis(int i, int in, int out, int *i0, int *i1, float *t)
{
    float src = ((float)i + 0.5f) * (float)in / (float)out - 0.5f;
    if (src < 0.0f) src = 0.0f;
    *i0 = (int)src;
    if (*i0 > in - 1) *i0 = in - 1;
    *i1 = *i0 + 1 < in ? *i0 + 1 : in - 1;
    *t = src - (float)*i0;
}

static clae_status replace_images(clae_ctx *ctx, clae_dataset *ds, float *x, int h, int w)
{
    free(ds->x);
    ds->x = x;
    ds->height = h;
    ds->width = w;
    ds->dim = (size_t)ds->channels * (size_t)h * (size_t)w;
    (void)ctx;
    return CLAE_OK;
}

clae_status clae_dataset_resize(clae_ctx *ctx, clae_dataset *ds, int h, int w)
{
    if (h == ds->height && w == ds->width) return CLAE_OK;
    size_t plane = (size_t)h * (size_t)w, planes = ds->count * (size_t)ds->channels;
    float *x = malloc((planes ? planes : 1) * plane * sizeof *x);
    if (!x) return clae__fail(ctx, CLAE_ENOMEM, "%s: out of memory resizing to %dx%d", ds->name, h, w);
    for (size_t p = 0; p < planes; p++) {
        const float *src = ds->x + p * (size_t)ds->height * (size_t)ds->width;
        float *dst = x + p * plane;
        for (int i = 0; i < h; i++) {
            int y0, y1;
            float ty;
            axis(i, ds->height, h, &y0, &y1, &ty);
            for (int j = 0; j < w; j++) {
                int x0, x1;
                float tx;
                axis(j, ds->width, w, &x0, &x1, &tx);
                const float *r0 = src + (size_t)y0 * (size_t)ds->width;
                const float *r1 = src + (size_t)y1 * (size_t)ds->width;
                float top = r0[x0] + tx * (r0[x1] - r0[x0]);
                float bottom = r1[x0] + tx * (r1[x1] - r1[x0]);
                dst[(size_t)i * (size_t)w + (size_t)j] = top + ty * (bottom - top);
            }
        }
    }
    return replace_images(ctx, ds, x, h, w);
}

clae_status clae_dataset_pad(clae_ctx *ctx, clae_dataset *ds, int pad)
{
    if (pad == 0) return CLAE_OK;
    int h = ds->height + 2 * pad, w = ds->width + 2 * pad;
    size_t plane = (size_t)h * (size_t)w, planes = ds->count * (size_t)ds->channels;
    float *x = calloc((planes ? planes : 1) * plane, sizeof *x);
    if (!x) return clae__fail(ctx, CLAE_ENOMEM, "%s: out of memory padding by %d", ds->name, pad);
    for (size_t p = 0; p < planes; p++)
        for (int i = 0; i < ds->height; i++)
            memcpy(x + p * plane + (size_t)(i + pad) * (size_t)w + (size_t)pad,
                   ds->x + (p * (size_t)ds->height + (size_t)i) * (size_t)ds->width,
                   (size_t)ds->width * sizeof *x);
    return replace_images(ctx, ds, x, h, w);
}
