/* End to end: real training runs on the bundled digits through the library.
 * - quality: specs/dense.ini (10 epochs) reaches a test MSE bound with margin
 * - determinism: the same seed on the same device gives identical weights
 * - resume: 2 epochs + resume to 3 equals 3 straight epochs, bit for bit
 * - divergence: a NaN/Inf loss stops with CLAE_EDIVERGED, checkpoint kept */
#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "clae/spec.h"
#include "clae/train.h"
#include "device_or_skip.h"
#include "io/fsutil.h"
#include "io/safetensors.h"

static char tmpdir[] = "/tmp/clae_test_train_XXXXXX";

static clae_status train_spec(clae_ctx *ctx, clae_device *dev, clae_spec *spec, const char *out,
                              int epochs, int resume, clae_train_result *r)
{
    snprintf(spec->output.dir, sizeof spec->output.dir, "%s/%s", tmpdir, out);
    spec->train.epochs = epochs;
    clae_train_options opts = {spec, resume, NULL, NULL, NULL};
    clae_status s = clae_train(ctx, dev, &opts, r);
    if (s != CLAE_OK) fprintf(stderr, "train %s: %s\n", out, clae_ctx_message(ctx));
    return s;
}

/* 1 when every tensor of a's checkpoint equals b's, bit for bit. */
static int same_weights(clae_ctx *ctx, const char *a, const char *b)
{
    char pa[512], pb[512];
    snprintf(pa, sizeof pa, "%s/%s/model.safetensors", tmpdir, a);
    snprintf(pb, sizeof pb, "%s/%s/model.safetensors", tmpdir, b);
    clae_safetensors *sa = NULL, *sb = NULL;
    int same = clae_safetensors_read(ctx, pa, &sa) == CLAE_OK &&
               clae_safetensors_read(ctx, pb, &sb) == CLAE_OK;
    const char *names[] = {"encoder.0.weight", "encoder.0.bias", "encoder.1.weight",
                           "decoder.0.weight", "decoder.1.weight", "decoder.1.bias",
                           "optimizer.m", "optimizer.v"};
    for (size_t i = 0; same && i < sizeof names / sizeof names[0]; i++) {
        int nda = 0, ndb = 0;
        size_t sha[CLAE_ST_MAX_DIMS], shb[CLAE_ST_MAX_DIMS], ca = 0, cb = 0;
        const float *ta = clae_safetensors_tensor(sa, names[i], &nda, sha, &ca);
        const float *tb = clae_safetensors_tensor(sb, names[i], &ndb, shb, &cb);
        same = ta && tb && ca == cb && memcmp(ta, tb, ca * sizeof *ta) == 0;
        if (!same) fprintf(stderr, "tensor %s differs between %s and %s\n", names[i], a, b);
    }
    clae_safetensors_free(sa);
    clae_safetensors_free(sb);
    return same;
}

static void test_quality(clae_ctx *ctx, clae_device *dev)
{
    clae_spec spec;
    REQUIRE(clae_spec_parse(ctx, "specs/dense.ini", &spec) == CLAE_OK);
    clae_train_result r;
    clae_status s = train_spec(ctx, dev, &spec, "dense", spec.train.epochs, 0, &r);
    CHECK(s == CLAE_OK);
    printf("dense.ini: test_mse %.5f test_bce %.5f after %.0f epochs, %.0f samples/s\n", METRIC(r, test_mse),
           METRIC(r, test_bce), METRIC(r, epochs), METRIC(r, samples_per_second));
    CHECK(METRIC(r, epochs) == 10);
    /* PyTorch reaches 0.040-0.050 with this model and split (two seeds);
     * clae measured 0.047 (seed 1). The bound leaves a margin for drivers. */
    CHECK(METRIC(r, test_mse) < 0.055);
    CHECK(METRIC(r, test_mse) > 0.0);
    CHECK(METRIC(r, parameters) == 784 * 256 + 256 + 256 * 64 + 64 + 64 * 256 + 256 + 256 * 784 + 784);

    /* the run's files exist and summary.json has the contract's keys */
    char path[512], *text = NULL;
    snprintf(path, sizeof path, "%s/dense/summary.json", tmpdir);
    REQUIRE(clae__read_file(ctx, path, &text, NULL) == CLAE_OK);
    cJSON *j = cJSON_Parse(text);
    REQUIRE(j != NULL);
    const char *keys[] = {"epochs", "test_mse", "test_bce", "test_loss", "code_mean", "code_std",
                          "code_near_zero", "parameters", "samples_per_second", "seconds",
                          "device"};
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
        CHECK(cJSON_GetObjectItemCaseSensitive(j, keys[i]) != NULL);
    cJSON_Delete(j);
    free(text);
    const char *files[] = {"model.safetensors", "loss.csv", "reconstructions.png"};
    for (size_t i = 0; i < 3; i++) {
        snprintf(path, sizeof path, "%s/dense/%s", tmpdir, files[i]);
        CHECK(access(path, R_OK) == 0);
    }
    clae_spec_free(&spec);
}

/* A small fast spec for the bit-exactness tests. */
static void small_spec(clae_ctx *ctx, clae_spec *spec)
{
    (void)ctx;
    clae_spec_defaults(spec);
    spec->data.limit = 1500;
    spec->model.code = 16;
    spec->encoder[0].units = 64;
}

static void test_determinism_and_resume(clae_ctx *ctx, clae_device *dev)
{
    clae_spec spec;
    clae_train_result r;
    small_spec(ctx, &spec);
    REQUIRE(train_spec(ctx, dev, &spec, "straight_a", 3, 0, &r) == CLAE_OK);
    REQUIRE(train_spec(ctx, dev, &spec, "straight_b", 3, 0, &r) == CLAE_OK);
    CHECK(same_weights(ctx, "straight_a", "straight_b"));

    /* interrupted after 2 epochs, then resumed to 3 */
    REQUIRE(train_spec(ctx, dev, &spec, "resumed", 2, 0, &r) == CLAE_OK);
    REQUIRE(train_spec(ctx, dev, &spec, "resumed", 3, 1, &r) == CLAE_OK);
    CHECK(METRIC(r, epochs) == 3);
    CHECK(same_weights(ctx, "straight_a", "resumed"));

    /* loss.csv holds the three epochs once each */
    char path[512], *text = NULL;
    snprintf(path, sizeof path, "%s/resumed/loss.csv", tmpdir);
    REQUIRE(clae__read_file(ctx, path, &text, NULL) == CLAE_OK);
    int lines = 0;
    for (char *p = text; *p; p++) lines += *p == '\n';
    CHECK(lines == 4);
    CHECK(strstr(text, "\n3,") != NULL);
    free(text);

    /* resuming a finished run asks for more epochs */
    CHECK(train_spec(ctx, dev, &spec, "resumed", 3, 1, &r) == CLAE_EUSAGE);

    /* a different seed gives different weights */
    spec.train.seed = 2;
    REQUIRE(train_spec(ctx, dev, &spec, "seed2", 3, 0, &r) == CLAE_OK);
    CHECK(!same_weights(ctx, "straight_a", "seed2"));
}

static void test_divergence(clae_ctx *ctx, clae_device *dev)
{
    clae_spec spec;
    clae_train_result r;
    small_spec(ctx, &spec);
    spec.model.output = CLAE_ACT_LINEAR;
    spec.loss.reconstruction = CLAE_RECON_MSE;
    spec.train.optimizer = CLAE_OPT_SGD;
    spec.train.learning_rate = 0.01;
    REQUIRE(train_spec(ctx, dev, &spec, "diverge", 1, 0, &r) == CLAE_OK);
    char path[512], *before = NULL, *after = NULL;
    size_t n_before = 0, n_after = 0;
    snprintf(path, sizeof path, "%s/diverge/model.safetensors", tmpdir);
    REQUIRE(clae__read_file(ctx, path, &before, &n_before) == CLAE_OK);

    /* the same model resumed with an absurd learning rate blows up in epoch 2 */
    spec.train.learning_rate = 1e30;
    clae_status s = train_spec(ctx, dev, &spec, "diverge", 2, 1, &r);
    CHECK(s == CLAE_EDIVERGED);
    CHECK(strstr(clae_ctx_message(ctx), "training diverged at epoch 2") != NULL);
    CHECK(strstr(clae_ctx_message(ctx), "keeps epoch 1") != NULL);
    REQUIRE(clae__read_file(ctx, path, &after, &n_after) == CLAE_OK);
    CHECK(n_before == n_after && memcmp(before, after, n_before) == 0);
    free(before);
    free(after);
}

int main(void)
{
    clae_ctx *ctx = clae_ctx_create();
    clae_device *dev = open_device_or_skip(ctx);
    if (!mkdtemp(tmpdir)) return 1;
    test_quality(ctx, dev);
    test_determinism_and_resume(ctx, dev);
    test_divergence(ctx, dev);
    clae_device_close(dev);
    clae_ctx_destroy(ctx);
    check_remove_tree(tmpdir);
    return check_finish();
}
