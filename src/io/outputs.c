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
    for (int i = 0; i < r->n_metrics; i++)
        cJSON_AddNumberToObject(j, r->metrics[i].name, r->metrics[i].value);
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
