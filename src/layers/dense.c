/* The dense (fully connected) layer: y = act(x · Wᵀ + b), W stored out x in.
 * A tied layer maps out -> in with the transpose of another layer's W:
 * y = act(x · W + b). Matrix products go through gemm with transposes; the
 * bias and activation are one fused kernel each way. */
#include "device/gemm.h"
#include "layers/layer.h"
#include "kernels/ops.h"

/* For a tied layer W belongs to the layer it mirrors: its stored shape is
 * (this layer's in) x (this layer's out). */
static clae_status dense_forward(clae_layer *l, clae_device *dev, const clae_param_store *ps,
                                 const clae_buf *x, size_t x_off, size_t batch)
{
    clae_gemm_args g = {0, !l->tied, batch, (size_t)l->out, (size_t)l->in, 1.0f, 0.0f,
                        x, x_off, (size_t)l->in, ps->params, l->w_off,
                        l->tied ? (size_t)l->out : (size_t)l->in, &l->y, 0, (size_t)l->out};
    clae_status s = clae__gemm(dev, &g);
    if (s != CLAE_OK) return s;
    return clae__bias_act_fwd(dev, batch, (size_t)l->out, (int)l->activation, &l->y, 0,
                              ps->params, l->b_off);
}

static clae_status dense_backward(clae_layer *l, clae_device *dev, const clae_param_store *ps,
                                  const clae_buf *x, size_t x_off, clae_buf *dy, clae_buf *dx,
                                  size_t batch)
{
    size_t in = (size_t)l->in, out = (size_t)l->out;
    /* dz = dy · act'(y) in place, and the bias gradient, in one pass. */
    clae_status s = clae__act_bwd_bias_grad(dev, batch, out, (int)l->activation, dy, 0, &l->y, 0,
                                            ps->grads, l->b_off, 0);
    if (s != CLAE_OK) return s;
    float beta = l->accumulate_w ? 1.0f : 0.0f;
    if (l->tied) {
        /* W is in x out here: dW += xᵀ · dz */
        clae_gemm_args gw = {1, 0, in, out, batch, 1.0f, beta, x, x_off, in,
                             dy, 0, out, ps->grads, l->w_off, out};
        s = clae__gemm(dev, &gw);
    } else {
        /* W is out x in: dW = dzᵀ · x */
        clae_gemm_args gw = {1, 0, out, in, batch, 1.0f, beta, dy, 0, out,
                             x, x_off, in, ps->grads, l->w_off, in};
        s = clae__gemm(dev, &gw);
    }
    if (s != CLAE_OK || !dx) return s;
    /* dx = dz · W (W out x in), or dz · Wᵀ for a tied layer (W in x out). */
    clae_gemm_args gx = {0, l->tied, batch, in, out, 1.0f, 0.0f, dy, 0, out,
                         ps->params, l->w_off, l->tied ? out : in, dx, 0, in};
    return clae__gemm(dev, &gx);
}

const clae_layer_ops clae_dense_ops = {"dense", dense_forward, dense_backward};
