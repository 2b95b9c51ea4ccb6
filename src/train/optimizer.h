/* The optimiser: its moment buffers (one each, over the whole parameter
 * buffer) and one kernel launch per step. */
#ifndef CLAE_OPTIMIZER_H
#define CLAE_OPTIMIZER_H

#include <stdint.h>

#include "device/buffer.h"
#include "clae/spec.h"

typedef struct {
    clae_optimizer_kind kind;
    double lr, momentum, beta1, beta2, rho, eps;
    clae_buf m; /* sgd: velocity; adam: first moment */
    clae_buf v; /* rmsprop, adam: second moment */
    uint64_t steps; /* steps taken, for Adam's bias correction */
    int accumulate; /* micro-batches per step ([train] accumulate) */
    clae_buf grad_sum; /* accumulate > 1: the step's gradient, summed over its micro-batches */
} clae_optimizer;

clae_status clae__optimizer_create(clae_device *dev, const clae_spec *spec, size_t n_params,
                                   clae_optimizer *opt);
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
