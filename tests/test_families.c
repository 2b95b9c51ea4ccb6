/* The autoencoder families, trained from their specs on the bundled digits,
 * each asserting the property that defines it (with margins; the measured
 * values at the time of writing are in the comments). */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "io/checkpoint.h"
#include "clae/spec.h"
#include "clae/train.h"
#include "data/source.h"
#include "device_or_skip.h"
#include "train/evaluate.h"

static char tmpdir[] = "/tmp/clae_test_families_XXXXXX";

/* Trains specs/FILE (epochs > 0 overrides the spec; contractive >= 0 the
 * spec's lambda) into tmpdir/NAME, NAME being FILE without ".ini". */
static int train_with(clae_ctx *ctx, clae_device *dev, const char *file, int epochs,
                      double contractive, clae_train_result *r)
{
    char path[256], name[64];
    snprintf(path, sizeof path, "specs/%s", file);
    snprintf(name, sizeof name, "%.*s", (int)strcspn(file, "."), file);
    clae_spec spec;
    if (clae_spec_parse(ctx, path, &spec) != CLAE_OK) {
        fprintf(stderr, "%s\n", clae_ctx_message(ctx));
        return 0;
    }
    snprintf(spec.output.dir, sizeof spec.output.dir, "%s/%s", tmpdir, name);
    if (epochs > 0) spec.train.epochs = epochs;
    if (contractive >= 0) spec.loss.contractive = contractive;
    clae_train_options opts = {.spec = &spec};
    clae_status s = clae_train(ctx, dev, &opts, r);
    if (s != CLAE_OK) fprintf(stderr, "%s: %s\n", name, clae_ctx_message(ctx));
    else
        printf("%-20s test_mse %.4f code_mean %.4f code_near_zero %.3f parameters %.0f\n", name,
               METRIC(*r, test_mse), METRIC(*r, code_mean), METRIC(*r, code_near_zero), METRIC(*r, parameters));
    clae_spec_free(&spec);
    return s == CLAE_OK;
}

static int train(clae_ctx *ctx, clae_device *dev, const char *name, int epochs,
                 clae_train_result *r)
{
    return train_with(ctx, dev, name, epochs, -1.0, r);
}

/* A model worth looking at reconstructs the digits rather than the mean
 * training image: its test MSE is at most `share` x that of predicting the
 * mean image (0.067 on this split). */
static void check_reconstructs_by(const char *name, const clae_train_result *r, double share)
{
    CHECK(clae_result_has(r, "baseline_mse"));
    double base = METRIC(*r, baseline_mse);
    printf("%-20s test_mse %.4f against %.4f for the mean image (%.2f)\n", name,
           METRIC(*r, test_mse), base, METRIC(*r, test_mse) / base);
    CHECK(base > 0.0 && METRIC(*r, test_mse) <= share * base);
}

static void check_reconstructs(const char *name, const clae_train_result *r)
{
    check_reconstructs_by(name, r, 0.6);
}

static void test_deep_and_tied(clae_ctx *ctx, clae_device *dev)
{
    clae_train_result deep, tied;
    REQUIRE(train(ctx, dev, "deep.ini", 0, &deep));
    REQUIRE(train(ctx, dev, "tied.ini", 0, &tied));
    /* the tied decoder shares the encoder's weights: about half the parameters
     * (measured 571,952 of 1,141,296) */
    double ratio = (double)METRIC(tied, parameters) / (double)METRIC(deep, parameters);
    CHECK(ratio > 0.45 && ratio < 0.55);
    /* and both reconstruct (measured 0.036 deep after 15 epochs, 0.034 tied
     * after 12, against 0.067 for the mean image) */
    check_reconstructs("deep", &deep);
    check_reconstructs("tied", &tied);
}

static void test_denoising(clae_ctx *ctx, clae_device *dev)
{
    const char *names[] = {"denoising_gaussian.ini", "denoising_mask.ini"};
    for (int i = 0; i < 2; i++) {
        clae_train_result r;
        REQUIRE(train(ctx, dev, names[i], 0, &r));
        printf("%-20s noise_mse %.4f denoised_mse %.4f ratio %.2f\n", names[i], METRIC(r, noise_mse),
               METRIC(r, denoised_mse), METRIC(r, denoised_mse) / METRIC(r, noise_mse));
        CHECK(clae_result_has(&r, "denoised_mse"));
        /* restored digits lie much closer to the clean ones than the corrupted
         * ones (measured ratios 0.23 gaussian, 0.43 mask), and clean digits
         * reconstruct (measured 0.036 gaussian, 0.032 mask) */
        CHECK(METRIC(r, noise_mse) > 0.0);
        CHECK(METRIC(r, denoised_mse) < 0.6 * METRIC(r, noise_mse));
        check_reconstructs(names[i], &r);
    }
}

static void test_sparse(clae_ctx *ctx, clae_device *dev)
{
    clae_train_result plain, l1, kl;
    REQUIRE(train(ctx, dev, "dense.ini", 5, &plain));
    REQUIRE(train(ctx, dev, "sparse_l1.ini", 0, &l1));
    REQUIRE(train(ctx, dev, "sparse_kl.ini", 0, &kl));
    /* KL to rho = 0.05: the mean test code activation ends within 0.02 of it
     * (measured 0.0507), far sparser than the plain sigmoid code (near-zero
     * 0.74 vs 0.03) */
    CHECK(fabs(METRIC(kl, code_mean) - 0.05) < 0.02);
    CHECK(METRIC(kl, test_sparsity) > 0.0);
    CHECK(METRIC(kl, code_near_zero) > METRIC(plain, code_near_zero) + 0.3);
    /* L1 on a relu code: sparser than the plain model (measured near-zero
     * 0.80 vs 0.03, mean 0.30 vs 0.94; the same model with a plain relu code
     * has 0.29 near zero) */
    CHECK(METRIC(l1, code_near_zero) > METRIC(plain, code_near_zero) + 0.3);
    CHECK(METRIC(l1, code_mean) < 0.5 * METRIC(plain, code_mean));
    /* and both reconstruct (measured 0.029 l1, 0.026 kl) */
    check_reconstructs("sparse_l1", &l1);
    check_reconstructs("sparse_kl", &kl);
}

/* Exactly ceil(k % of the batch) values pass per code unit, on a real
 * training batch through the trained model. */
static void check_selection_counts(clae_ctx *ctx, clae_device *dev)
{
    clae_spec spec;
    REQUIRE(clae_spec_parse(ctx, "specs/wta.ini", &spec) == CLAE_OK);
    clae_dataset train_set, test_set;
    REQUIRE(clae__load_datasets(ctx, &spec, &train_set, &test_set) == CLAE_OK);
    size_t batch = (size_t)spec.train.batch, dim = train_set.dim;
    clae_model *m = NULL;
    clae_shape shape = {train_set.channels, train_set.height, train_set.width};
    REQUIRE(clae__model_create(dev, &spec, shape, batch, &m) == CLAE_OK);
    char path[256];
    snprintf(path, sizeof path, "%s/wta/model.safetensors", tmpdir);
    clae_safetensors *st = NULL;
    REQUIRE(clae_safetensors_read(ctx, path, &st) == CLAE_OK);
    CHECK(clae__checkpoint_restore(ctx, path, st, m, NULL) == CLAE_OK);
    clae_safetensors_free(st);

    clae_buf x = {0};
    REQUIRE(clae__buf_create(dev, batch * dim, &x) == CLAE_OK);
    CHECK(clae__buf_write(dev, &x, 0, batch * dim, train_set.x) == CLAE_OK);
    CHECK(clae__model_forward(m, &x, 0, batch, CLAE_TRAINING) == CLAE_OK);
    size_t cols = (size_t)m->code;
    float *mask = malloc(batch * cols * sizeof *mask);
    REQUIRE(mask != NULL);
    const clae_layer *wta = m->layers[clae__model_find(m, &clae_wta_vt, 0)];
    CHECK(clae__buf_read(dev, clae__wta_mask(wta), 0, batch * cols, mask) == CLAE_OK);
    size_t want = (size_t)ceil(spec.loss.winner_take_all / 100.0 * (double)batch); /* 7 of 128 */
    int exact = 1;
    for (size_t c = 0; c < cols; c++) {
        size_t passed = 0;
        for (size_t r = 0; r < batch; r++) passed += mask[r * cols + c] != 0.0f;
        exact &= passed == want;
    }
    CHECK(want == 7);
    CHECK(exact);
    free(mask);
    clae__buf_release(&x);
    clae__model_destroy(m);
    clae_dataset_free(&train_set);
    clae_dataset_free(&test_set);
    clae_spec_free(&spec);
}

/* The test MSE of a trained model evaluated in chunks of batch_max rows. */
static void chunked_test_mse(clae_ctx *ctx, clae_device *dev, const char *dir, size_t batch_max,
                             double *mse)
{
    char path[256];
    snprintf(path, sizeof path, "%s/%s/model.safetensors", tmpdir, dir);
    clae_loaded_model lm;
    REQUIRE(clae__checkpoint_load_model(ctx, dev, path, batch_max, &lm) == CLAE_OK);
    clae_dataset train_set, test_set;
    REQUIRE(clae__load_datasets(ctx, &lm.spec, &train_set, &test_set) == CLAE_OK);
    clae_buf x = {0};
    clae_eval ev;
    memset(&ev, 0, sizeof ev);
    REQUIRE(clae__buf_create(dev, test_set.count * test_set.dim, &x) == CLAE_OK);
    CHECK(clae__buf_write(dev, &x, 0, test_set.count * test_set.dim, test_set.x) == CLAE_OK);
    CHECK(clae__evaluate(lm.model, &x, &x, test_set.count, &ev) == CLAE_OK);
    clae__buf_release(&x);
    clae_dataset_free(&train_set);
    clae_dataset_free(&test_set);
    clae__loaded_model_free(&lm);
    *mse = ev.mse;
}

static void test_winner_take_all(clae_ctx *ctx, clae_device *dev)
{
    clae_train_result r;
    REQUIRE(train(ctx, dev, "wta.ini", 0, &r));
    printf("%-20s code_near_zero with the selection %.3f, without %.3f\n", "wta",
           METRIC(r, code_near_zero), METRIC(r, code_near_zero_unselected));
    CHECK(clae_result_has(&r, "code_near_zero_unselected"));
    /* 5 % kept per unit: about 95 % zeros with the selection (measured 0.964,
     * 0.80 without), and it still reconstructs (measured 0.032) */
    CHECK(METRIC(r, code_near_zero) > 0.9);
    CHECK(METRIC(r, code_near_zero) > METRIC(r, code_near_zero_unselected));
    check_reconstructs("wta", &r);
    check_selection_counts(ctx, dev);
    /* evaluation selects by each unit's running threshold: the test metrics
     * do not depend on how the test split is chunked */
    double whole = 0, small = 0;
    chunked_test_mse(ctx, dev, "wta", 1000, &whole);
    chunked_test_mse(ctx, dev, "wta", 7, &small);
    printf("%-20s test_mse in chunks of 1000 %.6f, of 7 %.6f\n", "wta", whole, small);
    CHECK(fabs(whole - small) <= 1e-6 * whole);
}

/* Greedy pretraining: each stage's loss is logged and finite, and the
 * pretrained stack ends with a lower test error than the same stack trained
 * from scratch for the same total epochs (4 stages x 2 + 4 = 12; measured
 * 0.029 against 0.042). A tied deep stack pretrains too. */
static void test_greedy(clae_ctx *ctx, clae_device *dev)
{
    clae_train_result pre, scratch;
    REQUIRE(train(ctx, dev, "greedy.ini", 0, &pre));
    REQUIRE(train(ctx, dev, "deep.ini", 12, &scratch));
    printf("%-20s pretrained %.4f against %.4f from scratch; stage losses", "greedy",
           METRIC(pre, test_mse), METRIC(scratch, test_mse));
    for (int k = 1; k <= 4; k++) {
        char name[32];
        snprintf(name, sizeof name, "pretrain_loss_%d", k);
        double loss = clae_result_get(&pre, name);
        printf(" %.4f", loss);
        CHECK(loss > 0 && isfinite(loss));
    }
    printf("\n");
    CHECK(!clae_result_has(&pre, "pretrain_loss_5"));
    CHECK(METRIC(pre, test_mse) < METRIC(scratch, test_mse));
    check_reconstructs("greedy", &pre); /* measured 0.029 */

    clae_spec spec;
    REQUIRE(clae_spec_parse(ctx, "specs/greedy.ini", &spec) == CLAE_OK);
    spec.model.tied = 1;
    spec.train.epochs = 2;
    snprintf(spec.output.dir, sizeof spec.output.dir, "%s/greedy_tied", tmpdir);
    clae_train_options opts = {.spec = &spec};
    clae_train_result tied;
    CHECK(clae_train(ctx, dev, &opts, &tied) == CLAE_OK);
    CHECK(clae_result_has(&tied, "pretrain_loss_4") && METRIC(tied, test_mse) < 0.06);
    clae_spec_free(&spec);

    /* an overcomplete stack (a hidden layer wider than the input): each stage
     * batches through a buffer of its own width */
    REQUIRE(clae_spec_parse(ctx, "specs/greedy.ini", &spec) == CLAE_OK);
    spec.n_encoder = 1;
    spec.encoder[0].units = 1000;
    spec.data.limit = 1000;
    spec.train.epochs = 1;
    spec.train.pretrain_epochs = 1;
    snprintf(spec.output.dir, sizeof spec.output.dir, "%s/greedy_wide", tmpdir);
    clae_train_result wide;
    CHECK(clae_train(ctx, dev, &opts, &wide) == CLAE_OK);
    CHECK(clae_result_has(&wide, "pretrain_loss_2") && METRIC(wide, test_mse) < 0.2);
    clae_spec_free(&spec);
}

/* The code's Jacobian norm on test digits falls as lambda grows (measured
 * 20.2, 3.7, 1.09 for lambda 0, 0.001, 0.01), and every model reconstructs
 * (measured test MSE 0.020, 0.019, 0.024). */
static void test_contractive(clae_ctx *ctx, clae_device *dev)
{
    static const double lambdas[] = {0.0, 0.001, 0.01};
    double previous = 0.0;
    for (int i = 0; i < 3; i++) {
        clae_train_result r;
        REQUIRE(train_with(ctx, dev, "contractive.ini", 0, lambdas[i], &r));
        printf("%-20s lambda %.3f: code_jacobian %.5f, test_mse %.4f\n", "contractive",
               lambdas[i], METRIC(r, code_jacobian), METRIC(r, test_mse));
        CHECK(METRIC(r, code_jacobian) > 0.0);
        if (i > 0) CHECK(METRIC(r, code_jacobian) < 0.5 * previous);
        check_reconstructs("contractive", &r);
        previous = METRIC(r, code_jacobian);
    }
}

/* Per-dimension mean and std of the codes (the means, for a VAE) of the test
 * split, through the model stored in DIR/model.safetensors. */
static void code_moments(clae_ctx *ctx, clae_device *dev, const char *dir, double mean[2],
                         double std[2])
{
    char path[256];
    snprintf(path, sizeof path, "%s/%s/model.safetensors", tmpdir, dir);
    clae_loaded_model lm;
    REQUIRE(clae__checkpoint_load_model(ctx, dev, path, 128, &lm) == CLAE_OK);
    clae_dataset train_set, test_set;
    REQUIRE(clae__load_datasets(ctx, &lm.spec, &train_set, &test_set) == CLAE_OK);
    clae_buf x = {0};
    float *codes = malloc(test_set.count * 2 * sizeof *codes);
    REQUIRE(codes && clae__buf_create(dev, test_set.count * test_set.dim, &x) == CLAE_OK);
    CHECK(clae__buf_write(dev, &x, 0, test_set.count * test_set.dim, test_set.x) == CLAE_OK);
    CHECK(clae__encode_all(lm.model, &x, test_set.count, codes) == CLAE_OK);
    for (int j = 0; j < 2; j++) {
        double s = 0, s2 = 0;
        for (size_t i = 0; i < test_set.count; i++) {
            s += codes[2 * i + (size_t)j];
            s2 += (double)codes[2 * i + (size_t)j] * codes[2 * i + (size_t)j];
        }
        mean[j] = s / (double)test_set.count;
        std[j] = sqrt(s2 / (double)test_set.count - mean[j] * mean[j]);
    }
    printf("%-20s code dim 0: mean %.3f std %.3f; dim 1: mean %.3f std %.3f\n", dir, mean[0],
           std[0], mean[1], std[1]);
    free(codes);
    clae__buf_release(&x);
    clae_dataset_free(&train_set);
    clae_dataset_free(&test_set);
    clae__loaded_model_free(&lm);
}

/* The test loss of the spec's model as initialised, before any training. */
static double untrained_test_loss(clae_ctx *ctx, clae_device *dev, const clae_spec *spec)
{
    clae_dataset train_set, test_set;
    clae_model *m = NULL;
    clae_buf x = {0};
    clae_eval ev;
    memset(&ev, 0, sizeof ev);
    if (clae__load_datasets(ctx, spec, &train_set, &test_set) != CLAE_OK) return 0.0;
    clae_shape shape = {test_set.channels, test_set.height, test_set.width};
    if (clae__model_create(dev, spec, shape, 128, &m) == CLAE_OK &&
        clae__model_init(m, spec->train.seed) == CLAE_OK &&
        clae__buf_create(dev, test_set.count * test_set.dim, &x) == CLAE_OK &&
        clae__buf_write(dev, &x, 0, test_set.count * test_set.dim, test_set.x) == CLAE_OK)
        clae__evaluate(m, &x, &x, test_set.count, &ev);
    clae__buf_release(&x);
    clae__model_destroy(m);
    clae_dataset_free(&train_set);
    clae_dataset_free(&test_set);
    return ev.loss;
}

static void test_variational(clae_ctx *ctx, clae_device *dev)
{
    clae_train_result r;
    REQUIRE(train(ctx, dev, "vae.ini", 0, &r));
    printf("%-20s kl %.3f nats per digit, test_loss %.4f\n", "vae", METRIC(r, kl), METRIC(r, test_loss));
    CHECK(METRIC(r, kl) > 0.0 && isfinite(METRIC(r, kl)));
    CHECK(METRIC(r, test_kl) > 0.0 && !clae_result_has(&r, "test_sparsity"));

    clae_spec spec;
    REQUIRE(clae_spec_parse(ctx, "specs/vae.ini", &spec) == CLAE_OK);
    double untrained = untrained_test_loss(ctx, dev, &spec);
    printf("%-20s untrained test_loss %.4f\n", "vae", untrained);
    /* measured 0.219 trained against 0.70 untrained */
    CHECK(untrained > 0.0 && METRIC(r, test_loss) < 0.5 * untrained);
    /* two numbers cannot hold a digit: the 2-D code reconstructs less well
     * than the other families (measured 0.048, 0.71 x the mean image's) */
    check_reconstructs_by("vae", &r, 0.8);
    clae_spec_free(&spec);

    /* the test means have the prior's scale (measured means -0.05, 0.09; std 1.01, 1.06) */
    double mean[2], std[2];
    code_moments(ctx, dev, "vae", mean, std);
    for (int j = 0; j < 2; j++) {
        CHECK(fabs(mean[j]) < 0.3);
        CHECK(std[j] > 0.5 && std[j] < 1.5);
    }
    char sample_png[256];
    snprintf(sample_png, sizeof sample_png, "%s/vae/samples.png", tmpdir);
    CHECK(access(sample_png, R_OK) == 0);
}

/* A plain autoencoder with a linear 2-D code is not held to the prior's scale. */
static void test_plain_2d_code(clae_ctx *ctx, clae_device *dev)
{
    clae_spec spec;
    REQUIRE(clae_spec_parse_text(ctx, "plain_2d",
                                 "[model]\ncode = 2\n[dense]\nunits = 256\n[code]\n"
                                 "activation = linear\n[loss]\nreconstruction = bce\n"
                                 "[train]\nepochs = 10\n",
                                 &spec) == CLAE_OK);
    snprintf(spec.output.dir, sizeof spec.output.dir, "%s/plain_2d", tmpdir);
    clae_train_options opts = {.spec = &spec};
    clae_train_result r;
    REQUIRE(clae_train(ctx, dev, &opts, &r) == CLAE_OK);
    double mean[2], std[2];
    code_moments(ctx, dev, "plain_2d", mean, std);
    int like_prior = 1;
    for (int j = 0; j < 2; j++) like_prior &= fabs(mean[j]) < 0.3 && std[j] > 0.5 && std[j] < 1.5;
    CHECK(!like_prior);
    clae_spec_free(&spec);
}

/* The benchmark's spec trains (one epoch on a slice of the digits). */
static void test_bench_spec(clae_ctx *ctx, clae_device *dev)
{
    clae_spec spec;
    REQUIRE(clae_spec_parse(ctx, "specs/bench.ini", &spec) == CLAE_OK);
    spec.data.limit = 2000;
    spec.train.epochs = 1;
    snprintf(spec.output.dir, sizeof spec.output.dir, "%s/bench", tmpdir);
    clae_train_options opts = {.spec = &spec};
    clae_train_result r;
    CHECK(clae_train(ctx, dev, &opts, &r) == CLAE_OK);
    CHECK(METRIC(r, parameters) == 1100112 && METRIC(r, test_mse) > 0 && METRIC(r, test_mse) < 0.12);
    clae_spec_free(&spec);
}

int main(void)
{
    clae_ctx *ctx = clae_ctx_create();
    clae_device *dev = open_device_or_skip(ctx);
    if (!mkdtemp(tmpdir)) return 1;
    test_bench_spec(ctx, dev);
    test_deep_and_tied(ctx, dev);
    test_denoising(ctx, dev);
    test_sparse(ctx, dev);
    test_winner_take_all(ctx, dev);
    test_greedy(ctx, dev);
    test_contractive(ctx, dev);
    test_variational(ctx, dev);
    test_plain_2d_code(ctx, dev);
    clae_device_close(dev);
    clae_ctx_destroy(ctx);
    check_remove_tree(tmpdir);
    return check_finish();
}
