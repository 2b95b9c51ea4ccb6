/* clae reconstruct: originals above the model's reconstructions, as a picture. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/model_session.h"
#include "use/commands.h"

static int run(int argc, char **argv)
{
    static const struct option options[] = {{"model", required_argument, NULL, 'm'},
                                            {"input", required_argument, NULL, 'i'},
                                            {"count", required_argument, NULL, 'c'},
                                            {"out", required_argument, NULL, 'o'},
                                            {"device", required_argument, NULL, 'd'},
                                            {NULL, 0, NULL, 0}};
    const char *model = NULL, *input = NULL, *out = NULL, *device = NULL;
    long count = 16;
    int c;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "", options, NULL)) != -1) {
        if (c == 'm') model = optarg;
        else if (c == 'i') input = optarg;
        else if (c == 'o') out = optarg;
        else if (c == 'd') device = optarg;
        else if (c == 'c') {
            if (cli_parse_long(optarg, 1, 256, &count) != 0)
                return cli_usage_error("reconstruct", "--count: expected 1..256, got \"%s\"",
                                       optarg);
        } else
            return cli_bad_option("reconstruct", argv);
    }
    if (optind < argc)
        return cli_usage_error("reconstruct", "unexpected argument \"%s\"", argv[optind]);
    if (cli_check_out("reconstruct", out)) return clae_status_exit_code(CLAE_EUSAGE);
    if (!model || !out) return cli_usage_error("reconstruct", "--model and --out are required");

    size_t shown = 0;
    double mse = 0.0;
    const char *rows = "";
    cli_model_session m;
    clae_status s = cli_model_open(&m, device,
                                   &(clae_use_options){.model = model, .input = input,
                                                       .batch = (size_t)count,
                                                       .limit = (size_t)count});
    if (s == CLAE_OK)
        s = clae__use_reconstruct(m.ctx, &m.use, model, (size_t)count, out, &shown, &mse, &rows);
    if (s == CLAE_OK)
        printf("wrote %zu samples as rows %s (MSE %.6f) to %s\n", shown, rows, mse, out);
    return cli_model_close(&m, s);
}

const clae_command clae_cmd_reconstruct = {
    "reconstruct", "originals above the model's reconstructions, as a picture",
    "usage: clae reconstruct --model DIR/model.safetensors --out FILE.png [--input DATA]\n"
    "                        [--count N] [--device N]\n"
    "Draws the first N samples (default 16, at most 256) of DATA on one row and the\n"
    "model's reconstructions under them, 16 a row, titled with the model and the mean\n"
    "squared error of the shown samples. A denoising model ([noise] in its spec) gets\n"
    "three rows: clean, corrupted (with the model's noise, as training corrupts its test\n"
    "split) and restored. DATA: a data file or folder in any [data] format, or \"mnist\";\n"
    "default: the test split of the model's own spec.\n",
    run};
