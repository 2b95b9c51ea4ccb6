/* clae train: trains the model a spec describes (or the built-in default).
 *
 * Command-line settings (--set SECTION.KEY=VALUE, --epochs, --seed, --batch,
 * --lr) are applied to the spec's text and parsed again, so they are checked
 * as the file's own lines are and the checkpoint keeps the spec really
 * trained. --out only chooses the directory. A directory that already holds
 * a run is never overwritten silently: --resume continues it, --force starts
 * over. */
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "clae/dist.h"
#include "clae/spec.h"
#include "clae/train.h"
#include "cli/cli.h"
#include "cli/train_progress.h"
#include "cli/train_ranks.h"
#include "io/fsutil.h"
#include "io/safetensors.h"

#define MAX_SETS 64

static volatile sig_atomic_t stop_requested;

static void on_signal(int sig)
{
    (void)sig;
    stop_requested = 1;
}

/* SIGINT and SIGTERM set stop_requested, for good: sigaction, not signal(),
 * which under the strict POSIX feature set resets the handler after one
 * delivery. Installed again with every progress report, because the OpenCL
 * compiler (LLVM, inside PoCL) puts its own one-shot handler in front while
 * it compiles a kernel: a second SIGINT in that window (timeout(1) signals
 * the child and then its process group) killed the run without its message. */
static void catch_stop_signals(void)
{
    struct sigaction stop;
    memset(&stop, 0, sizeof stop);
    stop.sa_handler = on_signal;
    sigemptyset(&stop.sa_mask);
    stop.sa_flags = SA_RESTART; /* the flag is read after the batch; I/O goes on */
    sigaction(SIGINT, &stop, NULL);
    sigaction(SIGTERM, &stop, NULL);
}

/* --resume without --spec: the spec text stored in the checkpoint (malloc'd). */
static clae_status text_from_checkpoint(clae_ctx *ctx, const char *path, char **text)
{
    clae_safetensors *st = NULL;
    clae_status s = clae_safetensors_read(ctx, path, &st);
    if (s != CLAE_OK) return s;
    const char *stored = clae_safetensors_meta(st, "spec");
    if (!stored || !*stored) s = clae__fail(ctx, CLAE_EDATA, "%s: no spec stored in the checkpoint", path);
    else if (!(*text = strdup(stored))) s = clae__fail(ctx, CLAE_ENOMEM, "out of memory");
    clae_safetensors_free(st);
    return s;
}

/* Training without --resume into a directory that holds a run: refused
 * (unless --force), with what the run is and the two ways on. */
static clae_status check_run_dir(clae_ctx *ctx, const clae_spec *spec)
{
    char path[CLAE_PATH_MAX + 32];
    snprintf(path, sizeof path, "%s/model.safetensors", spec->output.dir);
    if (access(path, F_OK) != 0) return CLAE_OK;
    clae_safetensors *st = NULL;
    const char *stored = NULL, *epoch = NULL;
    if (clae_safetensors_read(ctx, path, &st) == CLAE_OK) {
        stored = clae_safetensors_meta(st, "spec");
        epoch = clae_safetensors_meta(st, "epoch");
    }
    clae_status s;
    if (stored && spec->text && strcmp(stored, spec->text) == 0)
        s = clae__fail(ctx, CLAE_EUSAGE,
                       "%s already holds this run (epoch %s); continue it with --resume (and more "
                       "--epochs) or start it over with --force", path, epoch ? epoch : "?");
    else if (stored)
        s = clae__fail(ctx, CLAE_EUSAGE,
                       "%s holds a run of another spec (epoch %s); continue it under this spec "
                       "with --resume, overwrite it with --force, or choose another --out",
                       path, epoch ? epoch : "?");
    else
        s = clae__fail(ctx, CLAE_EUSAGE,
                       "%s exists but is not a clae checkpoint; overwrite it with --force or "
                       "choose another --out", path);
    clae_safetensors_free(st);
    return s;
}

static clae_status remove_if_there(clae_ctx *ctx, const char *path)
{
    if (unlink(path) != 0 && errno != ENOENT && errno != ENOTDIR)
        return clae__fail(ctx, CLAE_EIO, "%s: cannot remove: %s", path, strerror(errno));
    return CLAE_OK;
}

/* --force: the old run's files go first (the checkpoints first of all), so
 * that an interrupted first epoch cannot leave them looking like this run's,
 * and no picture of the old model stays beside the new one's. Only the names
 * a run writes are removed: anything else the user keeps there stays. */
static clae_status clear_run_dir(clae_ctx *ctx, const clae_spec *spec)
{
    static const char *const files[] = {
        "model.safetensors", "model.best.safetensors", "summary.json", "loss.csv",
        "reconstructions.png", "loss.png", "latent.png", "features.png", "manifold.png",
        "samples.png"};
    const char *dir = spec->output.dir;
    char path[CLAE_PATH_MAX + 300]; /* dir/snapshots/ and a file name */
    clae_status s = CLAE_OK;
    for (size_t i = 0; s == CLAE_OK && i < sizeof files / sizeof files[0]; i++) {
        snprintf(path, sizeof path, "%s/%s", dir, files[i]);
        s = remove_if_there(ctx, path);
    }
    snprintf(path, sizeof path, "%s/snapshots", dir);
    DIR *d = s == CLAE_OK ? opendir(path) : NULL;
    for (struct dirent *e; d && s == CLAE_OK && (e = readdir(d)) != NULL;) {
        unsigned epoch;
        char tail[8];
        if (sscanf(e->d_name, "epoch-%u.%7s", &epoch, tail) != 2 || strcmp(tail, "png") != 0)
            continue;
        snprintf(path, sizeof path, "%s/snapshots/%s", dir, e->d_name);
        s = remove_if_there(ctx, path);
    }
    if (d) closedir(d);
    snprintf(path, sizeof path, "%s/snapshots", dir);
    if (s == CLAE_OK) rmdir(path); /* only when empty: the user's own files stay */
    return s;
}

typedef struct {
    const char *sets[MAX_SETS];  /* SECTION.KEY=VALUE, in command-line order */
    char *owned[MAX_SETS];       /* those made from --epochs, --seed, --batch, --lr */
    char label[MAX_SETS][16];    /* the option that gave each, for messages */
    int n;
} overrides;

static int add_set(overrides *o, const char *label, const char *key, const char *value)
{
    if (o->n == MAX_SETS) return -1;
    snprintf(o->label[o->n], sizeof o->label[o->n], "%s", label);
    if (key) {
        size_t size = strlen(key) + strlen(value) + 2;
        char *s = malloc(size);
        if (!s) return -1;
        snprintf(s, size, "%s=%s", key, value);
        o->owned[o->n] = s;
        o->sets[o->n++] = s;
    } else {
        o->owned[o->n] = NULL;
        o->sets[o->n++] = value;
    }
    return 0;
}

static void free_sets(overrides *o)
{
    for (int i = 0; i < o->n; i++) free(o->owned[i]);
}

static int parse_positive(const char *text, double *out)
{
    char *end = NULL;
    errno = 0;
    double v = strtod(text, &end);
    if (end == text || *end || errno || !(v > 0) || !isfinite(v)) return -1;
    *out = v;
    return 0;
}

/* "wrote DIR/{a,b,...}": what the run directory holds now, so the line never
 * promises a file the run did not make (the manifold and samples only for a
 * VAE, features.png only for a dense or conv first layer). --force cleared the
 * old run's files first. */
static void print_run_files(const char *dir)
{
    struct dirent **names;
    int n = scandir(dir, &names, NULL, alphasort);
    if (n < 0) return;
    printf("wrote %s/{", dir);
    int shown = 0;
    for (int i = 0; i < n; i++) {
        if (names[i]->d_name[0] != '.') printf("%s%s", shown++ ? "," : "", names[i]->d_name);
        free(names[i]);
    }
    free(names);
    printf("}\n");
}

/* Digits only, below 2^64: what [train] seed takes. */
static int seed_text(const char *v)
{
    if (!isdigit((unsigned char)*v)) return 0;
    char *end;
    errno = 0;
    strtoull(v, &end, 10);
    return *end == '\0' && errno != ERANGE;
}

static int train(int argc, char **argv, clae_dist *dist, int *agreed)
{
    static const struct option options[] = {
        {"spec", required_argument, NULL, 's'},  {"device", required_argument, NULL, 'd'},
        {"out", required_argument, NULL, 'o'},   {"epochs", required_argument, NULL, 'e'},
        {"seed", required_argument, NULL, 'S'},  {"resume", optional_argument, NULL, 'r'},
        {"verbose", no_argument, NULL, 'v'},     {"set", required_argument, NULL, 'x'},
        {"batch", required_argument, NULL, 'b'}, {"lr", required_argument, NULL, 'l'},
        {"force", no_argument, NULL, 'f'},       {"snapshots", no_argument, NULL, 'p'},
        {NULL, 0, NULL, 0}};
    const char *spec_path = NULL, *device = NULL, *out = NULL;
    int resume = 0, verbose = 0, force = 0, snapshots = 0, c, bad_set = 0;
    overrides sets;
    memset(&sets, 0, sizeof sets);
    long n = 0;
    double x = 0;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "", options, NULL)) != -1) {
        const char *err = NULL;
        switch (c) {
        case 's': spec_path = optarg; break;
        case 'd': device = optarg; break;
        case 'o':
            if (cli_check_out("train", optarg)) {
                free_sets(&sets);
                return clae_status_exit_code(CLAE_EUSAGE);
            }
            out = optarg;
            break;
        case 'r':
            /* --resume continues a run or, with nothing to continue, starts it:
             * one command for the first start and every restart (a scheduler's
             * retry); --resume=must insists on a checkpoint */
            if (optarg && strcmp(optarg, "must") != 0) {
                free_sets(&sets);
                return cli_usage_error("train", "--resume: expected no value or =must, got \"%s\"",
                                       optarg);
            }
            resume = optarg ? 2 : 1;
            break;
        case 'v': verbose = 1; break;
        case 'f': force = 1; break;
        case 'p': snapshots = 1; break;
        case 'x': bad_set = add_set(&sets, "--set", NULL, optarg); break;
        case 'e':
            if (cli_parse_long(optarg, 1, CLAE_SPEC_MAX_COUNT, &n) != 0) /* the spec's range */
                err = "--epochs: expected an integer from 1 to 1048576, got \"%s\"";
            else bad_set = add_set(&sets, "--epochs", "train.epochs", optarg);
            break;
        case 'S':
            if (!seed_text(optarg)) /* the spec's range: any unsigned 64-bit integer */
                err = "--seed: expected a non-negative integer below 2^64, got \"%s\"";
            else bad_set = add_set(&sets, "--seed", "train.seed", optarg);
            break;
        case 'b':
            if (cli_parse_long(optarg, 1, CLAE_SPEC_MAX_COUNT, &n) != 0)
                err = "--batch: expected a positive integer, got \"%s\"";
            else bad_set = add_set(&sets, "--batch", "train.batch", optarg);
            break;
        case 'l':
            if (parse_positive(optarg, &x) != 0) err = "--lr: expected a positive number, got \"%s\"";
            else bad_set = add_set(&sets, "--lr", "train.learning_rate", optarg);
            break;
        default:
            free_sets(&sets);
            return cli_bad_option("train", argv);
        }
        if (err || bad_set) {
            free_sets(&sets);
            if (bad_set) return cli_usage_error("train", "too many settings (at most %d)", MAX_SETS);
            return cli_usage_error("train", err, optarg);
        }
    }
    if (optind < argc) {
        free_sets(&sets);
        return cli_usage_error("train", "unexpected argument \"%s\"", argv[optind]);
    }
    if (resume && force) {
        free_sets(&sets);
        return cli_usage_error("train", "--resume and --force exclude each other");
    }

    /* at once: a background job starts with SIGINT ignored until this */
    catch_stop_signals();
    int writer = dist->rank == 0; /* rank 0 speaks and writes; the others train along */
    clae_ctx *ctx = cli_context(verbose && writer);
    clae_spec spec;
    memset(&spec, 0, sizeof spec);
    clae_device *dev = NULL;
    clae_status s = CLAE_OK;
    int bad = -1;
    /* the spec's text and name: the file, the checkpoint's (resume), or the built-in */
    char *text = NULL, ckpt[CLAE_PATH_MAX + 32] = "";
    const char *name = spec_path ? spec_path : resume ? ckpt : CLAE_SPEC_DEFAULT_NAME;
    if (spec_path) {
        clae_spec file;
        s = clae_spec_parse(ctx, spec_path, &file); /* the file's own errors, with its lines */
        if (s == CLAE_OK && !(text = strdup(file.text))) s = clae__fail(ctx, CLAE_ENOMEM, "out of memory");
        clae_spec_free(&file);
    } else if (resume) {
        clae_spec defaults;
        clae_spec_defaults(&defaults);
        snprintf(ckpt, sizeof ckpt, "%s/model.safetensors", out ? out : defaults.output.dir);
        if (access(ckpt, F_OK) == 0)
            s = text_from_checkpoint(ctx, ckpt, &text);
        else if (resume == 2)
            s = clae__fail(ctx, CLAE_EUSAGE, "%s: no checkpoint to resume from", ckpt);
        else /* nothing to continue: the built-in default, started fresh */
            name = CLAE_SPEC_DEFAULT_NAME;
    }
    if (s == CLAE_OK && !text && !(text = strdup(clae_spec_default_text()))) {
        s = clae__fail(ctx, CLAE_ENOMEM, "out of memory");
    }
    if (s == CLAE_OK) s = clae_spec_parse_overrides(ctx, name, text, sets.sets, sets.n, &spec, &bad);
    free(text);
    if (s == CLAE_OK) {
        if (out) snprintf(spec.output.dir, sizeof spec.output.dir, "%s", out);
        else if (!spec_path && resume) /* where the checkpoint was found */
            snprintf(spec.output.dir, sizeof spec.output.dir, "%.*s", (int)(strlen(ckpt) - 18), ckpt);
        s = clae_spec_validate(ctx, &spec);
    }
    if (s == CLAE_OK && resume) {
        snprintf(ckpt, sizeof ckpt, "%s/model.safetensors", spec.output.dir);
        if (access(ckpt, F_OK) != 0 && resume == 2)
            s = clae__fail(ctx, CLAE_EUSAGE, "%s: no checkpoint to resume from", ckpt);
        else if (access(ckpt, F_OK) != 0) {
            clae__log(ctx, CLAE_LOG_INFO, "%s: no checkpoint yet: starting the run", ckpt);
            resume = 0;
        }
    }
    if (s == CLAE_OK) s = cli_agree_on_run(ctx, dist, &spec, &resume);
    char rank_choice[32];
    if (s == CLAE_OK)
        s = cli_open_device(ctx, cli_rank_device(ctx, device, dist, rank_choice, sizeof rank_choice),
                            &dev);
    /* one run at a time in a folder, locked before --force clears anything;
     * then what a killed run left half-written goes */
    int lock_fd = -1;
    struct stat out_before;
    int out_is_new = s == CLAE_OK && writer && stat(spec.output.dir, &out_before) != 0;
    if (s == CLAE_OK && writer) s = clae__mkdir_p(ctx, spec.output.dir);
    if (s == CLAE_OK && writer) s = clae__lock_run_dir(ctx, spec.output.dir, &lock_fd);
    if (s == CLAE_OK && writer) s = clae__remove_stale_tmp(ctx, spec.output.dir);
    if (s == CLAE_OK && writer && !resume)
        s = force ? clear_run_dir(ctx, &spec) : check_run_dir(ctx, &spec);
    clae_train_result result;
    if (s == CLAE_OK) {
        progress_view view = {
            isatty(STDERR_FILENO), 0,
            spec_path ? spec_path : resume ? "the checkpoint's spec" : "the built-in default",
            spec.output.dir, clae_device_get_info(dev), clae_device_gemm_provider(dev),
            spec.train.schedule != CLAE_SCHEDULE_CONSTANT, spec.train.patience, 0,
            catch_stop_signals};
        clae_train_options opts = {.spec = &spec, .resume = resume,
                                   .progress = writer ? cli_show_progress : NULL,
                                   .progress_user = &view, .stop = &stop_requested,
                                   .snapshot = snapshots, .dist = dist};
        s = clae_train(ctx, dev, &opts, &result);
        if (view.tty) fprintf(stderr, "\r\033[K");
    }
    int code = 0;
    if (s == CLAE_OK && writer) {
        if (clae_result_get(&result, "stopped_early") == 1)
            fprintf(stderr, "stopped early after epoch %.0f: no better test loss for %d epoch%s "
                            "(the best: epoch %.0f, test_loss %.6f)\n",
                    clae_result_get(&result, "epochs"), spec.train.patience,
                    spec.train.patience == 1 ? "" : "s",
                    clae_result_get(&result, "best_epoch"),
                    clae_result_get(&result, "best_test_loss"));
        printf("test_mse %.6f  test_loss %.6f  %.0f samples/s  %.1f s\n",
               clae_result_get(&result, "test_mse"), clae_result_get(&result, "test_loss"),
               clae_result_get(&result, "samples_per_second"), clae_result_get(&result, "seconds"));
        print_run_files(spec.output.dir);
        /* the run is complete and on disk: a reader of stdout that went away
         * (`| head -1`) loses only this summary, so it is said, not failed */
        if (fflush(stdout) != 0 || ferror(stdout))
            fprintf(stderr, "clae train: stdout closed; the run completed, see %s/summary.json\n",
                    spec.output.dir);
    } else if (bad >= 0) {
        fprintf(stderr, "clae train: %s %s: %s\n", sets.label[bad],
                strcmp(sets.label[bad], "--set") == 0 ? sets.sets[bad] : strchr(sets.sets[bad], '=') + 1,
                clae_ctx_message(ctx));
        code = clae_status_exit_code(s);
    } else if ((s == CLAE_EINTERRUPTED || s == CLAE_EDIVERGED) && !writer) {
        code = clae_status_exit_code(s); /* every rank stopped at the same step: rank 0 says it */
    } else if (s != CLAE_OK) {
        code = cli_fail(ctx, s);
    }
    /* an interrupt and a divergence over ranks are decided on sums every rank holds */
    *agreed = s == CLAE_EINTERRUPTED || (s == CLAE_EDIVERGED && dist->size > 1);
    free_sets(&sets);
    clae__unlock_run_dir(spec.output.dir, lock_fd, s != CLAE_OK && out_is_new);
    clae_device_close(dev);
    clae_spec_free(&spec);
    clae_ctx_destroy(ctx);
    return code;
}

/* Under mpirun, each rank runs this on its device; a rank that fails ends the
 * whole job (after its one line) rather than leave the others waiting. */
static int run(int argc, char **argv)
{
    clae_dist dist;
    clae_ctx *ctx = clae_ctx_create();
    clae_status s = ctx ? clae_dist_init(ctx, &argc, &argv, &dist) : CLAE_ENOMEM;
    if (s != CLAE_OK) {
        int code = ctx ? cli_fail(ctx, s) : clae_status_exit_code(s);
        clae_ctx_destroy(ctx);
        return code;
    }
    clae_ctx_destroy(ctx);
    if (dist.size > 1) cli_set_rank(dist.rank, dist.size);
    int agreed = 0; /* an interrupt stops every rank at the same step: no abort needed */
    int code = train(argc, argv, &dist, &agreed);
    if (code != 0 && !agreed) clae_dist_abort(&dist, code);
    clae_dist_finish(&dist);
    return code;
}

const clae_command clae_cmd_train = {
    "train", "train an autoencoder from a spec (default: a dense one on MNIST)",
    "usage: clae train [--spec FILE] [--device N] [--out DIR] [--epochs N] [--seed S]\n"
    "                  [--batch N] [--lr X] [--set SECTION.KEY=VALUE]... [--resume[=must] | --force]\n"
    "                  [--snapshots] [--verbose]\n"
    "Trains the model FILE describes; without --spec, the built-in default (a dense\n"
    "autoencoder on the bundled MNIST digits; `clae spec` prints every key).\n"
    "--set changes any spec key as the file would (repeatable, applied in order):\n"
    "  --set train.learning_rate=0.01 --set model.code=16 --set data.limit=2000\n"
    "  a repeated layer section is named by its place among its kind: dense.2.units=64.\n"
    "  --epochs, --seed, --batch and --lr are train.epochs, .seed, .batch, .learning_rate.\n"
    "The checkpoint keeps the spec as changed. --out DIR writes there instead of the\n"
    "spec's [output] dir (default runs/<spec name>, runs/default for the built-in).\n"
    "A DIR that already holds a run is not overwritten: --resume continues it from\n"
    "DIR/model.safetensors (with no --spec, under the spec stored there; with no --out,\n"
    "from runs/default or the spec's dir), --force starts over. --resume with nothing to\n"
    "continue starts the run, and on a finished run writes what is missing of its final\n"
    "outputs: the same command serves the first start and every restart (--resume=must\n"
    "refuses a folder without a checkpoint, exit 2).\n"
    "Writes model.safetensors (every epoch), model.best.safetensors (the lowest test\n"
    "loss so far), loss.csv, summary.json and the pictures: reconstructions.png,\n"
    "loss.png, latent.png, features.png (a dense or conv first layer) and, for a 2-D\n"
    "VAE, manifold.png and samples.png. --snapshots also writes\n"
    "snapshots/epoch-NNN.png, the reconstructions after every epoch. [train] patience\n"
    "stops early. Ctrl-C stops after the current batch; the last epoch's checkpoint stays.\n"
    "Under mpirun -np N (a build with MPI) the ranks train one model data-parallel, one\n"
    "device each: --device 0,2 gives the devices by local rank (default: the GPUs in turn);\n"
    "[train] batch is the batch over all ranks, and rank 0 writes every output.\n",
    run};
