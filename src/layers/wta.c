/* Winner-take-all (lifetime sparsity, Makhzani & Frey 2015): in training each
 * code unit keeps only its largest share of activations across the batch (at
 * least one), and passes gradient only through those. Evaluation cannot rank
 * within a batch without making a sample's code depend on its neighbours (and
 * the test metrics on how evaluation is chunked), so it keeps the values that
 * reach the unit's running threshold: the smallest kept value of each training
 * batch, averaged with momentum as batch norm's statistics are, and
 * checkpointed beside them. */
#include <math.h>
#include <stdlib.h>

#include "kernels/ops.h"
#include "layers/layer.h"

#define THRESHOLD_MOMENTUM 0.1f

typedef struct {
    double percent;   /* [loss] winner_take_all */
    size_t threshold; /* per unit, in the statistics arena */
    clae_buf mask;    /* which values passed, batch_max x units */
} wta_state;

static clae_status wta_build(clae_layer *l, clae_builder *b)
{
    l->out = l->in;
    wta_state *st = calloc(1, sizeof *st);
    if (!st) return clae__fail(clae__builder_device(b)->ctx, CLAE_ENOMEM, "out of memory");
    l->priv = st;
    st->percent = clae__builder_spec(b)->loss.winner_take_all;
    st->threshold = clae__builder_stat(b, l, "threshold", clae_shape_size(l->in), 0.0f);
    return clae__buf_create(clae__builder_device(b),
                            clae__builder_batch(b) * clae_shape_size(l->in), &st->mask);
}

size_t clae__wta_keep(double percent, size_t rows)
{
    size_t keep = (size_t)ceil(percent / 100.0 * (double)rows - 1e-9);
    return keep < 1 ? 1 : keep > rows ? rows : keep;
}

static clae_status wta_forward(clae_layer *l, const clae_exec *e, const clae_buf *x, size_t x_off)
{
    wta_state *st = l->priv;
    size_t units = clae_shape_size(l->in);
    if (e->mode == CLAE_EVALUATION)
        return clae__wta_apply(e->dev, e->batch, units, x, x_off, e->stats, st->threshold, &l->y,
                               &st->mask);
    clae_status s = clae__buf_copy(e->dev, x, x_off, &l->y, 0, e->batch * units);
    if (s == CLAE_OK)
        s = clae__wta_select(e->dev, e->batch, units, clae__wta_keep(st->percent, e->batch),
                             &l->y, 0, &st->mask);
    if (s == CLAE_OK)
        s = clae__wta_threshold(e->dev, e->batch, units, &l->y, 0, &st->mask, THRESHOLD_MOMENTUM,
                                e->stats, st->threshold);
    return s;
}

static clae_status wta_backward(clae_layer *l, const clae_exec *e, const clae_buf *x, size_t x_off,
                                clae_buf *dy, clae_buf *dx)
{
    wta_state *st = l->priv;
    size_t n = e->batch * clae_shape_size(l->in);
    clae_status s = clae__mask_mul(e->dev, n, &st->mask, dy, 0);
    if (s == CLAE_OK && dx) s = clae__buf_copy(e->dev, dy, 0, dx, 0, n);
    return s;
}

static void wta_release(clae_layer *l)
{
    wta_state *st = l->priv;
    if (st) clae__buf_release(&st->mask);
    free(st);
}

const clae_buf *clae__wta_mask(const clae_layer *l) { return &((const wta_state *)l->priv)->mask; }

const clae_layer_vt clae_wta_vt = {"wta", wta_build, wta_forward, wta_backward, wta_release};
