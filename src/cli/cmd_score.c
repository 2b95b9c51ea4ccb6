/* clae score: per-sample reconstruction error, and the AUC of anomaly detection. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/model_session.h"
#include "use/commands.h"

static void print_auc(clae_ctx *ctx, const clae_use *u, const char *what, const double *score,
                      const unsigned char *positive, size_t anomalies, const char *anomaly,
                      clae_status *s)
{
    double auc = 0.0;
    if (*s == CLAE_OK) *s = clae__auc(ctx, score, positive, u->data.count, &auc);
    if (*s == CLAE_OK)
        printf("AUC %.4f of %s for labels %s (%zu of %zu samples) against the rest\n", auc, what,
               anomaly, anomalies, u->data.count);
}

static int run(int argc, char **argv)
{
    static const struct option options[] = {{"model", required_argument, NULL, 'm'},
                                            {"input", required_argument, NULL, 'i'},
                                            {"labels", required_argument, NULL, 'l'},
                                            {"out", required_argument, NULL, 'o'},
                                            {"anomaly", required_argument, NULL, 'a'},
                                            {"skip", required_argument, NULL, 's'},
                                            {"limit", required_argument, NULL, 'n'},
                                            {"device", required_argument, NULL, 'd'},
                                            {NULL, 0, NULL, 0}};
    const char *model = NULL, *input = NULL, *labels = NULL, *out = NULL, *device = NULL;
    const char *anomaly = NULL;
    unsigned char set[CLAE_MAX_CLASSES] = {0};
    long skip = 0, limit = 0;
    int c;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "", options, NULL)) != -1) {
        if (c == 'm') model = optarg;
        else if (c == 'i') input = optarg;
        else if (c == 'l') labels = optarg;
        else if (c == 'o') out = optarg;
        else if (c == 'd') device = optarg;
        else if (c == 'a') {
            anomaly = optarg;
            if (clae_parse_label_set(optarg, set) != 0)
                return cli_usage_error("score", "--anomaly: expected labels 0..%d as a list or "
                                       "ranges (9, 7,9 or 0-3), got \"%s\"", CLAE_MAX_CLASSES - 1,
                                       optarg);
        } else if (c == 's' || c == 'n') {
            if (cli_parse_long(optarg, 0, 0x7fffffffL, c == 's' ? &skip : &limit) != 0)
                return cli_usage_error("score", "%s: expected a non-negative integer, got \"%s\"",
                                       c == 's' ? "--skip" : "--limit", optarg);
        } else
            return cli_bad_option("score", argv);
    }
    if (optind < argc) return cli_usage_error("score", "unexpected argument \"%s\"", argv[optind]);
    if (cli_check_out("score", out)) return clae_status_exit_code(CLAE_EUSAGE);
    if (!model || !out) return cli_usage_error("score", "--model and --out are required");

    clae_scores sc;
    memset(&sc, 0, sizeof sc);
    double *elbo = NULL;
    unsigned char *positive = NULL;
    size_t anomalies = 0;
    cli_model_session m;
    clae_status s = cli_model_open(&m, device,
                                   &(clae_use_options){.model = model, .input = input,
                                                       .labels = labels, .skip = (size_t)skip,
                                                       .limit = (size_t)limit});
    clae_ctx *ctx = m.ctx;
    const clae_use *u = &m.use;
    /* the input's fault, found before the scoring and before the file is written */
    if (s == CLAE_OK && anomaly)
        s = clae__anomaly_rows(ctx, &u->data, set, &positive, &anomalies);
    if (s == CLAE_OK) s = clae__use_score(ctx, &m.use, &sc);
    if (s == CLAE_OK) s = clae__scores_write_csv(ctx, out, &sc, u->data.labels, (size_t)skip);
    if (s == CLAE_OK) printf("wrote the scores of %zu samples to %s\n", sc.count, out);
    if (anomaly) {
        print_auc(ctx, u, "mse", sc.mse, positive, anomalies, anomaly, &s);
        print_auc(ctx, u, "relative", sc.relative, positive, anomalies, anomaly, &s);
        /* with an mse loss the summed error ranks as the mse does */
        if (u->lm.spec.loss.reconstruction != CLAE_RECON_MSE)
            print_auc(ctx, u, "reconstruction", sc.reconstruction, positive, anomalies, anomaly,
                      &s);
        if (s == CLAE_OK && sc.variational) {
            elbo = malloc(sc.count * sizeof *elbo);
            if (!elbo) s = clae__fail(ctx, CLAE_ENOMEM, "out of memory");
            for (size_t i = 0; s == CLAE_OK && i < sc.count; i++)
                elbo[i] = sc.reconstruction[i] + sc.kl[i];
            print_auc(ctx, u, "neg_elbo", elbo, positive, anomalies, anomaly, &s);
        }
    }
    free(elbo);
    free(positive);
    clae__scores_free(&sc);
    return cli_model_close(&m, s);
}

const clae_command clae_cmd_score = {
    "score", "per-sample reconstruction error, for anomaly detection",
    "usage: clae score --model DIR/model.safetensors --out FILE.csv [--input DATA]\n"
    "                  [--labels FILE] [--anomaly LABELS] [--skip N] [--limit N] [--device N]\n"
    "Writes one row per sample of DATA: index (the sample's place in DATA, the skipped\n"
    "samples counted, as interpolate --from counts), label (when known), mse (the mean\n"
    "squared error per value of its reconstruction), relative (its squared error over the\n"
    "sample's own sum of squares), reconstruction (the model's reconstruction loss summed\n"
    "over the values: bce in nats, or the squared error) and, for a variational model, kl\n"
    "(the KL divergence of its code from N(0, I), in nats) and neg_elbo (reconstruction +\n"
    "kl, the negative evidence lower bound). --anomaly LABELS (9, 7,9 or 0-3) prints the\n"
    "area under the ROC curve of each score for telling the samples with those labels from\n"
    "the rest; it needs labels, and both kinds of sample among those scored.\n"
    "--skip N leaves out the first N samples (e.g. those the model was trained on), --limit\n"
    "N keeps the first N of the rest. DATA: a data file or folder in any [data] format, or\n"
    "\"mnist\"; default: the test split of the model's own spec. --labels needs --input.\n",
    run};
