/* Evaluation of a model over a dataset held on the device, in batches. */
#ifndef CLAE_EVALUATE_H
#define CLAE_EVALUATE_H

#include "model/model.h"

#define CLAE_MAX_MEASURES (2 * CLAE_MAX_TERMS)
/* XORed into the seed for the noise of evaluation (denoising test metrics,
 * reconstructions.png, clae reconstruct): the same corrupted digits each time,
 * never the draws of a training step. */
#define CLAE_EVAL_NOISE_KEY 0x6576616c6e6fULL

typedef struct {
    double terms[CLAE_MAX_TERMS]; /* the objective's terms, means over the rows */
    double loss;                  /* the objective: their sum */
    double mse;                   /* mean squared error per value of the reconstruction */
    /* the terms' own metrics, means per sample (the KL in nats, the code's Jacobian norm) */
    int n_measures;
    const char *measure_names[CLAE_MAX_MEASURES];
    double measures[CLAE_MAX_MEASURES];
} clae_eval;

/* The model fed x (count rows of m->input_dim values) in evaluation mode
 * against target rows (the same buffer, or the clean version of a corrupted x). */
clae_status clae__evaluate(clae_model *m, const clae_buf *x, const clae_buf *target, size_t count,
                           clae_eval *out);
/* The code of every row into codes (count x code width), host memory. */
clae_status clae__encode_all(clae_model *m, const clae_buf *x, size_t count, float *codes);
/* The output of layer `layer` for every row (count x its width), host memory. */
clae_status clae__encode_at(clae_model *m, const clae_buf *x, size_t count, int layer,
                            float *out);
/* VAE: decodes n (<= batch_max) draws from N(0, I), keyed by seed, into
 * out (n x input_dim). */
clae_status clae__sample_prior(clae_model *m, size_t n, uint64_t seed, float *out);
/* Mean squared error between two host arrays. */
double clae__mse_host(const float *a, const float *b, size_t n);
/* Reconstructions of rows [first, first + n), n <= batch_max, into out. */
clae_status clae__reconstruct_rows(clae_model *m, const clae_buf *x, size_t first, size_t n,
                                   float *out);

typedef struct {
    double mean, std, near_zero; /* near_zero: fraction of values below 0.05 */
} clae_code_stats;
void clae__code_stats(const float *codes, size_t n, clae_code_stats *out);

#endif
