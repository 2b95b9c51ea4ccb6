/* The optimiser: its moment buffers (one each, over the whole parameter
 * buffer) and one kernel launch per step. */
#ifndef CLAE_OPTIMIZER_H
#define CLAE_OPTIMIZER_H

#include <stdint.h>

#include "clae/dist.h"
#include "clae/spec.h"
#include "device/buffer.h"
#include "train/buckets.h"

typedef struct {
    clae_optimizer_kind kind;
    double lr, momentum, beta1, beta2, rho, eps;
    clae_buf m; /* sgd: velocity; adam: first moment */
    clae_buf v; /* rmsprop, adam: second moment */
    uint64_t steps; /* steps taken, for Adam's bias correction */
    int accumulate; /* micro-batches per step ([train] accumulate) */
    clae_buf grad_sum; /* accumulate > 1 or ranks: the step's gradient, summed over its micro-batches */
    clae_dist *dist;   /* the ranks whose gradients are summed (NULL: one) */
    float *host_sum;   /* the sum's way through the host: n_params values and a stop flag */
    size_t bucket_values; /* [train] bucket_mb in values (0: one bucket) */
    clae_buckets buckets; /* the sum over ranks in buckets, beside backward */
    int stop_local;    /* this rank asks the step's end to stop the run */
    int stop_all;      /* after a step over ranks: some rank asked to stop */
    uint64_t sums;     /* steps summed over ranks */
} clae_optimizer;

clae_status clae__optimizer_create(clae_device *dev, const clae_spec *spec, size_t n_params,
                                   clae_optimizer *opt);
/* Takes part in the ranks' steps: each step's gradient is summed over dist
 * (no-op for one rank). */
clae_status clae__optimizer_join(clae_device *dev, clae_optimizer *opt, clae_dist *dist,
                                 size_t n_params);
void clae__optimizer_release(clae_optimizer *opt);
clae_status clae__optimizer_step(clae_device *dev, clae_optimizer *opt, clae_buf *params,
                                 const clae_buf *grads);
const char *clae__optimizer_name(clae_optimizer_kind kind);

/* The learning rate of an epoch (from 1) of a run of spec->train.epochs, per
 * [train] schedule, constant within the epoch: constant; step: times
 * schedule_gamma every schedule_step epochs (0: a third of the epochs, at
 * least 1); cosine: times (1 + cos(pi (epoch - 1) / epochs)) / 2, from the
 * full rate in the first epoch towards 0 after the last. */
double clae__schedule_lr(const clae_spec *spec, int epoch);
/* Sets the rate the optimiser steps with in that epoch. */
void clae__optimizer_set_epoch(clae_optimizer *opt, const clae_spec *spec, int epoch);

#endif
