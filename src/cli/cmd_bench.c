/* clae bench: training throughput and the split of a step's time. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "clae/bench.h"
#include "clae/spec.h"
#include "cli/cli.h"

/* 256 KiB, 4 MiB, ... */
static const char *size_text(size_t bytes)
{
    static char text[32];
    if (bytes >= (size_t)1 << 20)
        snprintf(text, sizeof text, "%zu MiB", bytes >> 20);
    else
        snprintf(text, sizeof text, "%zu KiB", bytes >> 10);
    return text;
}

static void print_result(const clae_spec *spec, const clae_device_info *info, const char *gemm,
                         const clae_bench_result *r)
{
    printf("spec: %s, batch %zu\n", spec->path, r->batch);
    printf("device %d: %s (%s), GEMM by %s\n", info->index, info->name, info->platform, gemm);
    printf("training: %.0f samples/s, %.3f ms/step over %d steps\n", r->samples_per_second,
           r->step_ms, r->steps);
    if (r->samples_per_second_other > 0)
        printf("host BLAS ordering: %s %.0f samples/s (in use), %s %.0f samples/s "
               "(CLAE_HOST_GEMM=native chooses the native kernel)\n",
               r->native_in_use ? "native kernel" : "wait-then-multiply", r->samples_per_second,
               r->native_in_use ? "wait-then-multiply" : "native kernel",
               r->samples_per_second_other);
    printf("GEMM: %d calls, %.3f GFLOP per step; GFLOP/s: clblast %.1f", r->n_gemms, r->gemm_gflop,
           r->gflops_clblast);
    if (r->gflops_host > 0) printf(", host-blas %.1f", r->gflops_host);
    printf("\n");
    double rest = r->step_ms - r->gemm_ms;
    if (rest < 0) rest = 0;
    printf("per step: GEMM %.3f ms (%.0f%%), kernels + launches + host %.3f ms (%.0f%%)", r->gemm_ms,
           100.0 * r->gemm_ms / r->step_ms, rest, 100.0 * rest / r->step_ms);
    if (r->wait_ms > 0)
        printf("; host waits for kernels %.3f ms, host-side overhead %.3f ms", r->wait_ms,
               rest > r->wait_ms ? rest - r->wait_ms : 0.0);
    printf("\n");
    printf("per step: %.1f commands (kernels, copies, fills) and %d GEMMs enqueued; the host "
           "waited on the queue %.1f times\n",
           r->commands_per_step, r->n_gemms, r->waits_per_step);
    if (r->n_items == 0) return;
    if (!r->profile_times) {
        printf("the device gives no profiling times (every command took under 1 us): no "
               "per-kernel times\n");
        return;
    }
    printf("copy bandwidth (device time, read + write):");
    for (int i = 0; i < CLAE_BENCH_COPY_SIZES; i++)
        printf(" %.0f GB/s at %s%s", r->copy_gbps[i], size_text(r->copy_bytes[i]),
               i + 1 < CLAE_BENCH_COPY_SIZES ? "," : "\n");
    printf("device time per step (profiled): %.3f ms busy of %.3f ms\n", r->device_busy_ms,
           r->step_ms);
    printf("  %-22s %6s %9s %6s %9s %7s %6s\n", "command", "calls", "ms", "share", "MB", "GB/s",
           "copy");
    for (int i = 0; i < r->n_items; i++) {
        const clae_bench_item *it = &r->items[i];
        printf("  %-22s %6.1f %9.3f %5.1f%%", it->name, it->calls_per_step, it->ms_per_step,
               100.0 * it->ms_per_step / r->step_ms);
        if (it->gb_per_second > 0)
            printf(" %9.3f %7.1f %5.0f%%\n", it->mb_per_step, it->gb_per_second,
                   100.0 * it->copy_share);
        else
            printf(" %9s %7s %6s\n", "-", "-", "-");
    }
}

static int run(int argc, char **argv)
{
    static const struct option options[] = {{"spec", required_argument, NULL, 's'},
                                            {"device", required_argument, NULL, 'd'},
                                            {"seconds", required_argument, NULL, 't'},
                                            {"verbose", no_argument, NULL, 'v'},
                                            {"profile", no_argument, NULL, 'p'},
                                            {NULL, 0, NULL, 0}};
    const char *spec_path = NULL, *device = NULL;
    long seconds = 3;
    int verbose = 0, profile = 0, c;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "", options, NULL)) != -1) {
        if (c == 's') spec_path = optarg;
        else if (c == 'd') device = optarg;
        else if (c == 'v') verbose = 1;
        else if (c == 'p') profile = 1;
        else if (c == 't') {
            if (cli_parse_long(optarg, 1, 3600, &seconds) != 0)
                return cli_usage_error("bench", "--seconds: expected 1..3600, got \"%s\"", optarg);
        } else
            return cli_bad_option("bench", argv);
    }
    if (optind < argc) return cli_usage_error("bench", "unexpected argument \"%s\"", argv[optind]);
    clae_ctx *ctx = cli_context(verbose);
    clae_spec spec;
    memset(&spec, 0, sizeof spec);
    clae_device *dev = NULL;
    clae_status s = spec_path ? clae_spec_parse(ctx, spec_path, &spec)
                              : clae_spec_parse_text(ctx, CLAE_SPEC_DEFAULT_NAME,
                                                     clae_spec_default_text(), &spec);
    int index = 0;
    if (s == CLAE_OK) s = clae_device_choose(ctx, device, &index);
    if (s == CLAE_OK)
        s = clae_device_open_with(ctx, index, profile ? CLAE_DEVICE_PROFILE : 0, &dev);
    clae_bench_result r;
    if (s == CLAE_OK) s = clae_bench(ctx, dev, &spec, (double)seconds, &r);
    int code = 0;
    if (s == CLAE_OK)
        print_result(&spec, clae_device_get_info(dev), clae_device_gemm_provider(dev), &r);
    else
        code = cli_fail(ctx, s);
    clae_device_close(dev);
    clae_spec_free(&spec);
    clae_ctx_destroy(ctx);
    return code;
}

const clae_command clae_cmd_bench = {
    "bench", "measure training throughput and GEMM speed",
    "usage: clae bench [--spec FILE] [--device N] [--seconds S] [--profile] [--verbose]\n"
    "Trains the spec's model (default: the built-in one) on a real batch for about S seconds\n"
    "(default 3) after a warm-up and reports steady-state samples/s, the GFLOP/s of the step's\n"
    "matrix products through each GEMM provider of the device, and how a step's time splits\n"
    "into GEMM, kernels and host overhead. --profile also times every command on the device\n"
    "(OpenCL profiling events) and lists per kernel its device time, the bytes it moves and\n"
    "their rate, also as a share of the device's copy bandwidth measured at the kernel's size.\n",
    run};
