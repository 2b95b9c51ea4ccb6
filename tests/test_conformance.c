/* Every kernel and GEMM provider of the default device against the plain-C
 * references (the same suite as `clae conformance`). */
#include "check.h"
#include "clae/conformance.h"
#include "device_or_skip.h"

static void report(void *user, const clae_check_result *r)
{
    int *count = user;
    (*count)++;
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
    /* every kernel family ran: activations, dense, losses, reductions, optimisers, rng, gemm */
    CHECK(checks > 150);
    printf("%d conformance checks on %s\n", checks, clae_device_get_info(dev)->name);
    clae_device_close(dev);
    clae_ctx_destroy(ctx);
    return check_finish();
}
