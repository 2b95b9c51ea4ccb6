/* Training a model from a spec, with checkpoints and the run's outputs. */
#ifndef CLAE_TRAIN_H
#define CLAE_TRAIN_H

#include <signal.h>
#include <stddef.h>

#include "clae/device.h"
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
} clae_progress;

typedef void (*clae_progress_fn)(void *user, const clae_progress *p);

typedef struct {
    const clae_spec *spec;       /* the model, data, training and output dir */
    int resume;                  /* continue from <dir>/model.safetensors */
    clae_progress_fn progress;   /* may be NULL */
    void *progress_user;
    volatile sig_atomic_t *stop; /* when set, training stops after the current batch */
} clae_train_options;

#define CLAE_MAX_LOSS_TERMS 4

typedef struct {
    int epochs;
    double train_loss, test_loss, test_mse, test_bce;
    /* the objective's terms: "reconstruction", then penalties such as "sparsity" */
    int n_terms;
    const char *term_names[CLAE_MAX_LOSS_TERMS];
    double train_terms[CLAE_MAX_LOSS_TERMS], test_terms[CLAE_MAX_LOSS_TERMS];
    double code_mean, code_std, code_near_zero;
    /* denoising: mean squared error to the clean test digits of their
     * corrupted versions, and of the model's restorations of those */
    int denoising;
    double noise_mse, denoised_mse;
    /* winner-take-all: the code statistics include the selection (batch by batch,
     * as in training); this is code_near_zero without it */
    int winner_take_all;
    double code_near_zero_unselected;
    /* sigmoid / tanh codes: the test split's mean squared Frobenius norm of the
     * code's Jacobian with respect to the code layer's input, per sample */
    int jacobian_known;
    double code_jacobian;
    /* greedy pretraining: each stage's final training loss */
    int pretrain_stages;
    double pretrain_losses[CLAE_MAX_LAYERS + 1];
    /* variational: the test split's mean KL(q(z|x) ‖ N(0, I)) per sample (nats) */
    int variational;
    double kl;
    size_t parameters;
    double samples_per_second, seconds;
} clae_train_result;

/* Trains; writes model.safetensors (every epoch), loss.csv,
 * reconstructions.png, samples.png (VAE) and summary.json into spec->output.dir. A NaN/Inf loss
 * stops with CLAE_EDIVERGED and keeps the last good checkpoint; a stop request
 * gives CLAE_EINTERRUPTED, likewise. */
clae_status clae_train(clae_ctx *ctx, clae_device *dev, const clae_train_options *opts,
                       clae_train_result *result);

#ifdef __cplusplus
}
#endif
#endif
