/* Terms: creation with the scratch every kind may need at its point. */
#include <stdlib.h>

#include "kernels/ops.h"
#include "terms/term.h"

clae_status clae__term_create(clae_model *m, const clae_term_vt *vt, int point, float weight,
                              clae_term **out)
{
    *out = NULL;
    clae_term *t = calloc(1, sizeof *t);
    if (!t) return clae__fail(m->dev->ctx, CLAE_ENOMEM, "out of memory creating the model");
    t->vt = vt;
    t->point = point;
    t->weight = weight;
    size_t width = clae_shape_size(m->layers[point]->out), n = m->batch_max * width;
    size_t partials = clae__loss_partials(m->dev, n);
    clae_status s = clae__buf_create(m->dev, partials > width ? partials : width, &t->scratch);
    if (s == CLAE_OK) s = clae__buf_create(m->dev, n, &t->scratch2);
    if (s != CLAE_OK) {
        clae__term_destroy(t);
        return s;
    }
    *out = t;
    return CLAE_OK;
}

void clae__term_destroy(clae_term *t)
{
    if (!t) return;
    clae__buf_release(&t->scratch);
    clae__buf_release(&t->scratch2);
    free(t);
}
