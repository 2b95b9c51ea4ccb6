/* `clae bench`: steady-state training throughput and where a step's time goes. */
#ifndef CLAE_BENCH_H
#define CLAE_BENCH_H

#include "clae/device.h"
#include "clae/spec.h"

#ifdef __cplusplus
extern "C" {
#endif

#define CLAE_BENCH_MAX_ITEMS 32

/* With a profiling device: device time of one kind of command per step. */
typedef struct {
    char name[32];
    double calls_per_step;
    double ms_per_step;
    double mb_per_step;   /* bytes read and written, as the kernel's wrapper counts them (0: not counted) */
    double gb_per_second; /* mb_per_step / ms_per_step */
    double copy_share;    /* gb_per_second over the device's copy bandwidth at the kernel's size */
} clae_bench_item;

/* The device's copy bandwidth (clEnqueueCopyBuffer, bytes read + written per
 * second of device time) at a few sizes, from in-cache to memory. */
#define CLAE_BENCH_COPY_SIZES 5

typedef struct {
    int steps;
    size_t batch;
    double samples_per_second;
    double step_ms;          /* one whole training step */
    /* host BLAS on a CPU device that can also run it as a native kernel: the
     * training rate with the other ordering (0 where there is no choice) */
    int native_in_use;       /* 1: the rate above is with native kernels */
    double samples_per_second_other;
    double gemm_ms;          /* its matrix products alone, replayed back to back */
    double wait_ms;          /* host BLAS only: time waiting for queued kernels */
    double gemm_gflop;       /* GFLOP of matrix products per step */
    double gflops_clblast;   /* the step's GEMMs through CLBlast */
    double gflops_host;      /* ... through host BLAS (0 where unavailable) */
    int n_gemms;             /* GEMM calls per step */
    clae_bench_item items[CLAE_BENCH_MAX_ITEMS]; /* profiled devices only, busiest first */
    int n_items;
    double device_busy_ms;   /* sum of the items: time the device spent executing */
    int profile_times;       /* the driver's profiling times are real (some give 0 for all) */
    double commands_per_step; /* kernels, copies and fills enqueued (GEMMs apart) */
    double waits_per_step;    /* times the host blocked on the queue */
    size_t copy_bytes[CLAE_BENCH_COPY_SIZES]; /* profiled devices only */
    double copy_gbps[CLAE_BENCH_COPY_SIZES];
} clae_bench_result;

/* Trains the spec's model on its data for about `seconds` after a warm-up.
 * On a device opened with CLAE_DEVICE_PROFILE, also times every command. */
clae_status clae_bench(clae_ctx *ctx, clae_device *dev, const clae_spec *spec, double seconds,
                       clae_bench_result *out);

#ifdef __cplusplus
}
#endif
#endif
