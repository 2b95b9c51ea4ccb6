/* clae interpolate: decoded points between two samples' codes, beside the pixel blend. */
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
                                            {"labels", required_argument, NULL, 'l'},
                                            {"from", required_argument, NULL, 'f'},
                                            {"to", required_argument, NULL, 't'},
                                            {"steps", required_argument, NULL, 'k'},
                                            {"out", required_argument, NULL, 'o'},
                                            {"device", required_argument, NULL, 'd'},
                                            {NULL, 0, NULL, 0}};
    const char *model = NULL, *input = NULL, *labels = NULL, *out = NULL, *device = NULL;
    long from = -1, to = -1, steps = 10;
    int c;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "", options, NULL)) != -1) {
        if (c == 'm') model = optarg;
        else if (c == 'i') input = optarg;
        else if (c == 'l') labels = optarg;
        else if (c == 'o') out = optarg;
        else if (c == 'd') device = optarg;
        else if (c == 'f' || c == 't') {
            if (cli_parse_long(optarg, 0, 0x7fffffffL, c == 'f' ? &from : &to) != 0)
                return cli_usage_error("interpolate", "%s: expected a sample index (0, 1, ...), "
                                       "got \"%s\"", c == 'f' ? "--from" : "--to", optarg);
        } else if (c == 'k') {
            if (cli_parse_long(optarg, 2, 64, &steps) != 0)
                return cli_usage_error("interpolate", "--steps: expected 2..64, got \"%s\"",
                                       optarg);
        } else
            return cli_bad_option("interpolate", argv);
    }
    if (optind < argc)
        return cli_usage_error("interpolate", "unexpected argument \"%s\"", argv[optind]);
    if (cli_check_out("interpolate", out)) return clae_status_exit_code(CLAE_EUSAGE);
    if (!model || !input || !out || from < 0 || to < 0)
        return cli_usage_error("interpolate",
                               "--model, --input, --from, --to and --out are required");

    cli_model_session m;
    clae_status s = cli_model_open(&m, device,
                                   &(clae_use_options){.model = model, .input = input,
                                                       .labels = labels, .batch = (size_t)steps});
    if (s == CLAE_OK) s = clae__use_interpolate(m.ctx, &m.use, model, from, to, (int)steps, out);
    if (s == CLAE_OK)
        printf("wrote %ld steps from sample %ld to sample %ld to %s\n", steps, from, to, out);
    return cli_model_close(&m, s);
}

const clae_command clae_cmd_interpolate = {
    "interpolate", "decode the line between two samples' codes, beside the pixel blend",
    "usage: clae interpolate --model DIR/model.safetensors --input DATA --from I --to J\n"
    "                        --out FILE.png [--steps K] [--labels FILE] [--device N]\n"
    "Encodes samples I and J of DATA (0-based; a variational model: their means), decodes\n"
    "K points (default 10, 2..64) evenly spaced on the line between the two codes, and\n"
    "draws them in a row labelled \"decoded code blend\" above the plain pixel-space blend\n"
    "of the same two samples (\"pixel blend\"). DATA: a data file or folder in any [data]\n"
    "format, or \"mnist\".\n",
    run};
