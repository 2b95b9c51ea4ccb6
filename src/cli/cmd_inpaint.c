/* clae inpaint: masked samples filled in by the model, measured on the
 * masked pixels. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/model_session.h"
#include "use/inpaint.h"

static const char usage[] =
    "usage: clae inpaint --model DIR/model.safetensors --mask square:K|random:P --out FILE.png\n"
    "                    [--input DATA] [--count N] [--seed S] [--iterations K] [--show N]\n"
    "                    [--save-masked DIR] [--device N]\n"
    "Masks each of the first N samples of the input (default 1000; default input: the model's\n"
    "test split): square:K zeroes a K x K square at a random place, random:P each pixel with\n"
    "probability P (the draws fixed by --seed, default 1). The model restores the masked\n"
    "sample and only the masked pixels are taken from its output; the filled image goes\n"
    "through the model K times (--iterations; 0, the default: 1 for a model trained with\n"
    "[noise] mask, which reads zeros as unknown, 8 for others, which improve pass after pass).\n"
    "Prints the mean squared error on the masked pixels after each pass and of the masked\n"
    "input itself, and draws rows original / masked / inpainted for the first --show\n"
    "samples (default 16).\n"
    "--save-masked DIR writes original.npy, masked.npy, mask.npy (1 = masked), inpainted.npy\n"
    "(N x values, float32) and meta.json, for other inpainting methods on the same masks.\n";

static int run(int argc, char **argv)
{
    static const struct option options[] = {{"model", required_argument, NULL, 'm'},
                                            {"input", required_argument, NULL, 'i'},
                                            {"mask", required_argument, NULL, 'k'},
                                            {"count", required_argument, NULL, 'c'},
                                            {"seed", required_argument, NULL, 's'},
                                            {"iterations", required_argument, NULL, 't'},
                                            {"show", required_argument, NULL, 'w'},
                                            {"save-masked", required_argument, NULL, 'S'},
                                            {"out", required_argument, NULL, 'o'},
                                            {"device", required_argument, NULL, 'd'},
                                            {NULL, 0, NULL, 0}};
    clae_inpaint_options o = {.seed = 1, .iterations = 0, .shown = 16};
    const char *input = NULL, *device = NULL;
    long count = 1000, value = 0;
    int c;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "", options, NULL)) != -1) {
        if (c == 'm') o.model = optarg;
        else if (c == 'i') input = optarg;
        else if (c == 'k') o.mask_text = optarg;
        else if (c == 'S') o.save_dir = optarg;
        else if (c == 'o') o.picture = optarg;
        else if (c == 'd') device = optarg;
        else if (c == 'c') {
            if (cli_parse_long(optarg, 1, 10000000, &count) != 0)
                return cli_usage_error("inpaint", "--count: expected 1..10000000, got \"%s\"",
                                       optarg);
        } else if (c == 's') {
            if (cli_parse_long(optarg, 0, 0x7fffffffL, &value) != 0)
                return cli_usage_error("inpaint", "--seed: expected a non-negative integer, got "
                                                  "\"%s\"", optarg);
            o.seed = (uint64_t)value;
        } else if (c == 't') {
            if (cli_parse_long(optarg, 0, CLAE_INPAINT_MAX_ITERATIONS, &value) != 0)
                return cli_usage_error("inpaint", "--iterations: expected 0..%d, got \"%s\"",
                                       CLAE_INPAINT_MAX_ITERATIONS, optarg);
            o.iterations = (int)value;
        } else if (c == 'w') {
            if (cli_parse_long(optarg, 1, 256, &value) != 0)
                return cli_usage_error("inpaint", "--show: expected 1..256, got \"%s\"", optarg);
            o.shown = (int)value;
        } else
            return cli_bad_option("inpaint", argv);
    }
    if (optind < argc)
        return cli_usage_error("inpaint", "unexpected argument \"%s\"", argv[optind]);
    if (cli_check_out("inpaint", o.picture)) return clae_status_exit_code(CLAE_EUSAGE);
    if (!o.model || !o.mask_text || !o.picture)
        return cli_usage_error("inpaint", "--model, --mask and --out are required");

    clae_ctx *ctx = cli_context(0);
    clae_status s = clae__mask_parse(ctx, o.mask_text, &o.mask);
    int code = s == CLAE_OK ? 0 : cli_usage_error("inpaint", "%s", clae_ctx_message(ctx));
    clae_ctx_destroy(ctx);
    if (code) return code;

    clae_inpaint_result r;
    cli_model_session m;
    s = cli_model_open(&m, device, &(clae_use_options){.model = o.model, .input = input,
                                                       .limit = (size_t)count});
    if (s == CLAE_OK) s = clae__inpaint(m.ctx, &m.use, &o, &r);
    if (s == CLAE_OK) {
        printf("inpainted %zu samples, mask %s: %zu masked values (%.1f%%)\n", r.count,
               o.mask_text, r.masked, 100.0 * (double)r.masked / (double)r.values);
        printf("MSE on the masked pixels: masked input %.5f\n", r.masked_input_mse);
        for (int i = 0; i < r.iterations; i++)
            printf("  after pass %d: %.5f\n", i + 1, r.mse[i]);
        printf("inpainted_mse %.5f\n", r.mse[r.iterations - 1]);
        printf("wrote %s\n", o.picture);
        if (o.save_dir) printf("wrote the arrays to %s\n", o.save_dir);
    }
    return cli_model_close(&m, s);
}

const clae_command clae_cmd_inpaint = {
    "inpaint", "fill masked pixels with the model's restoration", usage, run};
