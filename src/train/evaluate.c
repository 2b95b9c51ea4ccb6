/* Test-set metrics, codes and reconstructions, in evaluation mode. One
 * read-back per call: the per-batch scalars accumulate in a device buffer. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "kernels/ops.h"
#include "terms/term.h"
#include "train/evaluate.h"

/* The terms (objective's and monitors') that measure a metric. */
static int measuring_terms(const clae_model *m, clae_term **out)
{
    int n = 0;
    for (int t = 1; t < m->n_terms; t++)
        if (m->terms[t]->vt->measure) out[n++] = m->terms[t];
    for (int t = 0; t < m->n_monitors; t++)
        if (m->monitors[t]->vt->measure) out[n++] = m->monitors[t];
    return n;
}

clae_status clae__evaluate(clae_model *m, const clae_buf *x, const clae_buf *target, size_t count,
                           clae_eval *out)
{
    clae_term *measuring[CLAE_MAX_MEASURES];
    int n_measures = measuring_terms(m, measuring);
    /* per chunk: the terms, the MSE, then each measure */
    size_t chunks = (count + m->batch_max - 1) / m->batch_max;
    size_t mse_at = (size_t)m->n_terms, stride = mse_at + 1 + (size_t)n_measures;
    clae_buf scalars = {0};
    float *host = malloc(stride * (chunks ? chunks : 1) * sizeof *host);
    clae_status s = host ? clae__buf_create(m->dev, stride * chunks, &scalars)
                         : clae__fail(m->dev->ctx, CLAE_ENOMEM, "out of memory evaluating");
    for (size_t c = 0; c < chunks && s == CLAE_OK; c++) {
        size_t first = c * m->batch_max;
        size_t n = count - first < m->batch_max ? count - first : m->batch_max;
        size_t off = first * (size_t)m->input_dim;
        clae_exec e = clae__model_exec(m, n, CLAE_EVALUATION);
        s = clae__model_forward(m, x, off, n, CLAE_EVALUATION);
        if (s == CLAE_OK)
            s = clae__model_loss(m, target, off, n, CLAE_EVALUATION, 0, &scalars, stride * c);
        if (s == CLAE_OK) s = clae__model_mse(m, target, off, n, &scalars, stride * c + mse_at);
        for (int k = 0; k < n_measures && s == CLAE_OK; k++)
            s = measuring[k]->vt->measure(measuring[k], m, &e, &scalars,
                                          stride * c + mse_at + 1 + (size_t)k);
    }
    if (s == CLAE_OK) s = clae__buf_read(m->dev, &scalars, 0, stride * chunks, host);
    if (s == CLAE_OK) {
        /* chunk means weighted by their sizes */
        memset(out, 0, sizeof *out);
        out->n_measures = n_measures;
        for (int k = 0; k < n_measures; k++) out->measure_names[k] = measuring[k]->vt->metric;
        for (size_t c = 0; c < chunks; c++) {
            size_t first = c * m->batch_max;
            double w = (double)(count - first < m->batch_max ? count - first : m->batch_max) /
                       (double)count;
            for (int t = 0; t < m->n_terms; t++) out->terms[t] += host[stride * c + (size_t)t] * w;
            out->mse += host[stride * c + mse_at] * w;
            for (int k = 0; k < n_measures; k++)
                out->measures[k] += host[stride * c + mse_at + 1 + (size_t)k] * w;
        }
        for (int t = 0; t < m->n_terms; t++) out->loss += out->terms[t];
    }
    clae__buf_release(&scalars);
    free(host);
    return s;
}

clae_status clae__encode_at(clae_model *m, const clae_buf *x, size_t count, int layer,
                            float *out)
{
    const clae_layer *l = m->layers[layer];
    size_t width = clae_shape_size(l->out);
    clae_status s = CLAE_OK;
    for (size_t first = 0; first < count && s == CLAE_OK; first += m->batch_max) {
        size_t n = count - first < m->batch_max ? count - first : m->batch_max;
        s = clae__model_forward(m, x, first * (size_t)m->input_dim, n, CLAE_EVALUATION);
        if (s == CLAE_OK) s = clae__buf_read(m->dev, &l->y, 0, n * width, out + first * width);
    }
    return s;
}

clae_status clae__encode_all(clae_model *m, const clae_buf *x, size_t count, float *codes)
{
    return clae__encode_at(m, x, count, m->code_point, codes);
}

clae_status clae__reconstruct_rows(clae_model *m, const clae_buf *x, size_t first, size_t n,
                                   float *out)
{
    const clae_buf *recon = NULL;
    clae_status s = clae__model_forward(m, x, first * (size_t)m->input_dim, n, CLAE_EVALUATION);
    if (s == CLAE_OK) s = clae__model_reconstruction(m, n, &recon);
    if (s == CLAE_OK) s = clae__buf_read(m->dev, recon, 0, n * (size_t)m->input_dim, out);
    return s;
}

clae_status clae__sample_prior(clae_model *m, size_t n, uint64_t seed, float *out)
{
    if (clae__model_find(m, &clae_sampler_vt, 0) < 0)
        return clae__fail(m->dev->ctx, CLAE_EUSAGE, "sampling needs a variational model");
    if (n > m->batch_max)
        return clae__fail(m->dev->ctx, CLAE_EINTERNAL, "sample: %zu draws exceed the batch %zu",
                          n, m->batch_max);
    clae_buf z = {0};
    const clae_buf *recon = NULL;
    clae_status s = clae__buf_create(m->dev, n * (size_t)m->code, &z);
    if (s == CLAE_OK) s = clae__rng_normal(m->dev, n * (size_t)m->code, &z, 0, seed, 0, 0, 0.0f, 1.0f);
    if (s == CLAE_OK) s = clae__model_decode(m, &z, n);
    if (s == CLAE_OK) s = clae__model_reconstruction(m, n, &recon);
    if (s == CLAE_OK) s = clae__buf_read(m->dev, recon, 0, n * (size_t)m->input_dim, out);
    clae__buf_release(&z);
    return s;
}

double clae__mse_host(const float *a, const float *b, size_t n)
{
    double sum = 0.0;
    for (size_t i = 0; i < n; i++) sum += ((double)a[i] - b[i]) * ((double)a[i] - b[i]);
    return n ? sum / (double)n : 0.0;
}

void clae__code_stats(const float *codes, size_t n, clae_code_stats *out)
{
    double sum = 0.0, sum2 = 0.0;
    size_t near_zero = 0;
    for (size_t i = 0; i < n; i++) {
        sum += codes[i];
        sum2 += (double)codes[i] * codes[i];
        near_zero += fabsf(codes[i]) < 0.05f;
    }
    double mean = n ? sum / (double)n : 0.0;
    double var = n ? sum2 / (double)n - mean * mean : 0.0;
    out->mean = mean;
    out->std = var > 0.0 ? sqrt(var) : 0.0;
    out->near_zero = n ? (double)near_zero / (double)n : 0.0;
}
