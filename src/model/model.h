/* A model: the layer stack a spec describes (src/layers/), the objective's
 * terms attached to points of it (src/terms/), the parameters in one arena,
 * their gradients in another, the running statistics in a third, and the
 * forward / loss / backward passes over a batch that lives on the device. */
#ifndef CLAE_MODEL_H
#define CLAE_MODEL_H

#include "clae/spec.h"
#include "layers/layer.h"

/* encoder + code + sampler / winner-take-all + decoder + final layer + noise */
#define CLAE_MODEL_MAX_LAYERS (2 * CLAE_MAX_LAYERS + 6)
#define CLAE_MODEL_MAX_TENSORS (4 * CLAE_MODEL_MAX_LAYERS)

/* The objective's terms, each a scalar per batch; the objective is their sum. */
enum { CLAE_MAX_TERMS = 4 };

typedef struct clae_term clae_term;

typedef struct clae_model {
    clae_device *dev;
    clae_shape input;
    int input_dim;             /* values per sample */
    clae_layer *layers[CLAE_MODEL_MAX_LAYERS];
    int n_layers;
    int code_layer;            /* the [code] layer (a VAE's mean and log-variance heads) */
    int code_point;            /* the layer whose output the decoder reads: the code */
    int code;                  /* width of that code */
    int first_decoder;         /* index of the decoder's first layer */

    clae_tensor_info tensors[CLAE_MODEL_MAX_TENSORS];
    int n_tensors;
    size_t n_params, n_stats;
    clae_buf params, grads, stats;
    /* where layer i's own parameters begin: layers take theirs in order, and a
     * layer's backward writes no gradient above its own (a tied decoder
     * writes into its encoder's, below), so once backward is past layer i the
     * gradients from param_start[i] up are final */
    size_t param_start[CLAE_MODEL_MAX_LAYERS];

    size_t batch_max;
    clae_buf delta[2];         /* ping-pong gradients between layers, batch_max x widest */
    clae_buf point_grad[CLAE_MODEL_MAX_LAYERS]; /* terms' gradients at a layer's output */
    clae_buf recon;            /* reconstructions when the last layer yields logits */
    clae_buf partial;          /* loss partial sums */
    clae_recon_loss loss;
    int output_logits;         /* bce: the last layer stays linear, the loss takes logits */
    clae_activation output_activation;

    /* term 0 is the reconstruction; the others are src/terms/ objects. Terms
     * outside the objective (weight 0) only measure (e.g. the code's Jacobian). */
    int n_terms;
    const char *term_names[CLAE_MAX_TERMS];
    clae_term *terms[CLAE_MAX_TERMS];
    clae_term *monitors[CLAE_MAX_TERMS];
    int n_monitors;

    uint64_t seed, step;       /* random draws: keyed by (seed, step) */
    size_t row_base;           /* the batch's first row in its step (accumulation, ranks) */
} clae_model;

/* Builds the layer stack for a per-sample input shape and allocates everything
 * for batches up to batch_max. A shape that does not fit is a spec error. */
clae_status clae__model_create(clae_device *dev, const clae_spec *spec, clae_shape input,
                               size_t batch_max, clae_model **out);
void clae__model_destroy(clae_model *m);
/* PyTorch's default initialisation per layer kind, drawn on the device from
 * the counter-based generator keyed by seed; statistics to their start values. */
clae_status clae__model_init(clae_model *m, uint64_t seed);

/* Forward of rows [x_off / input_dim, ...) of x in the given mode. */
clae_status clae__model_forward(clae_model *m, const clae_buf *x, size_t x_off, size_t batch,
                                clae_mode mode);
/* The terms of the objective for the last forward against target rows:
 * term t goes to out[out_off + t] (the reconstruction is the mean over all
 * values). with_grad also leaves their gradients for backward. */
clae_status clae__model_loss(clae_model *m, const clae_buf *target, size_t t_off, size_t batch,
                             clae_mode mode, int with_grad, clae_buf *out, size_t out_off);
/* Mean squared error of the reconstruction (values in the data's range). */
clae_status clae__model_mse(clae_model *m, const clae_buf *target, size_t t_off, size_t batch,
                            clae_buf *out, size_t out_off);
clae_status clae__model_backward(clae_model *m, const clae_buf *x, size_t x_off, size_t batch,
                                 clae_mode mode);
/* The same, calling done(arg, i) once layer i's backward (and its terms')
 * is enqueued: the gradients from m->param_start[i] up are then final in
 * queue order. */
typedef clae_status (*clae_backward_done)(void *arg, int layer);
clae_status clae__model_backward_each(clae_model *m, const clae_buf *x, size_t x_off, size_t batch,
                                      clae_mode mode, clae_backward_done done, void *arg);

/* The code of the last forward pass (batch x m->code). */
const clae_buf *clae__model_code(const clae_model *m);
/* The decoder alone (evaluation mode): its output for codes z (batch x m->code). */
clae_status clae__model_decode(clae_model *m, const clae_buf *z, size_t batch);
clae_status clae__model_reconstruction(clae_model *m, size_t batch, const clae_buf **out);
/* The gradient of one code unit per row with respect to the input: the
 * encoder's forward in evaluation mode on rows [0, batch) of x, then back from
 * a one-hot at the [code] layer's output (units[r] for row r; a VAE's means
 * are its first m->code values) down to dx (batch x input_dim). activations
 * (batch values, or NULL) receives each row's unit value. */
clae_status clae__model_input_grad(clae_model *m, const clae_buf *x, size_t batch,
                                   const int *units, clae_buf *dx, float *activations);
/* The layer of a kind's vt, first from `from`; -1 if none. */
int clae__model_find(const clae_model *m, const clae_layer_vt *vt, int from);

/* The pass context of the model for a batch. */
clae_exec clae__model_exec(clae_model *m, size_t batch, clae_mode mode);

#endif
