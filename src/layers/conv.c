/* 2-D convolution over C x H x W maps (PyTorch's Conv2d: weight F x C x k x k,
 * cross-correlation, zeros outside the map). One im2col of the whole batch
 * and one GEMM each way:
 *   forward   ycol (F x N·P) = W (F x C·k·k) · col (C·k·k x N·P), then bias +
 *             activation on the way to NCHW (P = the output's h·w);
 *   backward  dz (F x N·P) = dy · act'(y), channel-major; the bias gradient is
 *             a per-channel parallel reduction; dW = dz · colᵀ; dcol = Wᵀ · dz
 *             and col2im gives dx.
 * The column matrix of the forward is kept for the backward that follows it. */
#include <stdlib.h>

#include "device/gemm.h"
#include "kernels/ops.h"
#include "layers/conv_geom.h"
#include "layers/layer.h"

typedef struct {
    clae_conv_geom g; /* geometry for batch_max; the batch is set per pass */
    int bias;
    clae_buf col, ycol, scratch;
} conv_state;

static clae_status conv_build(clae_layer *l, clae_builder *b)
{
    int k = l->spec.size, s = l->spec.stride;
    int pad = l->spec.padding == CLAE_PADDING_SAME ? (k - 1) / 2 : l->spec.padding;
    int oh = clae__conv_out(l->in.h, k, s, pad), ow = clae__conv_out(l->in.w, k, s, pad);
    if (oh < 1 || ow < 1)
        return clae__builder_fail(b, l, "a %dx%d convolution with padding %d does not fit a "
                                        "%dx%dx%d input", k, k, pad, l->in.c, l->in.h, l->in.w);
    l->out = (clae_shape){l->spec.units, oh, ow};
    conv_state *st = calloc(1, sizeof *st);
    if (!st) return clae__fail(clae__builder_device(b)->ctx, CLAE_ENOMEM, "out of memory");
    l->priv = st;
    size_t batch = clae__builder_batch(b), f = (size_t)l->spec.units;
    st->g = (clae_conv_geom){batch, (size_t)l->in.c, (size_t)l->in.h, (size_t)l->in.w,
                             (size_t)k, (size_t)s, (size_t)pad, (size_t)oh, (size_t)ow};
    st->bias = l->spec.bias;
    size_t kk = (size_t)l->in.c * (size_t)(k * k);
    size_t wshape[4] = {f, (size_t)l->in.c, (size_t)k, (size_t)k}, bshape[1] = {f};
    l->w_off = clae__builder_param(b, l, "weight", 4, wshape, kk, CLAE_INIT_FAN_IN);
    if (st->bias) l->b_off = clae__builder_param(b, l, "bias", 1, bshape, kk, CLAE_INIT_FAN_IN);
    clae_device *dev = clae__builder_device(b);
    size_t np = batch * (size_t)oh * (size_t)ow;
    clae_status r = clae__buf_create(dev, kk * np, &st->col);
    if (r == CLAE_OK) r = clae__buf_create(dev, f * np, &st->ycol);
    if (r == CLAE_OK) r = clae__buf_create(dev, clae__channel_scratch(dev, f), &st->scratch);
    return r;
}

static clae_status conv_forward(clae_layer *l, const clae_exec *e, const clae_buf *x, size_t x_off)
{
    conv_state *st = l->priv;
    clae_conv_geom g = st->g;
    g.batch = e->batch;
    size_t f = clae_shape_size(l->out) / (g.oh * g.ow), kk = g.channels * g.k * g.k;
    size_t np = g.batch * g.oh * g.ow;
    clae_status s = clae__im2col(e->dev, &g, x, x_off, &st->col);
    clae_gemm_args mm = {0, 0, f, np, kk, 1.0f, 0.0f, e->params, l->w_off, kk,
                         &st->col, 0, np, &st->ycol, 0, np};
    if (s == CLAE_OK) s = clae__gemm(e->dev, &mm);
    if (s == CLAE_OK)
        s = clae__cnhw_bias_act(e->dev, g.batch, f, g.oh * g.ow, (int)l->activation, &st->ycol,
                                st->bias ? e->params : NULL, l->b_off, &l->y, 0);
    return s;
}

static clae_status conv_backward(clae_layer *l, const clae_exec *e, const clae_buf *x,
                                 size_t x_off, clae_buf *dy, clae_buf *dx)
{
    conv_state *st = l->priv;
    clae_conv_geom g = st->g;
    g.batch = e->batch;
    size_t plane = g.oh * g.ow, f = clae_shape_size(l->out) / plane;
    size_t kk = g.channels * g.k * g.k, np = g.batch * plane;
    clae_buf *dz = &st->ycol;
    clae_status s = clae__act_bwd_to_cnhw(e->dev, g.batch, f, plane, (int)l->activation, dy, 0,
                                          &l->y, 0, dz);
    if (s == CLAE_OK && st->bias)
        s = clae__channel_bias_grad(e->dev, 1, f, np, dz, 0, &st->scratch, e->grads, l->b_off);
    clae_gemm_args gw = {0, 1, f, kk, np, 1.0f, 0.0f, dz, 0, np, &st->col, 0, np,
                         e->grads, l->w_off, kk};
    if (s == CLAE_OK) s = clae__gemm(e->dev, &gw);
    if (s != CLAE_OK || !dx) return s;
    clae_gemm_args gx = {1, 0, kk, np, f, 1.0f, 0.0f, e->params, l->w_off, kk, dz, 0, np,
                         &st->col, 0, np};
    s = clae__gemm(e->dev, &gx);
    if (s == CLAE_OK) s = clae__col2im(e->dev, &g, &st->col, dx, 0);
    return s;
}

static void conv_release(clae_layer *l)
{
    conv_state *st = l->priv;
    if (st) {
        clae__buf_release(&st->col);
        clae__buf_release(&st->ycol);
        clae__buf_release(&st->scratch);
    }
    free(st);
}

const clae_layer_vt clae_conv_vt = {"conv", conv_build, conv_forward, conv_backward, conv_release};
