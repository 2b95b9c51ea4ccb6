/* `clae bench`: steady-state training throughput and where a step's time goes. */
#ifndef CLAE_BENCH_H
#define CLAE_BENCH_H

#include "clae/device.h"
#include "clae/spec.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct {
    int steps;
    size_t batch;
    double samples_per_second;
    double step_ms;          /* one whole training step */
    double gemm_ms;          /* its matrix products alone, replayed back to back */
    double wait_ms;          /* host BLAS only: time waiting for queued kernels */
    double gemm_gflop;       /* GFLOP of matrix products per step */
    double gflops_clblast;   /* the step's GEMMs through CLBlast */
    double gflops_host;      /* ... through host BLAS (0 where unavailable) */
    int n_gemms;             /* GEMM calls per step */
} clae_bench_result;

/* Trains the spec's model on its data for about `seconds` after a warm-up. */
clae_status clae_bench(clae_ctx *ctx, clae_device *dev, const clae_spec *spec, double seconds,
                       clae_bench_result *out);

#ifdef __cplusplus
}
#endif
#endif
