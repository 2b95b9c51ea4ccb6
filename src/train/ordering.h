/* Host BLAS on a CPU device runs in one of two orderings (src/device/gemm.c):
 * the host waits for the queued kernels and multiplies, or the GEMM runs as a
 * native kernel inside the queue. Which is faster depends on the model, so a
 * run's first steps time a block of each and keep the faster. The results
 * are the same bits either way: only the speed differs. */
#ifndef CLAE_TRAIN_ORDERING_H
#define CLAE_TRAIN_ORDERING_H

#include <stddef.h>

#include "device/buffer.h"

typedef struct {
    int active;        /* a choice to make, and enough steps to make it */
    double t0;         /* start of the block being timed */
    double seconds[2]; /* wait-then-multiply, native kernel */
} clae_ordering_probe;

/* Arms the probe for an epoch of `batches` steps (only where the device has
 * the choice and the epoch has room for the warm-up and both blocks). */
void clae__ordering_probe_start(clae_ordering_probe *p, clae_device *dev, size_t batches);
/* Before step b: starts or ends a timed block; after the second, keeps the
 * faster ordering. */
clae_status clae__ordering_probe_step(clae_ordering_probe *p, clae_device *dev, size_t b);

#endif
