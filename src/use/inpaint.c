/* `clae inpaint`: masks drawn on the host (reproducible from the seed), the
 * model run on the device batch by batch, and only the masked values taken
 * from its output. The filled image can be fed back for another pass: the
 * first pass sees zeros where the mask is, which a model trained with masking
 * noise knows but a plain one mistakes for ink-free background; later passes
 * see its own guesses there instead. The MSE after every pass is kept, so the
 * caller can show whether the passes pay.
 *
 * Measured on 1000 test digits (square:8 / random:0.25 masks, MSE on the
 * masked pixels): the default dense model improves pass after pass (0.156 ->
 * 0.137 -> 0.130 at 1, 4, 8 passes; 0.031 -> 0.016 -> 0.0158), while a model
 * trained with masking noise is best after one (specs/inpaint.ini: 0.078,
 * 0.065, 0.078, 0.090; random: 0.019, 0.033, ...): it trusts any non-zero
 * value as known, its own first guesses included, and drifts. Hence the
 * default number of passes by the model's [noise] mask. */
#include <cjson/cJSON.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "io/fsutil.h"
#include "io/npy.h"
#include "io/plot.h"
#include "ref/ref.h"
#include "train/evaluate.h"
#include "use/inpaint.h"
#include "use/use.h"

/* The draws' streams under the seed. */
#define STREAM_PIXELS 1
#define STREAM_PLACES 2
#define MASKED_GREY 0.5f /* how the picture shows a masked value (the model sees 0) */
#define TILES_A_ROW 16

clae_status clae__mask_parse(clae_ctx *ctx, const char *text, clae_mask *out)
{
    memset(out, 0, sizeof *out);
    char *end = NULL;
    if (strncmp(text, "square:", 7) == 0) {
        errno = 0;
        long side = strtol(text + 7, &end, 10);
        if (errno || end == text + 7 || *end || side < 1 || side > 4096)
            return clae__fail(ctx, CLAE_EUSAGE, "--mask \"%s\": the square's side must be a "
                                                "positive integer", text);
        out->kind = CLAE_MASK_SQUARE;
        out->side = (int)side;
        return CLAE_OK;
    }
    if (strncmp(text, "random:", 7) == 0) {
        errno = 0;
        double p = strtod(text + 7, &end);
        if (errno || end == text + 7 || *end || !(p > 0.0 && p <= 1.0))
            return clae__fail(ctx, CLAE_EUSAGE, "--mask \"%s\": the probability must be a "
                                                "number in (0, 1]", text);
        out->kind = CLAE_MASK_RANDOM;
        out->probability = p;
        return CLAE_OK;
    }
    return clae__fail(ctx, CLAE_EUSAGE, "--mask \"%s\": expected square:K or random:P", text);
}

/* mask (n x dim): 1 where a value is masked; the same pixels in every channel. */
static clae_status draw_masks(clae_ctx *ctx, const clae_mask *mk, uint64_t seed, size_t n,
                              int c, int h, int w, float *mask)
{
    size_t plane = (size_t)h * (size_t)w, dim = (size_t)c * plane;
    float *u = malloc((mk->kind == CLAE_MASK_RANDOM ? n * plane : 2 * n) * sizeof *u);
    if (!u) return clae__fail(ctx, CLAE_ENOMEM, "out of memory for %zu masks", n);
    memset(mask, 0, n * dim * sizeof *mask);
    if (mk->kind == CLAE_MASK_RANDOM) {
        clae_ref_rng_uniform(n * plane, u, seed, STREAM_PIXELS, 0.0f, 1.0f);
        for (size_t i = 0; i < n; i++)
            for (size_t p = 0; p < plane; p++)
                if (u[i * plane + p] < (float)mk->probability)
                    for (int ch = 0; ch < c; ch++) mask[i * dim + (size_t)ch * plane + p] = 1.0f;
    } else {
        clae_ref_rng_uniform(2 * n, u, seed, STREAM_PLACES, 0.0f, 1.0f);
        int k = mk->side;
        for (size_t i = 0; i < n; i++) {
            int top = (int)(u[2 * i] * (float)(h - k + 1));
            int left = (int)(u[2 * i + 1] * (float)(w - k + 1));
            top = top > h - k ? h - k : top; /* u may round up to 1 */
            left = left > w - k ? w - k : left;
            for (int ch = 0; ch < c; ch++) {
                float *m = mask + i * dim + (size_t)ch * plane;
                for (int y = top; y < top + k; y++)
                    for (int x = left; x < left + k; x++)
                        m[(size_t)y * (size_t)w + (size_t)x] = 1.0f;
            }
        }
    }
    free(u);
    return CLAE_OK;
}

static double masked_mse(const float *a, const float *b, const float *mask, size_t n)
{
    double sum = 0;
    size_t count = 0;
    for (size_t i = 0; i < n; i++)
        if (mask[i] != 0.0f) {
            sum += ((double)a[i] - b[i]) * ((double)a[i] - b[i]);
            count++;
        }
    return count ? sum / (double)count : 0.0;
}

/* One pass: the model's output for every row of `filled`, whose masked
 * values are then replaced by it. work: the device copy of filled. */
static clae_status pass(clae_model *m, clae_buf *work, size_t n, float *filled, float *recon,
                        const float *mask)
{
    size_t dim = (size_t)m->input_dim;
    clae_status s = clae__buf_write(m->dev, work, 0, n * dim, filled);
    for (size_t first = 0; first < n && s == CLAE_OK; first += m->batch_max) {
        size_t b = n - first < m->batch_max ? n - first : m->batch_max;
        s = clae__reconstruct_rows(m, work, first, b, recon + first * dim);
    }
    for (size_t i = 0; i < n * dim && s == CLAE_OK; i++)
        if (mask[i] != 0.0f) filled[i] = recon[i];
    return s;
}

static clae_status write_picture(clae_ctx *ctx, const clae_inpaint_options *o, const clae_use *u,
                                 size_t n, const float *masked, const float *mask,
                                 const float *filled, const clae_inpaint_result *r)
{
    size_t dim = u->data.dim;
    int cols = n < TILES_A_ROW ? (int)n : TILES_A_ROW, groups = ((int)n + cols - 1) / cols;
    int rows = 3 * groups;
    float *tiles = calloc((size_t)rows * (size_t)cols * dim, sizeof *tiles);
    const char **labels = calloc((size_t)rows, sizeof *labels);
    if (!tiles || !labels) {
        free(tiles);
        free(labels);
        return clae__fail(ctx, CLAE_ENOMEM, "out of memory drawing %s", o->picture);
    }
    static const char *const names[3] = {"original", "masked", "inpainted"};
    for (int g = 0; g < groups; g++)
        for (int k = 0; k < 3; k++) labels[3 * g + k] = names[k];
    for (size_t i = 0; i < n; i++) {
        size_t g = i / (size_t)cols, col = i % (size_t)cols;
        float *t0 = tiles + ((3 * g) * (size_t)cols + col) * dim;
        float *t1 = tiles + ((3 * g + 1) * (size_t)cols + col) * dim;
        float *t2 = tiles + ((3 * g + 2) * (size_t)cols + col) * dim;
        memcpy(t0, u->data.x + i * dim, dim * sizeof *t0);
        for (size_t j = 0; j < dim; j++)
            t1[j] = mask[i * dim + j] != 0.0f ? MASKED_GREY : masked[i * dim + j];
        memcpy(t2, filled + i * dim, dim * sizeof *t2);
    }
    char title[200], caption[200];
    snprintf(title, sizeof title, "inpainting, mask %s: MSE on the masked pixels %.4f "
                                  "(masked input %.4f)", o->mask_text, r->mse[r->iterations - 1],
             r->masked_input_mse);
    snprintf(caption, sizeof caption, "masked pixels shown grey (the model sees 0); %d pass%s "
                                      "through the model; %zu samples measured", r->iterations,
             r->iterations == 1 ? "" : "es", r->count);
    clae_tile_figure f = {.title = title,
                          .caption = caption,
                          .rows = rows,
                          .cols = cols,
                          .channels = u->data.channels,
                          .height = u->data.height,
                          .width = u->data.width,
                          .tiles = tiles,
                          .row_labels = labels,
                          .scaling = CLAE_TILES_CLAMP};
    clae_status s = clae__plot_tiles(ctx, o->picture, &f);
    free(tiles);
    free(labels);
    return s;
}

static clae_status write_meta(clae_ctx *ctx, const char *path, const clae_inpaint_options *o,
                              const clae_use *u, const clae_inpaint_result *r)
{
    cJSON *root = cJSON_CreateObject();
    cJSON *mse = root ? cJSON_AddArrayToObject(root, "mse_per_pass") : NULL;
    if (!mse) {
        cJSON_Delete(root);
        return clae__fail(ctx, CLAE_ENOMEM, "out of memory writing %s", path);
    }
    cJSON_AddStringToObject(root, "model", o->model);
    cJSON_AddStringToObject(root, "mask", o->mask_text);
    cJSON_AddNumberToObject(root, "seed", (double)o->seed);
    cJSON_AddNumberToObject(root, "count", (double)r->count);
    cJSON_AddNumberToObject(root, "channels", u->data.channels);
    cJSON_AddNumberToObject(root, "height", u->data.height);
    cJSON_AddNumberToObject(root, "width", u->data.width);
    cJSON_AddNumberToObject(root, "masked_values", (double)r->masked);
    cJSON_AddNumberToObject(root, "masked_input_mse", r->masked_input_mse);
    for (int i = 0; i < r->iterations; i++)
        cJSON_AddItemToArray(mse, cJSON_CreateNumber(r->mse[i]));
    cJSON_AddNumberToObject(root, "clae_mse", r->mse[r->iterations - 1]);
    char *text = cJSON_Print(root);
    cJSON_Delete(root);
    if (!text) return clae__fail(ctx, CLAE_ENOMEM, "out of memory writing %s", path);
    clae_status s = clae__write_file_atomic(ctx, path, text, strlen(text));
    free(text);
    return s;
}

static clae_status save_arrays(clae_ctx *ctx, const clae_inpaint_options *o, const clae_use *u,
                               size_t n, const float *masked, const float *mask,
                               const float *filled, const clae_inpaint_result *r)
{
    const char *dir = o->save_dir;
    size_t len = strlen(dir) + 32;
    char *path = malloc(len);
    if (!path) return clae__fail(ctx, CLAE_ENOMEM, "out of memory");
    clae_status s = clae__mkdir_p(ctx, dir);
    const struct {
        const char *name;
        const float *data;
    } arrays[] = {{"original.npy", u->data.x}, {"masked.npy", masked}, {"mask.npy", mask},
                  {"inpainted.npy", filled}};
    for (size_t i = 0; i < sizeof arrays / sizeof arrays[0] && s == CLAE_OK; i++) {
        snprintf(path, len, "%s/%s", dir, arrays[i].name);
        s = clae__npy_write(ctx, path, arrays[i].data, n, u->data.dim);
    }
    if (s == CLAE_OK) {
        snprintf(path, len, "%s/meta.json", dir);
        s = write_meta(ctx, path, o, u, r);
    }
    free(path);
    return s;
}

clae_status clae__inpaint(clae_ctx *ctx, clae_use *u, const clae_inpaint_options *o,
                          clae_inpaint_result *out)
{
    memset(out, 0, sizeof *out);
    if (o->iterations < 0 || o->iterations > CLAE_INPAINT_MAX_ITERATIONS)
        return clae__fail(ctx, CLAE_EUSAGE, "--iterations: expected 0..%d (0: chosen by the "
                                            "model), got %d", CLAE_INPAINT_MAX_ITERATIONS,
                          o->iterations);
    clae_status s = CLAE_OK;
    size_t n = u->data.count, dim = u->data.dim, total = n * dim;
    int h = u->data.height, w = u->data.width;
    if (n == 0) return clae__fail(ctx, CLAE_EDATA, "%s: no samples to inpaint", u->data.name);
    if (o->mask.kind == CLAE_MASK_SQUARE && (o->mask.side > h || o->mask.side > w))
        return clae__fail(ctx, CLAE_EUSAGE, "--mask \"%s\": a %dx%d square does not fit in "
                                            "%dx%d images", o->mask_text, o->mask.side,
                          o->mask.side, h, w);
    float *mask = malloc((total ? total : 1) * sizeof *mask);
    float *masked = malloc((total ? total : 1) * sizeof *masked);
    float *filled = malloc((total ? total : 1) * sizeof *filled);
    float *recon = malloc((total ? total : 1) * sizeof *recon);
    clae_buf work = {0};
    if (!mask || !masked || !filled || !recon)
        s = clae__fail(ctx, CLAE_ENOMEM, "out of memory for %zu samples", n);
    if (s == CLAE_OK) s = draw_masks(ctx, &o->mask, o->seed, n, u->data.channels, h, w, mask);
    if (s == CLAE_OK) {
        for (size_t i = 0; i < total; i++) {
            masked[i] = mask[i] != 0.0f ? 0.0f : u->data.x[i];
            out->masked += mask[i] != 0.0f;
        }
        memcpy(filled, masked, total * sizeof *filled);
        out->count = n;
        out->values = total;
        out->masked_input_mse = masked_mse(masked, u->data.x, mask, total);
        s = clae__buf_create(u->lm.model->dev, total, &work);
    }
    int iterations = o->iterations ? o->iterations
                                   : u->lm.spec.noise.mask > 0 ? CLAE_INPAINT_PASSES_MASKED
                                                              : CLAE_INPAINT_PASSES_PLAIN;
    for (int it = 0; it < iterations && s == CLAE_OK; it++) {
        s = pass(u->lm.model, &work, n, filled, recon, mask);
        out->mse[it] = masked_mse(filled, u->data.x, mask, total);
        out->iterations = it + 1;
    }
    size_t shown = o->shown > 0 && (size_t)o->shown < n ? (size_t)o->shown : n;
    if (s == CLAE_OK && o->picture)
        s = write_picture(ctx, o, u, shown, masked, mask, filled, out);
    if (s == CLAE_OK && o->save_dir) s = save_arrays(ctx, o, u, n, masked, mask, filled, out);
    clae__buf_release(&work);
    free(mask);
    free(masked);
    free(filled);
    free(recon);
    return s;
}
