/* clae features: a model's first-layer weights, and for each code unit the
 * samples that excite it most beside the input that excites it most. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/model_session.h"
#include "use/features.h"

static const char usage[] =
    "usage: clae features --model DIR/model.safetensors --out FILE.png [--input DATA]\n"
    "                     [--units N] [--steps N] [--device N]\n"
    "Writes two pictures: FILE.png, the first layer's weights as tiles (a dense layer: each\n"
    "unit's weights as an image; a convolution: its filters), and FILE-units.png, one row\n"
    "per code unit (the first N, default 16): the 8 samples of the input (default: the\n"
    "model's test split) that excite it most, labelled with the unit's value, then the\n"
    "input that excites it most, found by gradient ascent on the input (--steps, default\n"
    "150) from faint noise, kept in [0, 1] and at the samples' mean L2 norm.\n";

/* FILE.png -> FILE-units.png (any other name: NAME-units.png) */
static char *units_path(const char *out)
{
    size_t len = strlen(out);
    size_t stem = len > 4 && strcmp(out + len - 4, ".png") == 0 ? len - 4 : len;
    char *path = malloc(stem + sizeof "-units.png");
    if (path) {
        memcpy(path, out, stem);
        strcpy(path + stem, "-units.png");
    }
    return path;
}

static int run(int argc, char **argv)
{
    static const struct option options[] = {{"model", required_argument, NULL, 'm'},
                                            {"input", required_argument, NULL, 'i'},
                                            {"units", required_argument, NULL, 'u'},
                                            {"steps", required_argument, NULL, 's'},
                                            {"out", required_argument, NULL, 'o'},
                                            {"device", required_argument, NULL, 'd'},
                                            {NULL, 0, NULL, 0}};
    clae_features_options o = {.units = 16, .steps = 150};
    const char *model = NULL, *input = NULL, *device = NULL, *out = NULL;
    long value = 0;
    int c;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "", options, NULL)) != -1) {
        if (c == 'm') model = optarg;
        else if (c == 'i') input = optarg;
        else if (c == 'o') out = optarg;
        else if (c == 'd') device = optarg;
        else if (c == 'u') {
            if (cli_parse_long(optarg, 1, 256, &value) != 0)
                return cli_usage_error("features", "--units: expected 1..256, got \"%s\"", optarg);
            o.units = (int)value;
        } else if (c == 's') {
            if (cli_parse_long(optarg, 0, 5000, &value) != 0)
                return cli_usage_error("features", "--steps: expected 0..5000, got \"%s\"", optarg);
            o.steps = (int)value;
        } else
            return cli_bad_option("features", argv);
    }
    if (optind < argc)
        return cli_usage_error("features", "unexpected argument \"%s\"", argv[optind]);
    if (cli_check_out("features", out)) return clae_status_exit_code(CLAE_EUSAGE);
    if (!model || !out) return cli_usage_error("features", "--model and --out are required");

    char *second = units_path(out);
    if (!second) {
        fputs("clae: out of memory\n", stderr);
        return clae_status_exit_code(CLAE_ENOMEM);
    }
    o.weights_path = out;
    o.units_path = second;
    clae_features_result r;
    cli_model_session m;
    clae_status s = cli_model_open(&m, device,
                                   &(clae_use_options){.model = model, .input = input,
                                                       .batch = CLAE_FEATURES_BATCH(o.units)});
    if (s == CLAE_OK) s = clae__features(m.ctx, &m.use, &o, &r);
    if (s == CLAE_OK) {
        printf("wrote %s (%d first-layer tiles)\n", out, r.weight_tiles);
        printf("wrote %s (%d code units: top %d of %zu samples, and the maximising input at "
               "L2 norm %.3f)\n", second, r.units, CLAE_FEATURES_TOP, r.samples, r.norm);
        printf("mean unit value: best sample %.4f, maximising input %.4f\n", r.mean_top,
               r.mean_max);
    }
    free(second);
    return cli_model_close(&m, s);
}

const clae_command clae_cmd_features = {
    "features", "first-layer weights; what excites each code unit", usage, run};
