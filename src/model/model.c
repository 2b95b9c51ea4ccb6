/* The model: creation (the stack from build.c, then buffers and terms),
 * initialisation, and the passes. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "kernels/ops.h"
#include "model/build.h"
#include "model/model.h"
#include "terms/term.h"

clae_status clae__layer_alloc_output(clae_layer *l, clae_device *dev, size_t batch_max)
{
    return clae__buf_create_for(dev, batch_max * clae_shape_size(l->out), "a layer's output",
                                &l->y);
}

static clae_status add_term(clae_model *m, const clae_term_vt *vt, float weight, int objective,
                            clae_term **out)
{
    clae_term *t = NULL;
    clae_status s = clae__term_create(m, vt, m->code_layer, weight, &t);
    if (s != CLAE_OK) return s;
    if (objective) {
        m->term_names[m->n_terms] = vt->name;
        m->terms[m->n_terms++] = t;
    } else {
        m->monitors[m->n_monitors++] = t;
    }
    if (out) *out = t;
    /* the gradient the term adds at its point */
    clae_buf *g = &m->point_grad[t->point];
    if (objective && !g->mem)
        s = clae__buf_create(m->dev, m->batch_max * clae_shape_size(m->layers[t->point]->out), g);
    return s;
}

/* The objective: the reconstruction, then each penalty in use; terms outside
 * the objective only measure (the Jacobian of a sigmoid or tanh code). */
static clae_status add_terms(clae_model *m, const clae_spec *spec)
{
    m->term_names[m->n_terms++] = "reconstruction";
    clae_status s = CLAE_OK;
    clae_term *t = NULL;
    if (spec->loss.sparsity != CLAE_SPARSITY_NONE) {
        s = add_term(m, &clae_sparsity_term, (float)spec->loss.sparsity_weight, 1, &t);
        if (s == CLAE_OK) {
            t->l1 = spec->loss.sparsity == CLAE_SPARSITY_L1;
            t->target = (float)spec->loss.sparsity_target;
        }
    }
    int jacobian_known = !spec->model.variational && (spec->code_activation == CLAE_ACT_SIGMOID ||
                                                      spec->code_activation == CLAE_ACT_TANH);
    if (s == CLAE_OK && jacobian_known)
        s = add_term(m, &clae_contractive_term, (float)spec->loss.contractive,
                     spec->loss.contractive > 0, NULL);
    if (s == CLAE_OK && spec->model.variational)
        s = add_term(m, &clae_kl_term, (float)spec->loss.kl_weight, 1, NULL);
    return s;
}

static clae_status create_buffers(clae_model *m)
{
    clae_device *dev = m->dev;
    clae_status s = clae__buf_create_for(dev, m->n_params, "the parameters", &m->params);
    if (s == CLAE_OK) s = clae__buf_create_for(dev, m->n_params, "the gradients", &m->grads);
    if (s == CLAE_OK) s = clae__buf_create_for(dev, m->n_stats, "the running statistics", &m->stats);
    size_t widest = (size_t)m->input_dim;
    for (int i = 0; i < m->n_layers && s == CLAE_OK; i++) {
        clae_layer *l = m->layers[i];
        size_t out = clae_shape_size(l->out);
        if (out > widest) widest = out;
        s = clae__layer_alloc_output(l, dev, m->batch_max);
    }
    for (int k = 0; k < 2 && s == CLAE_OK; k++)
        s = clae__buf_create(dev, m->batch_max * widest, &m->delta[k]);
    if (s == CLAE_OK && m->output_logits)
        s = clae__buf_create(dev, m->batch_max * (size_t)m->input_dim, &m->recon);
    if (s == CLAE_OK)
        s = clae__buf_create(dev, clae__loss_partials(dev, m->batch_max * (size_t)m->input_dim),
                             &m->partial);
    return s;
}

clae_status clae__model_create(clae_device *dev, const clae_spec *spec, clae_shape input,
                               size_t batch_max, clae_model **out)
{
    *out = NULL;
    clae_model *m = calloc(1, sizeof *m);
    if (!m) return clae__fail(dev->ctx, CLAE_ENOMEM, "out of memory creating the model");
    m->dev = dev;
    m->input = input;
    m->input_dim = (int)clae_shape_size(input);
    m->batch_max = batch_max;
    m->seed = spec->train.seed;
    m->loss = spec->loss.reconstruction;
    m->output_activation = spec->model.output;
    m->output_logits = spec->loss.reconstruction == CLAE_RECON_BCE;
    clae_status s = clae__model_build(m, spec);
    if (s == CLAE_OK) s = create_buffers(m);
    if (s == CLAE_OK) s = add_terms(m, spec);
    if (s != CLAE_OK) {
        clae__model_destroy(m);
        return s;
    }
    *out = m;
    return CLAE_OK;
}

void clae__model_destroy(clae_model *m)
{
    if (!m) return;
    for (int i = 0; i < m->n_layers; i++) {
        clae_layer *l = m->layers[i];
        if (l->vt->release) l->vt->release(l);
        clae__buf_release(&l->y);
        clae__buf_release(&m->point_grad[i]);
        free(l);
    }
    for (int t = 1; t < m->n_terms; t++) clae__term_destroy(m->terms[t]);
    for (int t = 0; t < m->n_monitors; t++) clae__term_destroy(m->monitors[t]);
    for (int k = 0; k < 2; k++) clae__buf_release(&m->delta[k]);
    clae__buf_release(&m->recon);
    clae__buf_release(&m->partial);
    clae__buf_release(&m->params);
    clae__buf_release(&m->grads);
    clae__buf_release(&m->stats);
    free(m);
}

clae_status clae__model_init(clae_model *m, uint64_t seed)
{
    clae_status s = CLAE_OK;
    for (int i = 0; i < m->n_tensors && s == CLAE_OK; i++) {
        const clae_tensor_info *t = &m->tensors[i];
        if (t->stats) {
            s = clae__buf_fill(m->dev, &m->stats, t->offset, t->count, t->value);
        } else if (t->init == CLAE_INIT_FAN_IN) {
            float bound = 1.0f / sqrtf((float)t->fan_in);
            s = clae__rng_uniform(m->dev, t->count, &m->params, t->offset, seed, t->stream,
                                  -bound, bound);
        } else {
            s = clae__buf_fill(m->dev, &m->params, t->offset, t->count,
                               t->init == CLAE_INIT_ONES ? 1.0f : 0.0f);
        }
    }
    return s;
}

clae_exec clae__model_exec(clae_model *m, size_t batch, clae_mode mode)
{
    return (clae_exec){m->dev,  &m->params, &m->grads, &m->stats, batch,
                       mode,    m->seed,    m->step,   m->row_base};
}

/* Layers [first, end) of the stack. */
static clae_status forward_range(clae_model *m, int first, int end, const clae_buf *x,
                                 size_t x_off, size_t batch, clae_mode mode)
{
    if (batch > m->batch_max)
        return clae__fail(m->dev->ctx, CLAE_EINTERNAL, "forward: %zu rows exceed the batch %zu",
                          batch, m->batch_max);
    clae_exec e = clae__model_exec(m, batch, mode);
    for (int i = first; i < end; i++) {
        clae_layer *l = m->layers[i];
        const clae_buf *in = i == first ? x : &m->layers[i - 1]->y;
        clae_status s = l->vt->forward(l, &e, in, i == first ? x_off : 0);
        if (s != CLAE_OK) return s;
    }
    return CLAE_OK;
}

static clae_status forward_layers(clae_model *m, int first, const clae_buf *x, size_t x_off,
                                  size_t batch, clae_mode mode)
{
    return forward_range(m, first, m->n_layers, x, x_off, batch, mode);
}

clae_status clae__model_forward(clae_model *m, const clae_buf *x, size_t x_off, size_t batch,
                                clae_mode mode)
{
    return forward_layers(m, 0, x, x_off, batch, mode);
}

clae_status clae__model_decode(clae_model *m, const clae_buf *z, size_t batch)
{
    return forward_layers(m, m->code_point + 1, z, 0, batch, CLAE_EVALUATION);
}

static clae_status reconstruction_loss(clae_model *m, const clae_buf *recon, int logits,
                                       const clae_buf *target, size_t t_off, size_t batch,
                                       clae_buf *grad, clae_buf *out, size_t out_off)
{
    size_t n = batch * (size_t)m->input_dim;
    float scale = 1.0f / (float)n;
    clae_status s = logits ? clae__bce_logits_loss(m->dev, n, recon, 0, target, t_off, grad, 0,
                                                   scale, &m->partial)
                           : clae__mse_loss(m->dev, n, recon, 0, target, t_off, grad, 0, scale,
                                            &m->partial);
    if (s != CLAE_OK) return s;
    return clae__reduce_sum(m->dev, clae__loss_partials(m->dev, n), &m->partial, 0, out, out_off,
                            scale);
}

clae_status clae__model_loss(clae_model *m, const clae_buf *target, size_t t_off, size_t batch,
                             clae_mode mode, int with_grad, clae_buf *out, size_t out_off)
{
    clae_exec e = clae__model_exec(m, batch, mode);
    clae_status s = CLAE_OK;
    for (int i = 0; with_grad && i < m->n_layers && s == CLAE_OK; i++)
        if (m->point_grad[i].mem) /* the terms add their gradients here */
            s = clae__buf_fill(m->dev, &m->point_grad[i], 0,
                               batch * clae_shape_size(m->layers[i]->out), 0.0f);
    for (int t = 1; t < m->n_terms && s == CLAE_OK; t++) {
        clae_term *term = m->terms[t];
        s = term->vt->value(term, m, &e, with_grad ? &m->point_grad[term->point] : NULL, out,
                            out_off + (size_t)t);
    }
    if (s != CLAE_OK) return s;
    return reconstruction_loss(m, &m->layers[m->n_layers - 1]->y, m->output_logits, target, t_off,
                               batch, with_grad ? &m->delta[0] : NULL, out, out_off);
}

clae_status clae__model_reconstruction(clae_model *m, size_t batch, const clae_buf **out)
{
    const clae_buf *y = &m->layers[m->n_layers - 1]->y;
    if (!m->output_logits) {
        *out = y;
        return CLAE_OK;
    }
    *out = &m->recon;
    return clae__act_fwd(m->dev, batch * (size_t)m->input_dim, (int)m->output_activation, y, 0,
                         &m->recon, 0);
}

clae_status clae__model_mse(clae_model *m, const clae_buf *target, size_t t_off, size_t batch,
                            clae_buf *out, size_t out_off)
{
    const clae_buf *recon = NULL;
    clae_status s = clae__model_reconstruction(m, batch, &recon);
    if (s != CLAE_OK) return s;
    return reconstruction_loss(m, recon, 0, target, t_off, batch, NULL, out, out_off);
}

clae_status clae__model_backward(clae_model *m, const clae_buf *x, size_t x_off, size_t batch,
                                 clae_mode mode)
{
    return clae__model_backward_each(m, x, x_off, batch, mode, NULL, NULL);
}

clae_status clae__model_backward_each(clae_model *m, const clae_buf *x, size_t x_off, size_t batch,
                                      clae_mode mode, clae_backward_done done, void *arg)
{
    clae_exec e = clae__model_exec(m, batch, mode);
    /* the gradient at the current layer's output, and the other buffer */
    clae_buf *dy = &m->delta[0], *other = &m->delta[1];
    for (int i = m->n_layers - 1; i >= 0; i--) {
        clae_layer *l = m->layers[i];
        clae_status s = CLAE_OK;
        if (m->point_grad[i].mem)
            s = clae__add_inplace(m->dev, batch * clae_shape_size(l->out), &m->point_grad[i], 0,
                                  dy, 0, 1.0f);
        const clae_buf *in = i > 0 ? &m->layers[i - 1]->y : x;
        if (s == CLAE_OK)
            s = l->vt->backward(l, &e, in, i > 0 ? 0 : x_off, dy, i > 0 ? other : NULL);
        for (int t = 1; t < m->n_terms && s == CLAE_OK; t++)
            if (m->terms[t]->point == i && m->terms[t]->vt->after_backward)
                s = m->terms[t]->vt->after_backward(m->terms[t], m, &e);
        if (s == CLAE_OK && done) s = done(arg, i);
        if (s != CLAE_OK) return s;
        clae_buf *t = dy;
        dy = other;
        other = t;
    }
    return CLAE_OK;
}

const clae_buf *clae__model_code(const clae_model *m) { return &m->layers[m->code_point]->y; }

int clae__model_find(const clae_model *m, const clae_layer_vt *vt, int from)
{
    for (int i = from < 0 ? 0 : from; i < m->n_layers; i++)
        if (m->layers[i]->vt == vt) return i;
    return -1;
}

clae_status clae__model_input_grad(clae_model *m, const clae_buf *x, size_t batch,
                                   const int *units, clae_buf *dx, float *activations)
{
    clae_ctx *ctx = m->dev->ctx;
    const int last = m->code_layer;
    size_t width = clae_shape_size(m->layers[last]->out);
    for (size_t r = 0; r < batch; r++)
        if (units[r] < 0 || (size_t)units[r] >= width)
            return clae__fail(ctx, CLAE_EINTERNAL, "input gradient: unit %d of %zu", units[r],
                              width);
    /* The encoder alone: the decoder plays no part in a code unit's value. */
    clae_status s = forward_range(m, 0, last + 1, x, 0, batch, CLAE_EVALUATION);
    if (s != CLAE_OK) return s;
    float *seed = calloc(batch * width, sizeof *seed);
    if (!seed) return clae__fail(ctx, CLAE_ENOMEM, "out of memory for the input gradient");
    for (size_t r = 0; r < batch; r++) seed[r * width + (size_t)units[r]] = 1.0f;
    s = clae__buf_write(m->dev, &m->delta[0], 0, batch * width, seed);
    if (s == CLAE_OK && activations) {
        float *y = seed; /* reused: the one-hots are on the device now */
        s = clae__buf_read(m->dev, &m->layers[last]->y, 0, batch * width, y);
        for (size_t r = 0; r < batch && s == CLAE_OK; r++)
            activations[r] = y[r * width + (size_t)units[r]];
    }
    free(seed);
    /* Down the encoder as in clae__model_backward, without the terms' gradients
     * (only the unit's own), the bottom layer writing into dx. The parameter
     * gradients this leaves in m->grads are a by-product nobody reads. */
    clae_exec e = clae__model_exec(m, batch, CLAE_EVALUATION);
    clae_buf *dy = &m->delta[0], *other = &m->delta[1];
    for (int i = last; i >= 0 && s == CLAE_OK; i--) {
        clae_layer *l = m->layers[i];
        s = l->vt->backward(l, &e, i > 0 ? &m->layers[i - 1]->y : x, 0, dy, i > 0 ? other : dx);
        clae_buf *t = dy;
        dy = other;
        other = t;
    }
    return s;
}
