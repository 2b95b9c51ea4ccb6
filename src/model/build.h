/* Building a model's layer stack and arenas from its spec (build.c). */
#ifndef CLAE_MODEL_BUILD_H
#define CLAE_MODEL_BUILD_H

#include "model/model.h"

/* Fills m->layers, the code points and the tensor lists; m->dev, m->input,
 * m->input_dim and m->batch_max are set. Buffers come after (model.c). */
clae_status clae__model_build(clae_model *m, const clae_spec *spec);

#endif
