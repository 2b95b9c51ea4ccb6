/* Transposed convolution (PyTorch's ConvTranspose2d: weight Cin x Cout x k x k),
 * the adjoint of a convolution with the same kernel, stride and padding:
 *   forward   xc (Cin x N·Pin) = x channel-major; col (Cout·k·k x N·Pin) =
 *             Wᵀ · xc; col2im scatters it into the output map (gather form);
 *             bias + activation in place;
 *   backward  dz = dy · act'(y); the bias gradient is a per-channel parallel
 *             reduction; col = im2col(dz); dW = xc · colᵀ; dxc = W · col, back
 *             to NCHW for dx.
 * xc from the forward is kept for the backward that follows it. */
#include <stdlib.h>

#include "device/gemm.h"
#include "kernels/ops.h"
#include "layers/conv_geom.h"
#include "layers/layer.h"

typedef struct {
    clae_conv_geom g; /* the adjoint convolution: the output map is its input */
    int bias;
    clae_buf xc, col, scratch;
} deconv_state;

static clae_status deconv_build(clae_layer *l, clae_builder *b)
{
    int k = l->spec.size, s = l->spec.stride, op = l->spec.output_padding;
    int pad = l->spec.padding == CLAE_PADDING_SAME ? (k - 1) / 2 : l->spec.padding;
    if (op >= s)
        return clae__builder_fail(b, l, "output_padding %d must be smaller than the stride %d",
                                  op, s);
    int oh = clae__deconv_out(l->in.h, k, s, pad, op), ow = clae__deconv_out(l->in.w, k, s, pad, op);
    if (oh < 1 || ow < 1)
        return clae__builder_fail(b, l, "a %dx%d transposed convolution with padding %d gives "
                                        "no output on a %dx%dx%d input", k, k, pad, l->in.c,
                                  l->in.h, l->in.w);
    l->out = (clae_shape){l->spec.units, oh, ow};
    deconv_state *st = calloc(1, sizeof *st);
    if (!st) return clae__fail(clae__builder_device(b)->ctx, CLAE_ENOMEM, "out of memory");
    l->priv = st;
    size_t batch = clae__builder_batch(b), cin = (size_t)l->in.c, f = (size_t)l->spec.units;
    st->g = (clae_conv_geom){batch, f, (size_t)oh, (size_t)ow, (size_t)k, (size_t)s, (size_t)pad,
                             (size_t)l->in.h, (size_t)l->in.w};
    st->bias = l->spec.bias;
    /* PyTorch takes a transposed convolution's fan-in from its second dimension */
    size_t fkk = f * (size_t)(k * k), npin = batch * (size_t)l->in.h * (size_t)l->in.w;
    size_t wshape[4] = {cin, f, (size_t)k, (size_t)k}, bshape[1] = {f};
    l->w_off = clae__builder_param(b, l, "weight", 4, wshape, fkk, CLAE_INIT_FAN_IN);
    if (st->bias) l->b_off = clae__builder_param(b, l, "bias", 1, bshape, fkk, CLAE_INIT_FAN_IN);
    clae_device *dev = clae__builder_device(b);
    clae_status r = clae__buf_create(dev, cin * npin, &st->xc);
    if (r == CLAE_OK) r = clae__buf_create(dev, fkk * npin, &st->col);
    if (r == CLAE_OK) r = clae__buf_create(dev, clae__channel_scratch(dev, f), &st->scratch);
    return r;
}

static clae_status deconv_forward(clae_layer *l, const clae_exec *e, const clae_buf *x,
                                  size_t x_off)
{
    deconv_state *st = l->priv;
    clae_conv_geom g = st->g;
    g.batch = e->batch;
    size_t cin = (size_t)l->in.c, pin = g.oh * g.ow, npin = g.batch * pin;
    size_t fkk = g.channels * g.k * g.k;
    clae_status s = clae__act_bwd_to_cnhw(e->dev, g.batch, cin, pin, CLAE_ACT_LINEAR, x, x_off, x,
                                          x_off, &st->xc);
    clae_gemm_args mm = {1, 0, fkk, npin, cin, 1.0f, 0.0f, e->params, l->w_off, fkk,
                         &st->xc, 0, npin, &st->col, 0, npin};
    if (s == CLAE_OK) s = clae__gemm(e->dev, &mm);
    if (s == CLAE_OK) s = clae__col2im(e->dev, &g, &st->col, &l->y, 0);
    if (s == CLAE_OK)
        s = clae__channel_bias_act(e->dev, g.batch, g.channels, g.h * g.w, (int)l->activation,
                                   &l->y, 0, st->bias ? e->params : NULL, l->b_off);
    return s;
}

static clae_status deconv_backward(clae_layer *l, const clae_exec *e, const clae_buf *x,
                                   size_t x_off, clae_buf *dy, clae_buf *dx)
{
    deconv_state *st = l->priv;
    clae_conv_geom g = st->g;
    g.batch = e->batch;
    size_t cin = (size_t)l->in.c, pin = g.oh * g.ow, npin = g.batch * pin;
    size_t fkk = g.channels * g.k * g.k, nout = g.batch * clae_shape_size(l->out);
    clae_status s = clae__act_bwd(e->dev, nout, (int)l->activation, dy, 0, &l->y, 0, dy, 0);
    if (s == CLAE_OK && st->bias)
        s = clae__channel_bias_grad(e->dev, g.batch, g.channels, g.h * g.w, dy, 0, &st->scratch,
                                    e->grads, l->b_off);
    if (s == CLAE_OK) s = clae__im2col(e->dev, &g, dy, 0, &st->col);
    clae_gemm_args gw = {0, 1, cin, fkk, npin, 1.0f, 0.0f, &st->xc, 0, npin, &st->col, 0, npin,
                         e->grads, l->w_off, fkk};
    if (s == CLAE_OK) s = clae__gemm(e->dev, &gw);
    if (s != CLAE_OK || !dx) return s;
    clae_gemm_args gx = {0, 0, cin, npin, fkk, 1.0f, 0.0f, e->params, l->w_off, fkk,
                         &st->col, 0, npin, &st->xc, 0, npin};
    s = clae__gemm(e->dev, &gx);
    if (s == CLAE_OK)
        s = clae__cnhw_bias_act(e->dev, g.batch, cin, pin, CLAE_ACT_LINEAR, &st->xc, NULL, 0, dx,
                                0);
    return s;
}

static void deconv_release(clae_layer *l)
{
    deconv_state *st = l->priv;
    if (st) {
        clae__buf_release(&st->xc);
        clae__buf_release(&st->col);
        clae__buf_release(&st->scratch);
    }
    free(st);
}

const clae_layer_vt clae_deconv_vt = {"deconv", deconv_build, deconv_forward, deconv_backward,
                                      deconv_release};
