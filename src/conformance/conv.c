/* Conformance of the convolution kernels (cl/conv.cl) and batch normalisation
 * (cl/batchnorm.cl) against their src/ref/ references, on geometries that are
 * not multiples of the work-group size, with buffers at odd offsets. Output
 * buffers start filled with garbage, so "overwrites" is checked too. */
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "clae/spec.h"
#include "conformance/harness.h"
#include "kernels/ops.h"
#include "ref/ref.h"


/* Activations whose kernels do no transcendental maths: exact. */
static int exact_act(int act)
{
    return act == CLAE_ACT_LINEAR || act == CLAE_ACT_RELU || act == CLAE_ACT_LEAKY_RELU;
}

/* --- im2col / col2im --------------------------------------------------------- */

/* batch, channels, h, w, k, stride, pad; oh, ow are the usual floor. */
static const size_t conv_shapes[][7] = {
    {3, 5, 7, 5, 3, 2, 1},  {3, 5, 7, 5, 1, 1, 0}, {3, 5, 7, 5, 2, 2, 0},
    {2, 4, 8, 6, 3, 2, 1},  {1, 1, 1, 1, 3, 1, 1}, {17, 33, 9, 11, 3, 1, 1}};
#define MAX_IMG (17 * 33 * 9 * 11)
#define MAX_COL (33 * 9 * 17 * 9 * 11)

/* The reference itself, by hand: im2col of the 3x3 image 1..9, k 3, stride 2, pad 1. */
static void check_im2col_by_hand(harness *h)
{
    static const float x[9] = {1, 2, 3, 4, 5, 6, 7, 8, 9};
    static const float want[36] = {0, 0, 0, 5, 0, 0, 4, 6, 0, 0, 5, 0, 0, 2, 0, 8, 1, 3,
                                   7, 9, 2, 0, 8, 0, 0, 5, 0, 0, 4, 6, 0, 0, 5, 0, 0, 0};
    float got[36];
    clae_ref_im2col(1, 1, 3, 3, 3, 2, 1, 2, 2, x, got);
    clae__check_compare(h, "im2col reference by hand 1x1x3x3 k3 s2 p1", got, want, 36, 0, 0);
}

clae_status clae__check_conv(harness *h)
{
    clae_status status = CLAE_OK;
    static float x[MAX_IMG], col[MAX_COL], want[MAX_COL], got[MAX_COL];
    clae_buf b[2] = {{0}};
    char name[96];
    check_im2col_by_hand(h);
    for (size_t si = 0; si < sizeof conv_shapes / sizeof conv_shapes[0]; si++) {
        const size_t *s = conv_shapes[si];
        clae_conv_geom g = {s[0], s[1], s[2], s[3], s[4], s[5], s[6], 0, 0};
        g.oh = (g.h + 2 * g.pad - g.k) / g.stride + 1;
        g.ow = (g.w + 2 * g.pad - g.k) / g.stride + 1;
        size_t nx = g.batch * g.channels * g.h * g.w;
        size_t ncol = g.channels * g.k * g.k * g.batch * g.oh * g.ow;
        char geom[64];
        snprintf(geom, sizeof geom, "%zux%zux%zux%zu k%zu s%zu p%zu", g.batch, g.channels, g.h,
                 g.w, g.k, g.stride, g.pad);

        /* im2col: copies or zeros, exact */
        clae__check_fill(h, x, nx, -1.0f, 1.0f);
        TRY(clae__check_garbage_buf(h, &b[0], 3, x, nx));
        TRY(clae__check_garbage_buf(h, &b[1], 0, NULL, ncol));
        TRY(clae__im2col(h->dev, &g, &b[0], 3, &b[1]));
        clae_ref_im2col(g.batch, g.channels, g.h, g.w, g.k, g.stride, g.pad, g.oh, g.ow, x, want);
        snprintf(name, sizeof name, "im2col %s", geom);
        TRY(clae__check_expect(h, name, &b[1], 0, ncol, got, want, 0, 0));

        /* col2im: each pixel sums at most K = ceil(k/stride)^2 entries in [-1, 1] */
        size_t per = (g.k + g.stride - 1) / g.stride, terms = per * per;
        clae__check_fill(h, col, ncol, -1.0f, 1.0f);
        TRY(clae__buf_write(h->dev, &b[1], 0, ncol, col));
        TRY(clae__buf_fill(h->dev, &b[0], 0, nx + 3, CLAE_CHECK_GARBAGE));
        TRY(clae__col2im(h->dev, &g, &b[1], &b[0], 2));
        clae_ref_col2im(g.batch, g.channels, g.h, g.w, g.k, g.stride, g.pad, g.oh, g.ow, col,
                        want);
        snprintf(name, sizeof name, "col2im %s", geom);
        double tol = (double)terms * FLT_EPSILON;
        TRY(clae__check_expect(h, name, &b[0], 2, nx, got, want, tol, tol));

        /* the adjoint: <im2col(x), col> = <x, col2im(col)>, in double, with the
         * device's col2im; one rounding per term of |im2col(x) * col| */
        clae_ref_im2col(g.batch, g.channels, g.h, g.w, g.k, g.stride, g.pad, g.oh, g.ow, x, want);
        double lhs = 0.0, rhs = 0.0, mag = 0.0;
        for (size_t i = 0; i < ncol; i++) {
            lhs += (double)want[i] * col[i];
            mag += fabs((double)want[i] * col[i]);
        }
        for (size_t i = 0; i < nx; i++) rhs += (double)x[i] * got[i];
        float fl = (float)lhs, fr = (float)rhs;
        snprintf(name, sizeof name, "col2im adjoint %s", geom);
        clae__check_compare(h, name, &fr, &fl, 1, (double)terms * FLT_EPSILON * mag + 1e-6, 0);
        clae__check_release(b, 2);
    }
done:
    clae__check_release(b, 2);
    return status;
}

/* --- channel-major moves, per-channel bias, per-channel sums ----------------- */

/* batch, channels, plane: long planes (read along the plane), short ones (read
 * across channels: a dense layer's plane 1, a 2x2 map), channel-major data (batch 1). */
static const size_t chan_shapes[][3] = {{1, 1, 1},   {3, 5, 35},  {3, 5, 4},  {17, 33, 99},
                                        {17, 33, 1}, {1, 7, 1000}, {5, 70, 3}};
#define N_CHAN_SHAPES (sizeof chan_shapes / sizeof chan_shapes[0])
#define MAX_CHAN (17 * 33 * 99)

static clae_status check_channel_moves(harness *h, size_t batch, size_t channels, size_t plane)
{
    clae_status status = CLAE_OK;
    static float src[MAX_CHAN], y[MAX_CHAN], dy[MAX_CHAN], want[MAX_CHAN], got[MAX_CHAN];
    float bias[80];
    clae_buf b[4] = {{0}};
    char name[96];
    size_t n = batch * channels * plane;
    for (int act = 0; act < CLAE_ACT_COUNT; act++) {
        const char *an = clae_activation_name((clae_activation)act);
        int exact = exact_act(act);
        /* with no bias (linear, relu) and with a bias at an offset */
        int with_bias = act != CLAE_ACT_LINEAR && act != CLAE_ACT_RELU;
        clae__check_fill(h, src, n, -3.0f, 3.0f);
        clae__check_fill(h, bias, channels, -1.0f, 1.0f);
        TRY(clae__check_garbage_buf(h, &b[0], 0, src, n));
        TRY(clae__check_garbage_buf(h, &b[1], 1, bias, channels));
        TRY(clae__check_garbage_buf(h, &b[2], 2, NULL, n));
        TRY(clae__cnhw_bias_act(h->dev, batch, channels, plane, act, &b[0],
                                with_bias ? &b[1] : NULL, 1, &b[2], 2));
        clae_ref_cnhw_bias_act(batch, channels, plane, act, src, with_bias ? bias : NULL, want);
        snprintf(name, sizeof name, "cnhw_bias_act %s %zux%zux%zu%s", an, batch, channels, plane,
                 with_bias ? "" : " no bias");
        /* one add, then the activation */
        TRY(clae__check_expect(h, name, &b[2], 2, n, got, want, exact ? 0 : 1e-6, exact ? 0 : 1e-5));

        /* backward from the reference outputs, so only this kernel is tested */
        memcpy(y, want, n * sizeof *y);
        clae__check_fill(h, dy, n, -1.0f, 1.0f);
        TRY(clae__buf_write(h->dev, &b[2], 2, n, y));
        TRY(clae__check_garbage_buf(h, &b[3], 3, dy, n));
        TRY(clae__buf_fill(h->dev, &b[0], 0, n, CLAE_CHECK_GARBAGE));
        TRY(clae__act_bwd_to_cnhw(h->dev, batch, channels, plane, act, &b[3], 3, &b[2], 2,
                                  &b[0]));
        clae_ref_act_bwd_to_cnhw(batch, channels, plane, act, dy, y, want);
        snprintf(name, sizeof name, "act_bwd_to_cnhw %s %zux%zux%zu", an, batch, channels,
                 plane);
        /* multiplications only, save 1 - y*y (tanh), which may become an fma */
        TRY(clae__check_expect(h, name, &b[0], 0, n, got, want, exact ? 0 : 1e-7, exact ? 0 : 1e-5));

        /* in place on NCHW at an offset */
        TRY(clae__buf_write(h->dev, &b[3], 3, n, src));
        TRY(clae__channel_bias_act(h->dev, batch, channels, plane, act, &b[3], 3,
                                   with_bias ? &b[1] : NULL, 1));
        memcpy(want, src, n * sizeof *src);
        clae_ref_channel_bias_act(batch, channels, plane, act, want, with_bias ? bias : NULL);
        snprintf(name, sizeof name, "channel_bias_act %s %zux%zux%zu%s", an, batch, channels,
                 plane, with_bias ? "" : " no bias");
        TRY(clae__check_expect(h, name, &b[3], 3, n, got, want, exact ? 0 : 1e-6, exact ? 0 : 1e-5));
        clae__check_release(b, 4);
    }
done:
    clae__check_release(b, 4);
    return status;
}

static clae_status check_channel_sums(harness *h, size_t batch, size_t channels, size_t plane)
{
    clae_status status = CLAE_OK;
    static float x[MAX_CHAN], y[MAX_CHAN], want[160], got[160];
    clae_buf b[4] = {{0}};
    char name[96];
    size_t n = batch * channels * plane, count = batch * plane;
    /* sums of count terms in [-1, 1] (products too): count*eps relative and absolute */
    double tol = (double)count * FLT_EPSILON;
    clae__check_fill(h, x, n, -1.0f, 1.0f);
    clae__check_fill(h, y, n, -1.0f, 1.0f);
    TRY(clae__check_garbage_buf(h, &b[0], 5, x, n));
    TRY(clae__check_garbage_buf(h, &b[1], 1, y, n));
    TRY(clae__check_garbage_buf(h, &b[2], 0, NULL, clae__channel_scratch(h->dev, channels)));
    TRY(clae__check_garbage_buf(h, &b[3], 1, NULL, 2 * channels));
    for (int with_y = 0; with_y <= 1; with_y++) {
        TRY(clae__channel_sums(h->dev, batch, channels, plane, &b[0], 5, with_y ? &b[1] : NULL, 1,
                               &b[2], &b[3], 1));
        clae_ref_channel_sums(batch, channels, plane, x, with_y ? y : NULL, want);
        snprintf(name, sizeof name, "channel_sums %zux%zux%zu %s", batch, channels, plane,
                 with_y ? "x, x*y" : "x, x*x");
        TRY(clae__check_expect(h, name, &b[3], 1, 2 * channels, got, want, tol, tol));
    }
    TRY(clae__buf_fill(h->dev, &b[3], 0, 2 * channels + 1, CLAE_CHECK_GARBAGE));
    TRY(clae__channel_bias_grad(h->dev, batch, channels, plane, &b[0], 5, &b[2], &b[3], 1));
    clae_ref_channel_bias_grad(batch, channels, plane, x, want);
    snprintf(name, sizeof name, "channel_bias_grad %zux%zux%zu", batch, channels, plane);
    TRY(clae__check_expect(h, name, &b[3], 1, channels, got, want, tol, tol));
done:
    clae__check_release(b, 4);
    return status;
}

/* The second stage alone, on rows x groups partial sums. */
static clae_status check_channel_combine(harness *h)
{
    clae_status status = CLAE_OK;
    static const size_t shapes[][2] = {{1, 1}, {10, 3}, {66, 17}, {5, 300}, {3, 1000}};
    static float partial[5000], want[66], got[66];
    clae_buf b[2] = {{0}};
    char name[96];
    for (size_t si = 0; si < sizeof shapes / sizeof shapes[0]; si++) {
        size_t rows = shapes[si][0], groups = shapes[si][1];
        clae__check_fill(h, partial, rows * groups, -10.0f, 10.0f);
        TRY(clae__check_garbage_buf(h, &b[0], 0, partial, rows * groups));
        TRY(clae__check_garbage_buf(h, &b[1], 2, NULL, rows));
        TRY(clae__channel_combine(h->dev, rows, groups, &b[0], &b[1], 2));
        clae_ref_channel_combine(rows, groups, partial, want);
        snprintf(name, sizeof name, "channel_combine %zu rows of %zu", rows, groups);
        /* sums of `groups` terms in [-10, 10] */
        double tol = (double)groups * FLT_EPSILON;
        TRY(clae__check_expect(h, name, &b[1], 2, rows, got, want, 10 * tol, tol));
        clae__check_release(b, 2);
    }
done:
    clae__check_release(b, 2);
    return status;
}

clae_status clae__check_channel(harness *h)
{
    clae_status status = CLAE_OK;
    for (size_t si = 0; si < N_CHAN_SHAPES && status == CLAE_OK; si++) {
        const size_t *s = chan_shapes[si];
        status = check_channel_moves(h, s[0], s[1], s[2]);
        if (status == CLAE_OK) status = check_channel_sums(h, s[0], s[1], s[2]);
    }
    if (status == CLAE_OK) status = check_channel_combine(h);
    return status;
}

/* --- batch normalisation ------------------------------------------------------
 * Each kernel gets the reference's results of the steps before it, so only that
 * kernel is tested. Inputs are multiples of 1/256 around 1: a channel of one
 * value has variance exactly 0 (sq/count - mean^2 cancels exactly), and
 * otherwise the cancellation costs at most a factor (var + mean^2)/var ~ 4. */

static void fill_quantised(harness *h, float *x, size_t n)
{
    clae__check_fill(h, x, n, 0.0f, 2.0f);
    for (size_t i = 0; i < n; i++) x[i] = floorf(x[i] * 256.0f) / 256.0f;
}

static clae_status check_bn_shape(harness *h, size_t batch, size_t channels, size_t plane)
{
    clae_status status = CLAE_OK;
    static float x[MAX_CHAN], dz[MAX_CHAN], want[MAX_CHAN], got[MAX_CHAN];
    float sums[160], running[160], run_want[160], stats[160], params[240], dgamma[80],
        dbeta[80];
    clae_buf b[7] = {{0}}; /* x, dz, sums, running, stats, params, grads / y */
    char name[96], shape[48];
    size_t n = batch * channels * plane, count = batch * plane, C = channels;
    const float eps = 1e-5f, momentum = 0.1f;
    snprintf(shape, sizeof shape, "%zux%zux%zu", batch, channels, plane);
    fill_quantised(h, x, n);
    clae__check_fill(h, dz, n, -1.0f, 1.0f);
    clae__check_fill(h, running, C, -1.0f, 1.0f);
    clae__check_fill(h, running + C, C, 0.5f, 2.0f);
    clae__check_fill(h, params + 1, C, 0.5f, 1.5f);         /* gamma at 1 */
    clae__check_fill(h, params + 1 + C + 2, C, -0.5f, 0.5f); /* beta at C + 3 */
    const float *gamma = params + 1, *beta = params + 1 + C + 2;
    clae_ref_channel_sums(batch, C, plane, x, NULL, sums);

    /* training statistics: a division, a cancellation (factor ~4, see above), a
     * square root; the running statistics a blend of two */
    TRY(clae__check_garbage_buf(h, &b[2], 2, sums, 2 * C));
    TRY(clae__check_garbage_buf(h, &b[3], 3, running, 2 * C));
    TRY(clae__check_garbage_buf(h, &b[4], 0, NULL, 2 * C));
    TRY(clae__bn_stats(h->dev, C, count, 1, &b[2], 2, eps, momentum, &b[3], 3, &b[4]));
    memcpy(run_want, running, 2 * C * sizeof *running);
    clae_ref_bn_stats(C, count, 1, sums, eps, momentum, run_want, stats);
    snprintf(name, sizeof name, "bn_stats training %s mean, invstd", shape);
    TRY(clae__check_expect(h, name, &b[4], 0, 2 * C, got, stats, 1e-6, 1e-5));
    snprintf(name, sizeof name, "bn_stats training %s running", shape);
    TRY(clae__check_expect(h, name, &b[3], 3, 2 * C, got, run_want, 1e-6, 1e-5));

    /* evaluation: from the running statistics, which stay as they are */
    float eval_stats[160];
    TRY(clae__buf_write(h->dev, &b[3], 3, 2 * C, run_want));
    TRY(clae__bn_stats(h->dev, C, 0, 0, NULL, 0, eps, momentum, &b[3], 3, &b[4]));
    memcpy(running, run_want, 2 * C * sizeof *running);
    clae_ref_bn_stats(C, 0, 0, NULL, eps, momentum, running, eval_stats);
    snprintf(name, sizeof name, "bn_stats evaluation %s mean, invstd", shape);
    TRY(clae__check_expect(h, name, &b[4], 0, 2 * C, got, eval_stats, 1e-6, 1e-5));
    snprintf(name, sizeof name, "bn_stats evaluation %s running unchanged", shape);
    TRY(clae__check_expect(h, name, &b[3], 3, 2 * C, got, run_want, 0, 0));

    /* forward from the training statistics */
    TRY(clae__buf_write(h->dev, &b[4], 0, 2 * C, stats));
    TRY(clae__check_garbage_buf(h, &b[0], 1, x, n));
    TRY(clae__check_garbage_buf(h, &b[5], 0, params, 2 * C + 3));
    TRY(clae__check_garbage_buf(h, &b[6], 4, NULL, n));
    for (int act = 0; act < CLAE_ACT_COUNT; act++) {
        TRY(clae__bn_fwd(h->dev, batch, C, plane, act, &b[0], 1, &b[4], &b[5], 1, C + 3, &b[6],
                         4));
        clae_ref_bn_fwd(batch, C, plane, act, x, stats, gamma, beta, want);
        snprintf(name, sizeof name, "bn_fwd %s %s", clae_activation_name((clae_activation)act),
                 shape);
        /* three roundings on terms up to ~3 (ulp 2.4e-7), then the activation */
        TRY(clae__check_expect(h, name, &b[6], 4, n, got, want, 2e-6, 1e-5));
    }
    clae__buf_release(&b[6]);

    /* parameter gradients from sums = (sum dz, sum dz*x); dgamma cancels, so its
     * tolerance is a few roundings of the terms it subtracts */
    float dsums[160];
    clae_ref_channel_sums(batch, C, plane, dz, x, dsums);
    TRY(clae__buf_write(h->dev, &b[2], 2, 2 * C, dsums));
    TRY(clae__check_garbage_buf(h, &b[6], 0, NULL, 2 * C + 5));
    TRY(clae__bn_param_grad(h->dev, C, &b[2], 2, &b[4], &b[6], C + 5, 0));
    clae_ref_bn_param_grad(C, dsums, stats, dgamma, dbeta);
    double mag = 0.0;
    for (size_t c = 0; c < C; c++) {
        double m = stats[C + c] * (fabs(dsums[2 * c + 1]) + fabs(stats[c] * dsums[2 * c]));
        if (m > mag) mag = m;
    }
    snprintf(name, sizeof name, "bn_param_grad %s dgamma", shape);
    TRY(clae__check_expect(h, name, &b[6], C + 5, C, got, dgamma, 4 * FLT_EPSILON * mag, 1e-6));
    snprintf(name, sizeof name, "bn_param_grad %s dbeta", shape);
    TRY(clae__check_expect(h, name, &b[6], 0, C, got, dbeta, 0, 0));

    /* input gradient from the reference's dgamma (at C + 5) and dbeta (at 0) */
    float grads[170];
    memcpy(grads, dbeta, C * sizeof *dbeta);
    memcpy(grads + C + 5, dgamma, C * sizeof *dgamma);
    TRY(clae__buf_write(h->dev, &b[6], 0, 2 * C + 5, grads));
    for (int training = 1; training >= 0; training--) {
        /* dx aliases dz in training, a separate buffer in evaluation */
        TRY(clae__check_garbage_buf(h, &b[1], 3, dz, n));
        clae_buf *dx = training ? &b[1] : &b[3];
        size_t dx_off = training ? 3 : 2;
        if (!training) {
            clae__buf_release(&b[3]);
            TRY(clae__check_garbage_buf(h, &b[3], 2, NULL, n));
        }
        TRY(clae__bn_bwd(h->dev, batch, C, plane, training, training ? &b[0] : NULL, 1, &b[1], 3,
                         &b[4], &b[5], 1, training ? &b[6] : NULL, C + 5, 0, dx, dx_off));
        clae_ref_bn_bwd(batch, C, plane, training, x, dz, stats, gamma, dgamma, dbeta, want);
        snprintf(name, sizeof name, "bn_bwd %s %s", training ? "training" : "evaluation", shape);
        /* a few roundings of terms up to ~1, times gamma*invstd (up to ~3) */
        TRY(clae__check_expect(h, name, dx, dx_off, n, got, want, 2e-6, 1e-5));
        clae__buf_release(&b[1]);
    }
done:
    clae__check_release(b, 7);
    return status;
}

clae_status clae__check_batchnorm(harness *h)
{
    clae_status status = CLAE_OK;
    for (size_t si = 0; si < N_CHAN_SHAPES && status == CLAE_OK; si++)
        status = check_bn_shape(h, chan_shapes[si][0], chan_shapes[si][1], chan_shapes[si][2]);
    return status;
}
