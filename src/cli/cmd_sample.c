/* clae sample: a variational model's decoded draws from N(0, I), as a grid. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "io/checkpoint.h"
#include "cli/cli.h"
#include "train/evaluate.h"
#include "io/outputs.h"

static int run(int argc, char **argv)
{
    static const struct option options[] = {{"model", required_argument, NULL, 'm'},
                                            {"count", required_argument, NULL, 'c'},
                                            {"seed", required_argument, NULL, 's'},
                                            {"out", required_argument, NULL, 'o'},
                                            {"device", required_argument, NULL, 'd'},
                                            {NULL, 0, NULL, 0}};
    const char *model = NULL, *out = NULL, *device = NULL;
    long count = 64, seed = 1;
    int c;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "", options, NULL)) != -1) {
        if (c == 'm') model = optarg;
        else if (c == 'o') out = optarg;
        else if (c == 'd') device = optarg;
        else if (c == 'c') {
            if (cli_parse_long(optarg, 1, 4096, &count) != 0)
                return cli_usage_error("sample", "--count: expected 1..4096, got \"%s\"", optarg);
        } else if (c == 's') {
            if (cli_parse_long(optarg, 0, 0x7fffffffL, &seed) != 0)
                return cli_usage_error("sample", "--seed: expected a non-negative integer, got \"%s\"",
                                       optarg);
        } else
            return cli_usage_error("sample", "unknown or incomplete option \"%s\"", argv[optind - 1]);
    }
    if (optind < argc) return cli_usage_error("sample", "unexpected argument \"%s\"", argv[optind]);
    if (!model || !out) return cli_usage_error("sample", "--model and --out are required");

    clae_ctx *ctx = cli_context(0);
    clae_device *dev = NULL;
    clae_loaded_model lm;
    memset(&lm, 0, sizeof lm);
    float *images = NULL;
    clae_status s = cli_open_device(ctx, device, &dev);
    if (s == CLAE_OK) s = clae__checkpoint_load_model(ctx, dev, model, (size_t)count, &lm);
    if (s == CLAE_OK && !lm.spec.model.variational)
        s = clae__fail(ctx, CLAE_EUSAGE, "%s: not a variational model (sample needs [model] "
                                         "variational = yes)", model);
    clae_dataset shape = {.channels = lm.channels, .height = lm.height, .width = lm.width};
    shape.dim = (size_t)lm.channels * (size_t)lm.height * (size_t)lm.width;
    if (s == CLAE_OK) {
        images = malloc((size_t)count * shape.dim * sizeof *images);
        if (!images) s = clae__fail(ctx, CLAE_ENOMEM, "out of memory");
    }
    if (s == CLAE_OK) s = clae__sample_prior(lm.model, (size_t)count, (uint64_t)seed, images);
    if (s == CLAE_OK) s = clae__write_tiles(ctx, NULL, out, &shape, images, (int)count);
    int code = 0;
    if (s == CLAE_OK) printf("wrote %ld samples to %s\n", count, out);
    else code = cli_fail(ctx, s);
    free(images);
    clae__loaded_model_free(&lm);
    clae_device_close(dev);
    clae_ctx_destroy(ctx);
    return code;
}

const clae_command clae_cmd_sample = {
    "sample", "decode draws from the prior of a variational model",
    "usage: clae sample --model DIR/model.safetensors --out FILE.png [--count N] [--seed S]\n"
    "                   [--device N]\n"
    "Decodes N draws (default 64) from N(0, I) with a variational model into a grid of\n"
    "images, 16 a row. The same seed gives the same draws.\n",
    run};
