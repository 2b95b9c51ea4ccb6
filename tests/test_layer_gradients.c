/* Gradient checks of every layer kind, by central differences of the
 * device's own forward pass (as Caffe's gradient checker does): no second,
 * hand-written model of a layer is needed, so a new kind gets its check by
 * appearing in a spec below.
 *
 * Each case builds a small model from spec text on odd shapes (3 x 5 x 7
 * inputs, batch 3, stride 2, padding 1), runs forward, loss and backward on
 * the device in the given mode, then for every parameter p_j computes
 * (L(p + h e_j) - L(p - h e_j)) / 2h with the device's forward and loss in
 * float, at two steps h. Tolerance: |analytic - numeric| <= ATOL + RTOL·|numeric|.
 * In float the loss (~0.1) carries ~1e-8 of rounding, so at h = 1e-2 the
 * numeric gradient is good to ~1e-6 absolute, and at 5e-4 to ~2e-5 (under
 * ATOL), plus a truncation error that the two steps bound; a wrong derivative, scale or layout is off
 * by 1-100 % and fails. The step is small because max pooling is only
 * piecewise smooth: at h = 1e-2 (Caffe's step) a perturbed conv weight moved
 * window maxima past each other often enough to fail the conv's parameters
 * (measured); at 5e-4 it did not. Where the two steps still disagree beyond
 * the tolerance a kink lies within h: such parameters are skipped and
 * counted, and must stay rare.
 * Dropout's mask and the VAE's eps are keyed by the step, so every forward of
 * a case draws the same ones. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "device_or_skip.h"
#include "model/model.h"

#define BATCH 3
/* h for smooth stacks, and for stacks with max pooling */
#define STEP 1e-2
#define STEP_POOLING 5e-4
#define ATOL 5e-5
#define RTOL 2e-2
#define MAX_SKIPPED_SHARE 0.05

static const clae_shape input = {3, 5, 7};

static double device_loss(clae_model *m, const clae_buf *x, clae_buf *loss, clae_mode mode)
{
    float terms[CLAE_MAX_TERMS] = {0};
    if (clae__model_forward(m, x, 0, BATCH, mode) != CLAE_OK ||
        clae__model_loss(m, x, 0, BATCH, mode, 0, loss, 0) != CLAE_OK ||
        clae__buf_read(m->dev, loss, 0, (size_t)m->n_terms, terms) != CLAE_OK)
        return NAN;
    double sum = 0;
    for (int t = 0; t < m->n_terms; t++) sum += terms[t];
    return sum;
}

static double numeric(clae_model *m, const clae_buf *x, clae_buf *loss, clae_mode mode,
                      size_t j, float p, double h)
{
    float up = p + (float)h, down = p - (float)h;
    clae__buf_write(m->dev, &m->params, j, 1, &up);
    double lu = device_loss(m, x, loss, mode);
    clae__buf_write(m->dev, &m->params, j, 1, &down);
    double ld = device_loss(m, x, loss, mode);
    clae__buf_write(m->dev, &m->params, j, 1, &p);
    return (lu - ld) / ((double)up - (double)down);
}

static void run_case(clae_ctx *ctx, clae_device *dev, const char *name, const char *text,
                     clae_mode mode, double step)
{
    clae_spec spec;
    clae_status st = clae_spec_parse_text(ctx, name, text, &spec);
    if (st != CLAE_OK) fprintf(stderr, "%s: %s\n", name, clae_ctx_message(ctx));
    REQUIRE(st == CLAE_OK);
    clae_model *m = NULL;
    st = clae__model_create(dev, &spec, input, BATCH, &m);
    if (st != CLAE_OK) fprintf(stderr, "%s: %s\n", name, clae_ctx_message(ctx));
    REQUIRE(st == CLAE_OK);
    size_t np = m->n_params, nx = BATCH * clae_shape_size(input);
    float *p = malloc(np * sizeof *p), *g = malloc(np * sizeof *g), *xs = malloc(nx * sizeof *xs);
    clae_buf x = {0}, loss = {0};
    REQUIRE(p && g && xs);
    uint64_t state = 0x9E3779B97F4A7C15ULL;
    for (size_t i = 0; i < nx; i++) { /* inputs in [0.05, 0.95], reproducible */
        state = state * 6364136223846793005ULL + 1442695040888963407ULL;
        xs[i] = 0.05f + 0.9f * (float)((state >> 40) * (1.0 / 16777216.0));
    }
    m->step = 7;
    int ok = clae__model_init(m, 5) == CLAE_OK && clae__buf_create(dev, nx, &x) == CLAE_OK &&
             clae__buf_write(dev, &x, 0, nx, xs) == CLAE_OK &&
             clae__buf_create(dev, CLAE_MAX_TERMS, &loss) == CLAE_OK &&
             clae__buf_fill(dev, &m->grads, 0, np, NAN) == CLAE_OK && /* nothing left unwritten */
             clae__model_forward(m, &x, 0, BATCH, mode) == CLAE_OK &&
             clae__model_loss(m, &x, 0, BATCH, mode, 1, &loss, 0) == CLAE_OK &&
             clae__model_backward(m, &x, 0, BATCH, mode) == CLAE_OK &&
             clae__buf_read(dev, &m->grads, 0, np, g) == CLAE_OK &&
             clae__buf_read(dev, &m->params, 0, np, p) == CLAE_OK;
    if (!ok) fprintf(stderr, "%s: %s\n", name, clae_ctx_message(ctx));
    CHECK(ok);
    size_t failed = 0, skipped = 0;
    double worst = 0, max_grad = 0;
    for (size_t j = 0; ok && j < np; j++) {
        double n1 = numeric(m, &x, &loss, mode, j, p[j], step);
        double n2 = numeric(m, &x, &loss, mode, j, p[j], step / 2);
        if (!(fabs(n1 - n2) <= ATOL + RTOL * fabs(n2))) { /* a kink within the step */
            skipped++;
            continue;
        }
        double err = fabs(g[j] - n2), ratio = err / (ATOL + RTOL * fabs(n2));
        if (fabs(n2) > max_grad) max_grad = fabs(n2);
        if (ratio > worst) worst = ratio;
        if (!(ratio <= 1.0) && failed++ < 8)
            fprintf(stderr, "%s: parameter %zu: analytic %.7g, numeric %.7g\n", name, j, g[j], n2);
    }
    CHECK(failed == 0);
    CHECK((double)skipped <= MAX_SKIPPED_SHARE * (double)np);
    CHECK(max_grad > 1e-3); /* a vanishing gradient would check nothing */
    printf("%-34s %-10s %4zu params  err/tol %.3f  kink skips %zu\n", name,
           mode == CLAE_TRAINING ? "training" : "evaluation", np, worst, skipped);
    clae__buf_release(&x);
    clae__buf_release(&loss);
    clae__model_destroy(m);
    clae_spec_free(&spec);
    free(p);
    free(g);
    free(xs);
}

/* Every kind in one stack: conv (stride 2, padding 1, no bias), batch norm,
 * max pooling, dropout, the dense code, then dense, reshape, upsample, batch
 * norm and a transposed convolution back to 3 x 5 x 7. */
static const char every_kind[] =
    "[model]\ncode = 3\ndecoder = explicit\n"
    "[conv]\nfilters = 4\nsize = 3\nstride = 2\npadding = 1\nbias = no\nactivation = linear\n"
    "[batchnorm]\nactivation = tanh\n"
    "[maxpool]\nsize = 2\nstride = 1\n"
    "[dropout]\nrate = 0.25\n"
    "[code]\nactivation = tanh\n"
    "[dense]\nunits = 24\nactivation = elu\n"
    "[reshape]\nshape = 4x2x3\n"
    "[upsample]\nfactor = 2\n"
    "[batchnorm]\nactivation = elu\n"
    "[deconv]\nfilters = 3\nsize = 2\nstride = 1\npadding = 0\n";

/* A mirrored conv stack: conv -> deconv with output padding, dense -> dense. */
static const char mirrored[] =
    "[model]\ncode = 4\n"
    "[conv]\nfilters = 5\nsize = 3\nstride = 2\npadding = same\nactivation = tanh\n"
    "[dense]\nunits = 6\nactivation = elu\n"
    "[code]\nactivation = sigmoid\n";

static void run_all(clae_ctx *ctx, clae_device *dev)
{
    char text[2048];
    run_case(ctx, dev, "every kind", every_kind, CLAE_TRAINING, STEP_POOLING);
    run_case(ctx, dev, "every kind", every_kind, CLAE_EVALUATION, STEP_POOLING); /* running statistics */
    run_case(ctx, dev, "mirrored conv", mirrored, CLAE_TRAINING, STEP);
    /* batch norm on planes of 32 values and more (its reductions take another path) */
    snprintf(text, sizeof text,
             "[model]\ncode = 3\n"
             "[conv]\nfilters = 4\nsize = 3\npadding = same\nbias = no\nactivation = linear\n"
             "[batchnorm]\nactivation = tanh\n[code]\nactivation = tanh\n");
    run_case(ctx, dev, "batch norm on 5 x 7 planes", text, CLAE_TRAINING, STEP);
    run_case(ctx, dev, "batch norm on 5 x 7 planes", text, CLAE_EVALUATION, STEP);
    /* a transposed convolution with output padding */
    snprintf(text, sizeof text,
             "[model]\ncode = 3\ndecoder = explicit\n"
             "[conv]\nfilters = 4\nsize = 3\nstride = 2\npadding = 1\nactivation = tanh\n"
             "[code]\nactivation = tanh\n[dense]\nunits = 24\nactivation = tanh\n"
             "[reshape]\nshape = 4x2x3\n"
             "[deconv]\nfilters = 3\nsize = 2\nstride = 2\npadding = 0\noutput_padding = 1\n");
    run_case(ctx, dev, "deconv with output padding", text, CLAE_TRAINING, STEP);
    snprintf(text, sizeof text, "%s[loss]\nreconstruction = bce\n", mirrored);
    run_case(ctx, dev, "mirrored conv, bce", text, CLAE_TRAINING, STEP);
    /* the families' terms on a conv code */
    snprintf(text, sizeof text, "%s[loss]\nsparsity = kl\nsparsity_weight = 0.5\n", mirrored);
    run_case(ctx, dev, "conv code, sparsity kl", text, CLAE_TRAINING, STEP);
    snprintf(text, sizeof text, "%s[loss]\nsparsity = l1\nsparsity_weight = 0.5\n", mirrored);
    run_case(ctx, dev, "conv code, sparsity l1", text, CLAE_TRAINING, STEP);
    snprintf(text, sizeof text, "%s[loss]\ncontractive = 0.3\n", mirrored);
    run_case(ctx, dev, "conv code, contractive", text, CLAE_TRAINING, STEP);
    snprintf(text, sizeof text, "%s[noise]\nmask = 0.3\n", mirrored);
    run_case(ctx, dev, "conv, mask noise", text, CLAE_TRAINING, STEP);
    snprintf(text, sizeof text,
             "[model]\ncode = 2\nvariational = yes\n"
             "[conv]\nfilters = 4\nsize = 3\nstride = 2\npadding = 1\nactivation = tanh\n"
             "[batchnorm]\nactivation = elu\n"
             "[code]\nactivation = linear\n[loss]\nkl_weight = 2\n");
    run_case(ctx, dev, "conv vae with batch norm", text, CLAE_TRAINING, STEP);
}

int main(void)
{
    clae_ctx *ctx = clae_ctx_create();
    clae_device *dev = open_device_or_skip(ctx);
    printf("device: %s (gemm: %s)\n", clae_device_get_info(dev)->name,
           clae_device_gemm_provider(dev));
    run_all(ctx, dev);
    clae_device_close(dev);
    clae_ctx_destroy(ctx);
    return check_finish();
}
