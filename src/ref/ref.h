/* Plain-C references of every kernel, for `clae conformance` and the tests.
 * Same names as the kernels with the clae_ref_ prefix; plain arrays, no
 * offsets; accumulation in double where the kernel reduces. */
#ifndef CLAE_REF_H
#define CLAE_REF_H

#include <stddef.h>
#include <stdint.h>

float clae_ref_act_apply(int act, float x);
float clae_ref_act_grad_from_output(int act, float y);

void clae_ref_act_fwd(size_t n, int act, const float *x, float *y);
void clae_ref_act_bwd(size_t n, int act, const float *dy, const float *y, float *dx);
void clae_ref_bias_act_fwd(size_t rows, size_t cols, int act, float *y, const float *b);
void clae_ref_bias_grad(size_t rows, size_t cols, const float *dz, float *db, int accumulate);
void clae_ref_act_bwd_bias_grad(size_t rows, size_t cols, int act, float *dy, const float *y,
                                float *db, int accumulate);

/* Return the summed loss; grad may be NULL. */
double clae_ref_mse_loss(size_t n, const float *y, const float *t, float *grad, float scale);
double clae_ref_bce_logits_loss(size_t n, const float *z, const float *t, float *grad, float scale);

double clae_ref_reduce_sum(size_t n, const float *x, float scale);
void clae_ref_gather_rows(size_t rows, size_t cols, const float *src, const uint32_t *idx,
                          float *dst);

void clae_ref_sgd_step(size_t n, float *p, const float *g, float *m, float lr, float momentum);
void clae_ref_rmsprop_step(size_t n, float *p, const float *g, float *v, float lr, float rho,
                           float eps);
void clae_ref_adam_step(size_t n, float *p, const float *g, float *m, float *v, float beta1,
                        float beta2, float step_size, float bc2_sqrt, float eps);

void clae_ref_rng_uniform(size_t n, float *out, uint64_t seed, uint32_t stream, float lo, float hi);
/* Value i of these is element base + i of the draw (the kernels' `base`). */
void clae_ref_rng_normal(size_t n, float *out, uint64_t seed, uint32_t stream, uint32_t base,
                         float mean, float std);
/* Element i of a uniform draw in (0, 1). */
float clae_ref_rng_uniform_at(size_t i, uint64_t seed, uint32_t stream);

/* One Philox4x32-10 block: ctr in, the four output words out. */
void clae_ref_philox(uint32_t ctr[4], uint64_t seed);
/* Value i of a standard normal draw (rng_normal with mean 0, std 1). */
void clae_ref_rng_normal_at(size_t i, uint64_t seed, uint32_t stream, float *out);
float clae_ref_uint_to_unit(uint32_t u);

void clae_ref_corrupt(size_t n, const float *x, float *out, uint64_t seed, uint32_t stream,
                      uint32_t base, float std, float mask);
/* Return the penalty's value (sum |h|; per-unit KL into value[cols]). */
double clae_ref_sparsity_l1(size_t n, const float *h, float *dh, float scale);
void clae_ref_sparsity_kl(size_t rows, size_t cols, const float *h, float *dh, float rho,
                          float scale, float *value);
void clae_ref_contractive_fwd(size_t rows, size_t units, size_t in, int tanh_act, const float *h,
                              const float *w, float *dh, float scale, float *unit_g2,
                              float *value);
void clae_ref_contractive_wgrad(size_t units, size_t in, const float *w, float *dw,
                                const float *unit_g2, float scale);
void clae_ref_add_inplace(size_t n, const float *src, float *dst, float alpha);
void clae_ref_wta_select(size_t rows, size_t cols, size_t keep, float *h, float *mask);
void clae_ref_mask_mul(size_t n, const float *mask, float *dy);
void clae_ref_wta_threshold(size_t rows, size_t cols, const float *h, const float *mask,
                            float momentum, float *t);
void clae_ref_wta_apply(size_t rows, size_t cols, const float *x, const float *t, float *y,
                        float *mask);

void clae_ref_reparam_fwd(size_t rows, size_t code, const float *heads, const float *eps,
                          float *z, int sample);
void clae_ref_reparam_bwd(size_t rows, size_t code, const float *heads, const float *eps,
                          const float *dz, float kl_scale, float *dheads);
double clae_ref_vae_kl(size_t rows, size_t code, const float *heads);

/* C = alpha op(A) op(B) + beta C, row-major, double accumulation. */
void clae_ref_gemm(int trans_a, int trans_b, size_t m, size_t n, size_t k, float alpha,
                   const float *a, size_t lda, const float *b, size_t ldb, float beta, float *c,
                   size_t ldc);

/* conv.c: the geometry as in clae_conv_geom (src/kernels/ops.h), spelled out. */
void clae_ref_im2col(size_t batch, size_t channels, size_t h, size_t w, size_t k, size_t stride,
                     size_t pad, size_t oh, size_t ow, const float *x, float *col);
void clae_ref_col2im(size_t batch, size_t channels, size_t h, size_t w, size_t k, size_t stride,
                     size_t pad, size_t oh, size_t ow, const float *col, float *x);
void clae_ref_cnhw_bias_act(size_t batch, size_t channels, size_t plane, int act,
                            const float *src, const float *b, float *y);
void clae_ref_act_bwd_to_cnhw(size_t batch, size_t channels, size_t plane, int act,
                              const float *dy, const float *y, float *dz);
void clae_ref_channel_bias_act(size_t batch, size_t channels, size_t plane, int act, float *y,
                               const float *b);
/* sums[2c] = sum of x, sums[2c + 1] = sum of x*y (y NULL: x*x), over batch x plane. */
void clae_ref_channel_sums(size_t batch, size_t channels, size_t plane, const float *x,
                           const float *y, float *sums);
void clae_ref_channel_combine(size_t rows, size_t groups, const float *partial, float *out);
void clae_ref_channel_bias_grad(size_t batch, size_t channels, size_t plane, const float *dz,
                                float *db);

/* batchnorm.c: stats = mean[channels], invstd[channels]; running = mean[channels], var[channels]. */
void clae_ref_bn_stats(size_t channels, size_t count, int training, const float *sums, float eps,
                       float momentum, float *running, float *stats);
void clae_ref_bn_fwd(size_t batch, size_t channels, size_t plane, int act, const float *x,
                     const float *stats, const float *gamma, const float *beta, float *y);
void clae_ref_bn_param_grad(size_t channels, const float *sums, const float *stats,
                            float *dgamma, float *dbeta);
void clae_ref_bn_bwd(size_t batch, size_t channels, size_t plane, int training, const float *x,
                     const float *dz, const float *stats, const float *gamma,
                     const float *dgamma, const float *dbeta, float *dx);

/* pool.c */
void clae_ref_maxpool_fwd(size_t batch, size_t channels, size_t h, size_t w, size_t k,
                          size_t stride, size_t oh, size_t ow, const float *x, float *y,
                          uint32_t *arg);
void clae_ref_maxpool_bwd(size_t batch, size_t channels, size_t h, size_t w, size_t k,
                          size_t stride, size_t oh, size_t ow, const float *dy,
                          const uint32_t *arg, float *dx);
void clae_ref_upsample_fwd(size_t batch, size_t channels, size_t h, size_t w, size_t factor,
                           const float *x, float *y);
void clae_ref_upsample_bwd(size_t batch, size_t channels, size_t h, size_t w, size_t factor,
                           const float *dy, float *dx);

/* dropout.c */
void clae_ref_dropout_fwd(size_t n, const float *x, float *y, float *mask, uint64_t seed,
                          uint32_t stream, uint32_t base, float rate);
void clae_ref_dropout_bwd(size_t n, const float *dy, const float *mask, float *dx);

#endif
