/* clae train: trains the model a spec describes (or the built-in default). */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clae/spec.h"
#include "clae/train.h"
#include "cli/cli.h"
#include "io/fsutil.h"
#include "io/safetensors.h"

static volatile sig_atomic_t stop_requested;

static void on_signal(int sig)
{
    (void)sig;
    stop_requested = 1;
}

typedef struct {
    int tty;
    int started;       /* the banner is printed once training has begun */
    const char *what;  /* the spec being trained, for the banner */
    const char *dir;
    const clae_device_info *device;
    const char *gemm;
} progress_view;

static void format_duration(double s, char *out, size_t size)
{
    long t = s > 0 && s < 1e7 ? (long)(s + 0.5) : 0;
    if (t >= 3600)
        snprintf(out, size, "%ld:%02ld:%02ld", t / 3600, t / 60 % 60, t % 60);
    else
        snprintf(out, size, "%ld:%02ld", t / 60, t % 60);
}

static void show_progress(void *user, const clae_progress *p)
{
    progress_view *view = user;
    if (!view->started) {
        /* printed here, not earlier, so that a failing setup prints one line */
        view->started = 1;
        fprintf(stderr, "training %s on device %d (%s, GEMM by %s) into %s\n", view->what,
                view->device->index, view->device->name, view->gemm, view->dir);
    }
    if (p->stage) {
        if (view->tty) fprintf(stderr, "\r\033[K");
        fprintf(stderr, "pretrain stage %d/%d epoch %d/%d  loss %.5f  %.0f samples/s  %.1f s\n",
                p->stage, p->stages, p->epoch, p->epochs, p->train_loss, p->samples_per_second,
                p->epoch_seconds);
        return;
    }
    if (p->epoch_done) {
        if (view->tty) fprintf(stderr, "\r\033[K");
        fprintf(stderr,
                "epoch %d/%d  train_loss %.5f  test_loss %.5f  test_mse %.5f  %.0f samples/s  "
                "%.1f s\n",
                p->epoch, p->epochs, p->train_loss, p->test_loss, p->test_mse,
                p->samples_per_second, p->epoch_seconds);
        return;
    }
    if (!view->tty) return;
    char bar[21], eta[32];
    int filled = p->batches ? (int)(20 * p->batch / p->batches) : 0;
    for (int i = 0; i < 20; i++) bar[i] = i < filled ? '#' : '.';
    bar[20] = '\0';
    fprintf(stderr, "\r\033[Kepoch %d/%d [%s] %zu/%zu", p->epoch, p->epochs, bar, p->batch,
            p->batches);
    if (p->batch == 0) return; /* nothing measured yet */
    format_duration(p->eta_seconds, eta, sizeof eta);
    fprintf(stderr, "  loss %.5f  %.0f samples/s  ETA %s", p->train_loss, p->samples_per_second,
            eta);
}

/* --resume without --spec: the spec stored in the checkpoint. */
static clae_status spec_from_checkpoint(clae_ctx *ctx, const char *dir, clae_spec *spec)
{
    char path[CLAE_PATH_MAX + 32];
    snprintf(path, sizeof path, "%s/model.safetensors", dir);
    clae_safetensors *st = NULL;
    clae_status s = clae_safetensors_read(ctx, path, &st);
    if (s != CLAE_OK) return s;
    const char *text = clae_safetensors_meta(st, "spec");
    s = text && *text ? clae_spec_parse_text(ctx, path, text, spec)
                      : clae__fail(ctx, CLAE_EDATA, "%s: no spec stored in the checkpoint", path);
    clae_safetensors_free(st);
    return s;
}

static int run(int argc, char **argv)
{
    static const struct option options[] = {
        {"spec", required_argument, NULL, 's'},   {"device", required_argument, NULL, 'd'},
        {"out", required_argument, NULL, 'o'},    {"epochs", required_argument, NULL, 'e'},
        {"seed", required_argument, NULL, 'S'},   {"resume", no_argument, NULL, 'r'},
        {"verbose", no_argument, NULL, 'v'},      {NULL, 0, NULL, 0}};
    const char *spec_path = NULL, *device = NULL, *out = NULL, *epochs = NULL, *seed = NULL;
    int resume = 0, verbose = 0, c;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "", options, NULL)) != -1) {
        switch (c) {
        case 's': spec_path = optarg; break;
        case 'd': device = optarg; break;
        case 'o': out = optarg; break;
        case 'e': epochs = optarg; break;
        case 'S': seed = optarg; break;
        case 'r': resume = 1; break;
        case 'v': verbose = 1; break;
        default:
            return cli_usage_error("train", "unknown or incomplete option \"%s\"",
                                   argv[optind - 1]);
        }
    }
    if (optind < argc) return cli_usage_error("train", "unexpected argument \"%s\"", argv[optind]);
    long n_epochs = 0, n_seed = 0;
    if (epochs && cli_parse_long(epochs, 1, 1000000, &n_epochs) != 0)
        return cli_usage_error("train", "--epochs: expected a positive integer, got \"%s\"",
                               epochs);
    if (seed && cli_parse_long(seed, 0, 0x7fffffffL, &n_seed) != 0)
        return cli_usage_error("train", "--seed: expected a non-negative integer, got \"%s\"",
                               seed);

    clae_ctx *ctx = cli_context(verbose);
    clae_spec spec;
    memset(&spec, 0, sizeof spec);
    clae_device *dev = NULL;
    clae_status s;
    if (spec_path) {
        s = clae_spec_parse(ctx, spec_path, &spec);
    } else if (resume) {
        clae_spec defaults;
        clae_spec_defaults(&defaults);
        s = spec_from_checkpoint(ctx, out ? out : defaults.output.dir, &spec);
    } else {
        s = clae_spec_parse_text(ctx, CLAE_SPEC_DEFAULT_NAME, clae_spec_default_text(), &spec);
    }
    if (s == CLAE_OK) {
        if (out) snprintf(spec.output.dir, sizeof spec.output.dir, "%s", out);
        if (epochs) spec.train.epochs = (int)n_epochs;
        if (seed) spec.train.seed = (uint64_t)n_seed;
        s = clae_spec_validate(ctx, &spec);
    }
    if (s == CLAE_OK) s = cli_open_device(ctx, device, &dev);
    clae_train_result result;
    if (s == CLAE_OK) {
        signal(SIGINT, on_signal);
        signal(SIGTERM, on_signal);
        progress_view view = {
            isatty(STDERR_FILENO), 0,
            spec_path ? spec_path : resume ? "the checkpoint's spec" : "the built-in default",
            spec.output.dir, clae_device_get_info(dev), clae_device_gemm_provider(dev)};
        clae_train_options opts = {&spec, resume, show_progress, &view, &stop_requested};
        s = clae_train(ctx, dev, &opts, &result);
        if (view.tty) fprintf(stderr, "\r\033[K");
    }
    int code = 0;
    if (s == CLAE_OK) {
        printf("test_mse %.6f  test_loss %.6f  %.0f samples/s  %.1f s\n", clae_result_get(&result, "test_mse"),
               clae_result_get(&result, "test_loss"),
               clae_result_get(&result, "samples_per_second"), clae_result_get(&result, "seconds"));
        printf("wrote %s/{model.safetensors,loss.csv,reconstructions.png,summary.json}\n",
               spec.output.dir);
    } else {
        code = cli_fail(ctx, s);
    }
    clae_device_close(dev);
    clae_spec_free(&spec);
    clae_ctx_destroy(ctx);
    return code;
}

const clae_command clae_cmd_train = {
    "train", "train an autoencoder from a spec (default: a dense one on MNIST)",
    "usage: clae train [--spec FILE] [--device N] [--out DIR] [--epochs N] [--seed S]\n"
    "                  [--resume] [--verbose]\n"
    "Trains the model FILE describes; without --spec, the built-in default (a dense\n"
    "autoencoder on the bundled MNIST digits). Flags override the spec. --resume continues\n"
    "from DIR/model.safetensors (with no --spec, using the spec stored there). Writes\n"
    "model.safetensors (every epoch), loss.csv, reconstructions.png and summary.json.\n"
    "Ctrl-C stops after the current batch; the last epoch's checkpoint stays.\n",
    run};
