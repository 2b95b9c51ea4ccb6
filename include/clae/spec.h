/* The spec file: what a user writes to describe a model and its training.
 *
 * clae_spec_parse reads an INI file (libinih) into a clae_spec and validates
 * it; every error is one line "file:line: [section] key: what is wrong". */
#ifndef CLAE_SPEC_H
#define CLAE_SPEC_H

#include <stdint.h>
#include <stddef.h>

#include "clae/status.h"

#ifdef __cplusplus
extern "C" {
#endif

#define CLAE_MAX_LAYERS 24
#define CLAE_PATH_MAX 1024
/* Upper bound of every count in a spec (units, code, batch, epochs...):
 * anything larger is surely a typo. */
#define CLAE_SPEC_MAX_COUNT (1 << 20)
/* [train] bucket_mb = auto (the default): buckets of CLAE_SPEC_BUCKET_MB on a
 * device that computes beside the host, one sum on a CPU device (its host
 * thread computes the backward, so nothing would move the sums meanwhile) */
#define CLAE_SPEC_BUCKET_AUTO (-1.0)
#define CLAE_SPEC_BUCKET_MB 1.0
/* The name of the built-in default spec: parsing clae_spec_default_text()
 * under it gives its output dir runs/default. */
#define CLAE_SPEC_DEFAULT_NAME "<default>"
/* Labels are 0 .. CLAE_MAX_CLASSES - 1 ([data] classes selects among them). */
#define CLAE_MAX_CLASSES 256
/* A label set as [data] classes and `score --anomaly` write it: "9", "1,3,5-7"
 * (spaces allowed). Fills mask[label] with 1 for each label given; 0 on
 * success, -1 when the text is no such list, -2 when a label is above
 * CLAE_MAX_CLASSES - 1 or a range runs backwards (mask untouched then). */
int clae_parse_label_set(const char *text, unsigned char *mask);
/* [data] label_column = last */
#define CLAE_LABEL_COLUMN_LAST (-1)

/* X(enum, spec name) */
#define CLAE_ACTIVATION_TABLE(X)          \
    X(CLAE_ACT_LINEAR, "linear")          \
    X(CLAE_ACT_RELU, "relu")              \
    X(CLAE_ACT_LEAKY_RELU, "leaky_relu")  \
    X(CLAE_ACT_ELU, "elu")                \
    X(CLAE_ACT_SIGMOID, "sigmoid")        \
    X(CLAE_ACT_TANH, "tanh")

typedef enum {
#define CLAE__ACT_ENUM(e, name) e,
    CLAE_ACTIVATION_TABLE(CLAE__ACT_ENUM)
#undef CLAE__ACT_ENUM
    CLAE_ACT_COUNT
} clae_activation;

const char *clae_activation_name(clae_activation a);
/* Returns 0 and sets *out when name is known, -1 otherwise. */
int clae_activation_parse(const char *name, clae_activation *out);

/* The layer sections, in the order of their names in the spec. */
typedef enum {
    CLAE_LAYER_DENSE,
    CLAE_LAYER_CONV,
    CLAE_LAYER_DECONV,
    CLAE_LAYER_MAXPOOL,
    CLAE_LAYER_UPSAMPLE,
    CLAE_LAYER_BATCHNORM,
    CLAE_LAYER_DROPOUT,
    CLAE_LAYER_RESHAPE,
    CLAE_LAYER_KIND_COUNT
} clae_layer_kind;

const char *clae_layer_kind_name(clae_layer_kind k);

/* padding = same: as much as keeps the map's size at stride 1 (k / 2 each side). */
#define CLAE_PADDING_SAME (-1)

/* [data] stream: auto streams batches from the host when the training and
 * evaluation sets take more than half of [data] device_memory. */
typedef enum { CLAE_STREAM_AUTO, CLAE_STREAM_NO, CLAE_STREAM_YES } clae_stream_mode;

typedef struct {
    clae_layer_kind kind;
    int units;                  /* dense: units; conv, deconv: filters */
    int size, stride;           /* conv, deconv, maxpool: square kernel and its stride */
    int padding;                /* conv, deconv: zeros on each side, or CLAE_PADDING_SAME */
    int output_padding;         /* deconv: rows / columns added at the far side */
    int bias;                   /* conv, deconv: 1 = with a bias */
    int factor;                 /* upsample */
    double rate;                /* dropout */
    double momentum, epsilon;   /* batchnorm */
    int shape[3];               /* reshape: C x H x W */
    clae_activation activation; /* dense, conv, deconv, batchnorm: applied last */
    int line; /* line of the section header in the spec, for messages */
} clae_layer_spec;

/* A layer section's defaults (the contract's). */
clae_layer_spec clae_layer_spec_default(clae_layer_kind kind, int line);

typedef enum { CLAE_RECON_MSE, CLAE_RECON_BCE } clae_recon_loss;
typedef enum { CLAE_SPARSITY_NONE, CLAE_SPARSITY_L1, CLAE_SPARSITY_KL } clae_sparsity;
typedef enum { CLAE_OPT_ADAM, CLAE_OPT_RMSPROP, CLAE_OPT_SGD } clae_optimizer_kind;
/* The learning rate over the run: constant; times gamma every step epochs;
 * cosine annealing from the rate to 0 over the epochs. */
typedef enum { CLAE_SCHEDULE_CONSTANT, CLAE_SCHEDULE_STEP, CLAE_SCHEDULE_COSINE } clae_schedule;

typedef struct clae_spec {
    char path[CLAE_PATH_MAX]; /* file it came from ("<default>" for the built-in) */
    char *text;               /* the whole spec text, stored in checkpoints */

    struct clae_data_spec {
        char train[CLAE_PATH_MAX];  /* "mnist" or a path to an IDX file (.gz ok) */
        char labels[CLAE_PATH_MAX]; /* optional */
        char test[CLAE_PATH_MAX];   /* optional */
        char test_labels[CLAE_PATH_MAX]; /* optional */
        double holdout;             /* fraction of train held out when no test file */
        long limit;                 /* first N samples only; 0 = all */
        int resize_h, resize_w;     /* bilinear resize of every image; 0 = off */
        int pad;                    /* zeros added on each side of every image */
        int has_classes;            /* 1: keep only the samples whose label is in classes */
        unsigned char classes[CLAE_MAX_CLASSES]; /* classes[label] = 1: kept */
        int label_column;           /* CSV: 0 none, 1..N that column, CLAE_LABEL_COLUMN_LAST */
        uint64_t max_memory;        /* bytes the data may take in memory; 0 = half the machine's */
        clae_stream_mode stream;    /* the training set on the device, or batches from the host */
        uint64_t device_memory;     /* what the device may hold; 0 = its global memory */
    } data;

    struct {
        int code;               /* units of the code layer */
        int tied;               /* decoder reuses the encoder weights transposed */
        int variational;        /* VAE: mean and log-variance heads, sampled code */
        int decoder_explicit;   /* 0 = mirror, 1 = explicit */
        clae_activation output; /* activation of the reconstruction */
    } model;

    clae_layer_spec encoder[CLAE_MAX_LAYERS];
    int n_encoder;
    clae_layer_spec decoder[CLAE_MAX_LAYERS]; /* only with decoder = explicit */
    int n_decoder;
    clae_activation code_activation;

    struct {
        double gaussian; /* std of additive noise, clipped to [0, 1]; 0 = off */
        double mask;     /* probability that an input value is zeroed; 0 = off */
    } noise;

    struct {
        clae_recon_loss reconstruction;
        clae_sparsity sparsity;  /* a penalty on the code activations */
        double sparsity_weight;
        double sparsity_target;  /* rho, for kl */
        double winner_take_all;  /* percent of each code unit's activations kept per batch; 0 = off */
        double kl_weight;        /* beta: weight of the VAE's KL term */
        double contractive;      /* lambda: weight of the code's squared Jacobian norm; 0 = off */
    } loss;

    struct {
        int epochs;
        int batch;            /* samples a batch (over MPI ranks: each rank takes a share) */
        int accumulate;       /* batches per optimiser step, their gradients summed */
        double bucket_mb;     /* over ranks: MiB of gradient a bucket takes (0: one bucket;
                                 CLAE_SPEC_BUCKET_AUTO: by the device) */
        clae_optimizer_kind optimizer;
        double learning_rate;
        double momentum;      /* sgd */
        double beta1, beta2;  /* adam */
        double rho;           /* rmsprop decay */
        double epsilon;       /* adam, rmsprop */
        uint64_t seed;
        int pretrain_greedy;  /* greedy layer-wise pretraining before fine-tuning */
        int pretrain_epochs;  /* epochs of each pretraining stage */
        int patience;         /* early stopping: epochs without a better test loss; 0 = off */
        clae_schedule schedule;
        int schedule_step;    /* step: epochs between decays; 0 = a third of the epochs */
        double schedule_gamma; /* step: factor of each decay */
    } train;

    struct {
        char dir[CLAE_PATH_MAX];
        int samples; /* images in reconstructions.png */
    } output;
} clae_spec;

/* Fills every field with its default (the built-in default model: a dense
 * autoencoder on the bundled digits); the same as parsing
 * clae_spec_default_text() under CLAE_SPEC_DEFAULT_NAME, except that text is
 * NULL. A spec file's missing keys take the contract's defaults instead
 * (code 32, mse, 20 epochs). */
void clae_spec_defaults(clae_spec *spec);
/* The per-key defaults of a spec file (the contract's), as parsing starts from. */
void clae__spec_key_defaults(clae_spec *spec);
/* Parses and validates a spec file; on failure spec is left freed. */
clae_status clae_spec_parse(clae_ctx *ctx, const char *path, clae_spec *spec);
/* Parses spec text held in memory (name is used in messages). */
clae_status clae_spec_parse_text(clae_ctx *ctx, const char *name, const char *text, clae_spec *spec);
/* The rules that tie fields together (tied needs mirror, bce needs a sigmoid
 * output...) and every field's range. The parsers call it; call it again after
 * changing fields (command-line overrides). Messages name spec->path. */
clae_status clae_spec_validate(clae_ctx *ctx, const clae_spec *spec);
/* The built-in default spec, as text: every section and key the parser knows,
 * with what it means (the layer sections it does not use commented out, since
 * uncommented they would add layers). `clae spec` prints it. */
const char *clae_spec_default_text(void);
/* The parser's sections in order: the name of section i, its keys
 * (NULL-terminated) and whether it is a layer section; NULL past the last. */
const char *clae__spec_section(int i, const char *const **keys, int *is_layer);
/* Parses text (named name in messages) with overrides applied, each
 * "SECTION.KEY=VALUE": the key's line is replaced, or added to its section, or
 * the section is added. A layer section that repeats is named by its place
 * among the sections of its kind, from 1: "dense.2.units=64"; the text is
 * what spec->text keeps. When override i is at fault, *bad = i and the
 * message is "[section] key: what is wrong" (no file or line); otherwise
 * *bad = -1 and the message is the parser's. */
clae_status clae_spec_parse_overrides(clae_ctx *ctx, const char *name, const char *text,
                                      const char *const *sets, int n_sets, clae_spec *spec,
                                      int *bad);
void clae_spec_free(clae_spec *spec);

#ifdef __cplusplus
}
#endif
#endif
