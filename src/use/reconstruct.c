/* clae reconstruct: originals above their reconstructions (a denoising model:
 * clean, corrupted, restored), titled with the model and the shown rows' MSE. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "io/plot.h"
#include "kernels/ops.h"
#include "train/evaluate.h"
#include "use/commands.h"

/* The key training corrupts its evaluation split with (src/train/train.c):
 * the same rows of the test split are corrupted here exactly as there, so the
 * picture matches the run's reconstructions.png. */
#define TILES_PER_ROW 16

void clae__model_name(const char *path, char *out, size_t size)
{
    const char *slash = strrchr(path, '/');
    const char *file = slash ? slash + 1 : path;
    if (slash && strncmp(file, "model", 5) == 0 && slash > path) {
        const char *start = slash;
        while (start > path && start[-1] != '/') start--;
        snprintf(out, size, "%.*s", (int)(slash - start), start);
        if (strcmp(out, ".") != 0 && strcmp(out, "..") != 0) return;
    }
    snprintf(out, size, "%s", file);
}

/* Rows of sets[0..n_sets) interleaved: for each group of up to 16 samples one
 * row per set, labelled with the set's name. */
static clae_status draw(clae_ctx *ctx, const clae_use *u, const char *path, const char *title,
                        const float *const *sets, const char *const *names, int n_sets, int n)
{
    int cols = n < TILES_PER_ROW ? n : TILES_PER_ROW;
    int groups = (n + cols - 1) / cols, rows = n_sets * groups;
    size_t dim = u->data.dim;
    float *tiles = calloc((size_t)rows * (size_t)cols * dim, sizeof *tiles);
    const char **labels = malloc((size_t)rows * sizeof *labels);
    clae_status s = CLAE_OK;
    if (!tiles || !labels) {
        s = clae__fail(ctx, CLAE_ENOMEM, "out of memory drawing %s", path);
        goto done;
    }
    for (int r = 0; r < rows; r++) labels[r] = names[r % n_sets];
    for (int i = 0; i < n; i++)
        for (int k = 0; k < n_sets; k++) {
            size_t row = (size_t)(n_sets * (i / cols) + k), col = (size_t)(i % cols);
            memcpy(tiles + (row * (size_t)cols + col) * dim, sets[k] + (size_t)i * dim,
                   dim * sizeof *tiles);
        }
    clae_tile_figure f = {.title = title, .rows = rows, .cols = cols,
                          .channels = u->lm.channels, .height = u->lm.height,
                          .width = u->lm.width, .tiles = tiles, .row_labels = labels,
                          .scaling = CLAE_TILES_CLAMP};
    s = clae__plot_tiles(ctx, path, &f);
done:
    free(labels);
    free(tiles);
    return s;
}

clae_status clae__use_reconstruct(clae_ctx *ctx, clae_use *u, const char *model_path,
                                  size_t count, const char *path, size_t *shown, double *mse,
                                  const char **rows)
{
    clae_model *m = u->lm.model;
    const clae_spec *spec = &u->lm.spec;
    size_t n = count < u->data.count ? count : u->data.count;
    if (n > m->batch_max) n = m->batch_max;
    if (n == 0) return clae__fail(ctx, CLAE_EDATA, "%s: no samples to reconstruct", u->data.name);
    size_t dim = u->data.dim;
    int denoising = spec->noise.gaussian > 0 || spec->noise.mask > 0;
    clae_buf noisy = {0};
    float *restored = malloc(n * dim * sizeof *restored);
    float *corrupted = denoising ? malloc(n * dim * sizeof *corrupted) : NULL;
    clae_status s = CLAE_OK;
    if (!restored || (denoising && !corrupted)) {
        s = clae__fail(ctx, CLAE_ENOMEM, "out of memory reconstructing %zu samples", n);
        goto done;
    }
    const clae_buf *input = &u->x;
    if (denoising) {
        s = clae__buf_create(m->dev, n * dim, &noisy);
        if (s == CLAE_OK)
            s = clae__corrupt(m->dev, n * dim, &u->x, 0, &noisy, 0,
                              spec->train.seed ^ CLAE_EVAL_NOISE_KEY, 0, 0,
                              (float)spec->noise.gaussian, (float)spec->noise.mask);
        if (s == CLAE_OK) s = clae__buf_read(m->dev, &noisy, 0, n * dim, corrupted);
        input = &noisy;
    }
    if (s == CLAE_OK) s = clae__reconstruct_rows(m, input, 0, n, restored);
    if (s != CLAE_OK) goto done;

    *shown = n;
    *rows = denoising ? "clean, corrupted, restored" : "original, reconstructed";
    *mse = clae__mse_host(u->data.x, restored, n * dim);
    char name[256], title[512];
    clae__model_name(model_path, name, sizeof name);
    snprintf(title, sizeof title, "%s: %s, MSE %.5f over the %zu shown",
             denoising ? "denoising" : "reconstructions", name, *mse, n);
    if (denoising) {
        const float *sets[3] = {u->data.x, corrupted, restored};
        static const char *const names[3] = {"clean", "corrupted", "restored"};
        s = draw(ctx, u, path, title, sets, names, 3, (int)n);
    } else {
        const float *sets[2] = {u->data.x, restored};
        static const char *const names[2] = {"original", "reconstructed"};
        s = draw(ctx, u, path, title, sets, names, 2, (int)n);
    }
done:
    clae__buf_release(&noisy);
    free(corrupted);
    free(restored);
    return s;
}
