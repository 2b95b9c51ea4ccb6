/* Every kernel and GEMM provider of the default device against the plain-C
 * references (the same suite as `clae conformance`). */
#include "check.h"
#include "clae/conformance.h"
#include "device_or_skip.h"
#include "kernels/kernels.h"

/* Every kernel of cl/, by name: each must have at least one check. The list
 * must equal the kernel table (src/kernels/kernels.h), so a new kernel cannot go
 * without a conformance check unnoticed. */
static const char *const kernels[] = {
    "act_fwd",         "act_bwd",         "bias_act_fwd",  "bias_grad",   "act_bwd_bias_grad",
    "mse_loss",        "bce_logits_loss", "reduce_sum",    "gather_rows", "sgd_step",
    "rmsprop_step",    "adam_step",       "rng_uniform",   "rng_normal",  "corrupt",
    "sparsity_l1",     "sparsity_kl",     "add_inplace",   "contractive_fwd",
    "contractive_wgrad", "wta_select",    "mask_mul",      "wta_threshold", "wta_apply",      "reparam_fwd", "reparam_bwd",
    "vae_kl",          "im2col",          "col2im",        "cnhw_bias_act",
    "act_bwd_to_cnhw", "channel_bias_act", "channel_sums", "channel_combine", "bn_stats",
    "bn_fwd",          "bn_param_grad",   "bn_bwd",        "maxpool_fwd", "maxpool_bwd",
    "upsample_fwd",    "upsample_bwd",    "dropout_fwd",   "dropout_bwd"};
#define N_KERNELS (sizeof kernels / sizeof kernels[0])
static int checked[N_KERNELS];

static void report(void *user, const clae_check_result *r)
{
    int *count = user;
    (*count)++;
    for (size_t k = 0; k < N_KERNELS; k++) {
        size_t n = strlen(kernels[k]);
        checked[k] |= strncmp(r->name, kernels[k], n) == 0 && r->name[n] == ' ';
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
            listed |= strcmp(table[t], kernels[k]) == 0;
        if (!listed || !checked[k])
            fprintf(stderr, "kernel %s: in the table %d, checked %d\n", kernels[k], listed,
                    checked[k]);
        CHECK(listed && checked[k]);
    }
    CHECK(checks > 250);
    printf("%d conformance checks on %s\n", checks, clae_device_get_info(dev)->name);
    clae_device_close(dev);
    clae_ctx_destroy(ctx);
    return check_finish();
}
