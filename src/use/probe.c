/* The linear probe: codes against pixels against PCA, through one softmax
 * classifier.
 *
 * Only the codes come from the device (clae__encode_all, batch by batch). The
 * classifier and the PCA run on the host with OpenBLAS and LAPACKE: a
 * multinomial logistic regression of a few thousand rows and at most a few
 * hundred features is milliseconds of GEMM per epoch, far less than moving it
 * to the device would cost in code. Every representation gets the same
 * treatment: features standardised with the train split's mean and standard
 * deviation, then the same fixed budget of momentum SGD (cosine-decayed
 * learning rate, L2 weight decay) from zero weights, shuffled by a fixed
 * seed — so the accuracies differ only by what the features hold. */
#include <cblas.h>
#include <cjson/cJSON.h>
#include <lapacke.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "clae/data.h"
#include "data/source.h"
#include "io/fsutil.h"
#include "train/evaluate.h"
#include "use/probe.h"
#include "use/use.h"

/* The classifier's budget and settings (the same for all three rows). */
#define EPOCHS 30
#define BATCH 64
#define LEARNING_RATE 0.02
#define MOMENTUM 0.9
#define WEIGHT_DECAY 1e-4
#define SHUFFLE_SEED 1
#define PI 3.14159265358979323846

typedef struct {
    size_t n;          /* rows */
    const float *x;    /* n x d */
    const int *labels; /* n */
} rows;

/* Standardises train (n x d) and test (m x d) in place with train's
 * statistics; a constant feature (a border pixel) becomes 0. */
static void standardise(float *train, size_t n, float *test, size_t m, size_t d)
{
    for (size_t j = 0; j < d; j++) {
        double sum = 0, sum2 = 0;
        for (size_t i = 0; i < n; i++) sum += train[i * d + j];
        double mean = sum / (double)n;
        for (size_t i = 0; i < n; i++)
            sum2 += (train[i * d + j] - mean) * (train[i * d + j] - mean);
        double sd = sqrt(sum2 / (double)n);
        float inv = sd > 1e-6 ? (float)(1.0 / sd) : 0.0f;
        for (size_t i = 0; i < n; i++) train[i * d + j] = (float)(train[i * d + j] - mean) * inv;
        for (size_t i = 0; i < m; i++) test[i * d + j] = (float)(test[i * d + j] - mean) * inv;
    }
}

/* Row-wise softmax of logits (b x c) in place. */
static void softmax(float *z, size_t b, int c)
{
    for (size_t i = 0; i < b; i++) {
        float *r = z + i * (size_t)c, top = r[0], sum = 0;
        for (int k = 1; k < c; k++) top = r[k] > top ? r[k] : top;
        for (int k = 0; k < c; k++) sum += r[k] = expf(r[k] - top);
        for (int k = 0; k < c; k++) r[k] /= sum;
    }
}

/* logits (b x c) = x (b x d) w (d x c) + bias */
static void logits(const float *x, size_t b, size_t d, const float *w, const float *bias, int c,
                   float *z)
{
    for (size_t i = 0; i < b; i++) memcpy(z + i * (size_t)c, bias, (size_t)c * sizeof *z);
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)b, c, (int)d, 1.0f, x, (int)d, w,
                c, 1.0f, z, c);
}

static double accuracy(const rows *r, size_t d, const float *w, const float *bias, int c,
                       float *z, size_t chunk)
{
    size_t right = 0;
    for (size_t first = 0; first < r->n; first += chunk) {
        size_t b = r->n - first < chunk ? r->n - first : chunk;
        logits(r->x + first * d, b, d, w, bias, c, z);
        for (size_t i = 0; i < b; i++) {
            int best = 0;
            for (int k = 1; k < c; k++)
                if (z[i * (size_t)c + (size_t)k] > z[i * (size_t)c + (size_t)best]) best = k;
            right += best == r->labels[first + i];
        }
    }
    return r->n ? (double)right / (double)r->n : 0.0;
}

/* Fits the classifier on train and measures it on both splits. */
static clae_status classify(clae_ctx *ctx, const rows *train, const rows *test, size_t d, int c,
                            clae_probe_row *out)
{
    size_t wn = d * (size_t)c;
    float *w = calloc(wn, sizeof *w), *vw = calloc(wn, sizeof *vw), *gw = malloc(wn * sizeof *gw);
    float *bias = calloc((size_t)c, sizeof *bias), *vb = calloc((size_t)c, sizeof *vb);
    float *xb = malloc(BATCH * d * sizeof *xb), *z = malloc(BATCH * (size_t)c * sizeof *z);
    uint32_t *perm = malloc(train->n * sizeof *perm);
    if (!w || !vw || !gw || !bias || !vb || !xb || !z || !perm) {
        free(w), free(vw), free(gw), free(bias), free(vb), free(xb), free(z), free(perm);
        return clae__fail(ctx, CLAE_ENOMEM, "out of memory training the probe's classifier");
    }
    size_t per_epoch = (train->n + BATCH - 1) / BATCH, steps = EPOCHS * per_epoch, t = 0;
    for (int epoch = 0; epoch < EPOCHS; epoch++) {
        clae_shuffle(perm, train->n, SHUFFLE_SEED, (uint64_t)epoch);
        for (size_t first = 0; first < train->n; first += BATCH, t++) {
            size_t b = train->n - first < BATCH ? train->n - first : BATCH;
            for (size_t i = 0; i < b; i++)
                memcpy(xb + i * d, train->x + (size_t)perm[first + i] * d, d * sizeof *xb);
            logits(xb, b, d, w, bias, c, z);
            softmax(z, b, c);
            /* the mean cross-entropy's gradient at the logits: (p - onehot) / b */
            for (size_t i = 0; i < b; i++) {
                z[i * (size_t)c + (size_t)train->labels[perm[first + i]]] -= 1.0f;
                for (int k = 0; k < c; k++) z[i * (size_t)c + (size_t)k] /= (float)b;
            }
            for (size_t k = 0; k < wn; k++) gw[k] = (float)WEIGHT_DECAY * w[k];
            cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, (int)d, c, (int)b, 1.0f, xb,
                        (int)d, z, c, 1.0f, gw, c);
            float lr = (float)(LEARNING_RATE * 0.5 * (1.0 + cos(PI * (double)t / (double)steps)));
            for (size_t k = 0; k < wn; k++) {
                vw[k] = (float)MOMENTUM * vw[k] - lr * gw[k];
                w[k] += vw[k];
            }
            for (int k = 0; k < c; k++) {
                float g = 0;
                for (size_t i = 0; i < b; i++) g += z[i * (size_t)c + (size_t)k];
                vb[k] = (float)MOMENTUM * vb[k] - lr * g;
                bias[k] += vb[k];
            }
        }
    }
    out->features = (int)d;
    out->train_accuracy = accuracy(train, d, w, bias, c, z, BATCH);
    out->test_accuracy = accuracy(test, d, w, bias, c, z, BATCH);
    free(w), free(vw), free(gw), free(bias), free(vb), free(xb), free(z), free(perm);
    return CLAE_OK;
}

/* Projects train (n x d) and test (m x d) on the top k principal axes of
 * train: the eigenvectors of its covariance (LAPACKE_ssyevd) with the largest
 * eigenvalues. ptrain (n x k) and ptest (m x k) receive the components. */
static clae_status pca(clae_ctx *ctx, const float *train, size_t n, const float *test, size_t m,
                       size_t d, size_t k, float *ptrain, float *ptest)
{
    double *sum = calloc(d, sizeof *sum);
    float *mean = calloc(d, sizeof *mean), *cov = malloc(d * d * sizeof *cov);
    float *eig = malloc(d * sizeof *eig), *basis = malloc(d * k * sizeof *basis);
    size_t most = n > m ? n : m;
    float *centred = malloc(most * d * sizeof *centred);
    clae_status s = CLAE_OK;
    if (!sum || !mean || !cov || !eig || !basis || !centred) {
        s = clae__fail(ctx, CLAE_ENOMEM, "out of memory for the probe's PCA");
        goto done;
    }
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < d; j++) sum[j] += train[i * d + j];
    for (size_t j = 0; j < d; j++) mean[j] = (float)(sum[j] / (double)n);
    for (size_t i = 0; i < n * d; i++) centred[i] = train[i] - mean[i % d];
    cblas_ssyrk(CblasRowMajor, CblasUpper, CblasTrans, (int)d, (int)n, 1.0f / (float)n, centred,
                (int)d, 0.0f, cov, (int)d);
    lapack_int info = LAPACKE_ssyevd(LAPACK_ROW_MAJOR, 'V', 'U', (lapack_int)d, cov,
                                     (lapack_int)d, eig);
    if (info != 0) {
        s = clae__fail(ctx, CLAE_EFAILED, "PCA: the eigendecomposition of the %zux%zu covariance "
                                          "failed (LAPACKE_ssyevd info %d)", d, d, (int)info);
        goto done;
    }
    /* ascending eigenvalues: component t is column d - 1 - t */
    for (size_t j = 0; j < d; j++)
        for (size_t t = 0; t < k; t++) basis[j * k + t] = cov[j * d + (d - 1 - t)];
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)n, (int)k, (int)d, 1.0f, centred,
                (int)d, basis, (int)k, 0.0f, ptrain, (int)k);
    for (size_t i = 0; i < m * d; i++) centred[i] = test[i] - mean[i % d];
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)m, (int)k, (int)d, 1.0f, centred,
                (int)d, basis, (int)k, 0.0f, ptest, (int)k);
done:
    free(sum), free(mean), free(cov), free(eig), free(basis), free(centred);
    return s;
}

/* Standardises copies of the two splits' features and classifies them. */
static clae_status probe_row(clae_ctx *ctx, const float *train, const int *train_labels, size_t n,
                             const float *test, const int *test_labels, size_t m, size_t d,
                             int c, clae_probe_row *out)
{
    float *a = malloc(n * d * sizeof *a), *b = malloc((m ? m : 1) * d * sizeof *b);
    if (!a || !b) {
        free(a), free(b);
        return clae__fail(ctx, CLAE_ENOMEM, "out of memory for the probe's features");
    }
    memcpy(a, train, n * d * sizeof *a);
    memcpy(b, test, m * d * sizeof *b);
    standardise(a, n, b, m, d);
    rows tr = {n, a, train_labels}, te = {m, b, test_labels};
    clae_status s = classify(ctx, &tr, &te, d, c, out);
    free(a), free(b);
    return s;
}

static clae_status need_labels(clae_ctx *ctx, const clae_dataset *ds)
{
    if (!ds->labels)
        return clae__fail(ctx, CLAE_EUSAGE, "%s: no labels (the probe trains a classifier with "
                                            "them: give --labels FILE)", ds->name);
    for (size_t i = 0; i < ds->count; i++)
        if (ds->labels[i] < 0 || ds->labels[i] > 65535)
            return clae__fail(ctx, CLAE_EDATA, "%s: label %d of sample %zu is out of range",
                              ds->name, ds->labels[i], i);
    return CLAE_OK;
}

/* The two splits on the host and their codes. With an input, its last
 * `holdout` share is the test split; otherwise the model's own splits. */
typedef struct {
    clae_dataset train, test;   /* test: u->data itself, or a view of its tail */
    float *train_codes, *test_codes;
} splits;

static clae_status encode(clae_ctx *ctx, clae_use *u, const clae_dataset *ds, const clae_buf *x,
                          float **codes)
{
    clae_model *m = u->lm.model;
    *codes = malloc((ds->count ? ds->count : 1) * (size_t)m->code * sizeof **codes);
    if (!*codes) return clae__fail(ctx, CLAE_ENOMEM, "out of memory for %zu codes", ds->count);
    return clae__encode_all(m, x, ds->count, *codes);
}

static clae_status load_splits(clae_ctx *ctx, clae_use *u, const clae_probe_options *o,
                               splits *sp)
{
    clae_model *m = u->lm.model;
    size_t code = (size_t)m->code;
    clae_status s = need_labels(ctx, &u->data);
    if (s != CLAE_OK) return s;
    if (o->input) {
        /* codes of every row at once, then the split by row (no copy of the data) */
        float *codes = NULL;
        s = encode(ctx, u, &u->data, &u->x, &codes);
        if (s != CLAE_OK) {
            free(codes);
            return s;
        }
        size_t n = u->data.count, held = (size_t)(o->holdout * (double)n + 0.5);
        if (held < 1 || held >= n) {
            free(codes);
            return clae__fail(ctx, CLAE_EUSAGE, "%s: %zu samples cannot be split %.2f for a "
                                                "test split", o->input, n, o->holdout);
        }
        sp->train = u->data;
        sp->train.count = n - held;
        sp->test = u->data;
        sp->test.count = held;
        sp->test.x = u->data.x + (n - held) * u->data.dim;
        sp->test.labels = u->data.labels + (n - held);
        sp->train_codes = codes;
        sp->test_codes = codes + (n - held) * code;
        return CLAE_OK;
    }
    /* the model's own splits: u holds its test split, the train split comes here */
    clae_dataset test_again;
    s = clae__load_datasets(ctx, &u->lm.spec, &sp->train, &test_again);
    clae_dataset_free(&test_again);
    if (s == CLAE_OK) s = need_labels(ctx, &sp->train);
    if (s != CLAE_OK) return s;
    sp->test = u->data;
    clae_buf x = {0};
    float *test_codes = NULL;
    s = clae__buf_create(m->dev, sp->train.count * sp->train.dim, &x);
    if (s == CLAE_OK)
        s = clae__buf_write(m->dev, &x, 0, sp->train.count * sp->train.dim, sp->train.x);
    if (s == CLAE_OK) s = encode(ctx, u, &sp->train, &x, &sp->train_codes);
    clae__buf_release(&x);
    if (s == CLAE_OK) s = encode(ctx, u, &sp->test, &u->x, &test_codes);
    if (s == CLAE_OK) {
        /* one allocation for both, as in the input case */
        float *both = realloc(sp->train_codes, (sp->train.count + sp->test.count) * code *
                                                   sizeof *both);
        if (!both) {
            s = clae__fail(ctx, CLAE_ENOMEM, "out of memory for the codes");
        } else {
            memcpy(both + sp->train.count * code, test_codes, sp->test.count * code * sizeof *both);
            sp->train_codes = both;
            sp->test_codes = both + sp->train.count * code;
        }
    }
    free(test_codes);
    return s;
}

/* The number of distinct labels among both splits into *classes, and the
 * classifier's width (one output per label up to the largest) into *width;
 * fewer than two classes is a usage error. */
static clae_status count_classes(clae_ctx *ctx, const splits *sp, int *classes, int *width)
{
    const clae_dataset *part[2] = {&sp->train, &sp->test};
    int w = 0, first = -1;
    for (int k = 0; k < 2; k++)
        for (size_t i = 0; i < part[k]->count; i++)
            if (part[k]->labels[i] + 1 > w) w = part[k]->labels[i] + 1;
    unsigned char *seen = calloc((size_t)w + 1, 1);
    if (!seen) return clae__fail(ctx, CLAE_ENOMEM, "out of memory");
    int n = 0;
    for (int k = 0; k < 2; k++)
        for (size_t i = 0; i < part[k]->count; i++) {
            int l = part[k]->labels[i];
            if (!seen[l]) n++, first = first < 0 ? l : first;
            seen[l] = 1;
        }
    free(seen);
    *classes = n;
    *width = w;
    if (n == 0) return clae__fail(ctx, CLAE_EUSAGE, "%s: no samples", sp->train.name);
    if (n < 2)
        return clae__fail(ctx, CLAE_EUSAGE, "%s: every label is %d: the probe needs samples of "
                                            "at least 2 classes", sp->train.name, first);
    return CLAE_OK;
}

clae_status clae__probe(clae_ctx *ctx, clae_use *u, const clae_probe_options *o,
                        clae_probe_result *out)
{
    memset(out, 0, sizeof *out);
    splits sp;
    memset(&sp, 0, sizeof sp);
    float *ptrain = NULL, *ptest = NULL;
    clae_status s = load_splits(ctx, u, o, &sp);
    if (s != CLAE_OK) goto done;

    size_t n = sp.train.count, mt = sp.test.count, d = sp.train.dim;
    size_t code = (size_t)u->lm.model->code, k = code < d ? code : d;
    int classes = 0, width = 0;
    s = count_classes(ctx, &sp, &classes, &width);
    if (s != CLAE_OK) goto done;
    out->train_count = n;
    out->test_count = mt;
    out->classes = classes;
    out->epochs = EPOCHS;
    out->batch = BATCH;
    out->learning_rate = LEARNING_RATE;
    out->weight_decay = WEIGHT_DECAY;
    /* the baseline: the commonest train label, answered for every test sample */
    size_t *counts = calloc((size_t)width, sizeof *counts);
    if (!counts) {
        s = clae__fail(ctx, CLAE_ENOMEM, "out of memory");
        goto done;
    }
    for (size_t i = 0; i < n; i++) counts[sp.train.labels[i]]++;
    int common = 0;
    for (int c = 1; c < width; c++) common = counts[c] > counts[common] ? c : common;
    free(counts);
    size_t right = 0;
    for (size_t i = 0; i < mt; i++) right += sp.test.labels[i] == common;
    out->majority = mt ? (double)right / (double)mt : 0.0;

    out->rows[CLAE_PROBE_CODES].name = "codes";
    out->rows[CLAE_PROBE_PIXELS].name = "pixels";
    out->rows[CLAE_PROBE_PCA].name = "pca";
    s = probe_row(ctx, sp.train_codes, sp.train.labels, n, sp.test_codes, sp.test.labels, mt, code,
                  width, &out->rows[CLAE_PROBE_CODES]);
    if (s == CLAE_OK)
        s = probe_row(ctx, sp.train.x, sp.train.labels, n, sp.test.x, sp.test.labels, mt, d,
                      width, &out->rows[CLAE_PROBE_PIXELS]);
    if (s == CLAE_OK) {
        ptrain = malloc(n * k * sizeof *ptrain);
        ptest = malloc((mt ? mt : 1) * k * sizeof *ptest);
        s = ptrain && ptest ? pca(ctx, sp.train.x, n, sp.test.x, mt, d, k, ptrain, ptest)
                            : clae__fail(ctx, CLAE_ENOMEM, "out of memory for the PCA");
    }
    if (s == CLAE_OK)
        s = probe_row(ctx, ptrain, sp.train.labels, n, ptest, sp.test.labels, mt, k, width,
                      &out->rows[CLAE_PROBE_PCA]);
done:
    free(ptrain);
    free(ptest);
    free(sp.train_codes);
    if (!o->input) clae_dataset_free(&sp.train); /* with an input, both are views of u->data */
    return s;
}

clae_status clae__probe_write_json(clae_ctx *ctx, const char *path, const char *model,
                                   const clae_probe_result *r)
{
    cJSON *root = cJSON_CreateObject();
    if (!root) return clae__fail(ctx, CLAE_ENOMEM, "out of memory writing %s", path);
    cJSON_AddStringToObject(root, "model", model);
    cJSON_AddNumberToObject(root, "train_samples", (double)r->train_count);
    cJSON_AddNumberToObject(root, "test_samples", (double)r->test_count);
    cJSON_AddNumberToObject(root, "classes", r->classes);
    cJSON_AddNumberToObject(root, "majority_accuracy", r->majority);
    for (int i = 0; i < CLAE_PROBE_ROWS; i++) {
        cJSON *row = cJSON_AddObjectToObject(root, r->rows[i].name);
        if (!row) continue;
        cJSON_AddNumberToObject(row, "features", r->rows[i].features);
        cJSON_AddNumberToObject(row, "train_accuracy", r->rows[i].train_accuracy);
        cJSON_AddNumberToObject(row, "test_accuracy", r->rows[i].test_accuracy);
    }
    cJSON *cls = cJSON_AddObjectToObject(root, "classifier");
    if (cls) {
        cJSON_AddStringToObject(cls, "kind", "softmax regression on standardised features");
        cJSON_AddNumberToObject(cls, "epochs", r->epochs);
        cJSON_AddNumberToObject(cls, "batch", r->batch);
        cJSON_AddNumberToObject(cls, "learning_rate", r->learning_rate);
        cJSON_AddNumberToObject(cls, "momentum", MOMENTUM);
        cJSON_AddNumberToObject(cls, "weight_decay", r->weight_decay);
    }
    char *text = cJSON_Print(root);
    cJSON_Delete(root);
    if (!text) return clae__fail(ctx, CLAE_ENOMEM, "out of memory writing %s", path);
    size_t len = strlen(text);
    char *line = realloc(text, len + 2);
    if (!line) {
        free(text);
        return clae__fail(ctx, CLAE_ENOMEM, "out of memory writing %s", path);
    }
    line[len] = '\n';
    line[len + 1] = '\0';
    clae_status s = clae__write_file_atomic(ctx, path, line, len + 1);
    free(line);
    return s;
}
