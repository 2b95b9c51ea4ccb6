/* One training step on a batch already on the device. */
#ifndef CLAE_STEP_H
#define CLAE_STEP_H

#include "model.h"
#include "optimizer.h"

/* forward, loss (its scalar to losses[loss_off]), backward, optimiser step. */
clae_status clae__train_step(clae_model *m, clae_optimizer *opt, const clae_buf *x, size_t rows,
                             clae_buf *losses, size_t loss_off);

#endif
