/* loss.csv, summary.json (cJSON) and reconstructions.png (libpng). */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clae/image.h"
#include "io/fsutil.h"
#include "io/outputs.h"

static void join_path(char *out, size_t size, const char *dir, const char *file)
{
    snprintf(out, size, "%s/%s", dir, file);
}

clae_status clae__write_loss_csv(clae_ctx *ctx, const char *dir, const char *header,
                                 const char *rows)
{
    char path[4096];
    join_path(path, sizeof path, dir, "loss.csv");
    size_t n = strlen(header) + strlen(rows);
    char *text = malloc(n + 1);
    if (!text) return clae__fail(ctx, CLAE_ENOMEM, "out of memory writing %s", path);
    snprintf(text, n + 1, "%s%s", header, rows);
    clae_status s = clae__write_file_atomic(ctx, path, text, n);
    free(text);
    return s;
}

clae_status clae__write_summary(clae_ctx *ctx, const char *dir, const clae_summary *summary)
{
    char path[4096];
    join_path(path, sizeof path, dir, "summary.json");
    const clae_train_result *r = summary->result;
    cJSON *j = cJSON_CreateObject();
    if (!j) return clae__fail(ctx, CLAE_ENOMEM, "out of memory writing %s", path);
    cJSON_AddStringToObject(j, "spec", summary->spec->path);
    cJSON_AddNumberToObject(j, "epochs", r->epochs);
    cJSON_AddNumberToObject(j, "train_loss", r->train_loss);
    cJSON_AddNumberToObject(j, "test_loss", r->test_loss);
    cJSON_AddNumberToObject(j, "test_mse", r->test_mse);
    if (summary->spec->loss.reconstruction == CLAE_RECON_BCE)
        cJSON_AddNumberToObject(j, "test_bce", r->test_bce);
    for (int t = 0; t < r->n_terms; t++) {
        char key[64];
        snprintf(key, sizeof key, "train_%s", r->term_names[t]);
        cJSON_AddNumberToObject(j, key, r->train_terms[t]);
        snprintf(key, sizeof key, "test_%s", r->term_names[t]);
        cJSON_AddNumberToObject(j, key, r->test_terms[t]);
    }
    if (r->denoising) {
        cJSON_AddNumberToObject(j, "noise_mse", r->noise_mse);
        cJSON_AddNumberToObject(j, "denoised_mse", r->denoised_mse);
    }
    cJSON_AddNumberToObject(j, "code_mean", r->code_mean);
    cJSON_AddNumberToObject(j, "code_std", r->code_std);
    cJSON_AddNumberToObject(j, "code_near_zero", r->code_near_zero);
    if (r->variational) cJSON_AddNumberToObject(j, "kl", r->kl);
    if (r->pretrain_stages) {
        cJSON *stages = cJSON_AddArrayToObject(j, "pretrain_losses");
        for (int k = 0; stages && k < r->pretrain_stages; k++)
            cJSON_AddItemToArray(stages, cJSON_CreateNumber(r->pretrain_losses[k]));
    }
    if (r->jacobian_known) cJSON_AddNumberToObject(j, "code_jacobian", r->code_jacobian);
    if (r->winner_take_all)
        cJSON_AddNumberToObject(j, "code_near_zero_unselected", r->code_near_zero_unselected);
    cJSON_AddNumberToObject(j, "parameters", (double)r->parameters);
    cJSON_AddNumberToObject(j, "samples_per_second", r->samples_per_second);
    cJSON_AddNumberToObject(j, "seconds", r->seconds);
    cJSON_AddStringToObject(j, "device", summary->device);
    cJSON_AddStringToObject(j, "gemm", summary->gemm_provider);
    char *text = cJSON_Print(j);
    cJSON_Delete(j);
    if (!text) return clae__fail(ctx, CLAE_ENOMEM, "out of memory writing %s", path);
    size_t n = strlen(text);
    text[n] = '\n'; /* cJSON's buffer has room: it replaces the terminator */
    clae_status s = clae__write_file_atomic(ctx, path, text, n + 1);
    cJSON_free(text);
    return s;
}

clae_status clae__write_reconstructions(clae_ctx *ctx, const char *dir, const clae_dataset *shape,
                                        const float *originals, const float *corrupted,
                                        const float *reconstructions, int n)
{
    char path[4096];
    join_path(path, sizeof path, dir, "reconstructions.png");
    const float *sets[3] = {originals, corrupted ? corrupted : reconstructions, reconstructions};
    int n_sets = corrupted ? 3 : 2;
    int cols = n < 16 ? n : 16;
    int groups = (n + cols - 1) / cols;
    size_t dim = shape->dim;
    /* Tiles row by row: originals, (corrupted,) outputs; blank past n. */
    float *tiles = calloc((size_t)(n_sets * groups * cols) * dim, sizeof *tiles);
    if (!tiles) return clae__fail(ctx, CLAE_ENOMEM, "out of memory writing %s", path);
    for (int i = 0; i < n; i++)
        for (int k = 0; k < n_sets; k++) {
            size_t row = (size_t)(n_sets * (i / cols) + k), col = (size_t)(i % cols);
            memcpy(tiles + (row * (size_t)cols + col) * dim, sets[k] + (size_t)i * dim,
                   dim * sizeof *tiles);
        }
    clae_status s = clae_image_write_grid(ctx, path, tiles, n_sets * groups, cols,
                                          shape->channels, shape->height, shape->width, 2);
    free(tiles);
    return s;
}

clae_status clae__write_tiles(clae_ctx *ctx, const char *dir, const char *file,
                              const clae_dataset *shape, const float *images, int n)
{
    char path[4096];
    if (dir) join_path(path, sizeof path, dir, file);
    else snprintf(path, sizeof path, "%s", file);
    int cols = n < 16 ? n : 16, rows = (n + cols - 1) / cols;
    size_t dim = shape->dim;
    float *tiles = calloc((size_t)(rows * cols) * dim, sizeof *tiles);
    if (!tiles) return clae__fail(ctx, CLAE_ENOMEM, "out of memory writing %s", path);
    memcpy(tiles, images, (size_t)n * dim * sizeof *tiles);
    clae_status s = clae_image_write_grid(ctx, path, tiles, rows, cols, shape->channels,
                                          shape->height, shape->width, 2);
    free(tiles);
    return s;
}
