/* The dense (fully connected) layer: y = act(x · Wᵀ + b), W stored out x in
 * (PyTorch's Linear layout). Its input may have any shape (it is flattened:
 * the implicit flatten between conv and dense parts). A tied layer maps
 * out -> in with the transpose of its mirror's W: y = act(x · W + b). Matrix
 * products go through gemm with transposes; the bias and activation are one
 * fused kernel each way. */
#include <stdint.h>
#include <stdlib.h>

#include "device/gemm.h"
#include "kernels/ops.h"
#include "layers/layer.h"

typedef struct {
    int tied;
} dense_state;

static clae_status dense_build(clae_layer *l, clae_builder *b)
{
    dense_state *st = calloc(1, sizeof *st);
    if (!st) return clae__fail(clae__builder_device(b)->ctx, CLAE_ENOMEM, "out of memory");
    l->priv = st;
    size_t in = clae_shape_size(l->in), out = (size_t)l->spec.units;
    if (l->out.c == 0) l->out = clae_shape_flat(out); /* the model may give it a map's shape */
    size_t tied_w = clae__builder_tied_weight(b, l);
    st->tied = tied_w != SIZE_MAX;
    if (st->tied) {
        l->w_off = tied_w;
    } else {
        size_t shape[2] = {out, in};
        l->w_off = clae__builder_param(b, l, "weight", 2, shape, in, CLAE_INIT_FAN_IN);
    }
    size_t bshape[1] = {out};
    l->b_off = clae__builder_param(b, l, "bias", 1, bshape, in, CLAE_INIT_FAN_IN);
    return CLAE_OK;
}

static clae_status dense_forward(clae_layer *l, const clae_exec *e, const clae_buf *x, size_t x_off)
{
    int tied = ((dense_state *)l->priv)->tied;
    size_t in = clae_shape_size(l->in), out = clae_shape_size(l->out);
    clae_gemm_args g = {0, !tied, e->batch, out, in, 1.0f, 0.0f, x, x_off, in,
                        e->params, l->w_off, tied ? out : in, &l->y, 0, out};
    clae_status s = clae__gemm(e->dev, &g);
    if (s != CLAE_OK) return s;
    return clae__bias_act_fwd(e->dev, e->batch, out, (int)l->activation, &l->y, 0, e->params,
                              l->b_off);
}

static clae_status dense_backward(clae_layer *l, const clae_exec *e, const clae_buf *x,
                                  size_t x_off, clae_buf *dy, clae_buf *dx)
{
    int tied = ((dense_state *)l->priv)->tied;
    size_t in = clae_shape_size(l->in), out = clae_shape_size(l->out), batch = e->batch;
    /* dz = dy · act'(y) in place, and the bias gradient, in one pass. */
    clae_status s = clae__act_bwd_bias_grad(e->dev, batch, out, (int)l->activation, dy, 0, &l->y,
                                            0, e->grads, l->b_off, 0);
    if (s != CLAE_OK) return s;
    float beta = l->accumulate_w ? 1.0f : 0.0f;
    if (tied) {
        /* W is in x out here: dW += xᵀ · dz */
        clae_gemm_args gw = {1, 0, in, out, batch, 1.0f, beta, x, x_off, in,
                             dy, 0, out, e->grads, l->w_off, out};
        s = clae__gemm(e->dev, &gw);
    } else {
        /* W is out x in: dW = dzᵀ · x */
        clae_gemm_args gw = {1, 0, out, in, batch, 1.0f, beta, dy, 0, out,
                             x, x_off, in, e->grads, l->w_off, in};
        s = clae__gemm(e->dev, &gw);
    }
    if (s != CLAE_OK || !dx) return s;
    /* dx = dz · W (W out x in), or dz · Wᵀ for a tied layer (W in x out). */
    clae_gemm_args gx = {0, tied, batch, in, out, 1.0f, 0.0f, dy, 0, out,
                         e->params, l->w_off, tied ? out : in, dx, 0, in};
    return clae__gemm(e->dev, &gx);
}

int clae__dense_tied(const clae_layer *l) { return ((const dense_state *)l->priv)->tied; }

static void dense_release(clae_layer *l) { free(l->priv); }

const clae_layer_vt clae_dense_vt = {"dense", dense_build, dense_forward, dense_backward,
                                     dense_release};
