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
clae_status clae__bias_grad(clae_device *dev, size_t rows, size_t cols, const clae_buf *dz,
                            size_t dz_off, clae_buf *db, size_t db_off, int accumulate);
clae_status clae__act_bwd_bias_grad(clae_device *dev, size_t rows, size_t cols, int act,
                                    clae_buf *dy, size_t dy_off, const clae_buf *y, size_t y_off,
                                    clae_buf *db, size_t db_off, int accumulate);

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

/* rng.c: draws keyed by (seed, stream); element i is the same on every device. */
clae_status clae__rng_uniform(clae_device *dev, size_t n, clae_buf *out, size_t out_off,
                              uint64_t seed, uint32_t stream, float lo, float hi);
clae_status clae__rng_normal(clae_device *dev, size_t n, clae_buf *out, size_t out_off,
                             uint64_t seed, uint32_t stream, float mean, float std);

/* noise.c: the denoising corruption; element i uses Philox block (i, stream). */
clae_status clae__corrupt(clae_device *dev, size_t n, const clae_buf *x, size_t x_off,
                          clae_buf *out, size_t out_off, uint64_t seed, uint32_t stream,
                          float std, float mask);

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
clae_status clae__add_inplace(clae_device *dev, size_t n, const clae_buf *src, clae_buf *dst,
                              size_t dst_off);

/* wta.c: winner-take-all selection over a batch, and the gradient mask. */
clae_status clae__wta_select(clae_device *dev, size_t rows, size_t cols, size_t keep,
                             clae_buf *h, size_t h_off, clae_buf *mask);
clae_status clae__mask_mul(clae_device *dev, size_t n, const clae_buf *mask, clae_buf *dy,
                           size_t dy_off);

/* vae.c: heads are rows x 2·code (mean, then log-variance); z and eps rows x code. */
clae_status clae__reparam_fwd(clae_device *dev, size_t rows, size_t code, const clae_buf *heads,
                              const clae_buf *eps, clae_buf *z, int sample);
clae_status clae__reparam_bwd(clae_device *dev, size_t rows, size_t code, const clae_buf *heads,
                              const clae_buf *eps, const clae_buf *dz, float kl_scale,
                              clae_buf *dheads);
clae_status clae__vae_kl(clae_device *dev, size_t rows, size_t code, const clae_buf *heads,
                         clae_buf *partial);

#endif
