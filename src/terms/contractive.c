/* The contractive penalty (Rifai et al., 2011): weight times the mean over the
 * batch of ‖∂h/∂x‖²_F for a sigmoid or tanh code h = act(x·Wᵀ + b), in closed
 * form. x is the code layer's own input: with hidden layers before the code
 * the penalty covers the code layer's Jacobian, not the whole encoder's. Its
 * gradient reaches h (added at the point) and W (after the layer's backward). */
#include "kernels/ops.h"
#include "terms/term.h"

/* scratch: per-unit Σ_rows act'(h)², kept for the weight gradient; scratch2: per-unit values */
static clae_status jacobian(clae_term *t, clae_model *m, const clae_exec *e, clae_buf *grad,
                            float scale, clae_buf *out, size_t out_off, float out_scale)
{
    const clae_layer *l = m->layers[t->point];
    size_t units = clae_shape_size(l->out), in = clae_shape_size(l->in);
    clae_status s = clae__contractive_fwd(e->dev, e->batch, units, in, (int)l->activation, &l->y,
                                          e->params, l->w_off, grad, scale, &t->scratch,
                                          &t->scratch2);
    if (s != CLAE_OK) return s;
    return clae__reduce_sum(e->dev, units, &t->scratch2, 0, out, out_off, out_scale);
}

static clae_status contractive_value(clae_term *t, clae_model *m, const clae_exec *e,
                                     clae_buf *grad, clae_buf *out, size_t out_off)
{
    float scale = t->weight / (float)e->batch;
    return jacobian(t, m, e, grad, scale, out, out_off, scale);
}

static clae_status contractive_measure(clae_term *t, clae_model *m, const clae_exec *e,
                                       clae_buf *out, size_t out_off)
{
    return jacobian(t, m, e, NULL, 0.0f, out, out_off, 1.0f / (float)e->batch);
}

static clae_status contractive_after_backward(clae_term *t, clae_model *m, const clae_exec *e)
{
    const clae_layer *l = m->layers[t->point];
    return clae__contractive_wgrad(e->dev, clae_shape_size(l->out), clae_shape_size(l->in),
                                   e->params, l->w_off, e->grads, &t->scratch,
                                   t->weight / (float)e->batch);
}

const clae_term_vt clae_contractive_term = {"contractive", "code_jacobian", contractive_value,
                                            contractive_measure, contractive_after_backward};
