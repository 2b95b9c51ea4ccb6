/* clae train under mpirun: which device a rank opens, and what the ranks
 * agree on before they train. */
#ifndef CLAE_CLI_TRAIN_RANKS_H
#define CLAE_CLI_TRAIN_RANKS_H

#include "clae/dist.h"
#include "clae/spec.h"

/* This rank's device: its entry of a --device list ("0,2": local rank 0 the
 * first, 1 the second, 2 the first again), the one --device or $CLAE_DEVICE
 * names, else with several ranks the GPUs of the machine in turn by local
 * rank, else the default. buf holds a chosen index. */
const char *cli_rank_device(clae_ctx *ctx, const char *device, const clae_dist *dist,
                            char *buf, size_t cap);

/* Over ranks, rank 0's view decides whether the run resumes (a rank's own
 * look at the folder could differ), and every rank must have read the same
 * spec: else their steps would not pair up. */
clae_status cli_agree_on_run(clae_ctx *ctx, clae_dist *dist, const clae_spec *spec, int *resume);

#endif
