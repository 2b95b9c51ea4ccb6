/* Chooses the faster host-BLAS ordering from a few timed steps. */
#include "train/ordering.h"

#include "train/train_run.h"

/* Steps before timing (caches, first allocations), steps per block, and
 * blocks: the orderings alternate, so a drift in the machine's speed (another
 * process, the clock) falls on both alike. */
#define PROBE_WARMUP 3
#define PROBE_BLOCK 12
#define PROBE_BLOCKS 4

void clae__ordering_probe_start(clae_ordering_probe *p, clae_device *dev, size_t batches)
{
    p->active = !dev->ordering_fixed && dev->gemm == CLAE_GEMM_HOST &&
                batches >= PROBE_WARMUP + PROBE_BLOCKS * PROBE_BLOCK;
    p->seconds[0] = p->seconds[1] = 0.0;
}

clae_status clae__ordering_probe_step(clae_ordering_probe *p, clae_device *dev, size_t b)
{
    if (!p->active || b < PROBE_WARMUP || (b - PROBE_WARMUP) % PROBE_BLOCK != 0) return CLAE_OK;
    clae_status s = clae_device_finish(dev);
    if (s != CLAE_OK) return s;
    double t = clae__now_seconds();
    int ended = (int)((b - PROBE_WARMUP) / PROBE_BLOCK); /* blocks that have ended */
    if (ended > 0) p->seconds[(ended - 1) % 2] += t - p->t0;
    if (ended < PROBE_BLOCKS) {
        dev->native_kernels = ended % 2; /* waiting, native, waiting, native */
    } else {
        dev->native_kernels = p->seconds[1] < p->seconds[0];
        p->active = 0;
        clae__log(dev->ctx, CLAE_LOG_INFO,
                  "host BLAS ordering: %s (%d steps each: wait-then-multiply %.1f ms, native "
                  "kernel %.1f ms)",
                  dev->native_kernels ? "native kernel" : "wait-then-multiply",
                  PROBE_BLOCKS / 2 * PROBE_BLOCK, 1e3 * p->seconds[0], 1e3 * p->seconds[1]);
    }
    p->t0 = clae__now_seconds();
    return CLAE_OK;
}
