/* The training loop: data on the device, one pass per epoch over a shuffled
 * order (inputs corrupted on the device for denoising), loss scalars read
 * back only every few batches, the epoch's report after each epoch. */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "io/checkpoint.h"
#include "data/mapped.h"
#include "data/source.h"
#include "io/fsutil.h"
#include "kernels/ops.h"
#include "train/evaluate.h"
#include "train/pretrain.h"
#include "train/resume_check.h"
#include "train/step.h"
#include "train/train_run.h"

/* Loss scalars are read back (and checked for NaN) at most this often. */
#define PROGRESS_INTERVAL_S 0.25
double clae__now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

clae_status clae__append_history(clae_run *r, const char *row)
{
    size_t n = strlen(row);
    char *grown = realloc(r->history, r->history_len + n + 1);
    if (!grown) return clae__fail(r->ctx, CLAE_ENOMEM, "out of memory");
    memcpy(grown + r->history_len, row, n + 1);
    r->history = grown;
    r->history_len += n;
    return CLAE_OK;
}

void clae__checkpoint_path(const clae_run *r, char *path, size_t size)
{
    snprintf(path, size, "%s/model.safetensors", r->spec->output.dir);
}

void clae__best_checkpoint_path(const clae_run *r, char *path, size_t size)
{
    snprintf(path, size, "%s/model.best.safetensors", r->spec->output.dir);
}

int clae__should_stop_early(const clae_run *r, int epoch)
{
    int patience = r->spec->train.patience;
    return patience > 0 && r->best_epoch > 0 && epoch - r->best_epoch >= patience;
}

/* Resuming: the best test loss so far and its epoch, from the loss.csv rows
 * the checkpoint keeps (test_loss follows train_loss and its terms). */
static void restore_best(clae_run *r)
{
    int column = 2 + r->model->n_terms;
    for (const char *row = r->history; row && *row;) {
        const char *c = row;
        long epoch = strtol(c, NULL, 10);
        for (int k = 0; k < column && c; k++) {
            c = strpbrk(c, ",\n");
            c = c && *c == ',' ? c + 1 : NULL;
        }
        double loss = c ? strtod(c, NULL) : NAN;
        if (isfinite(loss) && loss < r->best_loss) {
            r->best_loss = loss;
            r->best_epoch = (int)epoch;
        }
        row = strchr(row, '\n');
        row = row ? row + 1 : NULL;
    }
}

const clae_dataset *clae__eval_set(const clae_run *r) { return r->test.count ? &r->test : &r->train; }

const clae_buf *clae__eval_x(const clae_run *r) { return r->test.count ? &r->test_x : &r->train_x; }

/* The number of comma-separated fields of a line of text. */
static int fields_of(const char *line)
{
    int n = 1;
    for (; *line && *line != '\n'; line++) n += *line == ',';
    return n;
}

/* A run resumes under the same loss terms it was started with: loss.csv,
 * loss.png and the best epoch read the history's columns by this model's
 * header. (Checkpoints from before the header was kept: the first row's
 * width, which catches a term added or removed.) */
static clae_status same_loss_columns(clae_run *r, const char *path, const char *stored,
                                     const char *history)
{
    char header[512];
    clae__loss_csv_header(r->model, header, sizeof header);
    int differs = stored && stored[0] ? strcmp(stored, header) != 0
                                      : history && history[0] && fields_of(history) != fields_of(header);
    if (!differs) return CLAE_OK;
    return clae__fail(r->ctx, CLAE_EUSAGE,
                      "%s: the run was trained with other loss terms (loss.csv %s); resume it "
                      "under its own [loss], or start over with --force",
                      path, stored && stored[0] ? stored : "has other columns");
}

/* A checkpoint's epoch and step are counts written by clae: plain digits, in
 * range. Anything else (a sign, spaces, an empty value, a number that would
 * wrap) is a corrupt file, not something to read as the nearest number: a
 * wrapped epoch resumes at a negative one, a step of -1 makes Adam's bias
 * correction NaN. */
#define MAX_STEP (UINT64_C(1) << 53)
static int meta_count(const char *text, uint64_t max, uint64_t *out)
{
    uint64_t v = 0;
    if (!*text) return -1;
    for (const char *c = text; *c; c++) {
        if (*c < '0' || *c > '9') return -1;
        v = v * 10 + (uint64_t)(*c - '0');
        if (v > max) return -1;
    }
    *out = v;
    return 0;
}

static clae_status resume(clae_run *r)
{
    char path[4200];
    clae__checkpoint_path(r, path, sizeof path);
    if (access(path, F_OK) != 0)
        return clae__fail(r->ctx, CLAE_EUSAGE, "%s: no checkpoint to resume from", path);
    clae_safetensors *st = NULL;
    clae_status s = clae_safetensors_read(r->ctx, path, &st);
    if (s != CLAE_OK) return s;
    const char *format = clae_safetensors_meta(st, "format");
    if (format && strcmp(format, CLAE_WEIGHTS_FORMAT) == 0)
        s = clae__fail(r->ctx, CLAE_EUSAGE,
                       "%s: exported weights (no optimiser state) cannot be resumed; resume "
                       "from the run's model.safetensors", path);
    if (s == CLAE_OK)
        s = clae__check_resume_spec(r->ctx, path, clae_safetensors_meta(st, "spec"), r->spec);
    if (s == CLAE_OK) s = clae__checkpoint_restore(r->ctx, path, st, r->model, &r->opt);
    const char *epoch = clae_safetensors_meta(st, "epoch");
    const char *step = clae_safetensors_meta(st, "step");
    const char *history = clae_safetensors_meta(st, "loss_history");
    if (s == CLAE_OK && (!epoch || !step))
        s = clae__fail(r->ctx, CLAE_EDATA, "%s: not a clae checkpoint (no epoch/step metadata)",
                       path);
    uint64_t e = 0, t = 0;
    if (s == CLAE_OK && meta_count(epoch, CLAE_SPEC_MAX_COUNT, &e) != 0)
        s = clae__fail(r->ctx, CLAE_EDATA,
                       "%s: corrupt checkpoint: epoch \"%s\" is not an integer from 0 to %d",
                       path, epoch, CLAE_SPEC_MAX_COUNT);
    if (s == CLAE_OK && meta_count(step, MAX_STEP, &t) != 0)
        s = clae__fail(r->ctx, CLAE_EDATA,
                       "%s: corrupt checkpoint: step \"%s\" is not an integer from 0 to 2^53",
                       path, step);
    if (s == CLAE_OK) {
        r->first_epoch = (int)e;
        r->opt.steps = t;
    }
    if (s == CLAE_OK) s = same_loss_columns(r, path, clae_safetensors_meta(st, "loss_columns"), history);
    if (s == CLAE_OK && history) s = clae__append_history(r, history);
    if (s == CLAE_OK) restore_best(r);
    clae_safetensors_free(st);
    /* A finished run (killed, perhaps, while it wrote its pictures) trains no
     * further: the final evaluation and outputs are written again, which is
     * what a restart after the last checkpoint needs. */
    if (s == CLAE_OK && r->first_epoch >= r->spec->train.epochs)
        clae__log(r->ctx, CLAE_LOG_INFO,
                  "%s: already trained for %d epochs: writing the final outputs (ask for more "
                  "with --epochs)", path, r->first_epoch);
    else if (s == CLAE_OK)
        clae__log(r->ctx, CLAE_LOG_INFO, "resuming %s after epoch %d (step %" PRIu64 ")", path,
                  r->first_epoch, r->opt.steps);
    return s;
}

/* Rows of a mapped set converted at a time: about 1 MiB of floats. */
static size_t chunk_rows(size_t dim)
{
    size_t rows = ((size_t)1 << 18) / (dim ? dim : 1);
    return rows ? rows : 1;
}

/* The set on the device: in one write from memory, or a mapped one's rows
 * converted and written a chunk at a time, never whole on the host. */
static clae_status upload_dataset(clae_run *r, const clae_dataset *ds, clae_buf *buf)
{
    clae_status s = clae__buf_create(r->dev, ds->count * ds->dim, buf);
    if (s != CLAE_OK || !ds->mapped) {
        if (s == CLAE_OK) s = clae__buf_write(r->dev, buf, 0, ds->count * ds->dim, ds->x);
        return s;
    }
    size_t per = chunk_rows(ds->dim);
    float *rows = malloc(per * ds->dim * sizeof *rows);
    if (!rows) return clae__fail(r->ctx, CLAE_ENOMEM, "out of memory");
    for (size_t first = 0; first < ds->count && s == CLAE_OK; first += per) {
        size_t n = ds->count - first < per ? ds->count - first : per;
        clae_dataset_rows(ds, NULL, first, n, rows);
        s = clae__buf_write(r->dev, buf, first * ds->dim, n * ds->dim, rows);
    }
    free(rows);
    return s;
}

/* The mean training image (summed a chunk of rows at a time, in double,
 * row by row), then the host copy of the training set (or its mapping) goes
 * when the device holds it and the test split is the evaluation set: a run
 * holds its data once on the host (plus the device's copy). */
static clae_status keep_train_mean(clae_run *r)
{
    size_t dim = r->train.dim, count = r->train.count, per = chunk_rows(dim);
    r->train_mean = calloc(dim ? dim : 1, sizeof *r->train_mean);
    float *rows = malloc((dim ? per * dim : 1) * sizeof *rows);
    if (!r->train_mean || !rows) {
        free(rows);
        return clae__fail(r->ctx, CLAE_ENOMEM, "out of memory");
    }
    for (size_t first = 0; first < count; first += per) {
        size_t n = count - first < per ? count - first : per;
        clae_dataset_rows(&r->train, NULL, first, n, rows);
        for (size_t i = 0; i < n; i++)
            for (size_t j = 0; j < dim; j++) r->train_mean[j] += rows[i * dim + j];
    }
    free(rows);
    for (size_t j = 0; j < dim; j++) r->train_mean[j] /= count ? (double)count : 1.0;
    if (r->test.count && !r->streaming) clae__dataset_drop_samples(&r->train);
    return CLAE_OK;
}

static double mib(double bytes) { return bytes / (1024.0 * 1024.0); }

/* [data] stream: the training set stays on the host and each batch is
 * uploaded as the step before it runs, when asked, or (auto) when the
 * training and evaluation sets take more than half of what the device may
 * hold ([data] device_memory, else its global memory). */
static clae_status choose_streaming(clae_run *r)
{
    const clae_spec *spec = r->spec;
    double data = 4.0 * (double)r->train.dim * (double)(r->train.count + r->test.count);
    double device = spec->data.device_memory ? (double)spec->data.device_memory
                                             : (double)clae_device_get_info(r->dev)->global_mem_bytes;
    r->streaming = spec->data.stream == CLAE_STREAM_YES ||
                   (spec->data.stream == CLAE_STREAM_AUTO && data > device / 2);
    if (!r->streaming) return CLAE_OK;
    if (spec->train.pretrain_greedy)
        return clae__fail(r->ctx, CLAE_EUSAGE,
                          "pretrain = greedy needs the training set on the device, but it is "
                          "streamed ([data] stream; %.1f MiB of data, %.1f MiB of device memory)",
                          mib(data), mib(device));
    if (!r->test.count)
        return clae__fail(r->ctx, CLAE_EUSAGE,
                          "a streamed training set needs a test split to evaluate on the device "
                          "([data] holdout or test)");
    clae__log(r->ctx, CLAE_LOG_INFO,
              "streaming batches from the host: %.1f MiB of data, %.1f MiB of device memory", mib(data),
              mib(device));
    return CLAE_OK;
}

/* A model that draws at random in training (noise, dropout, a VAE's eps)
 * keys each value by its 32-bit place in the step: the step must fit. */
static clae_status check_draw_range(clae_run *r)
{
    const clae_spec *spec = r->spec;
    int draws = spec->noise.gaussian > 0 || spec->noise.mask > 0 || spec->model.variational;
    for (int i = 0; i < spec->n_encoder; i++) draws |= spec->encoder[i].kind == CLAE_LAYER_DROPOUT;
    for (int i = 0; i < spec->n_decoder; i++) draws |= spec->decoder[i].kind == CLAE_LAYER_DROPOUT;
    size_t widest = 0;
    for (int i = 0; i < r->model->n_layers; i++) {
        size_t in = clae_shape_size(r->model->layers[i]->in);
        if (in > widest) widest = in;
    }
    double values = (double)r->batch * spec->train.accumulate * (double)widest;
    if (!draws || values < 4294967296.0) return CLAE_OK;
    return clae__fail(r->ctx, CLAE_EUSAGE,
                      "a step of %zu x %d samples draws %.0f random values in a layer, more than "
                      "the 2^32 its draws can key: make [train] batch or accumulate smaller",
                      r->batch, spec->train.accumulate, values);
}

/* A training set that may be streamed, with a test split to evaluate on,
 * is mapped rather than read when its file allows (plain IDX or NPY of
 * bytes or floats; see clae__load_training_datasets): then neither the
 * stream nor the upload to the device holds it whole on the host. */
static int may_map_train(const clae_spec *spec)
{
    return spec->data.stream != CLAE_STREAM_NO && (spec->data.holdout > 0.0 || spec->data.test[0]);
}

static clae_status setup(clae_run *r)
{
    const clae_spec *spec = r->spec;
    clae_status s =
        clae__load_training_datasets(r->ctx, spec, may_map_train(spec), &r->train, &r->test);
    if (s != CLAE_OK) return s;
    r->mapped = r->train.mapped != NULL;
    if (r->mapped)
        clae__log(r->ctx, CLAE_LOG_INFO, "%s: mapped (%.1f MiB), not read into memory",
                  r->train.name, mib((double)clae__mapped_bytes(r->train.mapped)));
    if (r->train.dim > (size_t)CLAE_SPEC_MAX_COUNT)
        return clae__fail(r->ctx, CLAE_EDATA, "%s: %zu values per sample is too many",
                          r->train.name, r->train.dim);
    s = r->writer ? clae__mkdir_p(r->ctx, spec->output.dir) : CLAE_OK;
    if (s != CLAE_OK) return s;

    /* A batch is split over the ranks, each holding its share on its device;
     * [train] accumulate batches make an optimiser step. */
    size_t batch = (size_t)spec->train.batch, ranks = (size_t)r->dist->size;
    if (batch > r->train.count) batch = r->train.count;
    r->batch = batch;
    size_t dim = r->train.dim, batches = (r->train.count + batch - 1) / batch;
    size_t share = (batch + ranks - 1) / ranks;
    clae_shape shape = {r->train.channels, r->train.height, r->train.width};
    /* rank 0 evaluates and draws the pictures in chunks of the whole batch, as one device does */
    s = clae__model_create(r->dev, spec, shape, r->writer ? batch : share, &r->model);
    if (s == CLAE_OK) s = clae__optimizer_create(r->dev, spec, r->model->n_params, &r->opt);
    if (s == CLAE_OK) s = clae__optimizer_join(r->dev, &r->opt, r->dist, r->model->n_params);
    if (s == CLAE_OK) s = check_draw_range(r);
    /* The whole dataset stays on the device and batches are gathered there;
     * or, streamed, the training set stays on the host. */
    if (s == CLAE_OK) s = choose_streaming(r);
    if (s == CLAE_OK && !r->streaming) s = upload_dataset(r, &r->train, &r->train_x);
    if (s == CLAE_OK) s = keep_train_mean(r);
    if (s == CLAE_OK && r->test.count) s = upload_dataset(r, &r->test, &r->test_x);
    if (s == CLAE_OK && !r->streaming) s = clae__buf_create(r->dev, r->train.count, &r->order);
    if (s == CLAE_OK && !r->streaming) s = clae__buf_create(r->dev, share * dim, &r->batch_x);
    if (s == CLAE_OK && r->streaming) s = clae__batch_stream_open(r->dev, share, dim, &r->stream);
    if (s == CLAE_OK)
        s = clae__buf_create(r->dev, batches * (size_t)r->model->n_terms, &r->losses);
    r->denoising = spec->noise.gaussian > 0 || spec->noise.mask > 0;
    if (s == CLAE_OK && r->denoising) {
        const clae_dataset *eval = clae__eval_set(r);
        s = clae__buf_create(r->dev, eval->count * dim, &r->test_noisy);
        if (s == CLAE_OK)
            s = clae__corrupt(r->dev, eval->count * dim, clae__eval_x(r), 0, &r->test_noisy, 0,
                              spec->train.seed ^ CLAE_EVAL_NOISE_KEY, 0, 0,
                              (float)spec->noise.gaussian, (float)spec->noise.mask);
    }
    if (s != CLAE_OK) return s;
    r->host_losses = malloc(batches * (size_t)r->model->n_terms * sizeof *r->host_losses);
    r->perm = malloc(r->train.count * sizeof *r->perm);
    if (!r->host_losses || !r->perm) return clae__fail(r->ctx, CLAE_ENOMEM, "out of memory");

    s = clae__model_init(r->model, spec->train.seed);
    if (s == CLAE_OK && r->opts->resume && r->writer) s = resume(r);
    return s == CLAE_OK ? clae__share_state(r) : s;
}

/* "training diverged at epoch E, batch B: the T loss is NaN; ..." (batch 0:
 * not said, as when the ranks' sums tell it). */
static clae_status diverged(clae_run *r, int epoch, size_t batch, size_t term, double v)
{
    char path[4200], at[48] = "";
    clae__checkpoint_path(r, path, sizeof path);
    if (batch) snprintf(at, sizeof at, ", batch %zu", batch);
    return clae__fail(r->ctx, CLAE_EDIVERGED,
                      "training diverged at epoch %d%s: the %s loss is %s; %s keeps epoch %d "
                      "(try a lower learning_rate)",
                      epoch, at, r->model->term_names[term], isnan(v) ? "NaN" : "infinite",
                      r->first_epoch || epoch > 1 ? path : "no checkpoint", epoch - 1);
}

/* Means of the terms over batches [0, done), weighted by their rows, of this
 * rank's shares or (over_ranks) of every rank's; fails on the first
 * non-finite value. */
static clae_status read_losses(clae_run *r, int epoch, size_t done, int over_ranks, double *terms)
{
    size_t n_terms = (size_t)r->model->n_terms;
    clae_status s = clae__buf_read(r->dev, &r->losses, 0, done * n_terms, r->host_losses);
    if (s != CLAE_OK) return s;
    double weight = 0.0;
    for (size_t t = 0; t < n_terms; t++) terms[t] = 0.0;
    /* Over ranks a NaN is found in the epoch's sums, which every rank holds, so
     * that all stop alike (a rank's own view mid-epoch decides nothing). */
    int ranks = r->dist->size > 1, over = over_ranks && ranks;
    for (size_t b = 0; b < done; b++) {
        size_t rows = clae__micro_batch(b, r->train.count, r->batch, 1, r->dist).rows;
        for (size_t t = 0; t < n_terms && rows > 0; t++) {
            float v = r->host_losses[b * n_terms + t];
            if (!isfinite(v) && !ranks) return diverged(r, epoch, b + 1, t, v);
            terms[t] += v * (double)rows;
        }
        weight += (double)rows;
    }
    if (over) {
        double sums[CLAE_MAX_TERMS + 1];
        for (size_t t = 0; t < n_terms; t++) sums[t] = terms[t];
        sums[n_terms] = weight;
        s = clae_dist_sum_doubles(r->ctx, r->dist, sums, n_terms + 1);
        if (s != CLAE_OK) return s;
        for (size_t t = 0; t < n_terms; t++) {
            terms[t] = sums[t];
            if (!isfinite(terms[t])) return diverged(r, epoch, 0, t, terms[t]);
        }
        weight = sums[n_terms];
    }
    for (size_t t = 0; t < n_terms; t++) terms[t] = weight > 0 ? terms[t] / weight : 0.0;
    return CLAE_OK;
}

static double sum_terms(const clae_model *m, const double *terms)
{
    double sum = 0.0;
    for (int t = 0; t < m->n_terms; t++) sum += terms[t];
    return sum;
}

/* Batch b's rows (this rank's share) gathered on the host, from memory or
 * the mapped file, and on their way to slot b % 2. */
static clae_status stream_batch(clae_run *r, size_t b)
{
    clae_micro_batch mb = clae__micro_batch(b, r->train.count, r->batch, r->opt.accumulate, r->dist);
    if (mb.rows == 0) return CLAE_OK;
    float *rows;
    clae_status s = clae__batch_stream_rows(&r->stream, (int)(b % 2), &rows);
    if (s != CLAE_OK) return s;
    clae_dataset_rows(&r->train, r->perm, mb.first, mb.rows, rows);
    return clae__batch_stream_upload(&r->stream, (int)(b % 2), mb.rows);
}

static clae_status train_epoch(clae_run *r, int epoch, double run_start, double *terms)
{
    size_t batch = r->batch, dim = r->train.dim, count = r->train.count;
    size_t batches = (count + batch - 1) / batch, n_terms = (size_t)r->model->n_terms;
    const clae_spec *spec = r->spec;
    clae_shuffle(r->perm, count, spec->train.seed, (uint64_t)epoch);
    clae_status s = r->streaming ? CLAE_OK : clae__buf_write(r->dev, &r->order, 0, count, r->perm);
    if (s == CLAE_OK && r->streaming) s = stream_batch(r, 0);
    double start = clae__now_seconds(), last_report = start;
    clae__optimizer_set_epoch(&r->opt, spec, epoch);
    clae_progress p = {.epoch = epoch, .epochs = spec->train.epochs, .batches = batches,
                       .learning_rate = r->opt.lr, .n_terms = (int)n_terms};
    for (size_t t = 0; t < n_terms && t < 4; t++) p.term_names[t] = r->model->term_names[t];
    if (r->opts->progress && s == CLAE_OK) r->opts->progress(r->opts->progress_user, &p);
    for (size_t b = 0; b < batches && s == CLAE_OK; b++) {
        clae_micro_batch mb = clae__micro_batch(b, count, batch, r->opt.accumulate, r->dist);
        const clae_buf *x = &r->batch_x;
        if (r->streaming) { /* the next batch's upload beside this step */
            if (b + 1 < batches) s = stream_batch(r, b + 1);
            if (s == CLAE_OK && mb.rows > 0) s = clae__batch_stream_take(&r->stream, (int)(b % 2), &x);
        } else if (mb.rows > 0) {
            s = clae__gather_rows(r->dev, mb.rows, dim, &r->train_x, &r->order, mb.first,
                                  &r->batch_x, 0);
        }
        /* over ranks, a stop is agreed at a step's end, so that all stop there */
        r->opt.stop_local = r->opts->stop && *r->opts->stop;
        if (s == CLAE_OK)
            s = clae__train_micro_step(r->model, &r->opt, x, x, mb, &r->losses, b * n_terms);
        if (s == CLAE_OK && r->streaming && mb.rows > 0)
            s = clae__batch_stream_release(&r->stream, (int)(b % 2));
        if (s != CLAE_OK) break;
        if (clae__stop_after(&r->opt, mb)) {
            s = clae__fail(r->ctx, CLAE_EINTERRUPTED,
                           "interrupted in epoch %d; %s/model.safetensors keeps epoch %d "
                           "(continue with --resume)",
                           epoch, spec->output.dir, epoch - 1);
            break;
        }
        double t = clae__now_seconds();
        if (r->opts->progress && (t - last_report >= PROGRESS_INTERVAL_S || b + 1 == batches)) {
            s = read_losses(r, epoch, b + 1, 0, terms);
            if (s != CLAE_OK) break;
            t = clae__now_seconds();
            p.batch = b + 1;
            p.train_loss = sum_terms(r->model, terms);
            for (size_t k = 0; k < n_terms && k < 4; k++) p.terms[k] = terms[k];
            p.samples_per_second = (double)((b + 1) * batch) / (t - start);
            double per_epoch = (t - start) / (double)(b + 1) * (double)batches;
            double done = (double)(epoch - 1 - r->first_epoch) + (double)(b + 1) / (double)batches;
            double total = (double)(spec->train.epochs - r->first_epoch);
            p.eta_seconds = done > 0 ? (t - run_start) / done * (total - done) : per_epoch * total;
            r->opts->progress(r->opts->progress_user, &p);
            last_report = t;
        }
    }
    if (s == CLAE_OK) s = read_losses(r, epoch, batches, 1, terms);
    double seconds = clae__now_seconds() - start;
    /* Steady state: the first epoch pays for kernel compilation and warm-up. */
    if (epoch > r->first_epoch + 1 || spec->train.epochs == r->first_epoch + 1) {
        r->train_seconds += seconds;
        r->train_samples += (double)count;
    }
    return s;
}

static void cleanup(clae_run *r)
{
    clae__optimizer_release(&r->opt);
    clae__model_destroy(r->model);
    clae__batch_stream_close(&r->stream);
    clae__buf_release(&r->train_x);
    clae__buf_release(&r->test_x);
    clae__buf_release(&r->order);
    clae__buf_release(&r->batch_x);
    clae__buf_release(&r->losses);
    clae__buf_release(&r->test_noisy);
    clae_dataset_free(&r->train);
    clae_dataset_free(&r->test);
    free(r->host_losses);
    free(r->train_mean);
    free(r->perm);
    free(r->history);
}

clae_status clae_train(clae_ctx *ctx, clae_device *dev, const clae_train_options *opts,
                       clae_train_result *result)
{
    clae_run r;
    memset(&r, 0, sizeof r);
    memset(result, 0, sizeof *result);
    r.ctx = ctx;
    r.dev = dev;
    r.opts = opts;
    r.spec = opts->spec;
    r.result = result;
    r.best_loss = INFINITY;
    clae_dist one_rank = {.size = 1};
    r.dist = opts->dist ? opts->dist : &one_rank;
    r.writer = r.dist->rank == 0;
    double run_start = clae__now_seconds();
    clae_status s = setup(&r);
    if (s == CLAE_OK && opts->progress) { /* what is trained on what */
        char model[2048], data[512];
        clae__describe_model(r.model, model, sizeof model);
        clae__describe_data(&r, data, sizeof data);
        clae_progress p = {.started = 1, .model = model, .data = data,
                           .epoch = r.first_epoch, .epochs = r.spec->train.epochs};
        opts->progress(opts->progress_user, &p);
    }
    int stopped_early = 0;
    if (s == CLAE_OK && !opts->resume && r.spec->train.pretrain_greedy) s = clae__pretrain_greedy(&r);
    for (int epoch = r.first_epoch + 1; s == CLAE_OK && epoch <= r.spec->train.epochs; epoch++) {
        double epoch_start = clae__now_seconds(), terms[CLAE_MAX_TERMS] = {0};
        s = train_epoch(&r, epoch, run_start, terms);
        if (s == CLAE_OK) s = clae__check_ranks_agree(&r, epoch);
        /* rank 0 evaluates and writes; the others wait for its word on stopping early */
        if (s == CLAE_OK && r.writer) s = clae__finish_epoch(&r, epoch, terms, epoch_start);
        int32_t stop = s == CLAE_OK && r.writer && epoch < r.spec->train.epochs &&
                       clae__should_stop_early(&r, epoch);
        if (s == CLAE_OK) s = clae_dist_broadcast(ctx, r.dist, &stop, sizeof stop);
        if (s == CLAE_OK && stop) {
            stopped_early = 1;
            break;
        }
    }
    if (!r.writer) { /* the outputs are rank 0's */
        cleanup(&r);
        return s;
    }
    if (s == CLAE_OK && r.first_epoch >= r.spec->train.epochs) s = clae__finish_trained(&r);
    if (s == CLAE_OK) clae_result_set(result, "streamed", r.streaming);
    if (s == CLAE_OK) clae_result_set(result, "mapped", r.mapped);
    if (s == CLAE_OK && r.opt.sums) { /* what the ranks' gradient sums cost, per step */
        clae_result_set(result, "ranks", r.dist->size);
        clae_result_set(result, "buckets", r.opt.buckets.n);
        clae_result_set(result, "last_bucket_share", clae__buckets_last_share(&r.opt.buckets));
        clae_result_set(result, "allreduce_ms",
                        1e3 * r.opt.buckets.mpi_seconds / (double)r.opt.sums);
        clae_result_set(result, "exchange_wait_ms",
                        1e3 * r.opt.buckets.wait_seconds / (double)r.opt.sums);
    }
    if (s == CLAE_OK) {
        clae_result_set(result, "stopped_early", stopped_early);
        clae_result_set(result, "best_epoch", r.best_epoch);
        clae_result_set(result, "best_test_loss", r.best_loss);
    }
    if (s == CLAE_OK) s = clae__write_final_outputs(&r, run_start);
    cleanup(&r);
    return s;
}
