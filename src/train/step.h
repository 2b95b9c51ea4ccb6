/* One training step on a batch already on the device, or one batch of a step
 * that accumulates the gradients of several ([train] accumulate). */
#ifndef CLAE_STEP_H
#define CLAE_STEP_H

#include "model/model.h"
#include "train/optimizer.h"

/* forward of x, the objective's terms against target (to losses[loss_off +
 * term]), backward, optimiser step. x and target are the same buffer unless
 * the input is corrupted (denoising). */
clae_status clae__train_step(clae_model *m, clae_optimizer *opt, const clae_buf *x,
                             const clae_buf *target, size_t rows, clae_buf *losses,
                             size_t loss_off);

/* Batch b of an epoch of `count` samples taken `batch` at a time, with
 * `per_step` batches to an optimiser step, as this rank runs it: its share
 * of the batch's rows (ranks take consecutive slices; rows may be 0) and
 * where they start in the epoch's order, the rows of the whole step over
 * every rank, the batch's place in the step and whether it ends the step
 * (the last step of an epoch may be short). */
typedef struct {
    size_t first, rows, step_rows;
    size_t step_row; /* the place of its first row in the step (over every rank) */
    int index, last;
} clae_micro_batch;
clae_micro_batch clae__micro_batch(size_t b, size_t count, size_t batch, int per_step,
                                   const clae_dist *dist);

/* One batch of a step (a micro-batch): forward, terms, backward, its gradient
 * (the mean over its rows) added into opt->grad_sum weighted by rows /
 * step_rows, and after the step's last micro-batch the sum over the ranks
 * (opt->dist) and the optimiser step on it: the step one batch of step_rows
 * would take, up to float rounding (batch statistics, as batch norm's, are
 * the micro-batch's). With one rank and opt->accumulate = 1 it is
 * clae__train_step. Noise, dropout and a VAE's draws are keyed by the step
 * and each sample's place in it, so they do not depend on how the step is
 * cut into batches and ranks. */
clae_status clae__train_micro_step(clae_model *m, clae_optimizer *opt, const clae_buf *x,
                                   const clae_buf *target, clae_micro_batch mb, clae_buf *losses,
                                   size_t loss_off);

/* Whether training stops after this micro-batch, asked by opt->stop_local:
 * at once on one rank; over ranks at the step's end, as agreed by its sum. */
int clae__stop_after(const clae_optimizer *opt, clae_micro_batch mb);

#endif
