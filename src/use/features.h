/* What a trained model has learnt, as pictures: its first layer's weights,
 * and for each code unit the samples that excite it most beside the input
 * that excites it most (activation maximisation, by gradient ascent on the
 * input under a norm constraint). */
#ifndef CLAE_USE_FEATURES_H
#define CLAE_USE_FEATURES_H

#include "use/use.h"

#define CLAE_FEATURES_TOP 8 /* samples shown per unit */

/* Rows a batch of the model must take: the maximising inputs of all units
 * go through in one batch. */
#define CLAE_FEATURES_BATCH(units) ((units) > 256 ? (size_t)(units) : (size_t)256)

typedef struct {
    int units;           /* the first N code units (capped at the code's width) */
    int steps;           /* gradient ascent steps of the activation maximisation */
    const char *weights_path; /* the first layer's weights as tiles */
    const char *units_path;   /* per unit: top samples and the maximising input */
} clae_features_options;

typedef struct {
    int weight_tiles;    /* tiles in weights_path */
    int units;           /* rows in units_path */
    size_t samples;      /* samples searched */
    double norm;         /* the L2 norm the maximising inputs are held to */
    double mean_top;     /* mean over the units of the best sample's activation */
    double mean_max;     /* mean over the units of the maximising input's activation */
} clae_features_result;

/* On the model and input of u (opened with batch CLAE_FEATURES_BATCH(units)): the
 * input is searched for each unit's top activations. */
clae_status clae__features(clae_ctx *ctx, clae_use *u, const clae_features_options *opts,
                           clae_features_result *out);

#endif
