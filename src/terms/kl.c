/* The VAE's KL(q(z|x) ‖ N(0, I)) on the mean and log-variance heads, with the
 * β weight. It is weighed against a reconstruction that is a mean per value:
 * divided by the values of a sample, as the ELBO per value. */
#include "kernels/ops.h"
#include "terms/term.h"

static size_t code_of(const clae_model *m, const clae_term *t)
{
    return clae_shape_size(m->layers[t->point]->out) / 2;
}

static clae_status kl_sum(clae_term *t, clae_model *m, const clae_exec *e, clae_buf *out,
                          size_t out_off, float scale)
{
    size_t code = code_of(m, t);
    const clae_buf *heads = &m->layers[t->point]->y;
    clae_status s = clae__vae_kl(e->dev, e->batch, code, heads, &t->scratch);
    if (s != CLAE_OK) return s;
    return clae__reduce_sum(e->dev, clae__loss_partials(e->dev, e->batch * code), &t->scratch, 0,
                            out, out_off, scale);
}

static clae_status kl_value(clae_term *t, clae_model *m, const clae_exec *e, clae_buf *grad,
                            clae_buf *out, size_t out_off)
{
    float scale = t->weight / ((float)e->batch * (float)m->input_dim);
    clae_status s = kl_sum(t, m, e, out, out_off, scale);
    if (s != CLAE_OK || !grad) return s;
    /* reparam_bwd with a zero gradient at z gives the KL's gradient alone; it
     * goes through delta[1], which is free while the loss runs (the
     * reconstruction's gradient is in delta[0]) */
    size_t code = code_of(m, t), n = e->batch * 2 * code;
    const clae_buf *heads = &m->layers[t->point]->y;
    s = clae__buf_fill(e->dev, &t->scratch2, 0, e->batch * code, 0.0f);
    if (s == CLAE_OK)
        s = clae__reparam_bwd(e->dev, e->batch, code, heads, &t->scratch2, &t->scratch2, scale,
                              &m->delta[1]);
    if (s == CLAE_OK) s = clae__add_inplace(e->dev, n, &m->delta[1], 0, grad, 0, 1.0f);
    return s;
}

static clae_status kl_measure(clae_term *t, clae_model *m, const clae_exec *e, clae_buf *out,
                              size_t out_off)
{
    return kl_sum(t, m, e, out, out_off, 1.0f / (float)e->batch);
}

const clae_term_vt clae_kl_term = {"kl", "kl", kl_value, kl_measure, NULL};
