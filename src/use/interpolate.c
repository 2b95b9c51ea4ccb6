/* clae interpolate: decoded points on the line between two samples' codes,
 * above the plain pixel blend of the same two samples, for comparison: a
 * good code space gives plausible images all the way, the pixel blend a
 * cross-fade. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "io/plot.h"
#include "use/commands.h"

/* The code of row `row` (a VAE's mean: the sampler passes it in evaluation). */
static clae_status code_of(clae_model *m, const clae_buf *x, size_t row, float *code)
{
    clae_status s = clae__model_forward(m, x, row * (size_t)m->input_dim, 1, CLAE_EVALUATION);
    if (s == CLAE_OK) s = clae__buf_read(m->dev, clae__model_code(m), 0, (size_t)m->code, code);
    return s;
}

/* Decodes rows z (n x code, host) into out (n x input_dim), batch by batch. */
static clae_status decode_rows(clae_model *m, const float *z, size_t n, float *out)
{
    size_t code = (size_t)m->code, dim = (size_t)m->input_dim;
    clae_buf zb = {0};
    clae_status s = clae__buf_create(m->dev, m->batch_max * code, &zb);
    for (size_t first = 0; first < n && s == CLAE_OK; first += m->batch_max) {
        size_t k = n - first < m->batch_max ? n - first : m->batch_max;
        const clae_buf *recon = NULL;
        s = clae__buf_write(m->dev, &zb, 0, k * code, z + first * code);
        if (s == CLAE_OK) s = clae__model_decode(m, &zb, k);
        if (s == CLAE_OK) s = clae__model_reconstruction(m, k, &recon);
        if (s == CLAE_OK) s = clae__buf_read(m->dev, recon, 0, k * dim, out + first * dim);
    }
    clae__buf_release(&zb);
    return s;
}

static clae_status check_index(clae_ctx *ctx, const char *option, long i, const clae_use *u)
{
    if (i >= 0 && (size_t)i < u->data.count) return CLAE_OK;
    return clae__fail(ctx, CLAE_EUSAGE, "%s %ld: out of range: %s has %zu samples (0..%zu)",
                      option, i, u->data.name, u->data.count, u->data.count - 1);
}

static void describe(char *out, size_t size, const clae_use *u, long i)
{
    if (u->data.labels) snprintf(out, size, "sample %ld (label %d)", i, u->data.labels[i]);
    else snprintf(out, size, "sample %ld", i);
}

clae_status clae__use_interpolate(clae_ctx *ctx, clae_use *u, const char *model_path,
                                  long from, long to, int steps, const char *path)
{
    clae_status s = check_index(ctx, "--from", from, u);
    if (s == CLAE_OK) s = check_index(ctx, "--to", to, u);
    if (s != CLAE_OK) return s;
    if (steps < 2) return clae__fail(ctx, CLAE_EUSAGE, "--steps %d: at least 2", steps);
    clae_model *m = u->lm.model;
    size_t code = (size_t)m->code, dim = u->data.dim, k = (size_t)steps;
    float *ends = malloc(2 * code * sizeof *ends);
    float *z = malloc(k * code * sizeof *z);
    float *tiles = malloc(2 * k * dim * sizeof *tiles); /* row 0 decoded, row 1 pixel blend */
    char *text = malloc(k * 16);
    const char **labels = malloc(2 * k * sizeof *labels);
    if (!ends || !z || !tiles || !text || !labels) {
        s = clae__fail(ctx, CLAE_ENOMEM, "out of memory interpolating %d steps", steps);
        goto done;
    }
    s = code_of(m, &u->x, (size_t)from, ends);
    if (s == CLAE_OK) s = code_of(m, &u->x, (size_t)to, ends + code);
    if (s != CLAE_OK) goto done;
    const float *a = u->data.x + (size_t)from * dim, *b = u->data.x + (size_t)to * dim;
    for (size_t i = 0; i < k; i++) {
        float t = (float)i / (float)(k - 1);
        for (size_t j = 0; j < code; j++) z[i * code + j] = (1 - t) * ends[j] + t * ends[code + j];
        float *pix = tiles + (k + i) * dim;
        for (size_t j = 0; j < dim; j++) pix[j] = (1 - t) * a[j] + t * b[j];
        snprintf(text + i * 16, 16, "t = %.2f", t);
        labels[i] = text + i * 16;
        labels[k + i] = "";
    }
    s = decode_rows(m, z, k, tiles);
    if (s != CLAE_OK) goto done;

    char name[256], da[64], db[64], title[512];
    clae__model_name(model_path, name, sizeof name);
    describe(da, sizeof da, u, from);
    describe(db, sizeof db, u, to);
    snprintf(title, sizeof title, "interpolation: %s, %s to %s", name, da, db);
    static const char *const rows[2] = {"decoded code blend", "pixel blend"};
    clae_tile_figure f = {.title = title, .rows = 2, .cols = steps,
                          .channels = u->lm.channels, .height = u->lm.height,
                          .width = u->lm.width, .tiles = tiles, .row_labels = rows,
                          .tile_labels = labels, .scaling = CLAE_TILES_CLAMP};
    s = clae__plot_tiles(ctx, path, &f);
done:
    free(labels);
    free(text);
    free(tiles);
    free(z);
    free(ends);
    return s;
}
