/* The VAE's reparameterised sample (Kingma & Welling, 2014). The input is the
 * mean and log-variance heads side by side (2 x code); in training the output
 * is z = mean + exp(logvar / 2) · eps with eps ~ N(0, I) drawn on the device,
 * keyed by (seed, step); in evaluation it is the mean. The KL term is not
 * here: it is a term attached to the heads (src/terms/kl.c). */
#include <stdlib.h>

#include "kernels/ops.h"
#include "layers/layer.h"

/* Separates the draws of eps from the initialisation's under the same seed. */
#define EPS_KEY 0x65707331ULL

typedef struct {
    clae_buf eps;
} sampler_state;

static clae_status sampler_build(clae_layer *l, clae_builder *b)
{
    size_t heads = clae_shape_size(l->in);
    if (heads % 2)
        return clae__fail(clae__builder_device(b)->ctx, CLAE_EINTERNAL,
                          "sampler: %zu heads is not mean + log-variance", heads);
    l->out = clae_shape_flat(heads / 2);
    sampler_state *st = calloc(1, sizeof *st);
    if (!st) return clae__fail(clae__builder_device(b)->ctx, CLAE_ENOMEM, "out of memory");
    l->priv = st;
    return clae__buf_create(clae__builder_device(b), clae__builder_batch(b) * heads / 2, &st->eps);
}

static clae_status sampler_forward(clae_layer *l, const clae_exec *e, const clae_buf *x,
                                   size_t x_off)
{
    sampler_state *st = l->priv;
    size_t code = clae_shape_size(l->out), n = e->batch * code;
    if (x_off != 0)
        return clae__fail(e->dev->ctx, CLAE_EINTERNAL, "sampler: heads must start the buffer");
    int sample = e->mode == CLAE_TRAINING;
    /* in evaluation eps is 0, so that backward passes no gradient to the log-variance */
    clae_status s = sample ? clae__rng_normal(e->dev, n, &st->eps, 0, e->seed ^ EPS_KEY,
                                              (uint32_t)e->step, (uint32_t)(e->row_base * code),
                                              0.0f, 1.0f)
                           : clae__buf_fill(e->dev, &st->eps, 0, n, 0.0f);
    if (s != CLAE_OK) return s;
    return clae__reparam_fwd(e->dev, e->batch, code, x, &st->eps, &l->y, sample);
}

static clae_status sampler_backward(clae_layer *l, const clae_exec *e, const clae_buf *x,
                                    size_t x_off, clae_buf *dy, clae_buf *dx)
{
    sampler_state *st = l->priv;
    if (!dx) return CLAE_OK;
    return clae__reparam_bwd(e->dev, e->batch, clae_shape_size(l->out), x, &st->eps, dy, 0.0f, dx);
}

static void sampler_release(clae_layer *l)
{
    sampler_state *st = l->priv;
    if (st) clae__buf_release(&st->eps);
    free(st);
}

const clae_buf *clae__sampler_eps(const clae_layer *l)
{
    return &((const sampler_state *)l->priv)->eps;
}

const clae_layer_vt clae_sampler_vt = {"sampler", sampler_build, sampler_forward,
                                       sampler_backward, sampler_release};
