/* clae probe: how much a model's codes help a classifier, against raw pixels
 * and PCA components of the same size. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/model_session.h"
#include "use/probe.h"

static const char usage[] =
    "usage: clae probe --model DIR/model.safetensors [--input DATA [--labels FILE]]\n"
    "                  [--holdout F] [--json FILE] [--device N]\n"
    "Trains the same softmax classifier (multinomial logistic regression on standardised\n"
    "features, momentum SGD for a fixed budget with L2 weight decay) with the labels on the\n"
    "model's codes, on the raw pixels and on as many PCA components as the code has units,\n"
    "and prints each one's accuracy on held-out samples. Without --input the model's own\n"
    "train and test splits (its spec's [data]) are used; with it, its last F (default 0.2)\n"
    "are held out. The data must have labels, of at least 2 classes (the classes reported\n"
    "are the labels that occur). --json also writes the table as JSON.\n";

static int run(int argc, char **argv)
{
    static const struct option options[] = {{"model", required_argument, NULL, 'm'},
                                            {"input", required_argument, NULL, 'i'},
                                            {"labels", required_argument, NULL, 'l'},
                                            {"holdout", required_argument, NULL, 'H'},
                                            {"json", required_argument, NULL, 'j'},
                                            {"device", required_argument, NULL, 'd'},
                                            {NULL, 0, NULL, 0}};
    clae_probe_options o = {.holdout = 0.2};
    const char *model = NULL, *labels = NULL, *device = NULL, *json = NULL;
    int c;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "", options, NULL)) != -1) {
        if (c == 'm') model = optarg;
        else if (c == 'i') o.input = optarg;
        else if (c == 'l') labels = optarg;
        else if (c == 'j') json = optarg;
        else if (c == 'd') device = optarg;
        else if (c == 'H') {
            char *end = NULL;
            o.holdout = strtod(optarg, &end);
            if (end == optarg || *end || !(o.holdout > 0.0 && o.holdout < 1.0))
                return cli_usage_error("probe", "--holdout: expected a number in (0, 1), got "
                                                "\"%s\"", optarg);
        } else
            return cli_bad_option("probe", argv);
    }
    if (optind < argc) return cli_usage_error("probe", "unexpected argument \"%s\"", argv[optind]);
    if (!model) return cli_usage_error("probe", "--model is required");

    clae_probe_result r;
    cli_model_session m;
    clae_status s = cli_model_open(&m, device, &(clae_use_options){.model = model,
                                                                   .input = o.input,
                                                                   .labels = labels});
    if (s == CLAE_OK) s = clae__probe(m.ctx, &m.use, &o, &r);
    if (s == CLAE_OK && json) s = clae__probe_write_json(m.ctx, json, model, &r);
    if (s == CLAE_OK) {
        printf("probe of %s: %zu train and %zu test samples, %d classes\n", model,
               r.train_count, r.test_count, r.classes);
        printf("%-10s %9s %10s %10s\n", "features", "dims", "train acc", "test acc");
        for (int i = 0; i < CLAE_PROBE_ROWS; i++)
            printf("%-10s %9d %10.4f %10.4f\n", r.rows[i].name, r.rows[i].features,
                   r.rows[i].train_accuracy, r.rows[i].test_accuracy);
        printf("%-10s %9s %10s %10.4f\n", "majority", "-", "-", r.majority);
        printf("classifier: softmax regression, standardised features, %d epochs of SGD "
               "(batch %d, lr %g, momentum 0.9, weight decay %g)\n",
               r.epochs, r.batch, r.learning_rate, r.weight_decay);
        if (json) printf("wrote %s\n", json);
    }
    return cli_model_close(&m, s);
}

const clae_command clae_cmd_probe = {
    "probe", "a linear classifier on the codes vs on pixels and on PCA", usage, run};
