/* Conformance of max pooling, upsampling (cl/pool.cl) and dropout
 * (cl/dropout.cl) against their src/ref/ references. Output buffers start
 * filled with garbage, so "overwrites" is checked too. */
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "conformance/harness.h"
#include "kernels/ops.h"
#include "ref/ref.h"


/* The references themselves, by hand: ties go to the first in the window. */
static void check_pool_by_hand(harness *h)
{
    static const float x[8] = {3, 1, 3, 3, 2, 3, 0, 3}; /* 2x4, two 2x2 windows */
    static const float dy[2] = {10, 20};
    static const float want_y[2] = {3, 3}, want_arg[2] = {0, 2};
    static const float want_dx[8] = {10, 0, 20, 0, 0, 0, 0, 0};
    float y[2], args[2], dx[8];
    uint32_t arg[2];
    clae_ref_maxpool_fwd(1, 1, 2, 4, 2, 2, 1, 2, x, y, arg);
    for (int i = 0; i < 2; i++) args[i] = (float)arg[i];
    clae__check_compare(h, "maxpool_fwd reference by hand, ties", y, want_y, 2, 0, 0);
    clae__check_compare(h, "maxpool_fwd reference by hand, ties: arg", args, want_arg, 2, 0, 0);
    clae_ref_maxpool_bwd(1, 1, 2, 4, 2, 2, 1, 2, dy, arg, dx);
    clae__check_compare(h, "maxpool_bwd reference by hand", dx, want_dx, 8, 0, 0);
}

/* batch, channels, h, w, k, stride; oh = (h - k)/stride + 1 */
static const size_t pool_shapes[][6] = {{3, 5, 7, 5, 2, 2},   {3, 5, 7, 5, 3, 1},
                                        {3, 5, 7, 5, 3, 2},   {1, 1, 1, 1, 1, 1},
                                        {17, 33, 9, 11, 2, 2}, {2, 3, 8, 6, 2, 1}};
#define MAX_POOL_IN (17 * 33 * 9 * 11)

clae_status clae__check_pool(harness *h)
{
    clae_status status = CLAE_OK;
    static float x[MAX_POOL_IN], dy[MAX_POOL_IN], want[MAX_POOL_IN], got[MAX_POOL_IN],
        args_got[MAX_POOL_IN], args_want[MAX_POOL_IN];
    static uint32_t arg[MAX_POOL_IN], arg_got[MAX_POOL_IN];
    clae_buf b[3] = {{0}}; /* x / dx, y / dy, arg */
    char name[96];
    check_pool_by_hand(h);
    for (size_t si = 0; si < sizeof pool_shapes / sizeof pool_shapes[0]; si++) {
        const size_t *s = pool_shapes[si];
        size_t batch = s[0], ch = s[1], hh = s[2], w = s[3], k = s[4], stride = s[5];
        size_t oh = (hh - k) / stride + 1, ow = (w - k) / stride + 1;
        size_t nin = batch * ch * hh * w, nout = batch * ch * oh * ow;
        char shape[64];
        snprintf(shape, sizeof shape, "%zux%zux%zux%zu k%zu s%zu", batch, ch, hh, w, k, stride);
        /* multiples of 1/8: many ties */
        clae__check_fill(h, x, nin, -1.0f, 1.0f);
        for (size_t i = 0; i < nin; i++) x[i] = floorf(x[i] * 8.0f) / 8.0f;
        TRY(clae__check_garbage_buf(h, &b[0], 3, x, nin));
        TRY(clae__check_garbage_buf(h, &b[1], 1, NULL, nout));
        TRY(clae__check_garbage_buf(h, &b[2], 0, NULL, nout));
        TRY(clae__maxpool_fwd(h->dev, batch, ch, hh, w, k, stride, oh, ow, &b[0], 3, &b[1], 1,
                              &b[2]));
        clae_ref_maxpool_fwd(batch, ch, hh, w, k, stride, oh, ow, x, want, arg);
        snprintf(name, sizeof name, "maxpool_fwd %s", shape);
        TRY(clae__check_expect(h, name, &b[1], 1, nout, got, want, 0, 0));
        TRY(clae__buf_read(h->dev, &b[2], 0, nout, arg_got));
        for (size_t i = 0; i < nout; i++) {
            args_got[i] = (float)arg_got[i];
            args_want[i] = (float)arg[i];
        }
        snprintf(name, sizeof name, "maxpool_fwd %s arg", shape);
        clae__check_compare(h, name, args_got, args_want, nout, 0, 0);

        /* backward from the reference's arg; an input sums at most ceil(k/stride)^2
         * values of dy in [-1, 1] */
        size_t per = (k + stride - 1) / stride;
        double tol = (double)(per * per) * FLT_EPSILON;
        clae__check_fill(h, dy, nout, -1.0f, 1.0f);
        TRY(clae__buf_write(h->dev, &b[1], 1, nout, dy));
        TRY(clae__buf_write(h->dev, &b[2], 0, nout, arg));
        TRY(clae__buf_fill(h->dev, &b[0], 0, nin + 3, CLAE_CHECK_GARBAGE));
        TRY(clae__maxpool_bwd(h->dev, batch, ch, hh, w, k, stride, oh, ow, &b[1], 1, &b[2],
                              &b[0], 2));
        clae_ref_maxpool_bwd(batch, ch, hh, w, k, stride, oh, ow, dy, arg, want);
        snprintf(name, sizeof name, "maxpool_bwd %s", shape);
        TRY(clae__check_expect(h, name, &b[0], 2, nin, got, want, tol, tol));
        clae__check_release(b, 3);
    }

    /* upsampling: batch, channels, h, w, factor */
    static const size_t up_shapes[][5] = {
        {3, 5, 7, 5, 2}, {1, 1, 1, 1, 1}, {2, 3, 4, 3, 3}, {17, 33, 3, 5, 2}};
    static float ux[MAX_POOL_IN], uy[4 * MAX_POOL_IN], uwant[4 * MAX_POOL_IN],
        ugot[4 * MAX_POOL_IN];
    for (size_t si = 0; si < sizeof up_shapes / sizeof up_shapes[0]; si++) {
        const size_t *s = up_shapes[si];
        size_t batch = s[0], ch = s[1], hh = s[2], w = s[3], f = s[4];
        size_t nin = batch * ch * hh * w, nout = nin * f * f;
        char shape[64];
        snprintf(shape, sizeof shape, "%zux%zux%zux%zu f%zu", batch, ch, hh, w, f);
        clae__check_fill(h, ux, nin, -1.0f, 1.0f);
        TRY(clae__check_garbage_buf(h, &b[0], 2, ux, nin));
        TRY(clae__check_garbage_buf(h, &b[1], 5, NULL, nout));
        TRY(clae__upsample_fwd(h->dev, batch, ch, hh, w, f, &b[0], 2, &b[1], 5));
        clae_ref_upsample_fwd(batch, ch, hh, w, f, ux, uwant);
        snprintf(name, sizeof name, "upsample_fwd %s", shape);
        TRY(clae__check_expect(h, name, &b[1], 5, nout, ugot, uwant, 0, 0));

        /* f*f values in [-1, 1] per input */
        clae__check_fill(h, uy, nout, -1.0f, 1.0f);
        TRY(clae__buf_write(h->dev, &b[1], 5, nout, uy));
        TRY(clae__upsample_bwd(h->dev, batch, ch, hh, w, f, &b[1], 5, &b[0], 1));
        clae_ref_upsample_bwd(batch, ch, hh, w, f, uy, uwant);
        snprintf(name, sizeof name, "upsample_bwd %s", shape);
        double tol = (double)(f * f) * FLT_EPSILON;
        TRY(clae__check_expect(h, name, &b[0], 1, nin, ugot, uwant, tol, tol));
        clae__check_release(b, 2);
    }
done:
    clae__check_release(b, 3);
    return status;
}

clae_status clae__check_dropout(harness *h)
{
    clae_status status = CLAE_OK;
    static float x[MAX_N], want[MAX_N], got[MAX_N], mask[MAX_N];
    static const float rates[] = {0.0f, 0.25f, 0.5f, 1.0f};
    clae_buf b[3] = {{0}}; /* x / dy, y / dx, mask */
    char name[96];
    const uint64_t seed = 0x5eed0123456789ULL;
    for (size_t si = 0; si < N_SIZES; si++) {
        size_t n = sizes[si];
        for (size_t ri = 0; ri < sizeof rates / sizeof rates[0]; ri++) {
            float rate = rates[ri];
            clae__check_fill(h, x, n, -1.0f, 1.0f);
            TRY(clae__check_garbage_buf(h, &b[0], 1, x, n));
            TRY(clae__check_garbage_buf(h, &b[1], 4, NULL, n));
            TRY(clae__check_garbage_buf(h, &b[2], 0, NULL, n));
            uint32_t base = (uint32_t)ri * 3; /* 0, 3, 6, 9: slices on and off a Philox block */
            TRY(clae__dropout_fwd(h->dev, n, &b[0], 1, &b[1], 4, &b[2], seed, 3, base, rate));
            clae_ref_dropout_fwd(n, x, want, mask, seed, 3, base, rate);
            /* the same uniform words and the host's scale: exact */
            snprintf(name, sizeof name, "dropout_fwd rate=%.2f base=%u n=%zu", (double)rate, base,
                     n);
            TRY(clae__check_expect(h, name, &b[1], 4, n, got, want, 0, 0));
            snprintf(name, sizeof name, "dropout_fwd rate=%.2f base=%u n=%zu mask", (double)rate,
                     base, n);
            TRY(clae__check_expect(h, name, &b[2], 0, n, got, mask, 0, 0));

            /* backward in place (dx aliases dy), from the reference mask */
            clae__check_fill(h, x, n, -1.0f, 1.0f);
            TRY(clae__buf_write(h->dev, &b[0], 1, n, x));
            TRY(clae__buf_write(h->dev, &b[2], 0, n, mask));
            TRY(clae__dropout_bwd(h->dev, n, &b[0], 1, &b[2], &b[0], 1));
            clae_ref_dropout_bwd(n, x, mask, want);
            snprintf(name, sizeof name, "dropout_bwd rate=%.2f n=%zu", (double)rate, n);
            TRY(clae__check_expect(h, name, &b[0], 1, n, got, want, 0, 0));
            clae__check_release(b, 3);
        }
    }
done:
    clae__check_release(b, 3);
    return status;
}
