/* clae encode: the code of every sample, as CSV or NPY. */
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
                                            {"out", required_argument, NULL, 'o'},
                                            {"logvar", no_argument, NULL, 'v'},
                                            {"skip", required_argument, NULL, 's'},
                                            {"limit", required_argument, NULL, 'n'},
                                            {"device", required_argument, NULL, 'd'},
                                            {NULL, 0, NULL, 0}};
    const char *model = NULL, *input = NULL, *labels = NULL, *out = NULL, *device = NULL;
    long skip = 0, limit = 0;
    int logvar = 0, c;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "", options, NULL)) != -1) {
        if (c == 'm') model = optarg;
        else if (c == 'i') input = optarg;
        else if (c == 'l') labels = optarg;
        else if (c == 'o') out = optarg;
        else if (c == 'd') device = optarg;
        else if (c == 'v') logvar = 1;
        else if (c == 's' || c == 'n') {
            if (cli_parse_long(optarg, 0, 0x7fffffffL, c == 's' ? &skip : &limit) != 0)
                return cli_usage_error("encode", "%s: expected a non-negative integer, got \"%s\"",
                                       c == 's' ? "--skip" : "--limit", optarg);
        } else
            return cli_bad_option("encode", argv);
    }
    if (optind < argc) return cli_usage_error("encode", "unexpected argument \"%s\"", argv[optind]);
    if (cli_check_out("encode", out)) return clae_status_exit_code(CLAE_EUSAGE);
    if (!model || !input || !out)
        return cli_usage_error("encode", "--model, --input and --out are required");
    int format = clae__codes_format(out);
    if (format < 0)
        return cli_usage_error("encode", "--out %s: expected a .csv or .npy file", out);

    size_t cols = 0;
    cli_model_session m;
    clae_status s = cli_model_open(&m, device,
                                   &(clae_use_options){.model = model, .input = input,
                                                       .labels = labels, .skip = (size_t)skip,
                                                       .limit = (size_t)limit});
    if (s == CLAE_OK)
        s = clae__use_encode(m.ctx, &m.use, out, (clae_codes_format)format, logvar, &cols);
    if (s == CLAE_OK) printf("wrote %zu codes of %zu values to %s\n", m.use.data.count, cols, out);
    return cli_model_close(&m, s);
}

const clae_command clae_cmd_encode = {
    "encode", "the code of every sample, as .csv or .npy",
    "usage: clae encode --model DIR/model.safetensors --input DATA --out FILE.csv|FILE.npy\n"
    "                   [--labels FILE] [--logvar] [--skip N] [--limit N] [--device N]\n"
    "Writes the code of every sample of DATA (a variational model: the means), one row a\n"
    "sample. The extension chooses the format: .csv has a header line (code_1..code_k,\n"
    "then label when the data has labels) and %.9g values; .npy is float32 of shape\n"
    "(samples, k), without labels. --logvar (variational models) adds the log-variances:\n"
    "k more columns, logvar_1..logvar_k in CSV, columns k+1..2k in NPY. --skip N leaves\n"
    "out the first N samples, --limit N keeps the first N of the rest. DATA: a data file\n"
    "or folder in any [data] format, or \"mnist\".\n",
    run};
