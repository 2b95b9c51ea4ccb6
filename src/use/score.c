/* clae score: per-sample reconstruction error (and a VAE's negative ELBO),
 * and the area under the ROC curve of that score for anomaly detection.
 *
 * The model runs on the device batch by batch; the per-sample values are
 * computed on the host from the read-back reconstructions (no kernel reduces
 * per row): one pass over the values, O(values) as on the device, and the
 * read-back is the reconstruction a caller would read anyway. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "train/evaluate.h"
#include "use/commands.h"

void clae__scores_free(clae_scores *sc)
{
    free(sc->mse);
    free(sc->reconstruction);
    free(sc->relative);
    free(sc->kl);
    memset(sc, 0, sizeof *sc);
}

/* log(1 + e^-|z|) + max(z, 0) - z·t: binary cross-entropy on a logit, stable
 * for large |z| (as cl/loss.cl computes it). */
static double bce_logit(double z, double t)
{
    return (z > 0 ? z : 0.0) - z * t + log1p(exp(-fabs(z)));
}

/* The scores of rows [first, first + n), whose values are x; the forward
 * pass has run. */
static clae_status score_batch(clae_model *m, const float *x, size_t first, size_t n,
                               float *recon, float *logits, float *heads, clae_scores *sc)
{
    size_t dim = (size_t)m->input_dim, code = (size_t)m->code;
    const clae_buf *out = NULL;
    clae_status s = clae__model_reconstruction(m, n, &out);
    if (s == CLAE_OK) s = clae__buf_read(m->dev, out, 0, n * dim, recon);
    if (s == CLAE_OK && m->output_logits)
        s = clae__buf_read(m->dev, &m->layers[m->n_layers - 1]->y, 0, n * dim, logits);
    if (s == CLAE_OK && sc->variational)
        s = clae__buf_read(m->dev, &m->layers[m->code_layer]->y, 0, n * 2 * code, heads);
    if (s != CLAE_OK) return s;
    for (size_t r = 0; r < n; r++) {
        const float *t = x + r * dim, *y = recon + r * dim;
        double sq = 0.0, energy = 0.0;
        for (size_t k = 0; k < dim; k++) {
            sq += ((double)y[k] - t[k]) * ((double)y[k] - t[k]);
            energy += (double)t[k] * t[k];
        }
        sc->mse[first + r] = sq / (double)dim;
        sc->relative[first + r] = energy > 0.0 ? sq / energy : 0.0;
        double rec = 0.0;
        if (m->output_logits)
            for (size_t k = 0; k < dim; k++) rec += bce_logit(logits[r * dim + k], t[k]);
        else
            rec = sq; /* the model's loss (mse), summed over the values */
        sc->reconstruction[first + r] = rec;
        if (!sc->variational) continue;
        double kl = 0.0;
        const float *mu = heads + r * 2 * code, *lv = mu + code;
        for (size_t j = 0; j < code; j++)
            kl += 0.5 * ((double)mu[j] * mu[j] + exp((double)lv[j]) - 1.0 - lv[j]);
        sc->kl[first + r] = kl;
    }
    return CLAE_OK;
}

clae_status clae__use_score(clae_ctx *ctx, clae_use *u, clae_scores *sc)
{
    clae_model *m = u->lm.model;
    size_t count = u->data.count, dim = u->data.dim, batch = m->batch_max;
    memset(sc, 0, sizeof *sc);
    sc->count = count;
    sc->variational = u->lm.spec.model.variational;
    sc->mse = malloc(count * sizeof *sc->mse);
    sc->reconstruction = malloc(count * sizeof *sc->reconstruction);
    sc->relative = malloc(count * sizeof *sc->relative);
    if (sc->variational) sc->kl = malloc(count * sizeof *sc->kl);
    float *recon = malloc(batch * dim * sizeof *recon);
    float *logits = m->output_logits ? malloc(batch * dim * sizeof *logits) : NULL;
    float *heads = sc->variational ? malloc(batch * 2 * (size_t)m->code * sizeof *heads) : NULL;
    clae_status s = CLAE_OK;
    if (!sc->mse || !sc->reconstruction || !sc->relative || !recon ||
        (m->output_logits && !logits) || (sc->variational && (!sc->kl || !heads)))
        s = clae__fail(ctx, CLAE_ENOMEM, "out of memory scoring %zu samples", count);
    for (size_t first = 0; first < count && s == CLAE_OK; first += batch) {
        size_t n = count - first < batch ? count - first : batch;
        s = clae__model_forward(m, &u->x, first * dim, n, CLAE_EVALUATION);
        if (s == CLAE_OK)
            s = score_batch(m, u->data.x + first * dim, first, n, recon, logits, heads, sc);
    }
    free(recon);
    free(logits);
    free(heads);
    if (s != CLAE_OK) clae__scores_free(sc);
    return s;
}

clae_status clae__scores_write_csv(clae_ctx *ctx, const char *path, const clae_scores *sc,
                                   const int *labels, size_t first)
{
    clae_text b = {0};
    clae__text_put(&b, "index%s,mse,relative,reconstruction%s\n", labels ? ",label" : "",
                   sc->variational ? ",kl,neg_elbo" : "");
    for (size_t i = 0; i < sc->count; i++) {
        clae__text_put(&b, "%zu", first + i);
        if (labels) clae__text_put(&b, ",%d", labels[i]);
        clae__text_put(&b, ",%.9g,%.9g,%.9g", sc->mse[i], sc->relative[i],
                       sc->reconstruction[i]);
        if (sc->variational)
            clae__text_put(&b, ",%.9g,%.9g", sc->kl[i], sc->reconstruction[i] + sc->kl[i]);
        clae__text_put(&b, "\n");
    }
    return clae__text_write(ctx, path, &b);
}

typedef struct {
    double score;
    unsigned char positive;
} ranked;

static int by_score(const void *a, const void *b)
{
    double x = ((const ranked *)a)->score, y = ((const ranked *)b)->score;
    return (x > y) - (x < y);
}

clae_status clae__auc(clae_ctx *ctx, const double *score, const unsigned char *positive,
                      size_t n, double *auc)
{
    size_t n_pos = 0;
    for (size_t i = 0; i < n; i++) {
        /* NaN compares unequal to everything: it would break the ranking */
        if (!isfinite(score[i]))
            return clae__fail(ctx, CLAE_EDATA, "score of sample %zu is not finite: is the model "
                                               "diverged?", i);
        n_pos += positive[i] != 0;
    }
    if (n_pos == 0 || n_pos == n)
        return clae__fail(ctx, CLAE_EDATA, "the AUC needs anomalies and normal samples: the %zu "
                                           "scored samples hold %zu anomalies", n, n_pos);
    ranked *r = malloc(n * sizeof *r);
    if (!r) return clae__fail(ctx, CLAE_ENOMEM, "out of memory ranking %zu scores", n);
    for (size_t i = 0; i < n; i++) r[i] = (ranked){score[i], positive[i] != 0};
    qsort(r, n, sizeof *r, by_score);
    /* Mann-Whitney: the sum of the positives' ranks (1-based), each run of
     * tied scores sharing its mean rank, less its minimum n_pos(n_pos + 1)/2. */
    double rank_sum = 0.0;
    for (size_t i = 0; i < n;) {
        size_t j = i + 1, pos = r[i].positive;
        while (j < n && r[j].score == r[i].score) pos += r[j++].positive;
        rank_sum += (double)pos * ((double)(i + 1) + (double)j) / 2.0;
        i = j;
    }
    free(r);
    double n_p = (double)n_pos, n_n = (double)(n - n_pos);
    *auc = (rank_sum - n_p * (n_p + 1.0) / 2.0) / (n_p * n_n);
    return CLAE_OK;
}

clae_status clae__anomaly_rows(clae_ctx *ctx, const clae_dataset *d,
                               const unsigned char *anomalous, unsigned char **positive,
                               size_t *anomalies)
{
    *positive = NULL;
    *anomalies = 0;
    if (!d->labels)
        return clae__fail(ctx, CLAE_EUSAGE, "--anomaly needs labels, and %s has none (give "
                                            "--labels FILE)", d->name);
    unsigned char *p = malloc(d->count ? d->count : 1);
    if (!p) return clae__fail(ctx, CLAE_ENOMEM, "out of memory ranking %zu scores", d->count);
    size_t n = 0;
    for (size_t i = 0; i < d->count; i++) {
        int l = d->labels[i];
        p[i] = l >= 0 && l < CLAE_MAX_CLASSES && anomalous[l];
        n += p[i];
    }
    if (n == 0 || n == d->count) {
        free(p);
        return clae__fail(ctx, CLAE_EDATA, "--anomaly: %s of the %zu samples of %s %s those "
                                           "labels: the AUC needs anomalies and normal samples",
                          n ? "all" : "none", d->count, d->name, n ? "have" : "has");
    }
    *positive = p;
    *anomalies = n;
    return CLAE_OK;
}
