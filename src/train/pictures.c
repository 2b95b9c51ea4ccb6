/* The pictures of a training run: loss curves, the test codes, the first
 * layer's weights, a VAE's latent manifold and per-epoch snapshots. */
#include "train/pictures.h"

#include <lapacke.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "io/fsutil.h"
#include "io/outputs.h"
#include "io/plot.h"
#include "train/evaluate.h"

#define MAX_UNITS 64       /* dense first layer: units shown in features.png */
#define MANIFOLD_SIDE 20   /* manifold.png: 20 x 20 decoded points */
#define MAX_POINTS 10000   /* latent.png: at most this many codes */

static void join(char *out, size_t size, const char *dir, const char *file)
{
    snprintf(out, size, "%s/%s", dir, file);
}

/* "test digits", "test images", or the training rows when there is no test split. */
static const char *eval_words(const clae_run *r)
{
    int digits = strcmp(r->spec->data.train, "mnist") == 0;
    if (r->test.count) return digits ? "test digits" : "test images";
    return digits ? "training digits" : "training images";
}

static void format_mse(char *out, size_t size, double mse)
{
    if (mse >= 0.001 || mse == 0.0) snprintf(out, size, "%.4f", mse);
    else snprintf(out, size, "%.2e", mse);
}

/* ------------------------------------------------------ reconstructions */

clae_status clae__write_run_reconstructions(clae_run *r, const char *file,
                                            const float *originals, const float *corrupted,
                                            const float *reconstructions, int n)
{
    char path[4200], title[256], mse[32];
    join(path, sizeof path, r->spec->output.dir, file);
    format_mse(mse, sizeof mse, clae_result_get(r->result, "test_mse"));
    snprintf(title, sizeof title, "%s — %s, epoch %d, %s MSE %s",
             corrupted ? "denoising" : "reconstructions", eval_words(r),
             (int)clae_result_get(r->result, "epochs"), r->test.count ? "test" : "training", mse);
    return clae__write_reconstructions(r->ctx, path, title, clae__eval_set(r), originals,
                                       corrupted, reconstructions, n);
}

clae_status clae__write_snapshot(clae_run *r, int epoch)
{
    const clae_dataset *eval = clae__eval_set(r);
    clae_model *m = r->model;
    size_t n = (size_t)r->spec->output.samples;
    if (n > eval->count) n = eval->count;
    if (n > m->batch_max) n = m->batch_max;
    if (!n) return CLAE_OK;
    char dir[4200], file[64];
    join(dir, sizeof dir, r->spec->output.dir, "snapshots");
    clae_status s = clae__mkdir_p(r->ctx, dir);
    if (s != CLAE_OK) return s;
    float *recon = malloc(n * eval->dim * sizeof *recon);
    float *corrupted = r->denoising ? malloc(n * eval->dim * sizeof *corrupted) : NULL;
    if (!recon || (r->denoising && !corrupted)) {
        free(recon);
        free(corrupted);
        return clae__fail(r->ctx, CLAE_ENOMEM, "out of memory");
    }
    /* a denoising model is shown restoring the corrupted rows, as at the end */
    if (r->denoising) s = clae__buf_read(r->dev, &r->test_noisy, 0, n * eval->dim, corrupted);
    const clae_buf *input = r->denoising ? &r->test_noisy : clae__eval_x(r);
    if (s == CLAE_OK) s = clae__reconstruct_rows(m, input, 0, n, recon);
    snprintf(file, sizeof file, "snapshots/epoch-%03d.png", epoch);
    if (s == CLAE_OK) s = clae__write_run_reconstructions(r, file, eval->x, corrupted, recon, (int)n);
    free(recon);
    free(corrupted);
    return s;
}

/* ------------------------------------------------------------ loss.png */

/* The column of name in a CSV header line; -1 if absent. */
static int column_of(const char *header, const char *name)
{
    size_t len = strlen(name);
    int col = 0;
    for (const char *p = header; *p; col++) {
        size_t n = strcspn(p, ",\n");
        if (n == len && strncmp(p, name, len) == 0) return col;
        p += n;
        if (*p != ',') break;
        p++;
    }
    return -1;
}

/* The history's rows as numbers: rows x cols (malloc'd); -1 when out of memory. */
static int parse_history(const char *text, int cols, double **out)
{
    int rows = 0;
    for (const char *p = text; *p; p++) rows += *p == '\n';
    double *v = malloc((size_t)(rows ? rows : 1) * (size_t)cols * sizeof *v);
    if (!v) return -1;
    int row = 0;
    for (const char *p = text; *p && row < rows;) {
        int c = 0;
        for (char *end; c < cols; c++) {
            v[row * cols + c] = strtod(p, &end);
            if (end == p) break;
            p = end;
            if (*p != ',') {
                c++;
                break;
            }
            p++;
        }
        row += c == cols; /* a complete row */
        p = strchr(p, '\n');
        if (!p) break;
        p++;
    }
    *out = v;
    return row;
}

/* loss.png: per curve pair one colour: the total (when the objective has
 * several terms) and each term; train solid, test dashed. Columns are found
 * by name in loss.csv's header. */
static clae_status write_loss(clae_run *r)
{
    const clae_model *m = r->model;
    char header[1024], name[96];
    clae__loss_csv_header(m, header, sizeof header);
    int cols = 1;
    for (const char *p = header; *p; p++) cols += *p == ',';
    double *v = NULL;
    int rows = parse_history(r->history ? r->history : "", cols, &v);
    if (rows < 0) return clae__fail(r->ctx, CLAE_ENOMEM, "out of memory");
    int T = m->n_terms, pairs = T > 1 ? T + 1 : 1;
    size_t stride = (size_t)(rows ? rows : 1);
    double *x = malloc(stride * sizeof *x), *y = malloc(stride * (size_t)(2 * pairs) * sizeof *y);
    clae_series series[2 * (CLAE_MAX_TERMS + 1)];
    char names[2 * (CLAE_MAX_TERMS + 1)][64];
    if (!x || !y) {
        free(v);
        free(x);
        free(y);
        return clae__fail(r->ctx, CLAE_ENOMEM, "out of memory");
    }
    const char *test = r->test.count ? "test" : "eval";
    int epoch_col = column_of(header, "epoch"), n_series = 0;
    for (int i = 0; i < rows; i++) x[i] = epoch_col >= 0 ? v[i * cols + epoch_col] : i + 1;
    double lo = INFINITY, hi = 0.0;
    int positive = 1;
    for (int k = 0; k < 2 * pairs; k++) {
        int pair = k / 2, is_test = k % 2, t = T > 1 ? pair - 1 : 0;
        snprintf(name, sizeof name, "%s_%s", is_test ? "test" : "train",
                 t < 0 ? "loss" : m->term_names[t]);
        int col = column_of(header, name);
        if (col < 0) continue;
        double *yk = y + (size_t)n_series * stride;
        for (int i = 0; i < rows; i++) {
            yk[i] = v[i * cols + col];
            if (!isfinite(yk[i])) continue;
            if (yk[i] <= 0) positive = 0;
            else lo = fmin(lo, yk[i]);
            hi = fmax(hi, yk[i]);
        }
        snprintf(names[n_series], sizeof names[0], "%s %s", is_test ? test : "train",
                 t < 0 ? "loss (sum)" : m->term_names[t]);
        /* each term keeps its colour whatever the family; the sum is black */
        series[n_series] = (clae_series){names[n_series], x, yk, rows, is_test, t < 0 ? 15 : t};
        n_series++;
    }
    char path[4200], title[160];
    join(path, sizeof path, r->spec->output.dir, "loss.png");
    snprintf(title, sizeof title, "loss per epoch — train (solid) and %s (dashed)", test);
    int log_y = positive && hi > 10 * lo; /* the values span more than a decade */
    clae_line_plot plot = {title, "epoch", log_y ? "loss (log scale)" : "loss", log_y, series,
                           n_series};
    clae_status s = clae__plot_lines(r->ctx, path, &plot);
    free(v);
    free(x);
    free(y);
    return s;
}

/* ---------------------------------------------------------- latent.png */

/* Projects n codes of width d onto their first two principal axes, in place
 * into xy (n x 2); share[k] gets the fraction of variance of axis k. */
static clae_status principal_axes(clae_ctx *ctx, const float *codes, size_t n, int d, float *px,
                                  float *py, double share[2])
{
    double *mean = calloc((size_t)d, sizeof *mean), *cov = calloc((size_t)d * (size_t)d, sizeof *cov);
    double *eig = malloc((size_t)d * sizeof *eig);
    clae_status s = CLAE_OK;
    if (!mean || !cov || !eig) {
        s = clae__fail(ctx, CLAE_ENOMEM, "out of memory");
        goto done;
    }
    for (size_t i = 0; i < n; i++)
        for (int j = 0; j < d; j++) mean[j] += codes[i * (size_t)d + (size_t)j];
    for (int j = 0; j < d; j++) mean[j] /= (double)n;
    for (size_t i = 0; i < n; i++) {
        const float *c = codes + i * (size_t)d;
        for (int a = 0; a < d; a++)
            for (int b = a; b < d; b++) cov[a * d + b] += (c[a] - mean[a]) * (c[b] - mean[b]);
    }
    for (int a = 0; a < d; a++)
        for (int b = a; b < d; b++) cov[b * d + a] = cov[a * d + b] /= (double)(n > 1 ? n - 1 : 1);
    /* eigenvalues ascending, eigenvectors in the columns (row-major) */
    lapack_int info = LAPACKE_dsyevd(LAPACK_ROW_MAJOR, 'V', 'U', d, cov, d, eig);
    if (info != 0) {
        s = clae__fail(ctx, CLAE_EINTERNAL, "latent.png: eigen-decomposition failed (%d)",
                       (int)info);
        goto done;
    }
    double total = 0.0;
    for (int j = 0; j < d; j++) total += eig[j] > 0 ? eig[j] : 0.0;
    for (int k = 0; k < 2; k++) {
        int col = d - 1 - k;
        share[k] = total > 0 ? fmax(eig[col], 0.0) / total : 0.0;
        /* a fixed sign: the largest component of each axis is positive */
        int big = 0;
        for (int j = 1; j < d; j++)
            if (fabs(cov[j * d + col]) > fabs(cov[big * d + col])) big = j;
        double sign = cov[big * d + col] < 0 ? -1.0 : 1.0;
        float *out = k ? py : px;
        for (size_t i = 0; i < n; i++) {
            double p = 0.0;
            for (int j = 0; j < d; j++)
                p += (codes[i * (size_t)d + (size_t)j] - mean[j]) * cov[j * d + col];
            out[i] = (float)(sign * p);
        }
    }
done:
    free(mean);
    free(cov);
    free(eig);
    return s;
}

static clae_status write_latent(clae_run *r)
{
    clae_model *m = r->model;
    const clae_dataset *eval = clae__eval_set(r);
    size_t n = eval->count < MAX_POINTS ? eval->count : MAX_POINTS;
    int d = m->code;
    if (!n || d < 1) return CLAE_OK;
    float *codes = malloc(n * (size_t)d * sizeof *codes);
    float *px = malloc(n * sizeof *px), *py = malloc(n * sizeof *py);
    if (!codes || !px || !py) {
        free(codes);
        free(px);
        free(py);
        return clae__fail(r->ctx, CLAE_ENOMEM, "out of memory");
    }
    char xl[96], yl[96], title[160], path[4200];
    clae_status s = clae__encode_all(m, clae__eval_x(r), n, codes);
    if (s == CLAE_OK && d <= 2) {
        for (size_t i = 0; i < n; i++) {
            px[i] = codes[i * (size_t)d];
            py[i] = d == 2 ? codes[i * (size_t)d + 1] : (float)i; /* 1-D: spread by row */
        }
        snprintf(xl, sizeof xl, "code 1");
        snprintf(yl, sizeof yl, d == 2 ? "code 2" : "row");
        int variational = clae__model_find(m, &clae_sampler_vt, 0) >= 0;
        snprintf(title, sizeof title, "latent codes%s — %zu %s", variational ? " (means)" : "",
                 n, eval_words(r));
    } else if (s == CLAE_OK) {
        double share[2];
        s = principal_axes(r->ctx, codes, n, d, px, py, share);
        snprintf(xl, sizeof xl, "principal axis 1 (%.0f%% of variance)", 100 * share[0]);
        snprintf(yl, sizeof yl, "principal axis 2 (%.0f%% of variance)", 100 * share[1]);
        snprintf(title, sizeof title, "latent codes (%d-D) on their first two principal axes — %zu %s",
                 d, n, eval_words(r));
    }
    join(path, sizeof path, r->spec->output.dir, "latent.png");
    clae_scatter_plot plot = {title, xl, yl, px, py, n, eval->labels, NULL};
    if (s == CLAE_OK) s = clae__plot_scatter(r->ctx, path, &plot);
    free(codes);
    free(px);
    free(py);
    return s;
}

/* -------------------------------------------------------- features.png */

static const clae_tensor_info *find_tensor(const clae_model *m, const char *name)
{
    for (int i = 0; i < m->n_tensors; i++)
        if (!m->tensors[i].stats && strcmp(m->tensors[i].name, name) == 0) return &m->tensors[i];
    return NULL;
}

/* The first layer with a weight tensor (noise and dropout have none). */
static const clae_layer *first_weighted(const clae_model *m, const clae_tensor_info **w)
{
    char name[64];
    for (int i = 0; i < m->n_layers; i++) {
        snprintf(name, sizeof name, "%s.weight", m->layers[i]->name);
        if ((*w = find_tensor(m, name))) return m->layers[i];
    }
    return NULL;
}

clae_status clae__first_layer_tiles(clae_ctx *ctx, clae_model *m, float **tiles, int *count,
                                    int *channels, int *height, int *width)
{
    *tiles = NULL;
    *count = *channels = *height = *width = 0;
    const clae_tensor_info *w = NULL;
    const clae_layer *l = first_weighted(m, &w);
    if (!l || (l->vt != &clae_dense_vt && l->vt != &clae_conv_vt))
        return clae__fail(ctx, CLAE_EDATA, "features: the model's first weighted layer (%s) is "
                          "neither dense nor a convolution", l ? l->vt->kind : "none");
    int n, c, h, wd;
    if (l->vt == &clae_dense_vt) {
        /* weight [units, in]: a unit's row is its view of the input */
        size_t in = w->shape[1];
        n = (int)(w->shape[0] < MAX_UNITS ? w->shape[0] : MAX_UNITS);
        if (clae_shape_size(m->input) == in) c = m->input.c, h = m->input.h, wd = m->input.w;
        else c = 1, h = 1, wd = (int)in;
        if (c != 1 && c != 3) h *= c, c = 1; /* channel planes one under another */
    } else {
        /* weight [filters, C, k, k]: C = 1 grey, 3 RGB, else each plane apart */
        int f = (int)w->shape[0], C = (int)w->shape[1];
        h = (int)w->shape[2];
        wd = (int)w->shape[3];
        c = C == 1 || C == 3 ? C : 1;
        n = C == c ? f : f * C;
    }
    size_t dim = (size_t)c * (size_t)h * (size_t)wd, total = (size_t)n * dim;
    float *out = malloc(total * sizeof *out);
    if (!out) return clae__fail(ctx, CLAE_ENOMEM, "out of memory");
    clae_status s = clae__buf_read(m->dev, &m->params, w->offset, total, out);
    if (s != CLAE_OK) {
        free(out);
        return s;
    }
    *tiles = out;
    *count = n;
    *channels = c;
    *height = h;
    *width = wd;
    return CLAE_OK;
}

static clae_status write_features(clae_run *r)
{
    float *tiles = NULL;
    int n, c, h, w;
    clae_status s = clae__first_layer_tiles(r->ctx, r->model, &tiles, &n, &c, &h, &w);
    if (s == CLAE_EDATA) { /* a model without such a layer has no features to show */
        clae_ctx_clear(r->ctx);
        return CLAE_OK;
    }
    if (s != CLAE_OK) return s;
    const clae_tensor_info *wt = NULL;
    const clae_layer *l = first_weighted(r->model, &wt);
    int cols = n <= 8 ? n : n <= 64 ? 8 : 16;
    char path[4200], title[160];
    join(path, sizeof path, r->spec->output.dir, "features.png");
    if (l->vt == &clae_dense_vt && (size_t)n < wt->shape[0])
        snprintf(title, sizeof title, "first-layer weights — the first %d of %zu units, each "
                 "over the input", n, wt->shape[0]);
    else if (l->vt == &clae_dense_vt)
        snprintf(title, sizeof title, "first-layer weights — %d units, each over the input", n);
    else
        snprintf(title, sizeof title, "first-layer filters — %d of %dx%d%s", n, h, w,
                 c == 3 ? " (RGB)" : "");
    clae_tile_figure f = {.title = title,
                          .caption = "each tile scaled to its own ±max |w|: white positive, "
                                     "black negative, grey 0",
                          .rows = (n + cols - 1) / cols, .cols = cols, .channels = c,
                          .height = h, .width = w, .tiles = tiles,
                          .scaling = CLAE_TILES_SYMMETRIC, .count = n};
    s = clae__plot_tiles(r->ctx, path, &f);
    free(tiles);
    return s;
}

/* -------------------------------------------------------- manifold.png */

/* The standard normal's quantile function, by bisection on erfc (a few
 * hundred calls per picture: speed does not matter). */
static double normal_quantile(double p)
{
    double lo = -10.0, hi = 10.0;
    for (int i = 0; i < 80; i++) {
        double mid = 0.5 * (lo + hi);
        if (0.5 * erfc(-mid / sqrt(2.0)) < p) lo = mid;
        else hi = mid;
    }
    return 0.5 * (lo + hi);
}

static double grid_value(int i, int side, double range)
{
    if (range <= 0) return normal_quantile((i + 0.5) / side);
    return side > 1 ? -range + 2.0 * range * i / (side - 1) : 0.0;
}

clae_status clae__decode_grid(clae_model *m, int side, double range, float *out)
{
    clae_ctx *ctx = m->dev->ctx;
    if (m->code != 2)
        return clae__fail(ctx, CLAE_EUSAGE, "a latent grid needs a 2-D code; this model's code "
                          "has %d units", m->code);
    if (side < 1 || side > 1000)
        return clae__fail(ctx, CLAE_EUSAGE, "latent grid: side %d is not in 1..1000", side);
    size_t total = (size_t)side * (size_t)side, batch = m->batch_max;
    float *z = malloc(2 * batch * sizeof *z);
    clae_buf zb = {0};
    const clae_buf *recon = NULL;
    if (!z) return clae__fail(ctx, CLAE_ENOMEM, "out of memory");
    clae_status s = clae__buf_create(m->dev, 2 * batch, &zb);
    for (size_t first = 0; first < total && s == CLAE_OK; first += batch) {
        size_t n = total - first < batch ? total - first : batch;
        for (size_t k = 0; k < n; k++) {
            int row = (int)((first + k) / (size_t)side), col = (int)((first + k) % (size_t)side);
            z[2 * k] = (float)grid_value(col, side, range);
            z[2 * k + 1] = (float)grid_value(side - 1 - row, side, range); /* top row: z2 high */
        }
        s = clae__buf_write(m->dev, &zb, 0, 2 * n, z);
        if (s == CLAE_OK) s = clae__model_decode(m, &zb, n);
        if (s == CLAE_OK) s = clae__model_reconstruction(m, n, &recon);
        if (s == CLAE_OK)
            s = clae__buf_read(m->dev, recon, 0, n * (size_t)m->input_dim,
                               out + first * (size_t)m->input_dim);
    }
    clae__buf_release(&zb);
    free(z);
    return s;
}

static clae_status write_manifold(clae_run *r)
{
    clae_model *m = r->model;
    const clae_dataset *shape = clae__eval_set(r);
    int side = MANIFOLD_SIDE;
    float *images = malloc((size_t)(side * side) * shape->dim * sizeof *images);
    const char **rows = malloc((size_t)side * sizeof *rows);
    char (*row_text)[24] = malloc((size_t)side * sizeof *row_text);
    if (!images || !rows || !row_text) {
        free(images);
        free(rows);
        free(row_text);
        return clae__fail(r->ctx, CLAE_ENOMEM, "out of memory");
    }
    clae_status s = clae__decode_grid(m, side, 0.0, images);
    for (int i = 0; i < side; i++) {
        snprintf(row_text[i], sizeof row_text[i], "z2 = %+.2f", grid_value(side - 1 - i, side, 0.0));
        rows[i] = row_text[i];
    }
    char path[4200], caption[160];
    join(path, sizeof path, r->spec->output.dir, "manifold.png");
    snprintf(caption, sizeof caption,
             "columns: z1 from %+.2f (left) to %+.2f (right), the N(0, 1) quantiles "
             "%.3f ... %.3f", grid_value(0, side, 0.0), grid_value(side - 1, side, 0.0),
             0.5 / side, 1 - 0.5 / side);
    clae_tile_figure f = {.title = "latent manifold — the decoder over the 2-D code (z1, z2)",
                          .caption = caption, .rows = side, .cols = side,
                          .channels = shape->channels, .height = shape->height,
                          .width = shape->width, .tiles = images, .row_labels = rows,
                          .scaling = CLAE_TILES_CLAMP, .gap = -1};
    if (s == CLAE_OK) s = clae__plot_tiles(r->ctx, path, &f);
    free(images);
    free(rows);
    free(row_text);
    return s;
}

clae_status clae__write_run_pictures(clae_run *r)
{
    clae_status s = write_loss(r);
    if (s == CLAE_OK) s = write_latent(r);
    if (s == CLAE_OK) s = write_features(r);
    if (s == CLAE_OK && r->model->code == 2 && clae__model_find(r->model, &clae_sampler_vt, 0) >= 0)
        s = write_manifold(r);
    return s;
}
