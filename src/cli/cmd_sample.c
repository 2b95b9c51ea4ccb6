/* clae sample: a variational model's decoded draws from N(0, I), as a grid;
 * with --grid, the decoded grid over its 2-D latent square. */
#include <ctype.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "io/checkpoint.h"
#include "io/plot.h"
#include "train/evaluate.h"
#include "train/pictures.h"
#include "use/commands.h"

static int is_number(const char *s)
{
    if (!*s) return 0;
    for (; *s; s++)
        if (!isdigit((unsigned char)*s)) return 0;
    return 1;
}

/* The images (n of them, `cols` a row) as a titled picture. */
static clae_status draw(clae_ctx *ctx, const clae_loaded_model *lm, const char *path,
                        const char *title, const char *caption, const float *images, int n,
                        int cols)
{
    clae_tile_figure f = {.title = title, .caption = caption, .rows = (n + cols - 1) / cols,
                          .cols = cols, .channels = lm->channels, .height = lm->height,
                          .width = lm->width, .tiles = images, .scaling = CLAE_TILES_CLAMP,
                          .count = n};
    return clae__plot_tiles(ctx, path, &f);
}

static int run(int argc, char **argv)
{
    static const struct option options[] = {{"model", required_argument, NULL, 'm'},
                                            {"count", required_argument, NULL, 'c'},
                                            {"seed", required_argument, NULL, 's'},
                                            {"grid", optional_argument, NULL, 'g'},
                                            {"range", required_argument, NULL, 'r'},
                                            {"out", required_argument, NULL, 'o'},
                                            {"device", required_argument, NULL, 'd'},
                                            {NULL, 0, NULL, 0}};
    const char *model = NULL, *out = NULL, *device = NULL;
    long count = 64, seed = 1, side = 0;
    double range = 0.0;
    int c, count_given = 0, seed_given = 0;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "", options, NULL)) != -1) {
        if (c == 'm') model = optarg;
        else if (c == 'o') out = optarg;
        else if (c == 'd') device = optarg;
        else if (c == 'c') {
            count_given = 1;
            if (cli_parse_long(optarg, 1, 4096, &count) != 0)
                return cli_usage_error("sample", "--count: expected 1..4096, got \"%s\"", optarg);
        } else if (c == 's') {
            seed_given = 1;
            if (cli_parse_long(optarg, 0, 0x7fffffffL, &seed) != 0)
                return cli_usage_error("sample", "--seed: expected a non-negative integer, got \"%s\"",
                                       optarg);
        } else if (c == 'g') {
            /* --grid, --grid=SIDE or --grid SIDE */
            const char *arg = optarg;
            if (!arg && optind < argc && is_number(argv[optind])) arg = argv[optind++];
            side = 15;
            if (arg && cli_parse_long(arg, 2, 64, &side) != 0)
                return cli_usage_error("sample", "--grid: expected a side of 2..64, got \"%s\"",
                                       arg);
        } else if (c == 'r') {
            char *end = NULL;
            range = strtod(optarg, &end);
            if (end == optarg || *end || !(range > 0.0 && range <= 100.0))
                return cli_usage_error("sample", "--range: expected a number in (0, 100], got "
                                       "\"%s\"", optarg);
        } else
            return cli_bad_option("sample", argv);
    }
    if (optind < argc) return cli_usage_error("sample", "unexpected argument \"%s\"", argv[optind]);
    if (cli_check_out("sample", out)) return clae_status_exit_code(CLAE_EUSAGE);
    if (!model || !out) return cli_usage_error("sample", "--model and --out are required");
    /* the two modes take their own options: one left without effect is a mistake */
    if (range > 0.0 && !side) return cli_usage_error("sample", "--range needs --grid");
    if (side && (count_given || seed_given))
        return cli_usage_error("sample", "--count and --seed draw from the prior, not with --grid");

    clae_ctx *ctx = cli_context(0);
    clae_device *dev = NULL;
    clae_loaded_model lm;
    memset(&lm, 0, sizeof lm);
    float *images = NULL;
    size_t n = side ? (size_t)(side * side) : (size_t)count;
    size_t batch = side ? (n < 256 ? n : 256) : n;
    clae_status s = cli_open_device(ctx, device, &dev);
    if (s == CLAE_OK) s = clae__checkpoint_load_model(ctx, dev, model, batch, &lm);
    /* the grid decodes any 2-D code; draws from the prior need a variational model */
    if (s == CLAE_OK && side && lm.model->code != 2)
        s = clae__fail(ctx, CLAE_EUSAGE, "%s: --grid needs a 2-D code, and this model's code "
                                         "has %d units", model, lm.model->code);
    if (s == CLAE_OK && !side && !lm.spec.model.variational)
        s = clae__fail(ctx, CLAE_EUSAGE, "%s: not a variational model (sample needs [model] "
                                         "variational = yes)", model);
    if (s == CLAE_OK) {
        images = malloc(n * (size_t)lm.model->input_dim * sizeof *images);
        if (!images) s = clae__fail(ctx, CLAE_ENOMEM, "out of memory");
    }
    char name[256], title[512], caption[256];
    clae__model_name(model, name, sizeof name);
    if (s == CLAE_OK && side) {
        s = clae__decode_grid(lm.model, (int)side, range, images);
        if (range > 0)
            snprintf(title, sizeof title, "latent grid: %s, %ld x %ld codes over [-%g, %g]^2",
                     name, side, side, range, range);
        else
            snprintf(title, sizeof title, "latent grid: %s, %ld x %ld codes at the standard "
                     "normal's quantiles", name, side, side);
        snprintf(caption, sizeof caption, "z1 grows to the right, z2 upwards");
        if (s == CLAE_OK) s = draw(ctx, &lm, out, title, caption, images, (int)n, (int)side);
    } else if (s == CLAE_OK) {
        s = clae__sample_prior(lm.model, n, (uint64_t)seed, images);
        snprintf(title, sizeof title, "samples: %s, %zu draws from N(0, I), seed %ld", name, n,
                 seed);
        if (s == CLAE_OK)
            s = draw(ctx, &lm, out, title, NULL, images, (int)n, n < 16 ? (int)n : 16);
    }
    int code = 0;
    if (s == CLAE_OK && side) printf("wrote a %ld x %ld latent grid to %s\n", side, side, out);
    else if (s == CLAE_OK) printf("wrote %ld samples to %s\n", count, out);
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
    "       clae sample --model DIR/model.safetensors --out FILE.png --grid [SIDE] [--range R]\n"
    "                   [--device N]\n"
    "Decodes N draws (default 64) from N(0, I) with a variational model into a titled grid\n"
    "of images, 16 a row. The same seed gives the same draws.\n"
    "--grid [SIDE] (any model with a 2-D code): decodes instead the SIDE x SIDE grid of codes\n"
    "(default 15) over the latent square, z1 left to right, z2 bottom to top: at the\n"
    "standard normal's quantiles, or evenly over [-R, R]^2 with --range R. --range needs\n"
    "--grid; --count and --seed, which draw from the prior, do not go with it.\n",
    run};
