/* Max pooling (no padding, the floor of partial windows, as PyTorch's
 * MaxPool2d; the gradient goes to each window's argmax) and nearest-neighbour
 * upsampling by an integer factor (its mirror in a decoder). */
#include <stdlib.h>

#include "kernels/ops.h"
#include "layers/layer.h"

typedef struct {
    size_t k, stride;
    clae_buf arg; /* index of each output's max within its input plane */
} maxpool_state;

static clae_status maxpool_build(clae_layer *l, clae_builder *b)
{
    int k = l->spec.size, s = l->spec.stride ? l->spec.stride : k;
    if (l->in.h < k || l->in.w < k)
        return clae__builder_fail(b, l, "a %dx%d window does not fit a %dx%dx%d input", k, k,
                                  l->in.c, l->in.h, l->in.w);
    l->out = (clae_shape){l->in.c, (l->in.h - k) / s + 1, (l->in.w - k) / s + 1};
    maxpool_state *st = calloc(1, sizeof *st);
    if (!st) return clae__fail(clae__builder_device(b)->ctx, CLAE_ENOMEM, "out of memory");
    l->priv = st;
    st->k = (size_t)k;
    st->stride = (size_t)s;
    return clae__buf_create(clae__builder_device(b),
                            clae__builder_batch(b) * clae_shape_size(l->out), &st->arg);
}

static clae_status maxpool_forward(clae_layer *l, const clae_exec *e, const clae_buf *x,
                                   size_t x_off)
{
    maxpool_state *st = l->priv;
    return clae__maxpool_fwd(e->dev, e->batch, (size_t)l->in.c, (size_t)l->in.h, (size_t)l->in.w,
                             st->k, st->stride, (size_t)l->out.h, (size_t)l->out.w, x, x_off,
                             &l->y, 0, &st->arg);
}

static clae_status maxpool_backward(clae_layer *l, const clae_exec *e, const clae_buf *x,
                                    size_t x_off, clae_buf *dy, clae_buf *dx)
{
    maxpool_state *st = l->priv;
    if (!dx) return CLAE_OK;
    return clae__maxpool_bwd(e->dev, e->batch, (size_t)l->in.c, (size_t)l->in.h, (size_t)l->in.w,
                             st->k, st->stride, (size_t)l->out.h, (size_t)l->out.w, dy, 0,
                             &st->arg, dx, 0);
}

static void maxpool_release(clae_layer *l)
{
    maxpool_state *st = l->priv;
    if (st) clae__buf_release(&st->arg);
    free(st);
}

const clae_layer_vt clae_maxpool_vt = {"maxpool", maxpool_build, maxpool_forward,
                                       maxpool_backward, maxpool_release};

static clae_status upsample_build(clae_layer *l, clae_builder *b)
{
    int f = l->spec.factor;
    l->out = (clae_shape){l->in.c, l->in.h * f, l->in.w * f};
    return CLAE_OK;
}

static clae_status upsample_forward(clae_layer *l, const clae_exec *e, const clae_buf *x,
                                    size_t x_off)
{
    return clae__upsample_fwd(e->dev, e->batch, (size_t)l->in.c, (size_t)l->in.h,
                              (size_t)l->in.w, (size_t)l->spec.factor, x, x_off, &l->y, 0);
}

static clae_status upsample_backward(clae_layer *l, const clae_exec *e, const clae_buf *x,
                                     size_t x_off, clae_buf *dy, clae_buf *dx)
{
    if (!dx) return CLAE_OK;
    return clae__upsample_bwd(e->dev, e->batch, (size_t)l->in.c, (size_t)l->in.h,
                              (size_t)l->in.w, (size_t)l->spec.factor, dy, 0, dx, 0);
}

const clae_layer_vt clae_upsample_vt = {"upsample", upsample_build, upsample_forward,
                                        upsample_backward, NULL};
