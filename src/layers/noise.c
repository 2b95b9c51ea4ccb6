/* Input noise, the denoising autoencoder's corruption (Vincent et al., 2008):
 * in training, additive gaussian noise clipped to [0, 1] and / or masking
 * noise, drawn on the device keyed by (seed, step, element); in evaluation the
 * input passes unchanged (a denoising model is evaluated on inputs corrupted
 * once, by the caller). The reconstruction is compared with the clean input. */
#include <stdlib.h>

#include "kernels/ops.h"
#include "layers/layer.h"

/* Separates the corruption draws from the initialisation draws of a seed. */
#define NOISE_KEY 0x6e6f697365ULL

typedef struct {
    float std, mask; /* [noise] gaussian and mask */
} noise_state;

static clae_status noise_build(clae_layer *l, clae_builder *b)
{
    noise_state *st = calloc(1, sizeof *st);
    if (!st) return clae__fail(clae__builder_device(b)->ctx, CLAE_ENOMEM, "out of memory");
    st->std = (float)clae__builder_spec(b)->noise.gaussian;
    st->mask = (float)clae__builder_spec(b)->noise.mask;
    l->priv = st;
    l->out = l->in;
    return CLAE_OK;
}

static clae_status noise_forward(clae_layer *l, const clae_exec *e, const clae_buf *x, size_t x_off)
{
    const noise_state *st = l->priv;
    size_t n = e->batch * clae_shape_size(l->in);
    if (e->mode == CLAE_EVALUATION) return clae__buf_copy(e->dev, x, x_off, &l->y, 0, n);
    return clae__corrupt(e->dev, n, x, x_off, &l->y, 0, e->seed ^ NOISE_KEY, (uint32_t)e->step,
                         (uint32_t)(e->row_base * clae_shape_size(l->in)),
                         st->std, st->mask);
}

static clae_status noise_backward(clae_layer *l, const clae_exec *e, const clae_buf *x,
                                  size_t x_off, clae_buf *dy, clae_buf *dx)
{
    if (!dx) return CLAE_OK;
    if (e->mode == CLAE_TRAINING) /* the mask is not kept: nothing below the input needs it */
        return clae__fail(e->dev->ctx, CLAE_EINTERNAL, "noise: no input gradient in training");
    return clae__buf_copy(e->dev, dy, 0, dx, 0, e->batch * clae_shape_size(l->in));
}

static void noise_release(clae_layer *l) { free(l->priv); }

const clae_layer_vt clae_noise_vt = {"noise", noise_build, noise_forward, noise_backward,
                                     noise_release};
