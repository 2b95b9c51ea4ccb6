/* Kernel conformance: each kernel on the device against its src/ref/
 * reference. Sizes avoid multiples of the work-group size; tolerances are
 * stated per check: exact ops 0, transcendentals abs 1e-6 / rel 1e-5,
 * reductions and GEMM of length K about K·FLT_EPSILON relative. */
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clae/conformance.h"
#include "clae/spec.h"
#include "device/gemm.h"
#include "kernels/ops.h"
#include "ref/ref.h"
#include "conformance/harness.h"

static float rand_uniform(harness *h, float lo, float hi)
{
    /* splitmix64: inputs only need to be reproducible, not strong */
    uint64_t z = (h->rng += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    z ^= z >> 31;
    return lo + (hi - lo) * (float)((z >> 40) * (1.0 / 16777216.0));
}

void clae__check_fill(harness *h, float *x, size_t n, float lo, float hi)
{
    for (size_t i = 0; i < n; i++) x[i] = rand_uniform(h, lo, hi);
}

void clae__check_compare(harness *h, const char *name, const float *got, const float *want, size_t n,
                    double tol_abs, double tol_rel)
{
    clae_check_result r;
    memset(&r, 0, sizeof r);
    snprintf(r.name, sizeof r.name, "%s", name);
    r.tol_abs = tol_abs;
    r.tol_rel = tol_rel;
    r.passed = 1;
    for (size_t i = 0; i < n; i++) {
        double g = got[i], w = want[i], err = fabs(g - w);
        int ok = isfinite(w) ? (isfinite(g) && err <= tol_abs + tol_rel * fabs(w))
                             : (isnan(w) ? isnan(g) : g == w);
        if (isfinite(err)) {
            if (err > r.max_abs) r.max_abs = err;
            if (w != 0.0 && err / fabs(w) > r.max_rel) r.max_rel = err / fabs(w);
        }
        if (!ok && r.passed) {
            r.passed = 0;
            r.first_bad = i;
            r.got = got[i];
            r.want = want[i];
        }
    }
    if (!r.passed) h->failures++;
    h->report(h->user, &r);
}

clae_status clae__check_garbage_buf(harness *h, clae_buf *b, size_t off, const void *data,
                                    size_t n)
{
    clae_status s = clae__buf_create(h->dev, off + n, b);
    if (s == CLAE_OK) s = clae__buf_fill(h->dev, b, 0, off + n, CLAE_CHECK_GARBAGE);
    if (s == CLAE_OK && data && n) s = clae__buf_write(h->dev, b, off, n, data);
    return s;
}

clae_status clae__check_expect(harness *h, const char *name, const clae_buf *b, size_t off,
                               size_t n, float *got, const float *want, double tol_abs,
                               double tol_rel)
{
    clae_status s = clae__buf_read(h->dev, b, off, n, got);
    if (s == CLAE_OK) clae__check_compare(h, name, got, want, n, tol_abs, tol_rel);
    return s;
}

void clae__check_release(clae_buf *bufs, size_t n)
{
    for (size_t i = 0; i < n; i++) clae__buf_release(&bufs[i]);
}

/* Device buffer holding a copy of host data (count may exceed n_data). */
clae_status clae__check_upload(harness *h, clae_buf *buf, const float *data, size_t count)
{
    clae_status s = clae__buf_create(h->dev, count, buf);
    if (s == CLAE_OK) s = clae__buf_write(h->dev, buf, 0, count, data);
    return s;
}

static clae_status check_activations(harness *h)
{
    clae_status status = CLAE_OK;
    static float x[MAX_N], y[MAX_N], dy[MAX_N], want[MAX_N], got[MAX_N];
    clae_buf bx = {0}, by = {0}, bdy = {0};
    char name[96];
    for (size_t si = 0; si < N_SIZES; si++) {
        size_t n = sizes[si];
        for (int act = 0; act < CLAE_ACT_COUNT; act++) {
            const char *an = clae_activation_name((clae_activation)act);
            /* Exact where the kernel does no transcendental maths. */
            int exact = act == CLAE_ACT_LINEAR || act == CLAE_ACT_RELU ||
                        act == CLAE_ACT_LEAKY_RELU;
            double ta = exact ? 0 : 1e-6, tr = exact ? 0 : 1e-5;
            clae__check_fill(h, x, n, -4.0f, 4.0f);
            clae__check_fill(h, dy, n, -1.0f, 1.0f);
            TRY(clae__check_upload(h, &bx, x, n));
            TRY(clae__buf_create(h->dev, n, &by));
            TRY(clae__act_fwd(h->dev, n, act, &bx, 0, &by, 0));
            TRY(clae__buf_read(h->dev, &by, 0, n, got));
            clae_ref_act_fwd(n, act, x, want);
            snprintf(name, sizeof name, "act_fwd %s n=%zu", an, n);
            clae__check_compare(h, name, got, want, n, ta, tr);

            /* Backward from the reference outputs, so only act_bwd is tested. */
            memcpy(y, want, n * sizeof *y);
            TRY(clae__buf_write(h->dev, &by, 0, n, y));
            TRY(clae__check_upload(h, &bdy, dy, n));
            TRY(clae__act_bwd(h->dev, n, act, &bdy, 0, &by, 0, &bdy, 0));
            TRY(clae__buf_read(h->dev, &bdy, 0, n, got));
            clae_ref_act_bwd(n, act, dy, y, want);
            snprintf(name, sizeof name, "act_bwd %s n=%zu", an, n);
            clae__check_compare(h, name, got, want, n, exact ? 0 : 1e-7, exact ? 0 : 1e-5);
            clae__buf_release(&bx);
            clae__buf_release(&by);
            clae__buf_release(&bdy);
        }
    }
done:
    clae__buf_release(&bx);
    clae__buf_release(&by);
    clae__buf_release(&bdy);
    return status;
}

static const size_t shapes[][2] = {{1, 1}, {7, 63}, {33, 129}, {130, 31}, {37, 1100}};
#define N_SHAPES (sizeof shapes / sizeof shapes[0])
#define MAX_RC (37 * 1100)
#define MAX_COLS 1100

static clae_status check_dense_elementwise(harness *h)
{
    clae_status status = CLAE_OK;
    static float y[MAX_RC], dy[MAX_RC], b[MAX_COLS], db[MAX_COLS], want[MAX_RC], got[MAX_RC],
        wdb[MAX_COLS], gdb[MAX_COLS];
    clae_buf by = {0}, bb = {0}, bdy = {0}, bdb = {0};
    char name[96];
    for (size_t si = 0; si < N_SHAPES; si++) {
        size_t rows = shapes[si][0], cols = shapes[si][1], n = rows * cols;
        for (int act = 0; act < CLAE_ACT_COUNT; act++) {
            const char *an = clae_activation_name((clae_activation)act);
            /* The backward of these is multiplications only: bitwise exact.
             * The others may have 1 - y·y contracted into an fma. */
            int exact = act == CLAE_ACT_LINEAR || act == CLAE_ACT_RELU ||
                        act == CLAE_ACT_LEAKY_RELU;
            clae__check_fill(h, y, n, -3.0f, 3.0f);
            clae__check_fill(h, b, cols, -1.0f, 1.0f);
            TRY(clae__check_upload(h, &by, y, n));
            TRY(clae__check_upload(h, &bb, b, cols));
            TRY(clae__bias_act_fwd(h->dev, rows, cols, act, &by, 0, &bb, 0));
            TRY(clae__buf_read(h->dev, &by, 0, n, got));
            memcpy(want, y, n * sizeof *y);
            clae_ref_bias_act_fwd(rows, cols, act, want, b);
            snprintf(name, sizeof name, "bias_act_fwd %s %zux%zu", an, rows, cols);
            clae__check_compare(h, name, got, want, n, 1e-6, 1e-5);

            /* Fused backward, accumulating into a non-zero bias gradient. */
            memcpy(y, want, n * sizeof *y);
            clae__check_fill(h, dy, n, -1.0f, 1.0f);
            clae__check_fill(h, db, cols, -1.0f, 1.0f);
            TRY(clae__buf_write(h->dev, &by, 0, n, y));
            TRY(clae__check_upload(h, &bdy, dy, n));
            TRY(clae__check_upload(h, &bdb, db, cols));
            TRY(clae__act_bwd_bias_grad(h->dev, rows, cols, act, &bdy, 0, &by, 0, &bdb, 0, 1));
            TRY(clae__buf_read(h->dev, &bdy, 0, n, got));
            TRY(clae__buf_read(h->dev, &bdb, 0, cols, gdb));
            memcpy(want, dy, n * sizeof *dy);
            memcpy(wdb, db, cols * sizeof *db);
            clae_ref_act_bwd_bias_grad(rows, cols, act, want, y, wdb, 1);
            snprintf(name, sizeof name, "act_bwd_bias_grad %s %zux%zu dz", an, rows, cols);
            clae__check_compare(h, name, got, want, n, exact ? 0 : 1e-7, exact ? 0 : 1e-5);
            snprintf(name, sizeof name, "act_bwd_bias_grad %s %zux%zu db", an, rows, cols);
            clae__check_compare(h, name, gdb, wdb, cols, 1e-6, (double)rows * FLT_EPSILON);
            clae__buf_release(&by);
            clae__buf_release(&bb);
            clae__buf_release(&bdy);
            clae__buf_release(&bdb);
        }
        for (int accumulate = 0; accumulate <= 1; accumulate++) {
            clae__check_fill(h, dy, n, -1.0f, 1.0f);
            clae__check_fill(h, db, cols, -1.0f, 1.0f);
            TRY(clae__check_upload(h, &bdy, dy, n));
            TRY(clae__check_upload(h, &bdb, db, cols));
            TRY(clae__act_bwd_bias_grad(h->dev, rows, cols, CLAE_ACT_LINEAR, &bdy, 0, &bdy, 0,
                                        &bdb, 0, accumulate));
            TRY(clae__buf_read(h->dev, &bdb, 0, cols, gdb));
            memcpy(wdb, db, cols * sizeof *db);
            clae_ref_bias_grad(rows, cols, dy, wdb, accumulate);
            snprintf(name, sizeof name, "act_bwd_bias_grad linear %zux%zu db accumulate=%d", rows,
                     cols, accumulate);
            clae__check_compare(h, name, gdb, wdb, cols, 1e-6, (double)rows * FLT_EPSILON);
            clae__buf_release(&bdy);
            clae__buf_release(&bdb);
        }
    }
done:
    clae__buf_release(&by);
    clae__buf_release(&bb);
    clae__buf_release(&bdy);
    clae__buf_release(&bdb);
    return status;
}

static clae_status check_losses(harness *h)
{
    clae_status status = CLAE_OK;
    static float y[MAX_N], t[MAX_N], got[MAX_N], want[MAX_N];
    clae_buf by = {0}, bt = {0}, bg = {0}, bp = {0}, bout = {0};
    char name[96];
    for (size_t si = 0; si < N_SIZES; si++) {
        size_t n = sizes[si];
        for (int bce = 0; bce <= 1; bce++) {
            const char *ln = bce ? "bce_logits_loss" : "mse_loss";
            float scale = 1.0f / (float)n;
            clae__check_fill(h, y, n, bce ? -6.0f : 0.0f, bce ? 6.0f : 1.0f);
            clae__check_fill(h, t, n, 0.0f, 1.0f);
            TRY(clae__check_upload(h, &by, y, n));
            TRY(clae__check_upload(h, &bt, t, n));
            TRY(clae__buf_create(h->dev, n, &bg));
            TRY(clae__buf_create(h->dev, clae__loss_partials(h->dev, n), &bp));
            TRY(clae__buf_create(h->dev, 2, &bout));
            if (bce)
                TRY(clae__bce_logits_loss(h->dev, n, &by, 0, &bt, 0, &bg, 0, scale, &bp));
            else
                TRY(clae__mse_loss(h->dev, n, &by, 0, &bt, 0, &bg, 0, scale, &bp));
            TRY(clae__reduce_sum(h->dev, clae__loss_partials(h->dev, n), &bp, 0, &bout, 1,
                                 scale));
            TRY(clae__buf_read(h->dev, &bg, 0, n, got));
            double sum = bce ? clae_ref_bce_logits_loss(n, y, t, want, scale)
                             : clae_ref_mse_loss(n, y, t, want, scale);
            snprintf(name, sizeof name, "%s n=%zu grad", ln, n);
            clae__check_compare(h, name, got, want, n, 1e-6 * scale, 1e-5);
            float gv = 0.0f, wv = (float)(sum * scale);
            TRY(clae__buf_read(h->dev, &bout, 1, 1, &gv));
            snprintf(name, sizeof name, "%s n=%zu value", ln, n);
            clae__check_compare(h, name, &gv, &wv, 1, 1e-6, (double)n * FLT_EPSILON);
            clae__buf_release(&by);
            clae__buf_release(&bt);
            clae__buf_release(&bg);
            clae__buf_release(&bp);
            clae__buf_release(&bout);
        }
    }
done:
    clae__buf_release(&by);
    clae__buf_release(&bt);
    clae__buf_release(&bg);
    clae__buf_release(&bp);
    clae__buf_release(&bout);
    return status;
}

static clae_status check_reduce_gather(harness *h)
{
    clae_status status = CLAE_OK;
    static float x[MAX_N], got[MAX_N + 3 * 7], want[MAX_N + 3 * 7];
    static uint32_t idx[MAX_N + 3];
    clae_buf bx = {0}, bout = {0}, bidx = {0}, bdst = {0};
    char name[96];
    for (size_t si = 0; si < N_SIZES; si++) {
        size_t n = sizes[si];
        clae__check_fill(h, x, n, -1.0f, 1.0f);
        TRY(clae__check_upload(h, &bx, x, n));
        TRY(clae__buf_create(h->dev, 3, &bout));
        TRY(clae__reduce_sum(h->dev, n, &bx, 0, &bout, 2, 0.5f));
        float gv = 0.0f, wv = (float)clae_ref_reduce_sum(n, x, 0.5f);
        TRY(clae__buf_read(h->dev, &bout, 2, 1, &gv));
        snprintf(name, sizeof name, "reduce_sum n=%zu", n);
        clae__check_compare(h, name, &gv, &wv, 1, 1e-6, (double)n * FLT_EPSILON);
        clae__buf_release(&bout);

        /* gather: rows of the n-value source seen as src_rows x cols, picked in a
         * scrambled order with repeats, into an offset destination */
        size_t cols = n < 7 ? 1 : 7, src_rows = n / cols, rows = src_rows + 3;
        for (size_t r = 0; r < rows; r++) idx[r] = (uint32_t)((r * 31 + 5) % src_rows);
        TRY(clae__buf_create(h->dev, rows + 2, &bidx));
        TRY(clae__buf_write(h->dev, &bidx, 2, rows, idx));
        TRY(clae__buf_create(h->dev, rows * cols + 1, &bdst));
        TRY(clae__gather_rows(h->dev, rows, cols, &bx, &bidx, 2, &bdst, 1));
        TRY(clae__buf_read(h->dev, &bdst, 1, rows * cols, got));
        clae_ref_gather_rows(rows, cols, x, idx, want);
        snprintf(name, sizeof name, "gather_rows %zux%zu", rows, cols);
        clae__check_compare(h, name, got, want, rows * cols, 0, 0);
        clae__buf_release(&bx);
        clae__buf_release(&bidx);
        clae__buf_release(&bdst);
    }
done:
    clae__buf_release(&bx);
    clae__buf_release(&bout);
    clae__buf_release(&bidx);
    clae__buf_release(&bdst);
    return status;
}

/* Three steps of each optimiser, so the moment buffers are exercised too. */
static clae_status check_optimizers(harness *h)
{
    clae_status status = CLAE_OK;
    static float p[MAX_N], g[MAX_N], m[MAX_N], v[MAX_N], got[MAX_N];
    clae_buf bp = {0}, bg = {0}, bm = {0}, bv = {0};
    char name[96];
    static const char *names[] = {"sgd_step", "rmsprop_step", "adam_step"};
    for (size_t si = 0; si < N_SIZES; si++) {
        size_t n = sizes[si];
        for (int opt = 0; opt < 3; opt++) {
            clae__check_fill(h, p, n, -1.0f, 1.0f);
            memset(m, 0, n * sizeof *m);
            memset(v, 0, n * sizeof *v);
            TRY(clae__check_upload(h, &bp, p, n));
            TRY(clae__buf_create(h->dev, n, &bg));
            TRY(clae__buf_create(h->dev, n, &bm));
            TRY(clae__buf_create(h->dev, n, &bv));
            for (int step = 1; step <= 3; step++) {
                clae__check_fill(h, g, n, -1.0f, 1.0f);
                TRY(clae__buf_write(h->dev, &bg, 0, n, g));
                if (opt == 0) {
                    TRY(clae__sgd_step(h->dev, n, &bp, &bg, &bm, 0.1f, 0.9f));
                    clae_ref_sgd_step(n, p, g, m, 0.1f, 0.9f);
                } else if (opt == 1) {
                    TRY(clae__rmsprop_step(h->dev, n, &bp, &bg, &bv, 0.01f, 0.9f, 1e-8f));
                    clae_ref_rmsprop_step(n, p, g, v, 0.01f, 0.9f, 1e-8f);
                } else {
                    float step_size = 0.001f / (1.0f - powf(0.9f, (float)step));
                    float bc2 = sqrtf(1.0f - powf(0.999f, (float)step));
                    TRY(clae__adam_step(h->dev, n, &bp, &bg, &bm, &bv, 0.9f, 0.999f, step_size,
                                        bc2, 1e-8f));
                    clae_ref_adam_step(n, p, g, m, v, 0.9f, 0.999f, step_size, bc2, 1e-8f);
                }
            }
            TRY(clae__buf_read(h->dev, &bp, 0, n, got));
            snprintf(name, sizeof name, "%s n=%zu (3 steps)", names[opt], n);
            clae__check_compare(h, name, got, p, n, 1e-6, 1e-5);
            clae__buf_release(&bp);
            clae__buf_release(&bg);
            clae__buf_release(&bm);
            clae__buf_release(&bv);
        }
    }
done:
    clae__buf_release(&bp);
    clae__buf_release(&bg);
    clae__buf_release(&bm);
    clae__buf_release(&bv);
    return status;
}

static clae_status check_rng(harness *h)
{
    clae_status status = CLAE_OK;
    static float got[MAX_N + 1], want[MAX_N];
    clae_buf bout = {0};
    char name[96];
    const uint64_t seed = 0x123456789abcdefULL;
    for (size_t si = 0; si < N_SIZES; si++) {
        size_t n = sizes[si];
        TRY(clae__buf_create(h->dev, n + 1, &bout));
        TRY(clae__rng_uniform(h->dev, n, &bout, 1, seed, 7, -2.0f, 3.0f));
        TRY(clae__buf_read(h->dev, &bout, 1, n, got));
        clae_ref_rng_uniform(n, want, seed, 7, -2.0f, 3.0f);
        snprintf(name, sizeof name, "rng_uniform n=%zu", n);
        clae__check_compare(h, name, got, want, n, 1e-6, 1e-6);
        for (uint32_t base = 0; base <= 7; base += 7) { /* on and off a Philox block */
            TRY(clae__rng_normal(h->dev, n, &bout, 1, seed, 9, base, 0.5f, 2.0f));
            TRY(clae__buf_read(h->dev, &bout, 1, n, got));
            clae_ref_rng_normal(n, want, seed, 9, base, 0.5f, 2.0f);
            snprintf(name, sizeof name, "rng_normal base=%u n=%zu", base, n);
            clae__check_compare(h, name, got, want, n, 1e-5, 1e-5);
        }
        clae__buf_release(&bout);
    }
done:
    clae__buf_release(&bout);
    return status;
}

/* Every transpose combination on awkward shapes, with offsets, padded leading
 * dimensions, alpha and beta, for each provider this device has. */
static clae_status check_gemm(harness *h)
{
    clae_status status = CLAE_OK;
    static const size_t dims[][3] = {{1, 1, 1}, {63, 65, 17}, {129, 100, 257}};
    clae_buf ba = {0}, bb = {0}, bc = {0};
    float *a = NULL, *b = NULL, *c = NULL, *got = NULL;
    char name[96];
    /* providers: CLBlast, host BLAS waiting for the queue, host BLAS as a native kernel */
    int saved_native = h->dev->native_kernels;
    for (int variant = 0; variant < 3; variant++) {
        int provider = variant == 0 ? CLAE_GEMM_CLBLAST : CLAE_GEMM_HOST;
        if (!clae__gemm_provider_available(h->dev, (clae_gemm_provider)provider)) continue;
        if (variant == 2 && !h->dev->native_capable) continue;
        h->dev->native_kernels = variant == 2;
        const char *pname = variant == 0 ? "clblast" : variant == 1 ? "host-blas" : "host-native";
        for (size_t di = 0; di < sizeof dims / sizeof dims[0]; di++) {
            size_t m = dims[di][0], n = dims[di][1], k = dims[di][2];
            for (int t = 0; t < 4; t++) {
                int ta = t & 1, tb = (t >> 1) & 1;
                size_t a_rows = ta ? k : m, a_cols = ta ? m : k;
                size_t b_rows = tb ? n : k, b_cols = tb ? k : n;
                size_t lda = a_cols + 3, ldb = b_cols + 1, ldc = n + 2, off = 5;
                size_t na = off + a_rows * lda, nb = off + b_rows * ldb, nc = off + m * ldc;
                a = malloc(na * sizeof *a);
                b = malloc(nb * sizeof *b);
                c = malloc(nc * sizeof *c);
                got = malloc(nc * sizeof *got);
                if (!a || !b || !c || !got) {
                    status = clae__fail(h->dev->ctx, CLAE_ENOMEM, "out of memory in conformance");
                    goto done;
                }
                clae__check_fill(h, a, na, -1.0f, 1.0f);
                clae__check_fill(h, b, nb, -1.0f, 1.0f);
                clae__check_fill(h, c, nc, -1.0f, 1.0f);
                TRY(clae__check_upload(h, &ba, a, na));
                TRY(clae__check_upload(h, &bb, b, nb));
                TRY(clae__check_upload(h, &bc, c, nc));
                clae_gemm_args g = {ta, tb, m, n, k, 0.75f, 0.5f, &ba, off, lda,
                                    &bb, off, ldb, &bc, off, ldc};
                TRY(clae__gemm_with(h->dev, (clae_gemm_provider)provider, &g));
                TRY(clae__buf_read(h->dev, &bc, 0, nc, got));
                clae_ref_gemm(ta, tb, m, n, k, 0.75f, a + off, lda, b + off, ldb, 0.5f, c + off,
                              ldc);
                snprintf(name, sizeof name, "gemm %s %c%c m=%zu n=%zu k=%zu", pname,
                         ta ? 'T' : 'N', tb ? 'T' : 'N', m, n, k);
                /* Whole C compared: the padding between rows must stay untouched.
                 * Operands lie in [-1, 1], so K·ε is the scale of a length-K
                 * dot product's rounding error, absolute as well as relative
                 * (results that cancel to near 0 keep an absolute error). */
                double tol = (double)(k + 2) * FLT_EPSILON;
                clae__check_compare(h, name, got, c, nc, tol, tol);
                clae__buf_release(&ba);
                clae__buf_release(&bb);
                clae__buf_release(&bc);
                free(a);
                free(b);
                free(c);
                free(got);
                a = b = c = got = NULL;
            }
        }
    }
done:
    h->dev->native_kernels = saved_native;
    clae__buf_release(&ba);
    clae__buf_release(&bb);
    clae__buf_release(&bc);
    free(a);
    free(b);
    free(c);
    free(got);
    return status;
}

clae_status clae_conformance_run(clae_device *dev, clae_check_report_fn report, void *user,
                                 int *failures)
{
    harness h = {dev, report, user, 0, 42};
    clae_status (*checks[])(harness *) = {check_activations, check_dense_elementwise,
                                          check_losses,      check_reduce_gather,
                                          check_optimizers,  check_rng,
                                          check_gemm,        clae__check_noise,
                                          clae__check_penalties, clae__check_wta,
                                          clae__check_vae,   clae__check_contractive,
                                          clae__check_conv,  clae__check_channel,
                                          clae__check_batchnorm, clae__check_pool,
                                          clae__check_dropout};
    clae_status status = CLAE_OK;
    for (size_t i = 0; i < sizeof checks / sizeof checks[0] && status == CLAE_OK; i++)
        status = checks[i](&h);
    *failures = h.failures;
    return status;
}
