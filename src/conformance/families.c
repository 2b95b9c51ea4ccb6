/* Conformance of the families' kernels: corruption, code penalties and
 * winner-take-all, against their src/ref/ references. */
#include <float.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conformance/harness.h"
#include "kernels/ops.h"
#include "clae/spec.h"
#include "ref/ref.h"

clae_status clae__check_noise(harness *h)
{
    clae_status status = CLAE_OK;
    static float x[MAX_N], got[MAX_N + 1], want[MAX_N];
    clae_buf bx = {0}, bout = {0};
    char name[96];
    static const float settings[][2] = {{0.3f, 0.0f}, {0.0f, 0.4f}, {0.2f, 0.25f}};
    for (size_t si = 0; si < N_SIZES; si++) {
        size_t n = sizes[si];
        for (size_t k = 0; k < 6; k++) {
            /* from element 0 of the draw, and from 5: a slice not on a Philox block */
            float std = settings[k % 3][0], mask = settings[k % 3][1];
            uint32_t base = k < 3 ? 0 : 5;
            clae__check_fill(h, x, n, 0.0f, 1.0f);
            TRY(clae__check_upload(h, &bx, x, n));
            TRY(clae__buf_create(h->dev, n + 1, &bout));
            TRY(clae__corrupt(h->dev, n, &bx, 0, &bout, 1, 0xfeedULL, 11, base, std, mask));
            TRY(clae__buf_read(h->dev, &bout, 1, n, got));
            clae_ref_corrupt(n, x, want, 0xfeedULL, 11, base, std, mask);
            snprintf(name, sizeof name, "corrupt gaussian=%.1f mask=%.2f base=%u n=%zu",
                     (double)std, (double)mask, base, n);
            /* log, sqrt and cos of the same uniform words: transcendental tolerance */
            clae__check_compare(h, name, got, want, n, 1e-6, 1e-5);
            clae__buf_release(&bx);
            clae__buf_release(&bout);
        }
    }
done:
    clae__buf_release(&bx);
    clae__buf_release(&bout);
    return status;
}

static const size_t code_shapes[][2] = {{1, 1}, {7, 63}, {128, 64}, {33, 129}};
#define N_CODE_SHAPES (sizeof code_shapes / sizeof code_shapes[0])
#define MAX_CODES (128 * 129)

clae_status clae__check_penalties(harness *h)
{
    clae_status status = CLAE_OK;
    static float c[MAX_CODES], dh[MAX_CODES], got[MAX_CODES], want[MAX_CODES], kl_got[256],
        kl_want[256];
    clae_buf bc = {0}, bdh = {0}, bp = {0}, bout = {0}, bv = {0};
    char name[96];
    for (size_t si = 0; si < N_CODE_SHAPES; si++) {
        size_t rows = code_shapes[si][0], cols = code_shapes[si][1], n = rows * cols;
        clae__check_fill(h, c, n, -1.0f, 1.0f);
        clae__check_fill(h, dh, n, -0.1f, 0.1f);
        TRY(clae__check_upload(h, &bc, c, n));
        TRY(clae__check_upload(h, &bdh, dh, n));
        TRY(clae__buf_create(h->dev, clae__loss_partials(h->dev, n), &bp));
        TRY(clae__buf_create(h->dev, 1, &bout));
        TRY(clae__sparsity_l1(h->dev, n, &bc, 0, &bdh, 0.01f, &bp));
        TRY(clae__reduce_sum(h->dev, clae__loss_partials(h->dev, n), &bp, 0, &bout, 0, 1.0f));
        TRY(clae__buf_read(h->dev, &bdh, 0, n, got));
        memcpy(want, dh, n * sizeof *dh);
        float wv = (float)clae_ref_sparsity_l1(n, c, want, 0.01f), gv = 0.0f;
        snprintf(name, sizeof name, "sparsity_l1 %zux%zu grad", rows, cols);
        clae__check_compare(h, name, got, want, n, 0, 0);
        TRY(clae__buf_read(h->dev, &bout, 0, 1, &gv));
        snprintf(name, sizeof name, "sparsity_l1 %zux%zu value", rows, cols);
        clae__check_compare(h, name, &gv, &wv, 1, 1e-6, (double)n * FLT_EPSILON);

        /* KL needs activations in (0, 1), as from a sigmoid code */
        clae__check_fill(h, c, n, 0.01f, 0.99f);
        TRY(clae__buf_write(h->dev, &bc, 0, n, c));
        TRY(clae__buf_write(h->dev, &bdh, 0, n, dh));
        TRY(clae__buf_create(h->dev, cols, &bv));
        TRY(clae__sparsity_kl(h->dev, rows, cols, &bc, 0, &bdh, 0.05f, 0.5f, &bv));
        TRY(clae__buf_read(h->dev, &bdh, 0, n, got));
        TRY(clae__buf_read(h->dev, &bv, 0, cols, kl_got));
        memcpy(want, dh, n * sizeof *dh);
        clae_ref_sparsity_kl(rows, cols, c, want, 0.05f, 0.5f, kl_want);
        snprintf(name, sizeof name, "sparsity_kl %zux%zu grad", rows, cols);
        clae__check_compare(h, name, got, want, n, 1e-6, (double)rows * FLT_EPSILON + 1e-5);
        snprintf(name, sizeof name, "sparsity_kl %zux%zu value", rows, cols);
        clae__check_compare(h, name, kl_got, kl_want, cols, 1e-6, (double)rows * FLT_EPSILON + 1e-5);

        /* add_inplace into an offset destination */
        TRY(clae__buf_write(h->dev, &bdh, 0, n, dh));
        clae__buf_release(&bout);
        TRY(clae__buf_create(h->dev, n + 3, &bout));
        TRY(clae__buf_write(h->dev, &bout, 3, n, c));
        TRY(clae__add_inplace(h->dev, n, &bdh, 0, &bout, 3, 1.0f));
        TRY(clae__buf_read(h->dev, &bout, 3, n, got));
        memcpy(want, c, n * sizeof *c);
        clae_ref_add_inplace(n, dh, want, 1.0f);
        snprintf(name, sizeof name, "add_inplace n=%zu", n);
        clae__check_compare(h, name, got, want, n, 0, 0);
        /* scaled, as gradient accumulation adds a micro-batch's share: one
         * rounding of alpha * src, one of the sum (a fused multiply-add has one) */
        TRY(clae__add_inplace(h->dev, n, &bdh, 0, &bout, 3, 0.3f));
        TRY(clae__buf_read(h->dev, &bout, 3, n, got));
        clae_ref_add_inplace(n, dh, want, 0.3f);
        snprintf(name, sizeof name, "add_inplace alpha=0.3 n=%zu", n);
        clae__check_compare(h, name, got, want, n, 1e-6, 2 * FLT_EPSILON);
        /* from an offset source too, as a slice of a step's gradient is added:
         * src[5 ..] into out[3 ..], n - 5 values */
        if (n > 5) {
            TRY(clae__add_inplace(h->dev, n - 5, &bdh, 5, &bout, 3, 0.3f));
            TRY(clae__buf_read(h->dev, &bout, 3, n - 5, got));
            clae_ref_add_inplace(n - 5, dh + 5, want, 0.3f);
            snprintf(name, sizeof name, "add_inplace src_off=5 n=%zu", n - 5);
            clae__check_compare(h, name, got, want, n - 5, 1e-6, 2 * FLT_EPSILON);
        }
        clae__buf_release(&bc);
        clae__buf_release(&bdh);
        clae__buf_release(&bp);
        clae__buf_release(&bout);
        clae__buf_release(&bv);
    }
done:
    clae__buf_release(&bc);
    clae__buf_release(&bdh);
    clae__buf_release(&bp);
    clae__buf_release(&bout);
    clae__buf_release(&bv);
    return status;
}

clae_status clae__check_wta(harness *h)
{
    clae_status status = CLAE_OK;
    static float c[MAX_CODES], m[MAX_CODES], got[MAX_CODES + 2], want[MAX_CODES], mask[MAX_CODES];
    clae_buf bc = {0}, bm = {0}, bdy = {0};
    char name[96];
    for (size_t si = 0; si < N_CODE_SHAPES; si++) {
        size_t rows = code_shapes[si][0], cols = code_shapes[si][1], n = rows * cols;
        size_t keep = (rows + 9) / 10; /* 10 % of the batch, rounded up */
        clae__check_fill(h, c, n, 0.0f, 1.0f);
        /* ties: repeat a value within a column, so the tie rule is exercised */
        if (rows > 2) c[2 * cols] = c[0];
        TRY(clae__buf_create(h->dev, n + 2, &bc));
        TRY(clae__buf_write(h->dev, &bc, 2, n, c));
        TRY(clae__buf_create(h->dev, n, &bm));
        TRY(clae__wta_select(h->dev, rows, cols, keep, &bc, 2, &bm));
        TRY(clae__buf_read(h->dev, &bc, 2, n, got));
        TRY(clae__buf_read(h->dev, &bm, 0, n, mask));
        memcpy(want, c, n * sizeof *c);
        clae_ref_wta_select(rows, cols, keep, want, m);
        snprintf(name, sizeof name, "wta_select %zux%zu keep %zu values", rows, cols, keep);
        clae__check_compare(h, name, got, want, n, 0, 0);
        snprintf(name, sizeof name, "wta_select %zux%zu keep %zu mask", rows, cols, keep);
        clae__check_compare(h, name, mask, m, n, 0, 0);

        /* the running threshold from that selection (the original values), then
         * the evaluation's selection by it */
        static float t[MAX_CODES], tw[MAX_CODES], yw[MAX_CODES];
        clae_buf bt = {0}, by = {0}, bh = {0};
        clae__check_fill(h, t, cols, 0.0f, 1.0f);
        memcpy(tw, t, cols * sizeof *t);
        TRY(clae__check_upload(h, &bh, c, n));
        TRY(clae__buf_create(h->dev, cols + 1, &bt)); /* at offset 1 */
        TRY(clae__buf_write(h->dev, &bt, 1, cols, t));
        TRY(clae__buf_create(h->dev, n, &by));
        TRY(clae__wta_threshold(h->dev, rows, cols, &bh, 0, &bm, 0.1f, &bt, 1));
        TRY(clae__buf_read(h->dev, &bt, 1, cols, got));
        clae_ref_wta_threshold(rows, cols, c, m, 0.1f, tw);
        snprintf(name, sizeof name, "wta_threshold %zux%zu", rows, cols);
        clae__check_compare(h, name, got, tw, cols, 1e-7, 1e-6);
        TRY(clae__buf_write(h->dev, &bt, 1, cols, tw));
        TRY(clae__wta_apply(h->dev, rows, cols, &bh, 0, &bt, 1, &by, &bm));
        TRY(clae__buf_read(h->dev, &by, 0, n, got));
        TRY(clae__buf_read(h->dev, &bm, 0, n, mask));
        clae_ref_wta_apply(rows, cols, c, tw, yw, m);
        snprintf(name, sizeof name, "wta_apply %zux%zu values", rows, cols);
        clae__check_compare(h, name, got, yw, n, 0, 0);
        snprintf(name, sizeof name, "wta_apply %zux%zu mask", rows, cols);
        clae__check_compare(h, name, mask, m, n, 0, 0);
        clae__buf_release(&bt);
        clae__buf_release(&by);
        clae__buf_release(&bh);

        clae__check_fill(h, c, n, -1.0f, 1.0f);
        TRY(clae__check_upload(h, &bdy, c, n));
        TRY(clae__mask_mul(h->dev, n, &bm, &bdy, 0));
        TRY(clae__buf_read(h->dev, &bdy, 0, n, got));
        memcpy(want, c, n * sizeof *c);
        clae_ref_mask_mul(n, m, want);
        snprintf(name, sizeof name, "mask_mul n=%zu", n);
        clae__check_compare(h, name, got, want, n, 0, 0);
        clae__buf_release(&bc);
        clae__buf_release(&bm);
        clae__buf_release(&bdy);
    }
done:
    clae__buf_release(&bc);
    clae__buf_release(&bm);
    clae__buf_release(&bdy);
    return status;
}

clae_status clae__check_vae(harness *h)
{
    clae_status status = CLAE_OK;
    static float heads[2 * MAX_CODES], eps[MAX_CODES], dz[MAX_CODES], got[2 * MAX_CODES],
        want[2 * MAX_CODES];
    clae_buf bh = {0}, be = {0}, bz = {0}, bd = {0}, bp = {0}, bout = {0};
    char name[96];
    for (size_t si = 0; si < N_CODE_SHAPES; si++) {
        size_t rows = code_shapes[si][0], code = code_shapes[si][1], n = rows * code;
        clae__check_fill(h, heads, 2 * n, -2.0f, 2.0f);
        clae__check_fill(h, eps, n, -2.0f, 2.0f);
        clae__check_fill(h, dz, n, -1.0f, 1.0f);
        TRY(clae__check_upload(h, &bh, heads, 2 * n));
        TRY(clae__check_upload(h, &be, eps, n));
        TRY(clae__check_upload(h, &bd, dz, n));
        TRY(clae__buf_create(h->dev, 2 * n, &bz));
        for (int sample = 0; sample <= 1; sample++) {
            TRY(clae__reparam_fwd(h->dev, rows, code, &bh, &be, &bz, sample));
            TRY(clae__buf_read(h->dev, &bz, 0, n, got));
            clae_ref_reparam_fwd(rows, code, heads, eps, want, sample);
            snprintf(name, sizeof name, "reparam_fwd %zux%zu sample=%d", rows, code, sample);
            clae__check_compare(h, name, got, want, n, 1e-6, 1e-5);
        }
        TRY(clae__reparam_bwd(h->dev, rows, code, &bh, &be, &bd, 0.01f, &bz));
        TRY(clae__buf_read(h->dev, &bz, 0, 2 * n, got));
        clae_ref_reparam_bwd(rows, code, heads, eps, dz, 0.01f, want);
        snprintf(name, sizeof name, "reparam_bwd %zux%zu", rows, code);
        clae__check_compare(h, name, got, want, 2 * n, 1e-6, 1e-5);

        TRY(clae__buf_create(h->dev, clae__loss_partials(h->dev, n), &bp));
        TRY(clae__buf_create(h->dev, 1, &bout));
        TRY(clae__vae_kl(h->dev, rows, code, &bh, &bp));
        TRY(clae__reduce_sum(h->dev, clae__loss_partials(h->dev, n), &bp, 0, &bout, 0, 1.0f));
        float gv = 0.0f, wv = (float)clae_ref_vae_kl(rows, code, heads);
        TRY(clae__buf_read(h->dev, &bout, 0, 1, &gv));
        snprintf(name, sizeof name, "vae_kl %zux%zu", rows, code);
        clae__check_compare(h, name, &gv, &wv, 1, 1e-5, (double)n * FLT_EPSILON);
        clae__buf_release(&bh);
        clae__buf_release(&be);
        clae__buf_release(&bz);
        clae__buf_release(&bd);
        clae__buf_release(&bp);
        clae__buf_release(&bout);
    }
done:
    clae__buf_release(&bh);
    clae__buf_release(&be);
    clae__buf_release(&bz);
    clae__buf_release(&bd);
    clae__buf_release(&bp);
    clae__buf_release(&bout);
    return status;
}

clae_status clae__check_contractive(harness *h)
{
    clae_status status = CLAE_OK;
    static const size_t shapes[][3] = {{1, 1, 1}, {7, 5, 63}, {128, 64, 256}, {33, 129, 17}};
    float *c = NULL, *w = NULL, *dh = NULL, *got = NULL, *want = NULL, *g2 = NULL, *v = NULL,
          *g2w = NULL, *vw = NULL;
    clae_buf bc = {0}, bw = {0}, bdh = {0}, bg2 = {0}, bv = {0};
    char name[96];
    for (size_t si = 0; si < sizeof shapes / sizeof shapes[0]; si++) {
        size_t rows = shapes[si][0], units = shapes[si][1], in = shapes[si][2];
        size_t nh = rows * units, nw = units * in;
        c = malloc(nh * sizeof *c);
        dh = malloc(nh * sizeof *dh);
        w = malloc((nw + 3) * sizeof *w);
        got = malloc((nh > nw ? nh : nw) * sizeof *got);
        want = malloc((nh > nw ? nh : nw) * sizeof *want);
        g2 = malloc(units * sizeof *g2);
        v = malloc(units * sizeof *v);
        g2w = malloc(units * sizeof *g2w);
        vw = malloc(units * sizeof *vw);
        if (!c || !dh || !w || !got || !want || !g2 || !v || !g2w || !vw) {
            status = clae__fail(h->dev->ctx, CLAE_ENOMEM, "out of memory in conformance");
            goto done;
        }
        for (int tanh_act = 0; tanh_act <= 1; tanh_act++) {
            clae__check_fill(h, c, nh, tanh_act ? -0.95f : 0.02f, 0.98f);
            clae__check_fill(h, dh, nh, -0.1f, 0.1f);
            clae__check_fill(h, w, nw + 3, -0.5f, 0.5f);
            TRY(clae__check_upload(h, &bc, c, nh));
            TRY(clae__check_upload(h, &bdh, dh, nh));
            TRY(clae__check_upload(h, &bw, w, nw + 3));
            TRY(clae__buf_create(h->dev, units, &bg2));
            TRY(clae__buf_create(h->dev, units, &bv));
            int act = tanh_act ? CLAE_ACT_TANH : CLAE_ACT_SIGMOID;
            TRY(clae__contractive_fwd(h->dev, rows, units, in, act, &bc, &bw, 3, &bdh, 0.01f,
                                      &bg2, &bv));
            TRY(clae__buf_read(h->dev, &bdh, 0, nh, got));
            TRY(clae__buf_read(h->dev, &bg2, 0, units, g2));
            TRY(clae__buf_read(h->dev, &bv, 0, units, v));
            memcpy(want, dh, nh * sizeof *dh);
            clae_ref_contractive_fwd(rows, units, in, tanh_act, c, w + 3, want, 0.01f, g2w, vw);
            const char *an = tanh_act ? "tanh" : "sigmoid";
            double tol = (double)(rows > in ? rows : in) * FLT_EPSILON + 1e-5;
            snprintf(name, sizeof name, "contractive_fwd %s %zux%zu in %zu dh", an, rows, units, in);
            clae__check_compare(h, name, got, want, nh, 1e-6, tol);
            snprintf(name, sizeof name, "contractive_fwd %s %zux%zu in %zu value", an, rows, units, in);
            clae__check_compare(h, name, v, vw, units, 1e-6, tol);

            /* the W part, into a gradient buffer at the same offset */
            clae__buf_release(&bdh);
            clae__check_fill(h, dh, nw < nh ? nw : nh, -0.1f, 0.1f);
            float *dw0 = malloc((nw + 3) * sizeof *dw0);
            if (!dw0) {
                status = clae__fail(h->dev->ctx, CLAE_ENOMEM, "out of memory in conformance");
                goto done;
            }
            clae__check_fill(h, dw0, nw + 3, -0.1f, 0.1f);
            status = clae__check_upload(h, &bdh, dw0, nw + 3);
            if (status == CLAE_OK)
                status = clae__contractive_wgrad(h->dev, units, in, &bw, 3, &bdh, &bg2, 0.01f);
            if (status == CLAE_OK) status = clae__buf_read(h->dev, &bdh, 3, nw, got);
            memcpy(want, dw0 + 3, nw * sizeof *dw0);
            free(dw0);
            if (status != CLAE_OK) goto done;
            clae_ref_contractive_wgrad(units, in, w + 3, want, g2, 0.01f);
            snprintf(name, sizeof name, "contractive_wgrad %s %zux%zu", an, units, in);
            clae__check_compare(h, name, got, want, nw, 1e-7, 1e-5);
            clae__buf_release(&bc);
            clae__buf_release(&bw);
            clae__buf_release(&bdh);
            clae__buf_release(&bg2);
            clae__buf_release(&bv);
        }
        free(c); free(w); free(dh); free(got); free(want); free(g2); free(v); free(g2w); free(vw);
        c = w = dh = got = want = g2 = v = g2w = vw = NULL;
    }
done:
    free(c); free(w); free(dh); free(got); free(want); free(g2); free(v); free(g2w); free(vw);
    clae__buf_release(&bc);
    clae__buf_release(&bw);
    clae__buf_release(&bdh);
    clae__buf_release(&bg2);
    clae__buf_release(&bv);
    return status;
}
