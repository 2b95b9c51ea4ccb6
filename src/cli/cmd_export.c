/* clae export: a trained model's weights alone (no optimiser state), with the
 * spec and input shape kept as metadata so every clae command still loads
 * it, written atomically. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli/cli.h"
#include "io/checkpoint.h"

static int same_file(const char *a, const char *b)
{
    struct stat sa, sb;
    if (strcmp(a, b) == 0) return 1;
    return stat(a, &sa) == 0 && stat(b, &sb) == 0 && sa.st_dev == sb.st_dev &&
           sa.st_ino == sb.st_ino;
}

static long file_size(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 ? (long)st.st_size : -1;
}

static int run(int argc, char **argv)
{
    static const struct option options[] = {{"model", required_argument, NULL, 'm'},
                                            {"out", required_argument, NULL, 'o'},
                                            {"device", required_argument, NULL, 'd'},
                                            {NULL, 0, NULL, 0}};
    const char *model = NULL, *out = NULL, *device = NULL;
    int c;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "", options, NULL)) != -1) {
        if (c == 'm') model = optarg;
        else if (c == 'o') out = optarg;
        else if (c == 'd') device = optarg;
        else
            return cli_bad_option("export", argv);
    }
    if (optind < argc) return cli_usage_error("export", "unexpected argument \"%s\"", argv[optind]);
    if (cli_check_out("export", out)) return clae_status_exit_code(CLAE_EUSAGE);
    if (!model || !out) return cli_usage_error("export", "--model and --out are required");
    if (same_file(model, out))
        return cli_usage_error("export", "--out is the model itself; export writes a new file");

    clae_ctx *ctx = cli_context(0);
    clae_device *dev = NULL;
    clae_loaded_model lm;
    memset(&lm, 0, sizeof lm);
    clae_safetensors *st = NULL;
    clae_status s = cli_open_device(ctx, device, &dev);
    if (s == CLAE_OK) s = clae__checkpoint_load_model(ctx, dev, model, 1, &lm);
    if (s == CLAE_OK) s = clae_safetensors_read(ctx, model, &st);
    if (s == CLAE_OK) {
        /* what the checkpoint says of its run, less the optimiser and the loss history */
        const char *epoch = clae_safetensors_meta(st, "epoch"), *seed = clae_safetensors_meta(st, "seed");
        const char *step = clae_safetensors_meta(st, "step"), *where = clae_safetensors_meta(st, "device");
        clae_checkpoint_meta meta = {epoch ? (int)strtol(epoch, NULL, 10) : 0, 0, 0, lm.spec.text, "",
                                     where ? where : "", lm.channels, lm.height, lm.width, NULL};
        meta.step = step ? strtoull(step, NULL, 10) : 0;
        meta.seed = seed ? strtoull(seed, NULL, 10) : lm.spec.train.seed;
        s = clae__checkpoint_save(ctx, out, lm.model, NULL, &meta);
    }
    int code = 0;
    if (s == CLAE_OK)
        printf("wrote %s: the weights of %zu parameters, %ld bytes (the checkpoint: %ld bytes)\n",
               out, lm.model->n_params, file_size(out), file_size(model));
    else
        code = cli_fail(ctx, s);
    clae_safetensors_free(st);
    clae__loaded_model_free(&lm);
    clae_device_close(dev);
    clae_ctx_destroy(ctx);
    return code;
}

const clae_command clae_cmd_export = {
    "export", "write a model's weights alone, for inference",
    "usage: clae export --model DIR/model.safetensors --out FILE.safetensors [--device N]\n"
    "Writes the model's weights and running statistics without the optimiser's state\n"
    "or the loss history, in PyTorch's layouts (a VAE's code layer: the mean head's\n"
    "rows, then the log-variance head's). The spec and input shape stay as metadata,\n"
    "so clae's commands (sample, reconstruct, ...) load the file as they load the\n"
    "checkpoint; training cannot resume from it. Written atomically.\n",
    run};
