/* A model: the layer stack a spec describes, its parameters in one buffer,
 * their gradients in another, and the forward / loss / backward passes over
 * a batch that lives on the device. */
#ifndef CLAE_MODEL_H
#define CLAE_MODEL_H

#include "clae/spec.h"
#include "layers/layer.h"

#define CLAE_MODEL_MAX_LAYERS (2 * CLAE_MAX_LAYERS + 2)

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
} clae_model;

/* Builds the layer stack and allocates everything for batches up to batch_max. */
clae_status clae__model_create(clae_device *dev, const clae_spec *spec, int input_dim,
                               size_t batch_max, clae_model **out);
void clae__model_destroy(clae_model *m);
/* PyTorch's default initialisation, U(-1/sqrt(fan_in), 1/sqrt(fan_in)), drawn
 * on the device from the counter-based generator keyed by seed. */
clae_status clae__model_init(clae_model *m, uint64_t seed);

clae_status clae__model_forward(clae_model *m, const clae_buf *x, size_t x_off, size_t batch);
/* The reconstruction loss of the last forward against target rows; the mean
 * over all values is written to out[out_off]. with_grad also leaves dL/d(output)
 * for backward. */
clae_status clae__model_loss(clae_model *m, const clae_buf *target, size_t t_off, size_t batch,
                             int with_grad, clae_buf *out, size_t out_off);
/* Mean squared error of the reconstruction (values in the data's range). */
clae_status clae__model_mse(clae_model *m, const clae_buf *target, size_t t_off, size_t batch,
                            clae_buf *out, size_t out_off);
clae_status clae__model_backward(clae_model *m, const clae_buf *x, size_t x_off, size_t batch);

/* Output buffers of the last forward pass (batch x code, batch x input_dim). */
const clae_buf *clae__model_code(const clae_model *m);
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
