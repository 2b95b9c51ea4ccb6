/* The training loop: data on the device, one pass per epoch over a shuffled
 * order, loss scalars read back only every few batches, a checkpoint and the
 * loss table after every epoch, the run's pictures and summary at the end. */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "checkpoint.h"
#include "clae/train.h"
#include "data/source.h"
#include "evaluate.h"
#include "fsutil.h"
#include "ops.h"
#include "outputs.h"
#include "step.h"

/* Loss scalars are read back (and checked for NaN) at most this often. */
#define PROGRESS_INTERVAL_S 0.25

typedef struct {
    clae_ctx *ctx;
    clae_device *dev;
    const clae_train_options *opts;
    const clae_spec *spec;
    clae_dataset train, test;
    clae_buf train_x, test_x, order, batch_x, losses;
    float *host_losses;
    uint32_t *perm;
    clae_model *model;
    clae_optimizer opt;
    int first_epoch;   /* epochs already done (resume) */
    char *history;     /* loss.csv rows */
    size_t history_len;
    double train_seconds, train_samples; /* for the steady-state rate */
    clae_train_result *result;
} run;

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static clae_status append_history(run *r, const char *row)
{
    size_t n = strlen(row);
    char *grown = realloc(r->history, r->history_len + n + 1);
    if (!grown) return clae__fail(r->ctx, CLAE_ENOMEM, "out of memory");
    memcpy(grown + r->history_len, row, n + 1);
    r->history = grown;
    r->history_len += n;
    return CLAE_OK;
}

static void checkpoint_path(const run *r, char *path, size_t size)
{
    snprintf(path, size, "%s/model.safetensors", r->spec->output.dir);
}

static clae_status resume(run *r)
{
    char path[4200];
    checkpoint_path(r, path, sizeof path);
    if (access(path, F_OK) != 0)
        return clae__fail(r->ctx, CLAE_EUSAGE, "%s: no checkpoint to resume from", path);
    clae_safetensors *st = NULL;
    clae_status s = clae_safetensors_read(r->ctx, path, &st);
    if (s != CLAE_OK) return s;
    s = clae__checkpoint_restore(r->ctx, path, st, r->model, &r->opt);
    const char *epoch = clae_safetensors_meta(st, "epoch");
    const char *step = clae_safetensors_meta(st, "step");
    const char *history = clae_safetensors_meta(st, "loss_history");
    if (s == CLAE_OK && (!epoch || !step))
        s = clae__fail(r->ctx, CLAE_EDATA, "%s: not a clae checkpoint (no epoch/step metadata)",
                       path);
    if (s == CLAE_OK) {
        char *end = NULL;
        long e = strtol(epoch, &end, 10);
        unsigned long long t = strtoull(step, NULL, 10);
        if (*end != '\0' || e < 0)
            s = clae__fail(r->ctx, CLAE_EDATA, "%s: bad epoch \"%s\"", path, epoch);
        r->first_epoch = (int)e;
        r->opt.steps = t;
    }
    if (s == CLAE_OK && history) s = append_history(r, history);
    clae_safetensors_free(st);
    if (s == CLAE_OK && r->first_epoch >= r->spec->train.epochs)
        s = clae__fail(r->ctx, CLAE_EUSAGE,
                       "%s: already trained for %d epochs; ask for more with --epochs", path,
                       r->first_epoch);
    if (s == CLAE_OK)
        clae__log(r->ctx, CLAE_LOG_INFO, "resuming %s after epoch %d (step %" PRIu64 ")", path,
                  r->first_epoch, r->opt.steps);
    return s;
}

static clae_status setup(run *r)
{
    const clae_spec *spec = r->spec;
    clae_status s = clae__load_datasets(r->ctx, spec, &r->train, &r->test);
    if (s != CLAE_OK) return s;
    if (r->train.dim > (size_t)CLAE_SPEC_MAX_COUNT)
        return clae__fail(r->ctx, CLAE_EDATA, "%s: %zu values per sample is too many",
                          r->train.name, r->train.dim);
    s = clae__mkdir_p(r->ctx, spec->output.dir);
    if (s != CLAE_OK) return s;

    size_t batch = (size_t)spec->train.batch;
    if (batch > r->train.count) batch = r->train.count;
    size_t dim = r->train.dim, batches = (r->train.count + batch - 1) / batch;
    s = clae__model_create(r->dev, spec, (int)dim, batch, &r->model);
    if (s == CLAE_OK) s = clae__optimizer_create(r->dev, spec, r->model->n_params, &r->opt);
    /* The whole dataset stays on the device; batches are gathered there. */
    if (s == CLAE_OK) s = clae__buf_create(r->dev, r->train.count * dim, &r->train_x);
    if (s == CLAE_OK) s = clae__buf_write(r->dev, &r->train_x, 0, r->train.count * dim, r->train.x);
    if (s == CLAE_OK && r->test.count) {
        s = clae__buf_create(r->dev, r->test.count * dim, &r->test_x);
        if (s == CLAE_OK)
            s = clae__buf_write(r->dev, &r->test_x, 0, r->test.count * dim, r->test.x);
    }
    if (s == CLAE_OK) s = clae__buf_create(r->dev, r->train.count, &r->order);
    if (s == CLAE_OK) s = clae__buf_create(r->dev, batch * dim, &r->batch_x);
    if (s == CLAE_OK) s = clae__buf_create(r->dev, batches, &r->losses);
    if (s != CLAE_OK) return s;
    r->host_losses = malloc(batches * sizeof *r->host_losses);
    r->perm = malloc(r->train.count * sizeof *r->perm);
    if (!r->host_losses || !r->perm) return clae__fail(r->ctx, CLAE_ENOMEM, "out of memory");

    if (r->opts->resume) return resume(r);
    return clae__model_init(r->model, spec->train.seed);
}

/* Sums the losses of batches [0, done); fails on the first non-finite one. */
static clae_status read_losses(run *r, int epoch, size_t done, size_t batch, double *mean)
{
    clae_status s = clae__buf_read(r->dev, &r->losses, 0, done, r->host_losses);
    if (s != CLAE_OK) return s;
    double sum = 0.0, weight = 0.0;
    for (size_t b = 0; b < done; b++) {
        if (!isfinite(r->host_losses[b])) {
            char path[4200];
            checkpoint_path(r, path, sizeof path);
            return clae__fail(r->ctx, CLAE_EDIVERGED,
                              "training diverged at epoch %d, batch %zu: the loss is %s; %s "
                              "keeps epoch %d (try a lower learning_rate)",
                              epoch, b + 1, isnan(r->host_losses[b]) ? "NaN" : "infinite",
                              r->first_epoch || epoch > 1 ? path : "no checkpoint",
                              epoch - 1);
        }
        size_t left = r->train.count - b * batch, rows = left < batch ? left : batch;
        sum += r->host_losses[b] * (double)rows;
        weight += (double)rows;
    }
    *mean = weight > 0 ? sum / weight : 0.0;
    return CLAE_OK;
}

static clae_status train_epoch(run *r, int epoch, double run_start, double *train_loss)
{
    size_t batch = r->model->batch_max, dim = r->train.dim, count = r->train.count;
    size_t batches = (count + batch - 1) / batch;
    clae_shuffle(r->perm, count, r->spec->train.seed, (uint64_t)epoch);
    clae_status s = clae__buf_write(r->dev, &r->order, 0, count, r->perm);
    double start = now_seconds(), last_report = start;
    clae_progress p = {epoch, r->spec->train.epochs, 0, batches, 0, 0, 0, 0, 0, 0, 0};
    if (r->opts->progress && s == CLAE_OK) r->opts->progress(r->opts->progress_user, &p);
    for (size_t b = 0; b < batches && s == CLAE_OK; b++) {
        size_t left = count - b * batch, rows = left < batch ? left : batch;
        s = clae__gather_rows(r->dev, rows, dim, &r->train_x, &r->order, b * batch, &r->batch_x, 0);
        if (s == CLAE_OK) s = clae__train_step(r->model, &r->opt, &r->batch_x, rows, &r->losses, b);
        if (s != CLAE_OK) break;
        if (r->opts->stop && *r->opts->stop)
            return clae__fail(r->ctx, CLAE_EINTERRUPTED,
                              "interrupted in epoch %d; %s/model.safetensors keeps epoch %d "
                              "(continue with --resume)",
                              epoch, r->spec->output.dir, epoch - 1);
        double t = now_seconds();
        if (r->opts->progress && (t - last_report >= PROGRESS_INTERVAL_S || b + 1 == batches)) {
            s = read_losses(r, epoch, b + 1, batch, &p.train_loss);
            if (s != CLAE_OK) break;
            t = now_seconds();
            p.batch = b + 1;
            p.samples_per_second = (double)((b + 1) * batch) / (t - start);
            double per_epoch = (t - start) / (double)(b + 1) * (double)batches;
            double done = (double)(epoch - 1 - r->first_epoch) + (double)(b + 1) / (double)batches;
            double total = (double)(r->spec->train.epochs - r->first_epoch);
            p.eta_seconds = done > 0 ? (t - run_start) / done * (total - done) : per_epoch * total;
            r->opts->progress(r->opts->progress_user, &p);
            last_report = t;
        }
    }
    if (s == CLAE_OK) s = read_losses(r, epoch, batches, batch, train_loss);
    double seconds = now_seconds() - start;
    /* Steady state: the first epoch pays for kernel compilation and warm-up. */
    if (epoch > r->first_epoch + 1 || r->spec->train.epochs == r->first_epoch + 1) {
        r->train_seconds += seconds;
        r->train_samples += (double)count;
    }
    return s;
}

static clae_status finish_epoch(run *r, int epoch, double train_loss, double epoch_start)
{
    clae_eval ev = {0, 0};
    const clae_buf *eval_x = r->test.count ? &r->test_x : &r->train_x;
    size_t eval_n = r->test.count ? r->test.count : r->train.count;
    clae_status s = clae__evaluate(r->model, eval_x, eval_n, &ev);
    if (s != CLAE_OK) return s;
    double seconds = now_seconds() - epoch_start;
    char row[256];
    snprintf(row, sizeof row, "%d,%.9g,%.9g,%.9g,%.3f,%.1f\n", epoch, train_loss, ev.loss, ev.mse,
             seconds, (double)r->train.count / seconds);
    s = append_history(r, row);
    if (s != CLAE_OK) return s;

    char path[4200];
    checkpoint_path(r, path, sizeof path);
    clae_checkpoint_meta meta = {epoch, r->opt.steps, r->spec->train.seed, r->spec->text,
                                 r->history, clae_device_get_info(r->dev)->name};
    s = clae__checkpoint_save(r->ctx, path, r->model, &r->opt, &meta);
    if (s == CLAE_OK) s = clae__write_loss_csv(r->ctx, r->spec->output.dir, r->history);
    if (s != CLAE_OK) return s;
    r->result->epochs = epoch;
    r->result->train_loss = train_loss;
    r->result->test_loss = ev.loss;
    r->result->test_mse = ev.mse;
    if (r->opts->progress) {
        clae_progress p = {epoch, r->spec->train.epochs, 0, 0, train_loss, 0, 0, 1, ev.loss,
                           ev.mse, seconds};
        p.samples_per_second = (double)r->train.count / seconds;
        r->opts->progress(r->opts->progress_user, &p);
    }
    return CLAE_OK;
}

/* Code statistics, reconstructions.png and summary.json. */
static clae_status write_final_outputs(run *r, double run_start)
{
    const clae_dataset *eval = r->test.count ? &r->test : &r->train;
    const clae_buf *eval_x = r->test.count ? &r->test_x : &r->train_x;
    size_t code = (size_t)r->model->layers[r->model->code_layer].out;
    float *codes = malloc(eval->count * code * sizeof *codes);
    size_t n_show = (size_t)r->spec->output.samples;
    if (n_show > eval->count) n_show = eval->count;
    if (n_show > r->model->batch_max) n_show = r->model->batch_max;
    float *recon = malloc((n_show ? n_show : 1) * eval->dim * sizeof *recon);
    clae_status s = codes && recon ? CLAE_OK : clae__fail(r->ctx, CLAE_ENOMEM, "out of memory");
    if (s == CLAE_OK) s = clae__encode_all(r->model, eval_x, eval->count, codes);
    if (s == CLAE_OK) {
        clae_code_stats cs;
        clae__code_stats(codes, eval->count * code, &cs);
        r->result->code_mean = cs.mean;
        r->result->code_std = cs.std;
        r->result->code_near_zero = cs.near_zero;
    }
    if (s == CLAE_OK && n_show) s = clae__reconstruct_rows(r->model, eval_x, 0, n_show, recon);
    if (s == CLAE_OK && n_show)
        s = clae__write_reconstructions(r->ctx, r->spec->output.dir, eval, eval->x, recon,
                                        (int)n_show);
    free(codes);
    free(recon);
    if (s != CLAE_OK) return s;

    clae_train_result *res = r->result;
    res->test_bce = r->spec->loss.reconstruction == CLAE_RECON_BCE ? res->test_loss : 0.0;
    res->parameters = r->model->n_params;
    res->samples_per_second = r->train_seconds > 0 ? r->train_samples / r->train_seconds : 0.0;
    res->seconds = now_seconds() - run_start;
    clae_summary summary = {r->spec, res, clae_device_get_info(r->dev)->name, clae_device_gemm_provider(r->dev)};
    return clae__write_summary(r->ctx, r->spec->output.dir, &summary);
}

static void cleanup(run *r)
{
    clae__optimizer_release(&r->opt);
    clae__model_destroy(r->model);
    clae__buf_release(&r->train_x);
    clae__buf_release(&r->test_x);
    clae__buf_release(&r->order);
    clae__buf_release(&r->batch_x);
    clae__buf_release(&r->losses);
    clae_dataset_free(&r->train);
    clae_dataset_free(&r->test);
    free(r->host_losses);
    free(r->perm);
    free(r->history);
}

clae_status clae_train(clae_ctx *ctx, clae_device *dev, const clae_train_options *opts,
                       clae_train_result *result)
{
    run r;
    memset(&r, 0, sizeof r);
    memset(result, 0, sizeof *result);
    r.ctx = ctx;
    r.dev = dev;
    r.opts = opts;
    r.spec = opts->spec;
    r.result = result;
    double run_start = now_seconds();
    clae_status s = setup(&r);
    for (int epoch = r.first_epoch + 1; s == CLAE_OK && epoch <= r.spec->train.epochs; epoch++) {
        double epoch_start = now_seconds(), train_loss = 0.0;
        s = train_epoch(&r, epoch, run_start, &train_loss);
        if (s == CLAE_OK) s = finish_epoch(&r, epoch, train_loss, epoch_start);
    }
    if (s == CLAE_OK) s = write_final_outputs(&r, run_start);
    cleanup(&r);
    return s;
}
