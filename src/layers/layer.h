/* The common interface of a layer: a small struct per kind behind function
 * pointers, with its private state behind `priv`.
 *
 * Shapes are per sample, C x H x W in NCHW order (a dense vector is n x 1 x 1);
 * a batch is `batch` samples one after another. build infers the output shape
 * from the input shape and asks the builder for parameter tensors, running
 * statistics and scratch; forward reads the input (buffer, offset) and writes
 * the layer's own output buffer `y`; backward turns the gradient at the output
 * into parameter gradients and, when dx is not NULL, the gradient at the input.
 * Both passes take the mode: dropout, batch norm, input noise, the VAE sampler
 * and winner-take-all behave differently in training and evaluation. */
#ifndef CLAE_LAYER_H
#define CLAE_LAYER_H

#include "clae/spec.h"
#include "device/buffer.h"

typedef struct {
    int c, h, w;
} clae_shape;

static inline size_t clae_shape_size(clae_shape s) { return (size_t)s.c * (size_t)s.h * (size_t)s.w; }
static inline clae_shape clae_shape_flat(size_t n) { return (clae_shape){(int)n, 1, 1}; }

typedef enum { CLAE_TRAINING, CLAE_EVALUATION } clae_mode;

/* What a pass runs with: the device, the arenas and the batch. */
typedef struct {
    clae_device *dev;
    clae_buf *params, *grads; /* the one optimised arena and its gradient */
    clae_buf *stats;          /* running statistics: checkpointed, never optimised */
    size_t batch;
    clae_mode mode;
    uint64_t seed, step;      /* random draws are keyed by (seed, step, element) */
    size_t row_base;          /* the batch's first row in its step: row r draws as row row_base + r */
} clae_exec;

typedef struct clae_layer clae_layer;
typedef struct clae_builder clae_builder;

typedef struct {
    const char *kind;
    /* l->in and l->spec are set; sets l->out and requests what the layer needs.
     * Fails with a spec error naming the section's line for an impossible shape. */
    clae_status (*build)(clae_layer *l, clae_builder *b);
    clae_status (*forward)(clae_layer *l, const clae_exec *e, const clae_buf *x, size_t x_off);
    /* dy (batch x out) may be overwritten; dx (NULL: nothing below needs it)
     * receives the gradient at the input. */
    clae_status (*backward)(clae_layer *l, const clae_exec *e, const clae_buf *x, size_t x_off,
                            clae_buf *dy, clae_buf *dx);
    void (*release)(clae_layer *l); /* frees priv and its buffers; may be NULL */
} clae_layer_vt;

struct clae_layer {
    const clae_layer_vt *vt;
    char name[32];               /* "encoder.0", "decoder.2": prefix of its tensors' names */
    clae_layer_spec spec;        /* the section it came from (kind, sizes, activation, line) */
    clae_shape in, out;
    clae_buf y;                  /* output, batch_max x out */
    clae_activation activation;  /* applied at the end of forward */
    size_t w_off, b_off;         /* its first two parameter tensors (weight, bias), if any */
    int accumulate_w;            /* the weight gradient adds to one already written (tied) */
    void *priv;
};

/* Initialisation of a parameter tensor. */
typedef enum { CLAE_INIT_FAN_IN, CLAE_INIT_ONES, CLAE_INIT_ZEROS } clae_init;

/* A named tensor of the parameter arena (or, with stats set, of the running
 * statistics), as it appears in checkpoints. */
typedef struct {
    char name[48];
    size_t offset, count;
    int ndim;
    size_t shape[4];
    size_t fan_in;   /* PyTorch's default: U(-1/sqrt(fan_in), 1/sqrt(fan_in)) */
    clae_init init;
    float value;     /* initial value of a statistics tensor */
    int stats;       /* 1: in the statistics arena */
    uint32_t stream; /* the draws of its initialisation */
} clae_tensor_info;

/* The builder's services to layers (src/model/model.c). */
clae_device *clae__builder_device(const clae_builder *b);
size_t clae__builder_batch(const clae_builder *b);
/* A parameter tensor of the layer named "<layer>.<suffix>": returns its offset. */
size_t clae__builder_param(clae_builder *b, clae_layer *l, const char *suffix, int ndim,
                           const size_t *shape, size_t fan_in, clae_init init);
/* A running-statistics tensor of n values starting at value: returns its offset. */
size_t clae__builder_stat(clae_builder *b, clae_layer *l, const char *suffix, size_t n,
                          float value);
/* The whole spec (the families' settings: noise, winner-take-all). */
const clae_spec *clae__builder_spec(const clae_builder *b);
/* A spec error at the layer's section: "spec:line: [kind] message". */
clae_status clae__builder_fail(clae_builder *b, const clae_layer *l, const char *fmt, ...)
    CLAE__PRINTF(3, 4);
/* A tied dense layer's weights: the offset of the layer's mirror's weight, or
 * SIZE_MAX when the layer is not tied. */
size_t clae__builder_tied_weight(clae_builder *b, clae_layer *l);

/* The kinds (src/layers/<kind>.c). */
extern const clae_layer_vt clae_dense_vt, clae_conv_vt, clae_deconv_vt, clae_maxpool_vt,
    clae_upsample_vt, clae_batchnorm_vt, clae_dropout_vt, clae_noise_vt, clae_sampler_vt,
    clae_wta_vt;

/* Winner-take-all: values kept per unit for a batch of `rows` (ceil(pct % of
 * rows), at least one), and the mask of the last training forward. */
size_t clae__wta_keep(double percent, size_t rows);
const clae_buf *clae__wta_mask(const clae_layer *l);
/* The sampler's eps of the last forward; whether a dense layer is tied. */
const clae_buf *clae__sampler_eps(const clae_layer *l);
int clae__dense_tied(const clae_layer *l);

/* Batch x n output buffers: every layer's y, created by the model after build. */
clae_status clae__layer_alloc_output(clae_layer *l, clae_device *dev, size_t batch_max);

#endif
