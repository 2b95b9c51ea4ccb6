/* What the ranks of a data-parallel run share: rank 0's state at the start,
 * and a check every epoch that their weights are still the same bits. */
#include <inttypes.h>
#include <stdlib.h>

#include "train/train_run.h"

/* A device buffer as rank 0 holds it, on every rank. */
static clae_status broadcast_buffer(clae_run *r, clae_buf *b)
{
    if (!b->mem || b->count == 0) return CLAE_OK;
    float *host = malloc(b->count * sizeof *host);
    if (!host) return clae__fail(r->ctx, CLAE_ENOMEM, "out of memory");
    clae_status s = clae__buf_read(r->dev, b, 0, b->count, host);
    if (s == CLAE_OK) s = clae_dist_broadcast(r->ctx, r->dist, host, b->count * sizeof *host);
    if (s == CLAE_OK) s = clae__buf_write(r->dev, b, 0, b->count, host);
    free(host);
    return s;
}

/* Every rank starts from rank 0's state: its weights and optimiser moments,
 * fresh or resumed (only rank 0 reads the checkpoint), and where it stands. */
clae_status clae__share_state(clae_run *r)
{
    if (r->dist->size <= 1) return CLAE_OK;
    int64_t where[2] = {r->first_epoch, (int64_t)r->opt.steps};
    clae_status s = clae_dist_broadcast(r->ctx, r->dist, where, sizeof where);
    r->first_epoch = (int)where[0];
    r->opt.steps = (uint64_t)where[1];
    clae_buf *bufs[] = {&r->model->params, &r->model->stats, &r->opt.m, &r->opt.v};
    for (size_t i = 0; s == CLAE_OK && i < sizeof bufs / sizeof bufs[0]; i++)
        s = broadcast_buffer(r, bufs[i]);
    return s;
}

/* Every epoch the ranks compare a checksum of their weights: the same
 * gradient sums and steps must leave the same bits everywhere. */
clae_status clae__check_ranks_agree(clae_run *r, int epoch)
{
    if (r->dist->size <= 1) return CLAE_OK;
    size_t n = r->model->params.count;
    float *w = malloc((n ? n : 1) * sizeof *w);
    if (!w) return clae__fail(r->ctx, CLAE_ENOMEM, "out of memory");
    clae_status s = clae__buf_read(r->dev, &r->model->params, 0, n, w);
    uint64_t h = 0;
    int same = 0;
    if (s == CLAE_OK) s = clae_dist_same(r->ctx, r->dist, w, n * sizeof *w, &same, &h);
    free(w);
    if (s != CLAE_OK) return s;
    if (!same)
        return clae__fail(r->ctx, CLAE_EINTERNAL,
                          "after epoch %d the %d ranks hold different weights (this rank's "
                          "checksum %016" PRIx64 ")", epoch, r->dist->size, h);
    clae__log(r->ctx, CLAE_LOG_INFO, "epoch %d: the %d ranks hold the same weights (checksum "
              "%016" PRIx64 ")", epoch, r->dist->size, h);
    return CLAE_OK;
}
