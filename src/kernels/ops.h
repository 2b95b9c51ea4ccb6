/* Host wrappers of the kernels in cl/: one function per kernel, named after
 * it (kernel act_fwd → clae__act_fwd, reference clae_ref_act_fwd). Buffers go
 * as (buffer, offset) pairs; a NULL grad buffer skips the gradient. */
#ifndef CLAE_OPS_H
#define CLAE_OPS_H

#include <stdint.h>

#include "device/buffer.h"

/* activation.c */
clae_status clae__act_fwd(clae_device *dev, size_t n, int act, const clae_buf *x, size_t x_off,
                          clae_buf *y, size_t y_off);
clae_status clae__act_bwd(clae_device *dev, size_t n, int act, const clae_buf *dy, size_t dy_off,
                          const clae_buf *y, size_t y_off, clae_buf *dx, size_t dx_off);
clae_status clae__bias_act_fwd(clae_device *dev, size_t rows, size_t cols, int act, clae_buf *y,
                               size_t y_off, const clae_buf *b, size_t b_off);
clae_status clae__act_bwd_bias_grad(clae_device *dev, size_t rows, size_t cols, int act,
                                    clae_buf *dy, size_t dy_off, const clae_buf *y, size_t y_off,
                                    clae_buf *db, size_t db_off, int accumulate);

/* Second stage of a column reduction (clae__col_shape): out[c] (+)= the sum of
 * the `blocks` rows of partial sums, `run` columns per work item. */
clae_status clae__col_combine(clae_device *dev, size_t blocks, size_t cols, const clae_buf *partial,
                              clae_buf *out, size_t out_off, int accumulate, size_t run);

/* loss.c: partial sums go to `partial`, which needs clae__loss_partials(dev, n)
 * elements; reduce them with clae__reduce_sum. */
size_t clae__loss_partials(const clae_device *dev, size_t n);
clae_status clae__mse_loss(clae_device *dev, size_t n, const clae_buf *y, size_t y_off,
                           const clae_buf *t, size_t t_off, clae_buf *grad, size_t grad_off,
                           float scale, clae_buf *partial);
clae_status clae__bce_logits_loss(clae_device *dev, size_t n, const clae_buf *z, size_t z_off,
                                  const clae_buf *t, size_t t_off, clae_buf *grad,
                                  size_t grad_off, float scale, clae_buf *partial);

/* reduce.c */
clae_status clae__reduce_sum(clae_device *dev, size_t n, const clae_buf *x, size_t x_off,
                             clae_buf *out, size_t out_off, float scale);
clae_status clae__gather_rows(clae_device *dev, size_t rows, size_t cols, const clae_buf *src,
                              const clae_buf *idx, size_t idx_off, clae_buf *dst, size_t dst_off);

/* optim.c */
clae_status clae__sgd_step(clae_device *dev, size_t n, clae_buf *p, const clae_buf *g, clae_buf *m,
                           float lr, float momentum);
clae_status clae__rmsprop_step(clae_device *dev, size_t n, clae_buf *p, const clae_buf *g,
                               clae_buf *v, float lr, float rho, float eps);
clae_status clae__adam_step(clae_device *dev, size_t n, clae_buf *p, const clae_buf *g,
                            clae_buf *m, clae_buf *v, float beta1, float beta2, float step_size,
                            float bc2_sqrt, float eps);

/* rng.c: draws keyed by (seed, stream); element i is the same on every device.
 * Where a call takes `base`, its value i is element base + i of the draw (a
 * batch's place in its step, so a sample draws the same in any slice of the
 * step). clae__rng_items: the work items of a draw of n values (32 each). */
size_t clae__rng_items(size_t n);
clae_status clae__rng_uniform(clae_device *dev, size_t n, clae_buf *out, size_t out_off,
                              uint64_t seed, uint32_t stream, float lo, float hi);
clae_status clae__rng_normal(clae_device *dev, size_t n, clae_buf *out, size_t out_off,
                             uint64_t seed, uint32_t stream, uint32_t base, float mean, float std);

/* noise.c: the denoising corruption; value i uses element base + i of the draw. */
clae_status clae__corrupt(clae_device *dev, size_t n, const clae_buf *x, size_t x_off,
                          clae_buf *out, size_t out_off, uint64_t seed, uint32_t stream,
                          uint32_t base, float std, float mask);

/* penalty.c: penalties on a rows x cols batch of codes h. Gradients add into
 * dh (NULL: value only); values go to `partial` / `value` for reduce_sum. */
clae_status clae__sparsity_l1(clae_device *dev, size_t n, const clae_buf *h, size_t h_off,
                              clae_buf *dh, float scale, clae_buf *partial);
clae_status clae__sparsity_kl(clae_device *dev, size_t rows, size_t cols, const clae_buf *h,
                              size_t h_off, clae_buf *dh, float rho, float scale,
                              clae_buf *value);
/* The contractive penalty of a sigmoid / tanh code h = act(x·Wᵀ + b), W units x in
 * at w_off: per-unit values and Σ_rows g², the gradient through h into dh;
 * then the gradient through W into dw. */
clae_status clae__contractive_fwd(clae_device *dev, size_t rows, size_t units, size_t in, int act,
                                  const clae_buf *h, const clae_buf *w, size_t w_off,
                                  clae_buf *dh, float scale, clae_buf *unit_g2, clae_buf *value);
clae_status clae__contractive_wgrad(clae_device *dev, size_t units, size_t in, const clae_buf *w,
                                    size_t w_off, clae_buf *dw, const clae_buf *unit_g2,
                                    float scale);
/* dst[dst_off + i] += alpha * src[src_off + i] (alpha = 1 adds exactly). */
clae_status clae__add_inplace(clae_device *dev, size_t n, const clae_buf *src, size_t src_off,
                              clae_buf *dst, size_t dst_off, float alpha);

/* wta.c: winner-take-all selection over a batch, and the gradient mask. */
clae_status clae__wta_select(clae_device *dev, size_t rows, size_t cols, size_t keep,
                             clae_buf *h, size_t h_off, clae_buf *mask);
clae_status clae__mask_mul(clae_device *dev, size_t n, const clae_buf *mask, clae_buf *dy,
                           size_t dy_off);
/* The running threshold of each unit (its smallest kept value, averaged with momentum). */
clae_status clae__wta_threshold(clae_device *dev, size_t rows, size_t cols, const clae_buf *h,
                                size_t h_off, const clae_buf *mask, float momentum, clae_buf *t,
                                size_t t_off);
/* y = x where x reaches its unit's threshold, else 0; mask says which passed. */
clae_status clae__wta_apply(clae_device *dev, size_t rows, size_t cols, const clae_buf *x,
                            size_t x_off, const clae_buf *t, size_t t_off, clae_buf *y,
                            clae_buf *mask);

/* vae.c: heads are rows x 2·code (mean, then log-variance); z and eps rows x code. */
clae_status clae__reparam_fwd(clae_device *dev, size_t rows, size_t code, const clae_buf *heads,
                              const clae_buf *eps, clae_buf *z, int sample);
clae_status clae__reparam_bwd(clae_device *dev, size_t rows, size_t code, const clae_buf *heads,
                              const clae_buf *eps, const clae_buf *dz, float kl_scale,
                              clae_buf *dheads);
clae_status clae__vae_kl(clae_device *dev, size_t rows, size_t code, const clae_buf *heads,
                         clae_buf *partial);

/* conv.c (cl/conv.cl): images are batch x channels x h x w (NCHW) at x_off. A column
 * matrix is (channels*k*k) x (batch*oh*ow), row-major: row (c*k*k + ki*k + kj), column
 * (n*oh*ow + oy*ow + ox) holds x[n][c][oy*stride - pad + ki][ox*stride - pad + kj], 0 outside
 * the image. oh, ow are given (not derived), so the same kernels serve transposed convs. */
typedef struct { size_t batch, channels, h, w, k, stride, pad, oh, ow; } clae_conv_geom;
clae_status clae__im2col(clae_device *dev, const clae_conv_geom *g, const clae_buf *x, size_t x_off, clae_buf *col);
/* The adjoint: x[n][c][i][j] = the sum of every col entry that im2col would read from (i, j);
 * overwrites x (gather form: one work item per image element). */
clae_status clae__col2im(clae_device *dev, const clae_conv_geom *g, const clae_buf *col, clae_buf *x, size_t x_off);
/* Channel-major (channels x batch*plane) to NCHW with a per-channel bias and activation:
 * y[n][c][p] = act(src[c][n*plane + p] + b[b_off + c]); b may be NULL (no bias). */
clae_status clae__cnhw_bias_act(clae_device *dev, size_t batch, size_t channels, size_t plane, int act, const clae_buf *src, const clae_buf *b, size_t b_off, clae_buf *y, size_t y_off);
/* NCHW to channel-major, through the activation's gradient: dz[c][n*plane + p] = dy[n][c][p] * act'(y[n][c][p]) (act' from the output, as act_grad_from_output in cl/common.cl); with act linear it is a plain transpose. */
clae_status clae__act_bwd_to_cnhw(clae_device *dev, size_t batch, size_t channels, size_t plane, int act, const clae_buf *dy, size_t dy_off, const clae_buf *y, size_t y_off, clae_buf *dz);
/* In place on NCHW: y[n][c][p] = act(y[n][c][p] + b[b_off + c]); b may be NULL. */
clae_status clae__channel_bias_act(clae_device *dev, size_t batch, size_t channels, size_t plane, int act, clae_buf *y, size_t y_off, const clae_buf *b, size_t b_off);
/* Per-channel sums over batch x plane of NCHW data x (channel-major data: batch 1, plane = batch*plane):
 * sums[sums_off + 2c] = sum of x, sums[sums_off + 2c + 1] = sum of x*y (y NULL: of x*x). Two stages through
 * scratch, which holds clae__channel_scratch(dev, channels) floats. */
size_t clae__channel_scratch(const clae_device *dev, size_t channels);
clae_status clae__channel_sums(clae_device *dev, size_t batch, size_t channels, size_t plane, const clae_buf *x, size_t x_off, const clae_buf *y, size_t y_off, clae_buf *scratch, clae_buf *sums, size_t sums_off);
/* Bias gradient: db[db_off + c] = sum over batch x plane of dz (NCHW; channel-major: batch 1); overwrites db. Two stages through scratch. */
clae_status clae__channel_bias_grad(clae_device *dev, size_t batch, size_t channels, size_t plane, const clae_buf *dz, size_t dz_off, clae_buf *scratch, clae_buf *db, size_t db_off);
/* The second stage alone: out[out_off + r] = the sum of partial[r*groups .. (r+1)*groups). */
clae_status clae__channel_combine(clae_device *dev, size_t rows, size_t groups, const clae_buf *partial, clae_buf *out, size_t out_off);

/* batchnorm.c (cl/batchnorm.cl): per channel over batch x plane (NCHW; a dense layer's features are plane 1).
 * stats holds mean[c] at c and invstd[c] at channels + c.
 * training: from sums (as channel_sums of x, with y NULL) over count = batch*plane values: mean = s/count, var = max(sq/count - mean^2, 0) (biased),
 *   invstd = 1/sqrt(var + eps); running mean at running[r_off + c], running var at running[r_off + channels + c] become
 *   (1 - momentum)*old + momentum*new, with the unbiased var (var*count/(count-1), count > 1) as PyTorch does.
 * evaluation (training = 0): mean and invstd from the running statistics; sums and count unused; running unchanged. */
clae_status clae__bn_stats(clae_device *dev, size_t channels, size_t count, int training, const clae_buf *sums, size_t sums_off, float eps, float momentum, clae_buf *running, size_t r_off, clae_buf *stats);
/* y = act(gamma[c]*(x - mean[c])*invstd[c] + beta[c]); gamma at params[g_off + c], beta at params[b_off + c]. */
clae_status clae__bn_fwd(clae_device *dev, size_t batch, size_t channels, size_t plane, int act, const clae_buf *x, size_t x_off, const clae_buf *stats, const clae_buf *params, size_t g_off, size_t b_off, clae_buf *y, size_t y_off);
/* From sums = channel_sums(dz, x) (sum dz, sum dz*x): dgamma[c] = invstd*(sum dz*x - mean*sum dz) to grads[g_off + c], dbeta[c] = sum dz to grads[b_off + c] (overwrite). */
clae_status clae__bn_param_grad(clae_device *dev, size_t channels, const clae_buf *sums, size_t sums_off, const clae_buf *stats, clae_buf *grads, size_t g_off, size_t b_off);
/* dx from dz (the gradient after the activation's, NCHW), with M = batch*plane, xhat = (x - mean)*invstd:
 * training: dx = gamma*invstd*(dz - dbeta/M - xhat*dgamma/M), reading dgamma, dbeta from grads (written by bn_param_grad);
 * evaluation (training = 0): dx = gamma*invstd*dz. dx may alias dz. */
clae_status clae__bn_bwd(clae_device *dev, size_t batch, size_t channels, size_t plane, int training, const clae_buf *x, size_t x_off, const clae_buf *dz, size_t dz_off, const clae_buf *stats, const clae_buf *params, size_t g_off, const clae_buf *grads, size_t gg_off, size_t gb_off, clae_buf *dx, size_t dx_off);

/* pool.c (cl/pool.cl), NCHW: max pooling over k x k windows at stride (no padding, floor: oh = (h - k)/stride + 1 given);
 * arg (as uint bits in a float buffer, one per output) = index within the input plane (i*w + j) of the max, the first on ties. */
clae_status clae__maxpool_fwd(clae_device *dev, size_t batch, size_t channels, size_t h, size_t w, size_t k, size_t stride, size_t oh, size_t ow, const clae_buf *x, size_t x_off, clae_buf *y, size_t y_off, clae_buf *arg);
/* dx[n][c][i] = sum of dy over the outputs whose arg is i (gather over the windows that contain i; overwrites dx, zeros elsewhere). */
clae_status clae__maxpool_bwd(clae_device *dev, size_t batch, size_t channels, size_t h, size_t w, size_t k, size_t stride, size_t oh, size_t ow, const clae_buf *dy, size_t dy_off, const clae_buf *arg, clae_buf *dx, size_t dx_off);
/* Nearest-neighbour upsampling by an integer factor: y (h*f x w*f) [i][j] = x[i/f][j/f]; backward dx[i][j] = sum of dy over its f x f block. */
clae_status clae__upsample_fwd(clae_device *dev, size_t batch, size_t channels, size_t h, size_t w, size_t factor, const clae_buf *x, size_t x_off, clae_buf *y, size_t y_off);
clae_status clae__upsample_bwd(clae_device *dev, size_t batch, size_t channels, size_t h, size_t w, size_t factor, const clae_buf *dy, size_t dy_off, clae_buf *dx, size_t dx_off);

/* dropout.c (cl/dropout.cl): mask[i] = 0 with probability rate, else 1/(1 - rate), from the Philox generator keyed by
 * (seed, stream) and element base + i exactly as cl/rng.cl / cl/noise.cl draw uniforms (reuse their helpers); y = x*mask. */
clae_status clae__dropout_fwd(clae_device *dev, size_t n, const clae_buf *x, size_t x_off, clae_buf *y, size_t y_off, clae_buf *mask, uint64_t seed, uint32_t stream, uint32_t base, float rate);
/* dx = dy*mask. */
clae_status clae__dropout_bwd(clae_device *dev, size_t n, const clae_buf *dy, size_t dy_off, const clae_buf *mask, clae_buf *dx, size_t dx_off);

#endif
