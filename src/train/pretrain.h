/* Greedy layer-wise pretraining, before the usual training fine-tunes. */
#ifndef CLAE_PRETRAIN_H
#define CLAE_PRETRAIN_H

#include "train/train_run.h"

/* Trains each encoder layer with its mirror decoder layer on the cached codes
 * of the layers before it, and leaves the weights in r->model. */
clae_status clae__pretrain_greedy(clae_run *r);

#endif
