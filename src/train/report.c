/* What a run reports: after every epoch the test metrics, a loss.csv row and
 * the checkpoint; at the end the code statistics, reconstructions.png and
 * summary.json. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "io/checkpoint.h"
#include "train/evaluate.h"
#include "io/outputs.h"
#include "train/pictures.h"
#include "train/train_run.h"

void clae__loss_csv_header(const clae_model *m, char *out, size_t size)
{
    size_t len = (size_t)snprintf(out, size, "epoch,train_loss");
    for (int t = 0; t < m->n_terms && len < size; t++)
        len += (size_t)snprintf(out + len, size - len, ",train_%s", m->term_names[t]);
    if (len < size) len += (size_t)snprintf(out + len, size - len, ",test_loss");
    for (int t = 0; t < m->n_terms && len < size; t++)
        len += (size_t)snprintf(out + len, size - len, ",test_%s", m->term_names[t]);
    if (len < size)
        snprintf(out + len, size - len, ",test_mse,seconds,samples_per_second,learning_rate\n");
}

static void format_row(const clae_model *m, int epoch, const double *train_terms,
                       const clae_eval *ev, double seconds, double rate, double lr, char *row,
                       size_t size)
{
    double train_loss = 0.0;
    for (int t = 0; t < m->n_terms; t++) train_loss += train_terms[t];
    size_t len = (size_t)snprintf(row, size, "%d,%.9g", epoch, train_loss);
    for (int t = 0; t < m->n_terms && len < size; t++)
        len += (size_t)snprintf(row + len, size - len, ",%.9g", train_terms[t]);
    if (len < size) len += (size_t)snprintf(row + len, size - len, ",%.9g", ev->loss);
    for (int t = 0; t < m->n_terms && len < size; t++)
        len += (size_t)snprintf(row + len, size - len, ",%.9g", ev->terms[t]);
    if (len < size)
        snprintf(row + len, size - len, ",%.9g,%.3f,%.1f,%.9g\n", ev->mse, seconds, rate, lr);
}

/* The result of an epoch: its train terms and the evaluation. Returns the train loss. */
static double set_epoch_results(clae_run *r, int epoch, const double *train_terms,
                                const clae_eval *ev)
{
    const clae_model *m = r->model;
    clae_train_result *res = r->result;
    double train_loss = 0.0;
    char key[64];
    for (int t = 0; t < m->n_terms; t++) {
        snprintf(key, sizeof key, "train_%s", m->term_names[t]);
        clae_result_set(res, key, train_terms[t]);
        snprintf(key, sizeof key, "test_%s", m->term_names[t]);
        clae_result_set(res, key, ev->terms[t]);
        train_loss += train_terms[t];
    }
    clae_result_set(res, "epochs", epoch);
    clae_result_set(res, "train_loss", train_loss);
    clae_result_set(res, "test_loss", ev->loss);
    clae_result_set(res, "test_mse", ev->mse);
    if (m->loss == CLAE_RECON_BCE) clae_result_set(res, "test_bce", ev->terms[0]);
    for (int k = 0; k < ev->n_measures; k++)
        clae_result_set(res, ev->measure_names[k], ev->measures[k]);
    return train_loss;
}

/* A resumed run that had already trained every epoch: the results of its
 * last epoch from the checkpoint's history (train terms, the steady-state
 * rate of epochs 2..N as a whole run would give it) and a fresh evaluation of
 * the restored weights, for the final outputs. */
clae_status clae__finish_trained(clae_run *r)
{
    clae_model *m = r->model;
    clae_eval ev;
    const clae_buf *eval_x = clae__eval_x(r);
    clae_status s = clae__evaluate(m, eval_x, eval_x, clae__eval_set(r)->count, &ev);
    if (s != CLAE_OK) return s;
    /* history rows: epoch, train_loss, train terms..., test_loss, test terms...,
     * test_mse, seconds, samples_per_second, learning_rate */
    double terms[CLAE_MAX_TERMS] = {0}, first_seconds = 0.0;
    int rows = 0, last = 0;
    for (const char *row = r->history; row && *row; row = strchr(row, '\n') ? strchr(row, '\n') + 1 : "") {
        double v[3 + 2 * CLAE_MAX_TERMS + 5];
        int n = 0;
        for (const char *c = row; n < (int)(sizeof v / sizeof v[0]);) {
            char *end;
            v[n++] = strtod(c, &end);
            if (*end != ',') break;
            c = end + 1;
        }
        int at_seconds = 2 + m->n_terms + 1 + m->n_terms + 1;
        if (n <= at_seconds) continue;
        last = (int)v[0];
        for (int t = 0; t < m->n_terms; t++) terms[t] = v[2 + t];
        if (rows++ == 0) {
            first_seconds = v[at_seconds];
            continue;
        }
        r->train_seconds += v[at_seconds];
        r->train_samples += (double)r->train.count;
    }
    if (rows == 1) { /* a one-epoch run reports its only epoch */
        r->train_seconds = first_seconds;
        r->train_samples = (double)r->train.count;
    }
    set_epoch_results(r, last ? last : r->first_epoch, terms, &ev);
    return CLAE_OK;
}

clae_status clae__finish_epoch(clae_run *r, int epoch, const double *train_terms,
                               double epoch_start)
{
    clae_model *m = r->model;
    clae_eval ev;
    const clae_buf *eval_x = clae__eval_x(r);
    clae_status s = clae__evaluate(m, eval_x, eval_x, clae__eval_set(r)->count, &ev);
    if (s != CLAE_OK) return s;
    double seconds = clae__now_seconds() - epoch_start;
    char row[1024];
    format_row(m, epoch, train_terms, &ev, seconds, (double)r->train.count / seconds, r->opt.lr,
               row, sizeof row);
    s = clae__append_history(r, row);
    if (s != CLAE_OK) return s;

    char path[4200], header[512];
    clae__loss_csv_header(m, header, sizeof header);
    clae_checkpoint_meta meta = {epoch, r->opt.steps, r->spec->train.seed, r->spec->text,
                                 r->history, clae_device_get_info(r->dev)->name,
                                 r->train.channels, r->train.height, r->train.width, header};
    /* model.safetensors goes last: it is the commit point of the epoch. Killed
     * before it, a restart redoes the epoch (bit-identically) and rewrites the
     * best checkpoint and loss.csv; after it, both are already this epoch's. */
    int best = ev.loss < r->best_loss;
    if (best) { /* model.best.safetensors: the same, kept */
        clae__best_checkpoint_path(r, path, sizeof path);
        s = clae__checkpoint_save(r->ctx, path, m, &r->opt, &meta);
    }
    if (s == CLAE_OK) s = clae__write_loss_csv(r->ctx, r->spec->output.dir, header, r->history);
    clae__checkpoint_path(r, path, sizeof path);
    if (s == CLAE_OK) s = clae__checkpoint_save(r->ctx, path, m, &r->opt, &meta);
    if (s != CLAE_OK) return s;
    if (best) {
        r->best_loss = ev.loss;
        r->best_epoch = epoch;
    }

    double train_loss = set_epoch_results(r, epoch, train_terms, &ev);
    if (r->opts->snapshot && (s = clae__write_snapshot(r, epoch)) != CLAE_OK) return s;
    if (r->opts->progress) {
        clae_progress p = {.epoch = epoch, .epochs = r->spec->train.epochs,
                           .train_loss = train_loss, .epoch_done = 1, .test_loss = ev.loss,
                           .test_mse = ev.mse, .epoch_seconds = seconds};
        p.samples_per_second = (double)r->train.count / seconds;
        p.learning_rate = r->opt.lr;
        p.best_epoch = r->best_epoch;
        p.n_terms = m->n_terms < 4 ? m->n_terms : 4;
        for (int t = 0; t < p.n_terms; t++) {
            p.term_names[t] = m->term_names[t];
            p.terms[t] = train_terms[t];
        }
        r->opts->progress(r->opts->progress_user, &p);
    }
    return CLAE_OK;
}

/* The codes of the evaluation rows (as the decoder reads them) and their
 * statistics; where the code point is a selection or a sample, also those of
 * the [code] layer's own output ("_unselected"). */
static clae_status code_statistics(clae_run *r)
{
    clae_model *m = r->model;
    const clae_dataset *eval = clae__eval_set(r);
    size_t n = eval->count * (size_t)m->code;
    float *codes = malloc((n ? n : 1) * sizeof *codes);
    if (!codes) return clae__fail(r->ctx, CLAE_ENOMEM, "out of memory");
    clae_status s = clae__encode_all(m, clae__eval_x(r), eval->count, codes);
    clae_code_stats cs = {0, 0, 0};
    if (s == CLAE_OK) clae__code_stats(codes, n, &cs);
    clae_result_set(r->result, "code_mean", cs.mean);
    clae_result_set(r->result, "code_std", cs.std);
    clae_result_set(r->result, "code_near_zero", cs.near_zero);
    if (s == CLAE_OK && clae__model_find(m, &clae_wta_vt, 0) >= 0) {
        /* the [code] layer's own output, before the selection */
        s = clae__encode_at(m, clae__eval_x(r), eval->count, m->code_layer, codes);
        if (s == CLAE_OK) clae__code_stats(codes, n, &cs);
        clae_result_set(r->result, "code_near_zero_unselected", cs.near_zero);
    }
    free(codes);
    return s;
}

/* Denoising: how far the corrupted evaluation rows and their restorations
 * lie from the clean rows; and the rows shown in reconstructions.png. */
static clae_status denoising_metrics(clae_run *r, size_t n_show, float *corrupted)
{
    const clae_dataset *eval = clae__eval_set(r);
    size_t n = eval->count * eval->dim;
    float *noisy = malloc((n ? n : 1) * sizeof *noisy);
    if (!noisy) return clae__fail(r->ctx, CLAE_ENOMEM, "out of memory");
    clae_eval ev;
    clae_status s = clae__buf_read(r->dev, &r->test_noisy, 0, n, noisy);
    if (s == CLAE_OK) s = clae__evaluate(r->model, &r->test_noisy, clae__eval_x(r), eval->count, &ev);
    if (s == CLAE_OK) {
        clae_result_set(r->result, "noise_mse", clae__mse_host(noisy, eval->x, n));
        clae_result_set(r->result, "denoised_mse", ev.mse);
        memcpy(corrupted, noisy, n_show * eval->dim * sizeof *noisy);
    }
    free(noisy);
    return s;
}

/* What a model must beat to be worth looking at: the MSE per value of
 * predicting the mean training image for every evaluation row (clean). */
static clae_status baseline_mse(clae_run *r)
{
    const clae_dataset *eval = clae__eval_set(r);
    size_t dim = eval->dim;
    const double *mean = r->train_mean;
    double sum = 0.0;
    for (size_t i = 0; i < eval->count; i++)
        for (size_t j = 0; j < dim; j++) {
            double d = eval->x[i * dim + j] - mean[j];
            sum += d * d;
        }
    size_t n = eval->count * dim;
    clae_result_set(r->result, "baseline_mse", n ? sum / (double)n : 0.0);
    return CLAE_OK;
}

/* VAE: samples.png, decoded draws from the prior. */
static clae_status write_samples(clae_run *r, size_t n)
{
    const clae_dataset *shape = clae__eval_set(r);
    float *images = malloc((n ? n : 1) * shape->dim * sizeof *images);
    if (!images) return clae__fail(r->ctx, CLAE_ENOMEM, "out of memory");
    clae_status s = clae__sample_prior(r->model, n, r->spec->train.seed, images);
    if (s == CLAE_OK)
        s = clae__write_tiles(r->ctx, r->spec->output.dir, "samples.png",
                              "samples — decoded draws from the prior N(0, I)", shape, images,
                              (int)n);
    free(images);
    return s;
}

clae_status clae__write_final_outputs(clae_run *r, double run_start)
{
    const clae_dataset *eval = clae__eval_set(r);
    clae_model *m = r->model;
    size_t n_show = (size_t)r->spec->output.samples;
    if (n_show > eval->count) n_show = eval->count;
    if (n_show > m->batch_max) n_show = m->batch_max;
    size_t show = (n_show ? n_show : 1) * eval->dim;
    float *recon = malloc(show * sizeof *recon), *corrupted = malloc(show * sizeof *corrupted);
    clae_status s = recon && corrupted ? code_statistics(r)
                                       : clae__fail(r->ctx, CLAE_ENOMEM, "out of memory");
    if (s == CLAE_OK && r->denoising) s = denoising_metrics(r, n_show, corrupted);
    if (s == CLAE_OK) s = baseline_mse(r);

    /* The numbers first: a picture that cannot be written loses no result. */
    clae_train_result *res = r->result;
    clae_result_set(res, "parameters", (double)m->n_params);
    clae_result_set(res, "samples_per_second",
                    r->train_seconds > 0 ? r->train_samples / r->train_seconds : 0.0);
    clae_result_set(res, "seconds", clae__now_seconds() - run_start);
    clae_summary summary = {r->spec, res, clae_device_get_info(r->dev)->name,
                            clae_device_gemm_provider(r->dev)};
    if (s == CLAE_OK) s = clae__write_summary(r->ctx, r->spec->output.dir, &summary);

    /* a denoising model restores the corrupted digits; others reconstruct */
    const clae_buf *shown_input = r->denoising ? &r->test_noisy : clae__eval_x(r);
    if (s == CLAE_OK && n_show) s = clae__reconstruct_rows(m, shown_input, 0, n_show, recon);
    if (s == CLAE_OK && n_show)
        s = clae__write_run_reconstructions(r, "reconstructions.png", eval->x,
                                            r->denoising ? corrupted : NULL, recon, (int)n_show);
    free(recon);
    free(corrupted);
    if (s == CLAE_OK && clae__model_find(m, &clae_sampler_vt, 0) >= 0 && n_show)
        s = write_samples(r, n_show);
    if (s == CLAE_OK) s = clae__write_run_pictures(r); /* loss, latent, features, manifold */
    return s;
}
