/* The work behind the commands that use a trained model: reconstruct, encode,
 * score and interpolate (src/cli/cmd_<name>.c parse options and print). Each
 * runs on a model and input opened with clae__use_open, batch by batch on the
 * device, and writes its file; nothing here prints. */
#ifndef CLAE_USE_COMMANDS_H
#define CLAE_USE_COMMANDS_H

#include "clae/spec.h"
#include "use/use.h"

/* A short name for the model in titles: the checkpoint's folder for
 * DIR/model*.safetensors (runs/dense/model.safetensors: "dense"), else the
 * file's name. */
void clae__model_name(const char *path, char *out, size_t size);

/* reconstruct.c: the first `count` rows (fewer when the input is shorter)
 * and the model's reconstructions as a titled grid into path: originals,
 * then reconstructions under them, 16 a row; a denoising model ([noise]) gets
 * a third row, the corrupted input it restores, corrupted on the device with
 * the generator and key training uses for its evaluation split. *shown and
 * *mse: the rows drawn and the mean squared error per value of their
 * reconstructions against the clean rows; *rows: the rows' names
 * ("original, reconstructed" or "clean, corrupted, restored"). */
clae_status clae__use_reconstruct(clae_ctx *ctx, clae_use *u, const char *model_path,
                                  size_t count, const char *path, size_t *shown, double *mse,
                                  const char **rows);

/* encode.c: text files (CSV) built in memory, then written atomically. The
 * first failure to grow the buffer sticks and is reported by the write. */
typedef struct {
    char *text;
    size_t len, cap;
    int failed;
} clae_text;
void clae__text_put(clae_text *b, const char *fmt, ...) CLAE__PRINTF(2, 3);
/* Writes the text to path (temporary file, fsync, rename) and frees it. */
clae_status clae__text_write(clae_ctx *ctx, const char *path, clae_text *b);

typedef enum { CLAE_CODES_CSV, CLAE_CODES_NPY } clae_codes_format;
/* The format named by path's extension (.csv, .npy); -1 for any other. */
int clae__codes_format(const char *path);
/* encode.c: the code of every row (a VAE's means; with logvar also its
 * log-variances, as columns code+1 .. 2·code) into path. CSV: a header line
 * (code_1..code_k, logvar_1..logvar_k, then label when the input has labels)
 * and one row per sample (%.9g). NPY: float32 (rows, k or 2k), no labels.
 * logvar on a model that is not variational is a usage error. *cols: the
 * code columns written. */
clae_status clae__use_encode(clae_ctx *ctx, clae_use *u, const char *path,
                             clae_codes_format format, int logvar, size_t *cols);

/* score.c: per-sample scores, in input order. */
typedef struct {
    size_t count;
    double *mse;            /* mean squared error per value of the reconstruction */
    double *relative;       /* the squared error over the sample's own squared norm: the
                               share of it the model misses (0 for an all-zero sample) */
    double *reconstruction; /* the model's reconstruction loss summed over the values
                               (bce: nats; mse: the squared error) */
    double *kl;             /* VAE: KL(q(z|x) || N(0, I)) in nats, unweighted (beta 1) */
    int variational;        /* kl is set */
} clae_scores;
clae_status clae__use_score(clae_ctx *ctx, clae_use *u, clae_scores *out);
void clae__scores_free(clae_scores *sc);
/* CSV: index (first + the row: the sample's place in the input before any
 * --skip), label (when known), mse, relative, reconstruction, and for a VAE kl
 * and neg_elbo = reconstruction + kl. */
clae_status clae__scores_write_csv(clae_ctx *ctx, const char *path, const clae_scores *sc,
                                   const int *labels, size_t first);
/* The area under the ROC curve of score for "positive" (nonzero) against the
 * rest: the Mann-Whitney rank-sum statistic, tied scores sharing their mean
 * rank. Needs at least one sample of each kind, and finite scores (else a
 * data error). */
clae_status clae__auc(clae_ctx *ctx, const double *score, const unsigned char *positive,
                      size_t n, double *auc);

/* The rows of d whose label is anomalous (anomalous[label] != 0,
 * CLAE_MAX_CLASSES entries) as a new array of d->count flags for clae__auc,
 * checked before any scoring: data without labels is a usage error, data
 * without an anomaly or without a normal sample a data error. *anomalies:
 * the anomalous rows. */
clae_status clae__anomaly_rows(clae_ctx *ctx, const clae_dataset *d,
                               const unsigned char *anomalous, unsigned char **positive,
                               size_t *anomalies);

/* interpolate.c: rows `from` and `to` of the input (bad indices are usage
 * errors naming the count); decodes `steps` points on the line between their
 * codes (a VAE's means) and draws them above the pixel-space blend of the
 * two rows, in one titled picture. */
clae_status clae__use_interpolate(clae_ctx *ctx, clae_use *u, const char *model_path,
                                  long from, long to, int steps, const char *path);

#endif
