/* The gradient of a code unit with respect to the input
 * (clae__model_input_grad, used by `clae features` for activation
 * maximisation) against central differences of the same unit through
 * clae__encode_at, the device's own forward pass.
 *
 * The device computes in float, so the differences are taken in float too,
 * each input value moved by ±h in one batch of 2 x dim rows. A code unit is
 * O(1) with ~1e-7 rounding, so at h = 1e-2 the numeric derivative carries
 * ~1e-5 of rounding plus an O(h^2) truncation error; the check is
 * |analytic - numeric| <= ATOL + RTOL·|numeric| per input value, and the
 * relative L2 error of each unit's whole gradient must stay under NORM_RTOL.
 * A wrong derivative, layout or scale is off by far more. Where the numeric
 * derivatives at h and h/2 disagree beyond the tolerance a kink of relu or
 * max pooling lies within h: that value is skipped and counted, and skips
 * must stay rare. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "device_or_skip.h"
#include "model/model.h"
#include "train/evaluate.h"

#define STEP 1e-2
#define STEP_POOLING 1e-3
#define ATOL 1e-4
#define RTOL 2e-2
#define NORM_RTOL 1e-2
#define MAX_SKIPPED_SHARE 0.05

static const clae_shape input = {2, 5, 4};

/* The numeric gradients of every unit (dim x width, input-major) at step h:
 * rows 2i and 2i+1 of one batch are x + h e_i and x - h e_i. */
static int numeric(clae_model *m, const float *x, size_t dim, size_t width, double h,
                   double *out)
{
    size_t rows = 2 * dim;
    float *xs = malloc(rows * dim * sizeof *xs), *codes = malloc(rows * width * sizeof *codes);
    double *steps = malloc(dim * sizeof *steps);
    clae_buf buf = {0};
    int ok = xs && codes && steps;
    for (size_t i = 0; ok && i < dim; i++) {
        memcpy(xs + 2 * i * dim, x, dim * sizeof *xs);
        memcpy(xs + (2 * i + 1) * dim, x, dim * sizeof *xs);
        float up = x[i] + (float)h, down = x[i] - (float)h;
        xs[2 * i * dim + i] = up;
        xs[(2 * i + 1) * dim + i] = down;
        steps[i] = (double)up - (double)down; /* the step float really took */
    }
    ok = ok && clae__buf_create(m->dev, rows * dim, &buf) == CLAE_OK &&
         clae__buf_write(m->dev, &buf, 0, rows * dim, xs) == CLAE_OK &&
         clae__encode_at(m, &buf, rows, m->code_layer, codes) == CLAE_OK;
    for (size_t i = 0; ok && i < dim; i++)
        for (size_t u = 0; u < width; u++)
            out[i * width + u] =
                ((double)codes[2 * i * width + u] - codes[(2 * i + 1) * width + u]) / steps[i];
    clae__buf_release(&buf);
    free(xs);
    free(codes);
    free(steps);
    return ok;
}

/* n values uniform in [lo, hi), from a fixed generator. */
static void uniform(uint64_t *state, float *v, size_t n, float lo, float hi)
{
    for (size_t i = 0; i < n; i++) {
        *state = *state * 6364136223846793005ULL + 1442695040888963407ULL;
        v[i] = lo + (hi - lo) * (float)((*state >> 40) * (1.0 / 16777216.0));
    }
}

/* Batch norm in evaluation starts as the identity (gamma 1, beta 0, running
 * mean 0, variance 1), under which a missing scale or shift in its gradient
 * would go unseen: gives every batch norm layer values far from those.
 * Returns the tensors changed, -1 on failure. */
static int perturb_batchnorm(clae_model *m)
{
    int changed = 0;
    uint64_t state = 0xD1B54A32D192ED03ULL;
    for (int li = 0; li < m->n_layers; li++) {
        const clae_layer *l = m->layers[li];
        if (l->vt != &clae_batchnorm_vt) continue;
        size_t prefix = strlen(l->name);
        for (int t = 0; t < m->n_tensors; t++) {
            const clae_tensor_info *ti = &m->tensors[t];
            if (strncmp(ti->name, l->name, prefix) != 0 || ti->name[prefix] != '.') continue;
            const char *suffix = ti->name + prefix + 1;
            float lo, hi;
            if (strcmp(suffix, "weight") == 0) lo = 0.5f, hi = 1.8f;           /* gamma */
            else if (strcmp(suffix, "bias") == 0) lo = -0.5f, hi = 0.5f;       /* beta */
            else if (strcmp(suffix, "running_mean") == 0) lo = -0.4f, hi = 0.4f;
            else if (strcmp(suffix, "running_var") == 0) lo = 0.3f, hi = 2.5f;
            else continue;
            float *v = malloc(ti->count * sizeof *v);
            if (!v) return -1;
            uniform(&state, v, ti->count, lo, hi);
            int ok = clae__buf_write(m->dev, ti->stats ? &m->stats : &m->params, ti->offset,
                                     ti->count, v) == CLAE_OK;
            free(v);
            if (!ok) return -1;
            changed++;
        }
    }
    return changed;
}

static void run_case(clae_ctx *ctx, clae_device *dev, const char *name, const char *text,
                     double h)
{
    clae_spec spec;
    clae_status st = clae_spec_parse_text(ctx, name, text, &spec);
    if (st != CLAE_OK) fprintf(stderr, "%s: %s\n", name, clae_ctx_message(ctx));
    REQUIRE(st == CLAE_OK);
    size_t dim = clae_shape_size(input);
    clae_model *m = NULL;
    st = clae__model_create(dev, &spec, input, 2 * dim, &m);
    if (st != CLAE_OK) fprintf(stderr, "%s: %s\n", name, clae_ctx_message(ctx));
    REQUIRE(st == CLAE_OK);
    size_t units = (size_t)m->code; /* a VAE's means: the first half of its heads */
    size_t width = clae_shape_size(m->layers[m->code_layer]->out);
    float *x = malloc(units * dim * sizeof *x), *g = malloc(units * dim * sizeof *g);
    float *act = malloc(units * sizeof *act);
    int *which = malloc(units * sizeof *which);
    double *n1 = malloc(dim * width * sizeof *n1), *n2 = malloc(dim * width * sizeof *n2);
    clae_buf xb = {0}, dx = {0};
    REQUIRE(x && g && act && which && n1 && n2);
    uint64_t state = 0x9E3779B97F4A7C15ULL;
    for (size_t i = 0; i < dim; i++) { /* one input in [0.05, 0.95], reproducible */
        state = state * 6364136223846793005ULL + 1442695040888963407ULL;
        x[i] = 0.05f + 0.9f * (float)((state >> 40) * (1.0 / 16777216.0));
    }
    /* every unit in one batch: row u is the same input, asking for unit u */
    which[0] = 0;
    for (size_t u = 1; u < units; u++) {
        memcpy(x + u * dim, x, dim * sizeof *x);
        which[u] = (int)u;
    }
    int perturbed = -1;
    int ok = clae__model_init(m, 5) == CLAE_OK && (perturbed = perturb_batchnorm(m)) >= 0 &&
             clae__buf_create(dev, units * dim, &xb) == CLAE_OK &&
             clae__buf_write(dev, &xb, 0, units * dim, x) == CLAE_OK &&
             clae__buf_create(dev, units * dim, &dx) == CLAE_OK &&
             clae__buf_fill(dev, &dx, 0, units * dim, NAN) == CLAE_OK && /* all written */
             clae__model_input_grad(m, &xb, units, which, &dx, act) == CLAE_OK &&
             clae__buf_read(dev, &dx, 0, units * dim, g) == CLAE_OK &&
             numeric(m, x, dim, width, h, n1) && numeric(m, x, dim, width, h / 2, n2);
    if (!ok) fprintf(stderr, "%s: %s\n", name, clae_ctx_message(ctx));
    CHECK(ok);
    /* gamma, beta and both statistics of the one batch norm layer */
    CHECK(perturbed == (strstr(name, "batch norm") ? 4 : 0));
    size_t failed = 0, skipped = 0;
    double worst = 0, worst_norm = 0, max_grad = 0;
    for (size_t u = 0; ok && u < units; u++) {
        double diff2 = 0, norm2 = 0;
        for (size_t i = 0; i < dim; i++) {
            double a = g[u * dim + i], b1 = n1[i * width + u], b2 = n2[i * width + u];
            if (!(fabs(b1 - b2) <= ATOL + RTOL * fabs(b2))) { /* a kink within the step */
                skipped++;
                continue;
            }
            double ratio = fabs(a - b2) / (ATOL + RTOL * fabs(b2));
            if (ratio > worst) worst = ratio;
            if (fabs(b2) > max_grad) max_grad = fabs(b2);
            diff2 += (a - b2) * (a - b2);
            norm2 += b2 * b2;
            if (!(ratio <= 1.0) && failed++ < 8)
                fprintf(stderr, "%s: unit %zu, input %zu: analytic %.7g, numeric %.7g\n", name,
                        u, i, a, b2);
        }
        double rel = norm2 > 0 ? sqrt(diff2 / norm2) : 0;
        if (rel > worst_norm) worst_norm = rel;
    }
    CHECK(failed == 0);
    CHECK(worst_norm <= NORM_RTOL);
    CHECK((double)skipped <= MAX_SKIPPED_SHARE * (double)(units * dim));
    CHECK(max_grad > 1e-3); /* a vanishing gradient would check nothing */
    printf("%-30s %2zu units x %zu inputs  err/tol %.3f  rel L2 %.2e  kink skips %zu\n", name,
           units, dim, worst, worst_norm, skipped);
    clae__buf_release(&xb);
    clae__buf_release(&dx);
    clae__model_destroy(m);
    clae_spec_free(&spec);
    free(x);
    free(g);
    free(act);
    free(which);
    free(n1);
    free(n2);
}

int main(void)
{
    clae_ctx *ctx = clae_ctx_create();
    clae_device *dev = open_device_or_skip(ctx);
    /* the default family: dense layers, a sigmoid code */
    run_case(ctx, dev, "dense, sigmoid code",
             "[model]\ncode = 4\n[dense]\nunits = 12\nactivation = tanh\n"
             "[code]\nactivation = sigmoid\n",
             STEP);
    /* convolution, batch norm on running statistics, max pooling, dropout */
    run_case(ctx, dev, "conv, batch norm, pool",
             "[model]\ncode = 3\ndecoder = explicit\n"
             "[conv]\nfilters = 4\nsize = 3\npadding = same\nbias = no\nactivation = linear\n"
             "[batchnorm]\nactivation = elu\n[maxpool]\nsize = 2\nstride = 1\n"
             "[dropout]\nrate = 0.3\n[code]\nactivation = tanh\n",
             STEP_POOLING);
    /* a denoising model's noise layer passes the gradient in evaluation */
    run_case(ctx, dev, "strided conv, mask noise",
             "[model]\ncode = 3\ndecoder = explicit\n"
             "[conv]\nfilters = 3\nsize = 3\nstride = 2\npadding = 1\nactivation = tanh\n"
             "[code]\nactivation = sigmoid\n[noise]\nmask = 0.5\n",
             STEP);
    /* a VAE's units are its means */
    run_case(ctx, dev, "vae means",
             "[model]\ncode = 3\nvariational = yes\n[dense]\nunits = 10\nactivation = elu\n"
             "[code]\nactivation = linear\n",
             STEP);
    clae_device_close(dev);
    clae_ctx_destroy(ctx);
    return check_finish();
}
