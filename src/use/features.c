/* `clae features`: the first layer's weights, and what each code unit
 * responds to.
 *
 * A unit's value is the [code] layer's output (a VAE's mean; before
 * winner-take-all keeps the few largest), the same quantity in both halves of
 * the units picture: the samples of the input with the largest values, and
 * the input that the gradient says excites the unit most. That input starts
 * from faint noise and climbs the unit's gradient with respect to the input
 * (clae__model_input_grad: all units in one batch, row u for unit u); after
 * each step it is put back into the data's range [0, 1] and onto the sphere
 * of the input's mean L2 norm, so it cannot win by growing or leaving the
 * pixel range and stays comparable with the digits beside it. The step is a
 * fixed share of that norm along the normalised gradient, decayed with a
 * cosine: a saturating unit's tiny gradient still moves it. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "io/plot.h"
#include "ref/ref.h"
#include "train/evaluate.h"
#include "train/pictures.h"
#include "use/features.h"
#include "use/use.h"

#define START_NOISE 0.05f  /* the start: uniform noise in [0, START_NOISE] */
#define STEP_SHARE 0.1     /* the first step, as a share of the norm */
#define NOISE_SEED 7
#define PI 3.14159265358979323846

static clae_status write_weights(clae_ctx *ctx, clae_use *u, const char *path, int *count)
{
    float *tiles = NULL;
    int c = 0, h = 0, w = 0;
    clae_status s = clae__first_layer_tiles(ctx, u->lm.model, &tiles, count, &c, &h, &w);
    if (s != CLAE_OK) return s;
    int cols = *count < 16 ? *count : 16;
    char title[128];
    snprintf(title, sizeof title, "first-layer weights: %d %s of %dx%dx%d", *count,
             h == u->lm.height && w == u->lm.width ? "units" : "filters", c, h, w);
    clae_tile_figure f = {.title = title,
                          .caption = "each tile scaled to its own +-max |w|; 0 is mid-grey",
                          .rows = (*count + cols - 1) / cols,
                          .cols = cols,
                          .channels = c,
                          .height = h,
                          .width = w,
                          .tiles = tiles,
                          .scaling = CLAE_TILES_SYMMETRIC,
                          .count = *count};
    s = clae__plot_tiles(ctx, path, &f);
    free(tiles);
    return s;
}

/* The rows of the CLAE_FEATURES_TOP largest values of column u of acts
 * (n x width), largest first. */
static int top_rows(const float *acts, size_t n, size_t width, int u, size_t *rows)
{
    int k = 0;
    for (size_t i = 0; i < n; i++) {
        float v = acts[i * width + (size_t)u];
        if (k == CLAE_FEATURES_TOP && v <= acts[rows[k - 1] * width + (size_t)u]) continue;
        int at = k < CLAE_FEATURES_TOP ? k++ : k - 1;
        while (at > 0 && acts[rows[at - 1] * width + (size_t)u] < v) {
            rows[at] = rows[at - 1];
            at--;
        }
        rows[at] = i;
    }
    return k;
}

/* Into the data's range, then onto the sphere of radius norm (scaling up can
 * leave the range again: clipped once more, so the norm is at most `norm`). */
static void project(float *x, size_t dim, double norm)
{
    double sum2 = 0;
    for (size_t i = 0; i < dim; i++) {
        x[i] = x[i] < 0.0f ? 0.0f : x[i] > 1.0f ? 1.0f : x[i];
        sum2 += (double)x[i] * x[i];
    }
    if (sum2 <= 0) return;
    float scale = (float)(norm / sqrt(sum2));
    for (size_t i = 0; i < dim; i++) {
        x[i] *= scale;
        x[i] = x[i] > 1.0f ? 1.0f : x[i];
    }
}

/* Activation maximisation of units 0..units-1, one row each, into x
 * (units x dim); the units' final values into act. */
static clae_status maximise(clae_model *m, int units, int steps, double norm, float *x,
                            float *act)
{
    size_t dim = (size_t)m->input_dim, n = (size_t)units * dim;
    clae_device *dev = m->dev;
    clae_buf xb = {0}, dx = {0};
    float *g = malloc(n * sizeof *g);
    int *which = malloc((size_t)units * sizeof *which);
    clae_status s = g && which ? clae__buf_create(dev, n, &xb)
                               : clae__fail(dev->ctx, CLAE_ENOMEM, "out of memory");
    if (s == CLAE_OK) s = clae__buf_create(dev, n, &dx);
    for (int u = 0; u < units && s == CLAE_OK; u++) which[u] = u;
    clae_ref_rng_uniform(n, x, NOISE_SEED, 0, 0.0f, START_NOISE);
    for (int u = 0; u < units; u++) project(x + (size_t)u * dim, dim, norm);
    for (int t = 0; t <= steps && s == CLAE_OK; t++) {
        s = clae__buf_write(dev, &xb, 0, n, x);
        if (s == CLAE_OK) s = clae__model_input_grad(m, &xb, (size_t)units, which, &dx, act);
        if (s == CLAE_OK && t < steps) s = clae__buf_read(dev, &dx, 0, n, g);
        if (s != CLAE_OK || t == steps) break; /* the last pass only measured */
        double eta = STEP_SHARE * norm * 0.5 * (1.0 + cos(PI * t / steps));
        for (int u = 0; u < units; u++) {
            float *xu = x + (size_t)u * dim, *gu = g + (size_t)u * dim;
            double gn = 0;
            for (size_t i = 0; i < dim; i++) gn += (double)gu[i] * gu[i];
            if (!(gn > 0)) continue; /* a dead unit: nothing to climb */
            float k = (float)(eta / sqrt(gn));
            for (size_t i = 0; i < dim; i++) xu[i] += k * gu[i];
            project(xu, dim, norm);
        }
    }
    clae__buf_release(&xb);
    clae__buf_release(&dx);
    free(g);
    free(which);
    return s;
}

static clae_status write_units(clae_ctx *ctx, const clae_use *u, const char *path, int units,
                               const float *acts, size_t width, const float *maxed,
                               const float *max_act, clae_features_result *out)
{
    const int cols = CLAE_FEATURES_TOP + 1;
    size_t dim = u->data.dim, tiles_n = (size_t)units * (size_t)cols;
    float *tiles = calloc(tiles_n * dim, sizeof *tiles);
    char (*text)[16] = calloc(tiles_n, sizeof *text);
    char (*row_text)[16] = calloc((size_t)units, sizeof *row_text);
    const char **labels = calloc(tiles_n, sizeof *labels);
    const char **row_labels = calloc((size_t)units, sizeof *row_labels);
    clae_status s = CLAE_OK;
    if (!tiles || !text || !row_text || !labels || !row_labels) {
        s = clae__fail(ctx, CLAE_ENOMEM, "out of memory drawing %s", path);
        goto done;
    }
    double top_sum = 0, max_sum = 0;
    for (int k = 0; k < units; k++) {
        size_t rows[CLAE_FEATURES_TOP];
        int found = top_rows(acts, u->data.count, width, k, rows);
        for (int j = 0; j < found; j++) {
            size_t t = (size_t)k * (size_t)cols + (size_t)j;
            memcpy(tiles + t * dim, u->data.x + rows[j] * dim, dim * sizeof *tiles);
            snprintf(text[t], sizeof text[t], "%.3g", (double)acts[rows[j] * width + (size_t)k]);
        }
        if (found) top_sum += acts[rows[0] * width + (size_t)k];
        size_t t = (size_t)k * (size_t)cols + CLAE_FEATURES_TOP;
        memcpy(tiles + t * dim, maxed + (size_t)k * dim, dim * sizeof *tiles);
        snprintf(text[t], sizeof text[t], "max %.3g", (double)max_act[k]);
        max_sum += max_act[k];
        snprintf(row_text[k], sizeof row_text[k], "unit %d", k);
        row_labels[k] = row_text[k];
    }
    for (size_t t = 0; t < tiles_n; t++) labels[t] = text[t];
    out->mean_top = top_sum / units;
    out->mean_max = max_sum / units;
    char title[160], caption[160];
    snprintf(title, sizeof title, "code units: the %d of %zu samples that excite each most, and "
                                  "its maximising input", CLAE_FEATURES_TOP, u->data.count);
    snprintf(caption, sizeof caption, "labels: the unit's value; last column: gradient ascent "
                                      "on the input in [0, 1], L2 norm <= %.2f", out->norm);
    clae_tile_figure f = {.title = title,
                          .caption = caption,
                          .rows = units,
                          .cols = cols,
                          .channels = u->data.channels,
                          .height = u->data.height,
                          .width = u->data.width,
                          .tiles = tiles,
                          .row_labels = row_labels,
                          .tile_labels = labels,
                          .scaling = CLAE_TILES_CLAMP};
    s = clae__plot_tiles(ctx, path, &f);
done:
    free(tiles);
    free(text);
    free(row_text);
    free(labels);
    free(row_labels);
    return s;
}

clae_status clae__features(clae_ctx *ctx, clae_use *u, const clae_features_options *o,
                           clae_features_result *out)
{
    memset(out, 0, sizeof *out);
    clae_status s = CLAE_OK;
    clae_model *m = u->lm.model;
    out->samples = u->data.count;
    out->units = o->units < m->code ? o->units : m->code;
    size_t width = clae_shape_size(m->layers[m->code_layer]->out), dim = u->data.dim;
    float *acts = malloc((u->data.count ? u->data.count : 1) * width * sizeof *acts);
    float *maxed = malloc((size_t)out->units * dim * sizeof *maxed);
    float *max_act = malloc((size_t)out->units * sizeof *max_act);
    if (!acts || !maxed || !max_act) s = clae__fail(ctx, CLAE_ENOMEM, "out of memory");
    if (s == CLAE_OK && u->data.count == 0)
        s = clae__fail(ctx, CLAE_EDATA, "%s: no samples", u->data.name);
    if (s == CLAE_OK) s = write_weights(ctx, u, o->weights_path, &out->weight_tiles);
    if (s == CLAE_OK) s = clae__encode_at(m, &u->x, u->data.count, m->code_layer, acts);
    if (s == CLAE_OK) {
        /* the radius: the samples' mean L2 norm (a digit's ink) */
        double sum = 0;
        for (size_t i = 0; i < u->data.count; i++) {
            double n2 = 0;
            const float *row = u->data.x + i * dim;
            for (size_t j = 0; j < dim; j++) n2 += (double)row[j] * row[j];
            sum += sqrt(n2);
        }
        out->norm = sum / (double)u->data.count;
        s = maximise(m, out->units, o->steps, out->norm, maxed, max_act);
    }
    if (s == CLAE_OK)
        s = write_units(ctx, u, o->units_path, out->units, acts, width, maxed, max_act, out);
    free(acts);
    free(maxed);
    free(max_act);
    return s;
}
