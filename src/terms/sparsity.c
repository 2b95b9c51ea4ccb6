/* Sparsity of the code: L1 is weight · mean |h| over the batch's codes; KL is
 * weight · mean over units of KL(target ‖ the unit's mean activation). */
#include "kernels/ops.h"
#include "terms/term.h"

static clae_status sparsity_value(clae_term *t, clae_model *m, const clae_exec *e, clae_buf *grad,
                                  clae_buf *out, size_t out_off)
{
    const clae_layer *l = m->layers[t->point];
    size_t cols = clae_shape_size(l->out), n = e->batch * cols;
    if (t->l1) {
        float scale = t->weight / (float)n;
        clae_status s = clae__sparsity_l1(e->dev, n, &l->y, 0, grad, scale, &t->scratch);
        if (s != CLAE_OK) return s;
        return clae__reduce_sum(e->dev, clae__loss_partials(e->dev, n), &t->scratch, 0, out,
                                out_off, scale);
    }
    float scale = t->weight / (float)cols;
    clae_status s = clae__sparsity_kl(e->dev, e->batch, cols, &l->y, 0, grad, t->target, scale,
                                      &t->scratch);
    if (s != CLAE_OK) return s;
    return clae__reduce_sum(e->dev, cols, &t->scratch, 0, out, out_off, scale);
}

const clae_term_vt clae_sparsity_term = {"sparsity", NULL, sparsity_value, NULL, NULL};
