/* Dropout (inverted): in training each value is zeroed with probability rate
 * and the others scaled by 1 / (1 - rate), from the counter-based generator
 * keyed by (seed, the layer, step, element); in evaluation values pass
 * unchanged. */
#include <stdlib.h>

#include "kernels/ops.h"
#include "layers/layer.h"

#define DROPOUT_KEY 0x64726f70ULL /* "drop" */

typedef struct {
    uint64_t key; /* this layer's draws: DROPOUT_KEY and its name */
    clae_buf mask;
} dropout_state;

static clae_status dropout_build(clae_layer *l, clae_builder *b)
{
    l->out = l->in;
    dropout_state *st = calloc(1, sizeof *st);
    if (!st) return clae__fail(clae__builder_device(b)->ctx, CLAE_ENOMEM, "out of memory");
    l->priv = st;
    st->key = DROPOUT_KEY;
    for (const char *c = l->name; *c; c++) st->key = st->key * 1099511628211ULL ^ (uint8_t)*c;
    return clae__buf_create(clae__builder_device(b),
                            clae__builder_batch(b) * clae_shape_size(l->in), &st->mask);
}

static clae_status dropout_forward(clae_layer *l, const clae_exec *e, const clae_buf *x,
                                   size_t x_off)
{
    dropout_state *st = l->priv;
    size_t n = e->batch * clae_shape_size(l->in);
    if (e->mode == CLAE_EVALUATION) return clae__buf_copy(e->dev, x, x_off, &l->y, 0, n);
    return clae__dropout_fwd(e->dev, n, x, x_off, &l->y, 0, &st->mask, e->seed ^ st->key,
                             (uint32_t)e->step, (uint32_t)(e->row_base * clae_shape_size(l->in)),
                             (float)l->spec.rate);
}

static clae_status dropout_backward(clae_layer *l, const clae_exec *e, const clae_buf *x,
                                    size_t x_off, clae_buf *dy, clae_buf *dx)
{
    dropout_state *st = l->priv;
    size_t n = e->batch * clae_shape_size(l->in);
    if (!dx) return CLAE_OK;
    if (e->mode == CLAE_EVALUATION) return clae__buf_copy(e->dev, dy, 0, dx, 0, n);
    return clae__dropout_bwd(e->dev, n, dy, 0, &st->mask, dx, 0);
}

static void dropout_release(clae_layer *l)
{
    dropout_state *st = l->priv;
    if (st) clae__buf_release(&st->mask);
    free(st);
}

const clae_layer_vt clae_dropout_vt = {"dropout", dropout_build, dropout_forward,
                                       dropout_backward, dropout_release};
