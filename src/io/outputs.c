/* loss.csv, summary.json (cJSON) and the image grids of reconstructions and
 * samples (titled, drawn by io/plot.c). */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "io/fsutil.h"
#include "io/outputs.h"
#include "io/plot.h"

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

clae_status clae__write_reconstructions(clae_ctx *ctx, const char *path, const char *title,
                                        const clae_dataset *shape, const float *originals,
                                        const float *corrupted, const float *reconstructions,
                                        int n)
{
    if (n <= 0) return clae__fail(ctx, CLAE_EUSAGE, "%s: no images to show", path);
    const float *sets[3] = {originals, corrupted ? corrupted : reconstructions, reconstructions};
    static const char *const names[3] = {"original", "corrupted", "reconstructed"};
    int n_sets = corrupted ? 3 : 2;
    int cols = n < 16 ? n : 16;
    int groups = (n + cols - 1) / cols, rows = n_sets * groups;
    size_t dim = shape->dim;
    /* Tiles row by row: originals, (corrupted,) outputs; blank past n. */
    float *tiles = calloc((size_t)(rows * cols) * dim, sizeof *tiles);
    const char **labels = malloc((size_t)rows * sizeof *labels);
    if (!tiles || !labels) {
        free(tiles);
        free(labels);
        return clae__fail(ctx, CLAE_ENOMEM, "out of memory writing %s", path);
    }
    for (int r = 0; r < rows; r++) labels[r] = names[corrupted ? r % 3 : (r % 2) * 2];
    for (int i = 0; i < n; i++)
        for (int k = 0; k < n_sets; k++) {
            size_t row = (size_t)(n_sets * (i / cols) + k), col = (size_t)(i % cols);
            memcpy(tiles + (row * (size_t)cols + col) * dim, sets[k] + (size_t)i * dim,
                   dim * sizeof *tiles);
        }
    clae_tile_figure f = {.title = title, .rows = rows, .cols = cols,
                          .channels = shape->channels, .height = shape->height,
                          .width = shape->width, .tiles = tiles, .row_labels = labels,
                          .scaling = CLAE_TILES_CLAMP};
    clae_status s = clae__plot_tiles(ctx, path, &f);
    free(labels);
    free(tiles);
    return s;
}

clae_status clae__write_tiles(clae_ctx *ctx, const char *dir, const char *file,
                              const char *title, const clae_dataset *shape, const float *images,
                              int n)
{
    char path[4096];
    if (dir) join_path(path, sizeof path, dir, file);
    else snprintf(path, sizeof path, "%s", file);
    if (n <= 0) return clae__fail(ctx, CLAE_EUSAGE, "%s: no images to show", path);
    int cols = n < 16 ? n : 16, rows = (n + cols - 1) / cols;
    clae_tile_figure f = {.title = title, .rows = rows, .cols = cols,
                          .channels = shape->channels, .height = shape->height,
                          .width = shape->width, .tiles = images, .scaling = CLAE_TILES_CLAMP,
                          .count = n};
    return clae__plot_tiles(ctx, path, &f);
}
