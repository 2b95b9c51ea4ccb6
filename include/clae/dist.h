/* Data-parallel training over MPI: the ranks of one job, each on its own
 * device. Without MPI (built without it, or not launched by mpirun) a job is
 * one rank and every call here is a no-op. */
#ifndef CLAE_DIST_H
#define CLAE_DIST_H

#include <stddef.h>
#include <stdint.h>

#include "clae/status.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct clae_dist {
    int rank, size;  /* this rank and the job's ranks (1 without MPI) */
    int local_rank;  /* the rank among those on this machine: picks its device */
    int joined;      /* MPI was initialised here and must be finalised */
    float *scratch;  /* clae_dist_sum's padded copy */
    size_t scratch_n;
} clae_dist;

/* 1 when clae was built with MPI. */
int clae_dist_available(void);
/* Joins the job when launched by mpirun (its environment says so), else one
 * rank. Launched by mpirun but built without MPI, it fails (CLAE_EUSAGE)
 * rather than run N copies that each train alone. */
clae_status clae_dist_init(clae_ctx *ctx, int *argc, char ***argv, clae_dist *d);
void clae_dist_finish(clae_dist *d);
/* Ends every rank of the job with exit code `code` (the caller has printed
 * its one line). Returns only when the job is one rank. */
void clae_dist_abort(const clae_dist *d, int code);

/* x[0..n) summed over the ranks, in place, the same bits on every rank: a
 * reduce-scatter then an all-gather, each element summed once on one rank
 * (the ring pattern: 2 (N - 1) / N x n x 4 bytes through each link). */
clae_status clae_dist_sum(clae_ctx *ctx, clae_dist *d, float *x, size_t n);
/* Doubles summed over the ranks (loss sums; any rank's order). */
clae_status clae_dist_sum_doubles(clae_ctx *ctx, clae_dist *d, double *x, size_t n);
/* Rank 0's bytes to every rank. */
clae_status clae_dist_broadcast(clae_ctx *ctx, clae_dist *d, void *bytes, size_t n);
/* Whether every rank holds the same n bytes (a 64-bit hash of them, compared
 * over the ranks): *same, and this rank's hash in *hash (may be NULL). */
clae_status clae_dist_same(clae_ctx *ctx, clae_dist *d, const void *bytes, size_t n, int *same,
                           uint64_t *hash);
/* The smallest and largest of v over the ranks. */
clae_status clae_dist_min_max(clae_ctx *ctx, clae_dist *d, uint64_t v, uint64_t *min,
                              uint64_t *max);

#ifdef __cplusplus
}
#endif
#endif
