/* clae conformance: every kernel against its plain-C reference. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clae/conformance.h"
#include "cli/cli.h"

static void print_result(void *user, const clae_check_result *r)
{
    int *count = user;
    (*count)++;
    printf("%-52s max abs %9.3g  max rel %9.3g  tol %.1g+%.1g|x|  %s\n", r->name, r->max_abs,
           r->max_rel, r->tol_abs, r->tol_rel, r->passed ? "PASS" : "FAIL");
    if (!r->passed)
        printf("    first bad index %zu: got %.9g, want %.9g\n", r->first_bad, (double)r->got,
               (double)r->want);
    fflush(stdout);
}

/* Runs the suite on one device; returns the exit code. */
static int run_on(clae_ctx *ctx, int index)
{
    clae_device *dev = NULL;
    clae_status status = clae_device_open(ctx, index, &dev);
    if (status != CLAE_OK) return cli_fail(ctx, status);
    const clae_device_info *info = clae_device_get_info(dev);
    printf("device %d: %s (%s), GEMM by %s\n", index, info->name, info->platform,
           clae_device_gemm_provider(dev));
    int checks = 0, failures = 0;
    status = clae_conformance_run(dev, print_result, &checks, &failures);
    clae_device_close(dev);
    if (status != CLAE_OK) return cli_fail(ctx, status);
    printf("device %d: %d checks, %d passed, %d failed\n", index, checks, checks - failures,
           failures);
    return failures ? 1 : 0;
}

static int run(int argc, char **argv)
{
    static const struct option options[] = {{"device", required_argument, NULL, 'd'},
                                            {"verbose", no_argument, NULL, 'v'},
                                            {NULL, 0, NULL, 0}};
    const char *device = NULL;
    int verbose = 0, c;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "", options, NULL)) != -1) {
        if (c == 'd') device = optarg;
        else if (c == 'v') verbose = 1;
        else return cli_bad_option("conformance", argv);
    }
    if (optind < argc)
        return cli_usage_error("conformance", "unexpected argument \"%s\"", argv[optind]);
    clae_ctx *ctx = cli_context(verbose);
    int code = 0;
    if (device && strcmp(device, "all") == 0) {
        clae_device_info *infos = NULL;
        int count = 0;
        clae_status status = clae_device_list(ctx, &infos, &count);
        if (status != CLAE_OK) code = cli_fail(ctx, status);
        for (int i = 0; status == CLAE_OK && i < count; i++) {
            int one = run_on(ctx, i);
            if (one > code) code = one;
        }
        free(infos);
        if (status == CLAE_OK && count == 0)
            code = cli_fail(ctx, clae__fail(ctx, CLAE_ENODEVICE, "no OpenCL device found (%s)",
                                                    clae_device_none_hint()));
    } else {
        int index = 0;
        clae_status status = clae_device_choose(ctx, device, &index);
        code = status == CLAE_OK ? run_on(ctx, index) : cli_fail(ctx, status);
    }
    clae_ctx_destroy(ctx);
    return code;
}

const clae_command clae_cmd_conformance = {
    "conformance", "check every kernel against a plain-C reference",
    "usage: clae conformance [--device N|all] [--verbose]\n"
    "Runs every kernel and every GEMM provider of the device against plain-C references on\n"
    "random inputs of awkward sizes; one line per check with max abs/rel error, the\n"
    "tolerance and PASS/FAIL. Exits 1 if any check fails.\n",
    run};
