/* Linear autoencoder vs PCA: with linear activations and the squared error,
 * the best a k-unit autoencoder can do is PCA with k components (its decoder
 * then spans the top-k principal subspace, in some basis). So training
 * specs/linear.ini must come close to PCA's test error, and the decoder's
 * columns must nearly span the PCA subspace: an end-to-end check of the GEMMs,
 * gradients and optimiser on whatever device runs it. PCA is computed here on
 * the host, in double, with LAPACKE, on the same train/test split. */
#include <lapacke.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "clae/spec.h"
#include "clae/train.h"
#include "data/source.h"
#include "device_or_skip.h"
#include "io/safetensors.h"

static char tmpdir[] = "/tmp/clae_test_pca_XXXXXX";

/* Trains the linear autoencoder: its test error goes to *mse, its decoder's
 * weights (dim x k, row-major, as doubles) to a new *w. */
static int train_linear(clae_ctx *ctx, clae_device *dev, const clae_spec *spec, double *mse,
                        double **w)
{
    clae_train_options opts = {.spec = spec};
    clae_train_result r;
    if (clae_train(ctx, dev, &opts, &r) != CLAE_OK) {
        fprintf(stderr, "train: %s\n", clae_ctx_message(ctx));
        return 0;
    }
    printf("linear autoencoder: %.0f epochs in %.1f s, test_mse %.6f\n", METRIC(r, epochs), METRIC(r, seconds),
           METRIC(r, test_mse));
    *mse = METRIC(r, test_mse);

    char path[CLAE_PATH_MAX + 32];
    snprintf(path, sizeof path, "%s/model.safetensors", spec->output.dir);
    clae_safetensors *st = NULL;
    if (clae_safetensors_read(ctx, path, &st) != CLAE_OK) {
        fprintf(stderr, "%s\n", clae_ctx_message(ctx));
        return 0;
    }
    int ndim = 0;
    size_t shape[CLAE_ST_MAX_DIMS], count = 0;
    const float *f = clae_safetensors_tensor(st, "decoder.0.weight", &ndim, shape, &count);
    int ok = f && ndim == 2 && shape[0] == 784 && shape[1] == (size_t)spec->model.code;
    if (ok) {
        *w = malloc(count * sizeof **w);
        ok = *w != NULL;
        for (size_t i = 0; ok && i < count; i++) (*w)[i] = f[i];
    } else {
        fprintf(stderr, "%s: no decoder.0.weight of shape [784, %d]\n", path, spec->model.code);
    }
    clae_safetensors_free(st);
    return ok;
}

/* The top k principal directions of the training set: its mean to mu (dim)
 * and the eigenvectors of its covariance to u (dim x k, row-major, columns
 * orthonormal). */
static int pca(const clae_dataset *train, int k, double *mu, double *u)
{
    size_t n = train->count, d = train->dim;
    double *c = calloc(d * d, sizeof *c);
    size_t *nz = malloc(d * sizeof *nz);
    if (!c || !nz) {
        free(c);
        free(nz);
        return 0;
    }
    /* cov = E[x xᵀ] - mu muᵀ. The raw digits are about 80 % zeros, so summing
     * x xᵀ over the nonzero pixels alone is ~25x cheaper than over the centered
     * (dense) ones, which keeps the sanitizer build quick. Double holds the
     * cancellation well at these magnitudes (values in [0, 1]). */
    memset(mu, 0, d * sizeof *mu);
    for (size_t s = 0; s < n; s++) {
        const float *x = train->x + s * d;
        size_t m = 0;
        for (size_t i = 0; i < d; i++)
            if (x[i] != 0.0f) nz[m++] = i;
        for (size_t a = 0; a < m; a++) {
            size_t i = nz[a];
            mu[i] += x[i];
            for (size_t b = 0; b <= a; b++) c[i * d + nz[b]] += (double)x[i] * x[nz[b]];
        }
    }
    for (size_t i = 0; i < d; i++) mu[i] /= (double)n;
    for (size_t i = 0; i < d; i++) /* lower triangle only: dsyevr reads 'L' */
        for (size_t j = 0; j <= i; j++) c[i * d + j] = c[i * d + j] / (double)n - mu[i] * mu[j];

    /* only the k largest eigenpairs (indices d-k+1..d, ascending) */
    double *eval = malloc(d * sizeof *eval);
    lapack_int *isuppz = malloc(2 * d * sizeof *isuppz);
    lapack_int found = 0;
    lapack_int info = -1;
    if (eval && isuppz)
        info = LAPACKE_dsyevr(LAPACK_ROW_MAJOR, 'V', 'I', 'L', (lapack_int)d, c, (lapack_int)d,
                              0.0, 0.0, (lapack_int)d - k + 1, (lapack_int)d, 0.0, &found, eval,
                              u, k, isuppz);
    if (info == 0 && found == k) {
        double total = 0.0;
        for (int j = 0; j < k; j++) total += eval[j];
        printf("PCA: top %d eigenvalues %.4f (largest) .. %.4f, sum %.4f\n", k, eval[k - 1],
               eval[0], total);
    }
    free(eval);
    free(isuppz);
    free(nz);
    free(c);
    return info == 0 && found == k;
}

/* Mean squared error per value of reconstructing the test digits as
 * mu + U Uᵀ (x - mu). */
static double pca_test_mse(const clae_dataset *test, int k, const double *mu, const double *u)
{
    size_t d = test->dim;
    double sum = 0.0, p[64];
    for (size_t s = 0; s < test->count; s++) {
        const float *x = test->x + s * d;
        for (int j = 0; j < k; j++) p[j] = 0.0;
        for (size_t i = 0; i < d; i++)
            for (int j = 0; j < k; j++) p[j] += u[i * k + j] * (x[i] - mu[i]);
        for (size_t i = 0; i < d; i++) {
            double r = x[i] - mu[i];
            for (int j = 0; j < k; j++) r -= u[i * k + j] * p[j];
            sum += r * r;
        }
    }
    return sum / ((double)test->count * (double)d);
}

/* The principal angles (degrees, largest first) between the column spaces of
 * a (d x k, any basis: overwritten) and u (d x k, orthonormal columns): the
 * cosines are the singular values of Qᵀ U, Q an orthonormal basis of a's. */
static int principal_angles(size_t d, int k, double *a, const double *u, double *deg)
{
    double tau[64], m[64 * 64], vt[1], superb[64];
    if (LAPACKE_dgeqrf(LAPACK_ROW_MAJOR, (lapack_int)d, k, a, k, tau) != 0) return 0;
    if (LAPACKE_dorgqr(LAPACK_ROW_MAJOR, (lapack_int)d, k, k, a, k, tau) != 0) return 0;
    for (int i = 0; i < k; i++)
        for (int j = 0; j < k; j++) {
            double s = 0.0;
            for (size_t r = 0; r < d; r++) s += a[r * k + i] * u[r * k + j];
            m[i * k + j] = s;
        }
    double cos[64];
    if (LAPACKE_dgesvd(LAPACK_ROW_MAJOR, 'N', 'N', k, k, m, k, cos, NULL, 1, vt, 1, superb) != 0)
        return 0;
    /* singular values come largest first: angles smallest first; reverse */
    const double to_deg = 180.0 / 3.14159265358979323846;
    for (int j = 0; j < k; j++) deg[j] = acos(fmin(1.0, cos[k - 1 - j])) * to_deg;
    return 1;
}

static void test_linear_vs_pca(clae_ctx *ctx, clae_device *dev)
{
    clae_spec spec;
    REQUIRE(clae_spec_parse(ctx, "specs/linear.ini", &spec) == CLAE_OK);
    snprintf(spec.output.dir, sizeof spec.output.dir, "%s/linear", tmpdir);
    int k = spec.model.code;
    CHECK(k >= 1 && k <= 64); /* the fixed k x k scratch below */
    CHECK(spec.n_encoder == 0 && spec.code_activation == CLAE_ACT_LINEAR &&
          spec.model.output == CLAE_ACT_LINEAR && spec.loss.reconstruction == CLAE_RECON_MSE);

    clae_dataset train, test;
    REQUIRE(clae__load_datasets(ctx, &spec, &train, &test) == CLAE_OK);
    size_t d = train.dim;
    double ae_mse = 0.0, *w = NULL;
    double *mu = malloc(d * sizeof *mu), *u = malloc(d * (size_t)k * sizeof *u);
    int ok = mu && u && k >= 1 && k <= 64 && d == 784 && test.count > 0;
    CHECK(ok);
    ok = ok && train_linear(ctx, dev, &spec, &ae_mse, &w);
    CHECK(ok);
    ok = ok && pca(&train, k, mu, u);
    CHECK(ok);
    if (ok) {
        double pca_mse = pca_test_mse(&test, k, mu, u);
        printf("test mse: linear autoencoder %.6f, PCA(%d) %.6f, ratio %.4f\n", ae_mse, k, pca_mse,
               ae_mse / pca_mse);
        /* PCA is the optimum on the training set; on the test split the AE
         * could land a hair below it, but not far (that would mean a wrong
         * metric). Measured on PoCL: ratio 1.0016 (seeds 2-4: 1.0007-1.0019). */
        CHECK(ae_mse <= 1.02 * pca_mse);
        CHECK(ae_mse >= 0.95 * pca_mse);

        double deg[64];
        CHECK(principal_angles(d, k, w, u, deg));
        printf("principal angles (degrees, largest first):");
        for (int j = 0; j < k; j++) printf(" %.2f", deg[j]);
        printf("\n");
        /* The 16th direction is the loosest: eigenvalues 16 and 17 lie close
         * (0.81, 0.68), so mixing them costs the loss little. Measured largest
         * angle 3.9 degrees (seeds 2, 3: 11.8, 2.7); every other angle under
         * 1.6 degrees. */
        CHECK(deg[0] < 25.0);
        CHECK(deg[1] < 5.0);
    }
    free(w);
    free(u);
    free(mu);
    clae_dataset_free(&train);
    clae_dataset_free(&test);
    clae_spec_free(&spec);
}

int main(void)
{
    clae_ctx *ctx = clae_ctx_create();
    clae_device *dev = open_device_or_skip(ctx);
    if (!mkdtemp(tmpdir)) return 1;
    test_linear_vs_pca(ctx, dev);
    clae_device_close(dev);
    clae_ctx_destroy(ctx);
    check_remove_tree(tmpdir);
    return check_finish();
}
