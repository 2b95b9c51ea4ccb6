/* Checkpoints: the model's parameters, the optimiser's state and the run's
 * metadata in one safetensors file, written atomically. */
#ifndef CLAE_CHECKPOINT_H
#define CLAE_CHECKPOINT_H

#include "model/model.h"
#include "train/optimizer.h"
#include "io/safetensors.h"

typedef struct {
    int epoch;            /* epochs completed */
    uint64_t step;        /* optimiser steps taken */
    uint64_t seed;
    const char *spec_text;
    const char *history;  /* loss.csv rows so far */
    const char *device;
    int channels, height, width; /* the input's shape, for pictures made from the model */
    const char *history_columns; /* loss.csv's header: what history's columns are */
} clae_checkpoint_meta;

/* The "format" metadata of a file with weights only (clae export). */
#define CLAE_WEIGHTS_FORMAT "clae-weights-1"

/* opt NULL: weights and running statistics only, as CLAE_WEIGHTS_FORMAT. */
clae_status clae__checkpoint_save(clae_ctx *ctx, const char *path, clae_model *m,
                                  const clae_optimizer *opt, const clae_checkpoint_meta *meta);
/* Loads the model's parameters (and, when opt is not NULL, the optimiser's
 * state) from an open checkpoint; every tensor's name and shape must match. */
clae_status clae__checkpoint_restore(clae_ctx *ctx, const char *path, const clae_safetensors *st,
                                     clae_model *m, clae_optimizer *opt);

/* A trained model back from its checkpoint: the spec stored in it, the input
 * shape, and the model (for batches up to batch_max) with its parameters. */
typedef struct {
    clae_spec spec;
    int channels, height, width;
    clae_model *model;
} clae_loaded_model;
clae_status clae__checkpoint_load_model(clae_ctx *ctx, clae_device *dev, const char *path,
                                        size_t batch_max, clae_loaded_model *out);
void clae__loaded_model_free(clae_loaded_model *lm);

#endif
