/* The common interface of a layer: a small struct per kind behind function
 * pointers. A layer reads its input (buffer, offset) and writes its output
 * activation buffer; backward turns the gradient at its output into parameter
 * gradients and, when asked, the gradient at its input. */
#ifndef CLAE_LAYER_H
#define CLAE_LAYER_H

#include "device/buffer.h"
#include "clae/spec.h"

typedef struct clae_layer clae_layer;

/* Where a layer finds its parameters and their gradients. */
typedef struct {
    clae_buf *params;
    clae_buf *grads;
} clae_param_store;

typedef struct {
    const char *kind;
    clae_status (*forward)(clae_layer *l, clae_device *dev, const clae_param_store *ps,
                           const clae_buf *x, size_t x_off, size_t batch);
    /* dy holds the gradient at the output (batch x out) and is overwritten;
     * dx (may be NULL) receives the gradient at the input. */
    clae_status (*backward)(clae_layer *l, clae_device *dev, const clae_param_store *ps,
                            const clae_buf *x, size_t x_off, clae_buf *dy, clae_buf *dx,
                            size_t batch);
} clae_layer_ops;

struct clae_layer {
    const clae_layer_ops *ops;
    int in, out;                /* features in and out */
    clae_activation activation; /* applied in forward */
    clae_buf y;                 /* output activations, batch_max x out */
    /* Dense: weights out x in at w_off (PyTorch's Linear layout), bias at b_off.
     * A tied decoder layer uses another layer's weights transposed. */
    size_t w_off, b_off;
    int tied;                   /* 1: weights are tied_w's, used transposed */
    int accumulate_w;           /* 1: the weight gradient adds to one already written */
    char name[32];              /* "encoder.0", "decoder.1", for checkpoints */
};

extern const clae_layer_ops clae_dense_ops;

#endif
