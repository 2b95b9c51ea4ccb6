/* Using a trained model: its checkpoint opened on the device, and the data to
 * run it on, uploaded once and processed batch by batch. The commands that
 * use a model (reconstruct, encode, score, interpolate, features, probe,
 * inpaint) start here. */
#ifndef CLAE_USE_H
#define CLAE_USE_H

#include "clae/data.h"
#include "device/buffer.h"
#include "io/checkpoint.h"

typedef struct {
    const char *model;  /* path of the checkpoint */
    const char *input;  /* a data file or folder ([data] train's formats), "mnist", or NULL:
                           the test split of the spec stored in the model */
    const char *labels; /* labels file for input (without input: a usage error), or NULL */
    size_t batch;       /* rows per pass on the device; 0: 256 */
    size_t limit;       /* the first N samples of the input only; 0: all */
    size_t skip;        /* the first N samples left out, before limit (e.g. the rows a
                           model was trained on, to score only the unseen rest); 0: none */
} clae_use_options;

typedef struct {
    clae_loaded_model lm; /* spec, input shape, model for batches of up to `batch` rows */
    size_t batch;
    clae_dataset data;    /* the input on the host: lm's shape, values in [0, 1] */
    clae_buf x;           /* the same rows on the device */
} clae_use;

/* Opens the model and loads its input (through the model's [data] resize and
 * pad); an input whose shape is not the model's is a data error naming both. */
clae_status clae__use_open(clae_ctx *ctx, clae_device *dev, const clae_use_options *opts,
                           clae_use *u);
void clae__use_close(clae_use *u);

/* The model's input shape as an empty dataset (for picture writers). */
clae_dataset clae__use_shape(const clae_use *u);

#endif
