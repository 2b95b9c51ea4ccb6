/* Every kernel and GEMM provider of the default device against the plain-C
 * references (the same suite as `clae conformance`). */
#include "check.h"
#include "clae/conformance.h"
#include "device_or_skip.h"
#include "kernels/kernels.h"

/* Every kernel of cl/, by name, and the check that runs it: its own, or that of
 * the operation whose stages it is (a two-stage reduction, say). The list must
 * equal the kernel table (src/kernels/kernels.h), so a new kernel cannot go
 * without a conformance check unnoticed. */
static const struct {
    const char *kernel, *check;
} kernels[] = {
    {"act_fwd", "act_fwd"},
    {"act_bwd", "act_bwd"},
    {"bias_act_fwd", "bias_act_fwd"},
    {"act_bwd_col_partials", "act_bwd_bias_grad"},
    {"col_combine", "act_bwd_bias_grad"},
    {"mse_loss", "mse_loss"},
    {"bce_logits_loss", "bce_logits_loss"},
    {"reduce_sum", "reduce_sum"},
    {"col_partials", "sparsity_kl"},
    {"row_sq_sums", "contractive_fwd"},
    {"gather_rows", "gather_rows"},
    {"sgd_step", "sgd_step"},
    {"rmsprop_step", "rmsprop_step"},
    {"adam_step", "adam_step"},
    {"rng_uniform", "rng_uniform"},
    {"rng_normal", "rng_normal"},
    {"corrupt", "corrupt"},
    {"sparsity_l1", "sparsity_l1"},
    {"sparsity_kl_units", "sparsity_kl"},
    {"add_cols", "sparsity_kl"},
    {"add_inplace", "add_inplace"},
    {"contractive_partials", "contractive_fwd"},
    {"contractive_units", "contractive_fwd"},
    {"contractive_wgrad", "contractive_wgrad"},
    {"wta_rank", "wta_select"},
    {"mask_mul", "mask_mul"},
    {"wta_threshold", "wta_threshold"},
    {"wta_apply", "wta_apply"},
    {"reparam_fwd", "reparam_fwd"},
    {"reparam_bwd", "reparam_bwd"},
    {"vae_kl", "vae_kl"},
    {"im2col", "im2col"},
    {"col2im", "col2im"},
    {"cnhw_bias_act", "cnhw_bias_act"},
    {"act_bwd_to_cnhw", "act_bwd_to_cnhw"},
    {"channel_bias_act", "channel_bias_act"},
    {"channel_sums", "channel_sums"},
    {"channel_combine", "channel_combine"},
    {"bn_stats", "bn_stats"},
    {"bn_fwd", "bn_fwd"},
    {"bn_param_grad", "bn_param_grad"},
    {"bn_bwd", "bn_bwd"},
    {"maxpool_fwd", "maxpool_fwd"},
    {"maxpool_bwd", "maxpool_bwd"},
    {"upsample_fwd", "upsample_fwd"},
    {"upsample_bwd", "upsample_bwd"},
    {"dropout_fwd", "dropout_fwd"},
    {"dropout_bwd", "dropout_bwd"},
};
#define N_KERNELS (sizeof kernels / sizeof kernels[0])
static int checked[N_KERNELS];

static void report(void *user, const clae_check_result *r)
{
    int *count = user;
    (*count)++;
    for (size_t k = 0; k < N_KERNELS; k++) {
        size_t n = strlen(kernels[k].check);
        checked[k] |= strncmp(r->name, kernels[k].check, n) == 0 && r->name[n] == ' ';
    }
    if (!r->passed)
        fprintf(stderr, "FAIL %s: index %zu got %.9g want %.9g (max abs %.3g, tol %.3g+%.3g|x|)\n",
                r->name, r->first_bad, (double)r->got, (double)r->want, r->max_abs, r->tol_abs,
                r->tol_rel);
    CHECK(r->passed);
}

int main(void)
{
    clae_ctx *ctx = clae_ctx_create();
    clae_device *dev = open_device_or_skip(ctx);
    int checks = 0, failures = 0;
    clae_status s = clae_conformance_run(dev, report, &checks, &failures);
    if (s != CLAE_OK) fprintf(stderr, "%s\n", clae_ctx_message(ctx));
    CHECK(s == CLAE_OK);
    CHECK(failures == 0);
    /* the list above is the kernel table, and every kernel in it was checked */
    static const char *const table[] = {
#define KERNEL_NAME(name) #name,
        CLAE_KERNEL_TABLE(KERNEL_NAME)
#undef KERNEL_NAME
    };
    CHECK(sizeof table / sizeof table[0] == N_KERNELS);
    for (size_t k = 0; k < N_KERNELS; k++) {
        int listed = 0;
        for (size_t t = 0; t < sizeof table / sizeof table[0]; t++)
            listed |= strcmp(table[t], kernels[k].kernel) == 0;
        if (!listed || !checked[k])
            fprintf(stderr, "kernel %s: in the table %d, checked %d\n", kernels[k].kernel, listed,
                    checked[k]);
        CHECK(listed && checked[k]);
    }
    CHECK(checks > 250);
    printf("%d conformance checks on %s\n", checks, clae_device_get_info(dev)->name);
    clae_device_close(dev);
    clae_ctx_destroy(ctx);
    return check_finish();
}
