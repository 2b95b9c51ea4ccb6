/* The state of one training run, shared by train.c (the loop) and
 * train_report.c (what each epoch and the end of the run write). */
#ifndef CLAE_TRAIN_RUN_H
#define CLAE_TRAIN_RUN_H

#include "clae/data.h"
#include "clae/train.h"
#include "model/model.h"
#include "device/batch_stream.h"
#include "train/optimizer.h"

typedef struct {
    clae_ctx *ctx;
    clae_device *dev;
    const clae_train_options *opts;
    const clae_spec *spec;
    clae_dist *dist;          /* the job's ranks (one without MPI) */
    int writer;               /* rank 0: writes the checkpoints, loss.csv and pictures */
    size_t batch;             /* the batch over every rank ([train] batch, at most the data) */
    clae_dataset train, test; /* train's samples are freed (or unmapped) once on the device,
                                 when test is the eval set */
    double *train_mean;       /* the mean training image: what the baseline MSE predicts */
    clae_buf train_x, test_x, order, batch_x, losses;
    int streaming;           /* [data] stream: train stays on the host, batches are uploaded */
    int mapped;              /* train's samples are a mapped file's (clae_dataset_map) */
    clae_batch_stream stream;
    int denoising;           /* the model corrupts its input in training */
    clae_buf test_noisy;     /* the evaluation split, corrupted once with a fixed key */
    float *host_losses;
    uint32_t *perm;
    clae_model *model;
    clae_optimizer opt;
    int first_epoch;         /* epochs already done (resume) */
    char *history;           /* loss.csv rows */
    size_t history_len;
    double train_seconds, train_samples; /* for the steady-state rate */
    clae_train_result *result;
    /* early stopping and model.best.safetensors: the lowest test loss so far
     * (restored from the loss history on resume) and its epoch (0: none yet) */
    double best_loss;
    int best_epoch;
} clae_run;

double clae__now_seconds(void);
/* ranks.c: every rank starts from rank 0's weights, optimiser moments and
 * place (fresh or resumed); every epoch the ranks compare their weights'
 * checksums (an internal error when they differ). No-ops for one rank. */
clae_status clae__share_state(clae_run *r);
clae_status clae__check_ranks_agree(clae_run *r, int epoch);
void clae__checkpoint_path(const clae_run *r, char *path, size_t size);
clae_status clae__append_history(clae_run *r, const char *row);
/* The rows the model is evaluated on: the test split, else the training set. */
const clae_dataset *clae__eval_set(const clae_run *r);
const clae_buf *clae__eval_x(const clae_run *r);

/* The checkpoint of the best epoch so far, beside the last one. */
void clae__best_checkpoint_path(const clae_run *r, char *path, size_t size);
/* Whether early stopping ends the run after this epoch ([train] patience). */
int clae__should_stop_early(const clae_run *r, int epoch);

/* describe.c: one-line descriptions for the start of training */
void clae__describe_model(const clae_model *m, char *out, size_t size);
void clae__describe_data(const clae_run *r, char *out, size_t size);

/* report.c */
/* The loss.csv header for this model's terms. */
void clae__loss_csv_header(const clae_model *m, char *out, size_t size);
/* Test metrics, the loss.csv row, the checkpoint and progress for an epoch. */
/* The results of a resumed run that had trained every epoch already. */
clae_status clae__finish_trained(clae_run *r);
clae_status clae__finish_epoch(clae_run *r, int epoch, const double *train_terms,
                               double epoch_start);
/* Code statistics, reconstructions.png and summary.json. */
clae_status clae__write_final_outputs(clae_run *r, double run_start);

#endif
