/* Every kernel in cl/, named once. The X-macro gives the enum used to find a
 * kernel's cl_kernel on the device and the name it is created by. */
#ifndef CLAE_KERNELS_H
#define CLAE_KERNELS_H

#define CLAE_KERNEL_TABLE(X) \
    X(act_fwd)               \
    X(act_bwd)               \
    X(bias_act_fwd)          \
    X(act_bwd_col_partials)  \
    X(col_combine)           \
    X(mse_loss)              \
    X(bce_logits_loss)       \
    X(reduce_sum)            \
    X(col_partials)          \
    X(row_sq_sums)           \
    X(gather_rows)           \
    X(sgd_step)              \
    X(rmsprop_step)          \
    X(adam_step)             \
    X(rng_uniform)           \
    X(rng_normal)            \
    X(corrupt)               \
    X(sparsity_l1)           \
    X(sparsity_kl_units)     \
    X(add_cols)              \
    X(add_inplace)           \
    X(contractive_partials)  \
    X(contractive_units)     \
    X(contractive_wgrad)     \
    X(wta_rank)              \
    X(mask_mul)              \
    X(wta_threshold)         \
    X(wta_apply)             \
    X(reparam_fwd)           \
    X(reparam_bwd)           \
    X(vae_kl)                \
    X(im2col)                \
    X(col2im)                \
    X(cnhw_bias_act)         \
    X(act_bwd_to_cnhw)       \
    X(channel_bias_act)      \
    X(channel_sums)          \
    X(channel_combine)       \
    X(bn_stats)              \
    X(bn_fwd)                \
    X(bn_param_grad)         \
    X(bn_bwd)                \
    X(maxpool_fwd)           \
    X(maxpool_bwd)           \
    X(upsample_fwd)          \
    X(upsample_bwd)          \
    X(dropout_fwd)           \
    X(dropout_bwd)

typedef enum {
#define CLAE__KERNEL_ENUM(name) CLAE_K_##name,
    CLAE_KERNEL_TABLE(CLAE__KERNEL_ENUM)
#undef CLAE__KERNEL_ENUM
    CLAE_K_COUNT
} clae_kernel_id;

/* The embedded cl/ sources, generated at build time (tools/embed_cl.cmake). */
typedef struct {
    const char *name;
    const char *source;
} clae_cl_source;
extern const clae_cl_source clae__cl_sources[];
extern const int clae__cl_source_count;

#endif
