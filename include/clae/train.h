/* Training a model from a spec, with checkpoints and the run's outputs. */
#ifndef CLAE_TRAIN_H
#define CLAE_TRAIN_H

#include <signal.h>
#include <stddef.h>

#include "clae/device.h"
#include "clae/dist.h"
#include "clae/spec.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct {
    int epoch, epochs;         /* the epoch in progress, 1-based */
    size_t batch, batches;     /* batches done in this epoch, of how many */
    double train_loss;         /* mean training objective so far this epoch */
    double samples_per_second; /* training throughput this epoch */
    double eta_seconds;        /* until the whole run ends */
    int epoch_done;            /* 1 once the epoch is finished: test metrics are set */
    double test_loss, test_mse;
    double epoch_seconds;
    int stage, stages;         /* greedy pretraining: stage (from 1) of stages; 0 while fine-tuning */
    /* Once, before the first batch (all else 0): what is trained on what. */
    int started;
    const char *model;         /* "784 → dense 256 relu → code 64 sigmoid → ..., N parameters" */
    const char *data;          /* "mnist, 9000 train / 1000 test, 1×28×28" */
    double learning_rate;      /* the rate in effect (per [train] schedule) */
    int n_terms;               /* the objective's terms, with train_loss their sum */
    const char *term_names[4];
    double terms[4];
    int best_epoch;            /* epoch_done: the epoch with the lowest test loss so far */
} clae_progress;

typedef void (*clae_progress_fn)(void *user, const clae_progress *p);

typedef struct {
    const clae_spec *spec;       /* the model, data, training and output dir */
    int resume;                  /* continue from <dir>/model.safetensors */
    clae_progress_fn progress;   /* may be NULL */
    void *progress_user;
    volatile sig_atomic_t *stop; /* when set, training stops after the current batch */
    int snapshot;                /* 1: also write snapshots/epoch-NNN.png, the reconstructions after each epoch */
    clae_dist *dist;             /* data-parallel ranks (NULL: one); rank 0 writes the outputs */
} clae_train_options;

/* What a run measured: a list of named metrics (summary.json writes them as
 * they are). Every run has epochs, train_loss, test_loss, test_mse,
 * baseline-free code statistics (code_mean, code_std, code_near_zero),
 * parameters, samples_per_second and seconds, and train_<term> / test_<term>
 * for each term of the objective; the families add their own (kl,
 * code_jacobian, noise_mse and denoised_mse, pretrain_loss_<stage>, ...). */
#define CLAE_MAX_METRICS 64

typedef struct {
    char name[40];
    double value;
} clae_metric;

typedef struct {
    int n_metrics;
    clae_metric metrics[CLAE_MAX_METRICS];
} clae_train_result;

/* The named metric's value, or NaN when the run has none. */
double clae_result_get(const clae_train_result *r, const char *name);
int clae_result_has(const clae_train_result *r, const char *name);
/* Sets (adds or replaces) a metric; a full list drops it. */
void clae_result_set(clae_train_result *r, const char *name, double value);

/* Trains; writes model.safetensors (every epoch), loss.csv,
 * reconstructions.png, samples.png (VAE) and summary.json into spec->output.dir. A NaN/Inf loss
 * stops with CLAE_EDIVERGED and keeps the last good checkpoint; a stop request
 * gives CLAE_EINTERRUPTED, likewise. model.best.safetensors is the checkpoint
 * of the lowest test loss so far; [train] patience ends the run early (the
 * result's stopped_early, best_epoch, best_test_loss say how it went). */
clae_status clae_train(clae_ctx *ctx, clae_device *dev, const clae_train_options *opts,
                       clae_train_result *result);

#ifdef __cplusplus
}
#endif
#endif
