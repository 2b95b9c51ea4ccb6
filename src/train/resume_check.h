/* --resume under a spec other than the run's: what may change and what not. */
#ifndef CLAE_TRAIN_RESUME_CHECK_H
#define CLAE_TRAIN_RESUME_CHECK_H

#include "clae/spec.h"

/* Compares the spec a checkpoint was trained under (its stored text) with the
 * spec a resume runs under. Refused (CLAE_EUSAGE, naming the first difference):
 * anything that changes the model or its parameters' meaning (the model and
 * layer sections, the code), the data and its split, the noise, the loss terms
 * and their weights, the optimiser and its state's constants (momentum,
 * beta1, beta2, rho, epsilon), the seed and greedy pretraining. Allowed: the
 * epochs, learning rate, schedule, patience, batch size and [output]. A stored
 * text this version cannot parse is not compared. */
clae_status clae__check_resume_spec(clae_ctx *ctx, const char *path, const char *stored,
                                    const clae_spec *now);

#endif
