/* A model: the layer stack a spec describes, its parameters in one buffer,
 * their gradients in another, and the forward / loss / backward passes over
 * a batch that lives on the device. */
#ifndef CLAE_MODEL_H
#define CLAE_MODEL_H

#include "clae/spec.h"
#include "layers/layer.h"

#define CLAE_MODEL_MAX_LAYERS (2 * CLAE_MAX_LAYERS + 2)

/* The terms of the objective, each a scalar per batch; the objective is
 * their sum. Only the first n_terms of a model are active. */
enum { CLAE_MAX_TERMS = 4 };

typedef struct clae_model {
    clae_device *dev;
    int input_dim;
    clae_layer layers[CLAE_MODEL_MAX_LAYERS];
    int n_layers;
    int code_layer;        /* index of the layer whose output is the code */
    size_t n_params;
    clae_buf params, grads;
    size_t batch_max;
    clae_buf delta[2];     /* ping-pong gradients between layers, batch_max x widest */
    clae_buf recon;        /* reconstructions when the last layer yields logits */
    clae_buf partial;      /* loss partial sums */
    clae_recon_loss loss;
    int output_logits;     /* bce: the last layer stays linear, the loss takes logits */
    clae_activation output_activation;

    int n_terms;           /* reconstruction, then the penalties in use */
    const char *term_names[CLAE_MAX_TERMS];
    clae_sparsity sparsity;
    float sparsity_weight, sparsity_target;
    clae_buf code_grad;    /* the penalties' gradient at the code, batch_max x code */
    clae_buf unit_values;  /* per-unit penalty values (kl), code wide */
    clae_buf code_partial; /* partial sums of a code penalty */
    double wta_percent;    /* winner-take-all: share of each unit's batch kept; 0 = off */
    int wta_bypass;        /* 1: skip the winner-take-all selection (code statistics) */
    clae_buf wta_mask;     /* which code values passed, batch_max x code */

    /* variational: the code layer yields mean and log-variance heads (2·code
     * wide); the decoder reads z = mean + exp(logvar / 2) · eps while training,
     * the mean otherwise */
    int variational;
    int code;              /* width of the code the decoder reads */
    float kl_weight;
    int sampling;          /* 1 while training: draw z */
    uint64_t seed, step;   /* the draws of eps are keyed by (seed, step) */
    clae_buf eps, z;       /* batch_max x code */
    int term_sparsity, term_kl, term_contractive; /* their slots among the terms, or -1 */
    /* contractive: lambda, and per code unit Σ_rows act'(h)² and penalty values */
    float contractive;
    int jacobian_known;    /* a sigmoid / tanh code: its Jacobian norm has a closed form */
    clae_buf unit_g2, jac_values;
} clae_model;

/* Builds the layer stack and allocates everything for batches up to batch_max. */
clae_status clae__model_create(clae_device *dev, const clae_spec *spec, int input_dim,
                               size_t batch_max, clae_model **out);
void clae__model_destroy(clae_model *m);
/* PyTorch's default initialisation, U(-1/sqrt(fan_in), 1/sqrt(fan_in)), drawn
 * on the device from the counter-based generator keyed by seed. */
clae_status clae__model_init(clae_model *m, uint64_t seed);

clae_status clae__model_forward(clae_model *m, const clae_buf *x, size_t x_off, size_t batch);
/* The terms of the objective for the last forward against target rows:
 * term t goes to out[out_off + t] (the reconstruction is the mean over all
 * values). with_grad also leaves their gradients for backward. */
clae_status clae__model_loss(clae_model *m, const clae_buf *target, size_t t_off, size_t batch,
                             int with_grad, clae_buf *out, size_t out_off);
/* Mean squared error of the reconstruction (values in the data's range). */
clae_status clae__model_mse(clae_model *m, const clae_buf *target, size_t t_off, size_t batch,
                            clae_buf *out, size_t out_off);
clae_status clae__model_backward(clae_model *m, const clae_buf *x, size_t x_off, size_t batch);

/* Values kept by winner-take-all per unit for a batch of `rows`: ceil(pct % of rows). */
size_t clae__wta_keep(double percent, size_t rows);

/* The code of the last forward pass (batch x m->code): z, or the mean of a VAE at inference. */
const clae_buf *clae__model_code(const clae_model *m);
/* The decoder alone: its output for codes z (batch x m->code). */
clae_status clae__model_decode(clae_model *m, const clae_buf *z, size_t batch);
/* Sigmoid / tanh codes: the mean ‖∂code/∂(code layer input)‖²_F per sample of
 * the last forward, to out[out_off]. */
clae_status clae__model_jacobian(clae_model *m, size_t batch, clae_buf *out, size_t out_off);
/* VAE: the mean KL(q(z|x) ‖ N(0, I)) per sample of the last forward, to out[out_off]. */
clae_status clae__model_kl(clae_model *m, size_t batch, clae_buf *out, size_t out_off);
clae_status clae__model_reconstruction(clae_model *m, size_t batch, const clae_buf **out);

/* Named parameter tensors, for checkpoints: weight then bias of each layer
 * that owns them. Returns the count; fills up to max entries. */
typedef struct {
    char name[48];
    size_t offset, count;
    int ndim;
    size_t shape[2];
} clae_param_info;
int clae__model_param_tensors(const clae_model *m, clae_param_info *infos, int max);

#endif
