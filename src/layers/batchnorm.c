/* Batch normalisation (Ioffe & Szegedy, 2015) per channel over batch x h x w
 * (per feature after a dense layer), then the section's activation. In
 * training it normalises with the batch's statistics and moves the running
 * ones (PyTorch's momentum and unbiased variance); in evaluation it uses the
 * running statistics, so a sample's output does not depend on its batch.
 * gamma and beta are parameters ("weight", "bias"); the running mean and
 * variance live in the statistics arena, checkpointed but never optimised. */
#include <stdlib.h>

#include "kernels/ops.h"
#include "layers/layer.h"

typedef struct {
    size_t running;             /* running mean, then running variance, in the stats arena */
    clae_buf sums, stats, scratch; /* per-channel sums; mean and invstd; reduction partials */
} bn_state;

static clae_status bn_build(clae_layer *l, clae_builder *b)
{
    l->out = l->in;
    bn_state *st = calloc(1, sizeof *st);
    if (!st) return clae__fail(clae__builder_device(b)->ctx, CLAE_ENOMEM, "out of memory");
    l->priv = st;
    size_t c = (size_t)l->in.c, shape[1] = {c};
    l->w_off = clae__builder_param(b, l, "weight", 1, shape, 1, CLAE_INIT_ONES);
    l->b_off = clae__builder_param(b, l, "bias", 1, shape, 1, CLAE_INIT_ZEROS);
    st->running = clae__builder_stat(b, l, "running_mean", c, 0.0f);
    clae__builder_stat(b, l, "running_var", c, 1.0f); /* right after the mean */
    clae_device *dev = clae__builder_device(b);
    clae_status r = clae__buf_create(dev, 2 * c, &st->sums);
    if (r == CLAE_OK) r = clae__buf_create(dev, 2 * c, &st->stats);
    if (r == CLAE_OK) r = clae__buf_create(dev, clae__channel_scratch(dev, c), &st->scratch);
    return r;
}

static clae_status bn_forward(clae_layer *l, const clae_exec *e, const clae_buf *x, size_t x_off)
{
    bn_state *st = l->priv;
    size_t c = (size_t)l->in.c, plane = (size_t)l->in.h * (size_t)l->in.w;
    int training = e->mode == CLAE_TRAINING;
    clae_status s = training ? clae__channel_sums(e->dev, e->batch, c, plane, x, x_off, NULL, 0,
                                                  &st->scratch, &st->sums, 0)
                             : CLAE_OK;
    if (s == CLAE_OK)
        s = clae__bn_stats(e->dev, c, e->batch * plane, training, &st->sums, 0,
                           (float)l->spec.epsilon, (float)l->spec.momentum, e->stats, st->running,
                           &st->stats);
    if (s == CLAE_OK)
        s = clae__bn_fwd(e->dev, e->batch, c, plane, (int)l->activation, x, x_off, &st->stats,
                         e->params, l->w_off, l->b_off, &l->y, 0);
    return s;
}

static clae_status bn_backward(clae_layer *l, const clae_exec *e, const clae_buf *x, size_t x_off,
                               clae_buf *dy, clae_buf *dx)
{
    bn_state *st = l->priv;
    size_t c = (size_t)l->in.c, plane = (size_t)l->in.h * (size_t)l->in.w;
    size_t n = e->batch * c * plane;
    clae_status s = clae__act_bwd(e->dev, n, (int)l->activation, dy, 0, &l->y, 0, dy, 0);
    if (s == CLAE_OK)
        s = clae__channel_sums(e->dev, e->batch, c, plane, dy, 0, x, x_off, &st->scratch,
                               &st->sums, 0);
    if (s == CLAE_OK)
        s = clae__bn_param_grad(e->dev, c, &st->sums, 0, &st->stats, e->grads, l->w_off, l->b_off);
    if (s != CLAE_OK || !dx) return s;
    return clae__bn_bwd(e->dev, e->batch, c, plane, e->mode == CLAE_TRAINING, x, x_off, dy, 0,
                        &st->stats, e->params, l->w_off, e->grads, l->w_off, l->b_off, dx, 0);
}

static void bn_release(clae_layer *l)
{
    bn_state *st = l->priv;
    if (st) {
        clae__buf_release(&st->sums);
        clae__buf_release(&st->stats);
        clae__buf_release(&st->scratch);
    }
    free(st);
}

const clae_layer_vt clae_batchnorm_vt = {"batchnorm", bn_build, bn_forward, bn_backward,
                                         bn_release};
