/* Unsupervised pretraining measured: one softmax classifier, trained with the
 * labels on three representations of the same samples — the model's codes,
 * the raw pixels, and as many PCA components as the code has units — and
 * its accuracy on held-out samples for each. */
#ifndef CLAE_USE_PROBE_H
#define CLAE_USE_PROBE_H

#include "use/use.h"

typedef struct {
    const char *input;  /* the input u was opened on, split by holdout; NULL: u holds the
                           model's test split, and its train split is loaded beside it */
    double holdout;     /* input only: the share of its last samples held out for the test */
} clae_probe_options;

enum { CLAE_PROBE_CODES, CLAE_PROBE_PIXELS, CLAE_PROBE_PCA, CLAE_PROBE_ROWS };

typedef struct {
    const char *name;    /* "codes", "pixels", "pca" */
    int features;        /* width of the representation */
    double train_accuracy, test_accuracy;
} clae_probe_row;

typedef struct {
    size_t train_count, test_count;
    int classes;         /* distinct labels among the samples */
    double majority;     /* test accuracy of always answering the commonest train label */
    clae_probe_row rows[CLAE_PROBE_ROWS];
    /* the classifier's settings, the same for every row */
    int epochs, batch;
    double learning_rate, weight_decay;
} clae_probe_result;

/* On the model and input of u. Data without labels, or with a single class, is a
 * CLAE_EUSAGE error. */
clae_status clae__probe(clae_ctx *ctx, clae_use *u, const clae_probe_options *opts,
                        clae_probe_result *out);
/* The result as JSON, written atomically to path. */
clae_status clae__probe_write_json(clae_ctx *ctx, const char *path, const char *model,
                                   const clae_probe_result *r);

#endif
