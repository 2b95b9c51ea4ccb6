/* The datasets a spec names: train (and labels), test or a holdout split. */
#ifndef CLAE_DATA_SOURCE_H
#define CLAE_DATA_SOURCE_H

#include "clae/data.h"
#include "clae/spec.h"

/* Loads [data] of the spec. Paths are taken relative to the working
 * directory. test is left empty (count 0) when holdout is 0 and no test file
 * is given. */
clae_status clae__load_datasets(clae_ctx *ctx, const clae_spec *spec, clae_dataset *train,
                                clae_dataset *test);

#endif
