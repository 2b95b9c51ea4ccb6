/* One training step on a batch already on the device. */
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

#endif
