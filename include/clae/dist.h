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

/* A sum of n floats over the ranks that runs beside other work (a bucket of
 * a step's gradient while backward goes on): a reduce-scatter then an
 * all-gather, so each element is summed once, on one rank, and every rank
 * gets the same bits (the ring pattern: 2 (N - 1) / N x n x 4 bytes through
 * each link). MPI moves it along only inside MPI calls: poll it. Its padded
 * buffers are allocated once, at create. */
typedef struct clae_dist_sum_op clae_dist_sum_op;
clae_status clae_dist_sum_create(clae_ctx *ctx, clae_dist *d, size_t n, clae_dist_sum_op **op);
void clae_dist_sum_free(clae_dist_sum_op *op);
/* Starts summing x[0..n); x receives the sum when the operation is done and
 * must stay until then. One sum at a time per operation. */
clae_status clae_dist_sum_start(clae_ctx *ctx, clae_dist_sum_op *op, float *x);
/* Moves it along without waiting: *done = 1 once x holds the sum. */
clae_status clae_dist_sum_poll(clae_ctx *ctx, clae_dist_sum_op *op, int *done);
/* Waits until x holds the sum. */
clae_status clae_dist_sum_wait(clae_ctx *ctx, clae_dist_sum_op *op);
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
