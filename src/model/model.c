/* The model: layer stack from the spec, parameter layout, and the passes. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/model.h"
#include "kernels/ops.h"

static clae_layer *add_layer(clae_model *m, const char *part, int index, int in, int out,
                             clae_activation act)
{
    clae_layer *l = &m->layers[m->n_layers++];
    memset(l, 0, sizeof *l);
    l->ops = &clae_dense_ops;
    l->in = in;
    l->out = out;
    l->activation = act;
    snprintf(l->name, sizeof l->name, "%s.%d", part, index);
    return l;
}

static void build_layers(clae_model *m, const clae_spec *spec)
{
    int width = m->input_dim;
    for (int i = 0; i < spec->n_encoder; i++) {
        add_layer(m, "encoder", i, width, spec->encoder[i].units, spec->encoder[i].activation);
        width = spec->encoder[i].units;
    }
    /* a VAE's code layer yields the mean and log-variance heads side by side */
    m->variational = spec->model.variational;
    m->code = spec->model.code;
    add_layer(m, "encoder", spec->n_encoder, width, m->code * (m->variational ? 2 : 1),
              spec->code_activation);
    m->code_layer = m->n_layers - 1;
    width = m->code;

    /* Hidden decoder layers: the encoder's in reverse (mirror) or as written. */
    int n_hidden = spec->model.decoder_explicit ? spec->n_decoder : spec->n_encoder;
    for (int j = 0; j < n_hidden; j++) {
        const clae_layer_spec *ls = spec->model.decoder_explicit
                                        ? &spec->decoder[j]
                                        : &spec->encoder[spec->n_encoder - 1 - j];
        add_layer(m, "decoder", j, width, ls->units, ls->activation);
        width = ls->units;
    }
    add_layer(m, "decoder", n_hidden, width, m->input_dim, spec->model.output);

    /* BCE works on logits: the last layer stays linear and the loss applies
     * the sigmoid itself, stably. */
    m->output_activation = spec->model.output;
    m->loss = spec->loss.reconstruction;
    m->output_logits = spec->loss.reconstruction == CLAE_RECON_BCE;
    if (m->output_logits) m->layers[m->n_layers - 1].activation = CLAE_ACT_LINEAR;
}

/* Parameter layout: each layer's weight (unless tied) then its bias. Decoder
 * layer j of a tied model uses encoder layer (code_layer - j)'s weights. */
static void lay_out_params(clae_model *m, int tied)
{
    size_t off = 0;
    for (int i = 0; i < m->n_layers; i++) {
        clae_layer *l = &m->layers[i];
        if (tied && i > m->code_layer) {
            clae_layer *mirror = &m->layers[2 * m->code_layer + 1 - i];
            l->tied = 1;
            l->w_off = mirror->w_off;
            /* backward visits the decoder first: the encoder's gradient adds */
            mirror->accumulate_w = 1;
        } else {
            l->w_off = off;
            off += (size_t)l->in * (size_t)l->out;
        }
        l->b_off = off;
        off += (size_t)l->out;
    }
    m->n_params = off;
}

/* The objective's terms: the reconstruction, then each penalty in use. */
static void set_terms(clae_model *m, const clae_spec *spec)
{
    m->term_names[m->n_terms++] = "reconstruction";
    m->sparsity = spec->loss.sparsity;
    m->sparsity_weight = (float)spec->loss.sparsity_weight;
    m->sparsity_target = (float)spec->loss.sparsity_target;
    m->term_sparsity = m->term_kl = m->term_contractive = -1;
    if (m->sparsity != CLAE_SPARSITY_NONE) {
        m->term_sparsity = m->n_terms;
        m->term_names[m->n_terms++] = "sparsity";
    }
    m->contractive = (float)spec->loss.contractive;
    m->jacobian_known = !spec->model.variational && (spec->code_activation == CLAE_ACT_SIGMOID ||
                                                     spec->code_activation == CLAE_ACT_TANH);
    if (m->contractive > 0) {
        m->term_contractive = m->n_terms;
        m->term_names[m->n_terms++] = "contractive";
    }
    m->kl_weight = (float)spec->loss.kl_weight;
    if (m->variational) {
        m->term_kl = m->n_terms;
        m->term_names[m->n_terms++] = "kl";
    }
    m->wta_percent = spec->loss.winner_take_all;
    m->seed = spec->train.seed;
}

size_t clae__wta_keep(double percent, size_t rows)
{
    size_t keep = (size_t)ceil(percent / 100.0 * (double)rows - 1e-9);
    return keep < 1 ? 1 : keep > rows ? rows : keep;
}

clae_status clae__model_create(clae_device *dev, const clae_spec *spec, int input_dim,
                               size_t batch_max, clae_model **out)
{
    *out = NULL;
    clae_model *m = calloc(1, sizeof *m);
    if (!m) return clae__fail(dev->ctx, CLAE_ENOMEM, "out of memory creating the model");
    m->dev = dev;
    m->input_dim = input_dim;
    m->batch_max = batch_max;
    build_layers(m, spec);
    lay_out_params(m, spec->model.tied);
    set_terms(m, spec);

    clae_status s = clae__buf_create(dev, m->n_params, &m->params);
    if (s == CLAE_OK) s = clae__buf_create(dev, m->n_params, &m->grads);
    size_t widest = (size_t)input_dim;
    for (int i = 0; i < m->n_layers && s == CLAE_OK; i++) {
        clae_layer *l = &m->layers[i];
        if ((size_t)l->out > widest) widest = (size_t)l->out;
        s = clae__buf_create(dev, batch_max * (size_t)l->out, &l->y);
    }
    for (int k = 0; k < 2 && s == CLAE_OK; k++)
        s = clae__buf_create(dev, batch_max * widest, &m->delta[k]);
    if (s == CLAE_OK && m->output_logits)
        s = clae__buf_create(dev, batch_max * (size_t)input_dim, &m->recon);
    if (s == CLAE_OK)
        s = clae__buf_create(dev, clae__loss_partials(dev, batch_max * (size_t)input_dim),
                             &m->partial);
    size_t codes = batch_max * (size_t)m->code;
    if (s == CLAE_OK && (m->sparsity != CLAE_SPARSITY_NONE || m->contractive > 0))
        s = clae__buf_create(dev, codes, &m->code_grad);
    if (s == CLAE_OK && m->sparsity != CLAE_SPARSITY_NONE)
        s = clae__buf_create(dev, (size_t)m->code, &m->unit_values);
    if (s == CLAE_OK && m->jacobian_known) {
        s = clae__buf_create(dev, (size_t)m->code, &m->unit_g2);
        if (s == CLAE_OK) s = clae__buf_create(dev, (size_t)m->code, &m->jac_values);
    }
    if (s == CLAE_OK && (m->sparsity != CLAE_SPARSITY_NONE || m->variational))
        s = clae__buf_create(dev, clae__loss_partials(dev, codes), &m->code_partial);
    if (s == CLAE_OK && m->variational) {
        s = clae__buf_create(dev, codes, &m->eps);
        if (s == CLAE_OK) s = clae__buf_create(dev, codes, &m->z);
    }
    if (s == CLAE_OK && m->wta_percent > 0) s = clae__buf_create(dev, codes, &m->wta_mask);
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
    for (int i = 0; i < m->n_layers; i++) clae__buf_release(&m->layers[i].y);
    for (int k = 0; k < 2; k++) clae__buf_release(&m->delta[k]);
    clae__buf_release(&m->recon);
    clae__buf_release(&m->partial);
    clae__buf_release(&m->code_grad);
    clae__buf_release(&m->unit_values);
    clae__buf_release(&m->code_partial);
    clae__buf_release(&m->wta_mask);
    clae__buf_release(&m->unit_g2);
    clae__buf_release(&m->jac_values);
    clae__buf_release(&m->eps);
    clae__buf_release(&m->z);
    clae__buf_release(&m->params);
    clae__buf_release(&m->grads);
    free(m);
}

clae_status clae__model_init(clae_model *m, uint64_t seed)
{
    clae_status s = CLAE_OK;
    for (int i = 0; i < m->n_layers && s == CLAE_OK; i++) {
        clae_layer *l = &m->layers[i];
        float bound = 1.0f / sqrtf((float)l->in);
        if (!l->tied)
            s = clae__rng_uniform(m->dev, (size_t)l->in * (size_t)l->out, &m->params, l->w_off,
                                  seed, (uint32_t)(2 * i), -bound, bound);
        if (s == CLAE_OK)
            s = clae__rng_uniform(m->dev, (size_t)l->out, &m->params, l->b_off, seed,
                                  (uint32_t)(2 * i + 1), -bound, bound);
    }
    return s;
}

/* Separates the draws of eps from the initialisation's under the same seed. */
#define EPS_KEY 0x65707331ULL

static clae_param_store store_of(clae_model *m)
{
    return (clae_param_store){&m->params, &m->grads};
}

/* What the code layer's output becomes before the decoder reads it: the
 * winner-take-all selection, or a VAE's sample (the mean at inference). */
static clae_status transform_code(clae_model *m, size_t batch)
{
    clae_layer *l = &m->layers[m->code_layer];
    if (!m->wta_bypass && m->wta_percent > 0)
        return clae__wta_select(m->dev, batch, (size_t)l->out,
                                clae__wta_keep(m->wta_percent, batch), &l->y, 0, &m->wta_mask);
    if (!m->variational) return CLAE_OK;
    size_t n = batch * (size_t)m->code;
    clae_status s = m->sampling ? clae__rng_normal(m->dev, n, &m->eps, 0, m->seed ^ EPS_KEY,
                                                   (uint32_t)m->step, 0.0f, 1.0f)
                                : CLAE_OK;
    if (s == CLAE_OK)
        s = clae__reparam_fwd(m->dev, batch, (size_t)m->code, &l->y, &m->eps, &m->z, m->sampling);
    return s;
}

/* The buffer layer i reads (x for the first layer). */
static const clae_buf *layer_input(const clae_model *m, int i, const clae_buf *x)
{
    if (i == 0) return x;
    if (i == m->code_layer + 1 && m->variational) return &m->z;
    return &m->layers[i - 1].y;
}

static clae_status forward_layers(clae_model *m, int first, const clae_buf *x, size_t x_off,
                                  size_t batch)
{
    clae_param_store ps = store_of(m);
    for (int i = first; i < m->n_layers; i++) {
        clae_layer *l = &m->layers[i];
        const clae_buf *in = i == first ? x : layer_input(m, i, x);
        clae_status s = l->ops->forward(l, m->dev, &ps, in, i == first ? x_off : 0, batch);
        if (s == CLAE_OK && i == m->code_layer) s = transform_code(m, batch);
        if (s != CLAE_OK) return s;
    }
    return CLAE_OK;
}

clae_status clae__model_forward(clae_model *m, const clae_buf *x, size_t x_off, size_t batch)
{
    return forward_layers(m, 0, x, x_off, batch);
}

clae_status clae__model_decode(clae_model *m, const clae_buf *z, size_t batch)
{
    return forward_layers(m, m->code_layer + 1, z, 0, batch);
}

/* The sparsity penalty of the code: its value to out[out_off], its gradient
 * (when asked) to code_grad. L1 is weight · mean |h| over the batch's codes;
 * KL is weight · mean over units of KL(target ‖ the unit's mean activation). */
static clae_status code_penalty(clae_model *m, size_t batch, int with_grad, clae_buf *out,
                                size_t out_off)
{
    const clae_buf *h = clae__model_code(m);
    size_t cols = (size_t)m->code, n = batch * cols;
    clae_buf *dh = with_grad ? &m->code_grad : NULL;
    clae_status s = CLAE_OK;
    if (m->sparsity == CLAE_SPARSITY_L1) {
        float scale = m->sparsity_weight / (float)n;
        s = clae__sparsity_l1(m->dev, n, h, 0, dh, scale, &m->code_partial);
        if (s == CLAE_OK)
            s = clae__reduce_sum(m->dev, clae__loss_partials(m->dev, n), &m->code_partial, 0, out,
                                 out_off, scale);
        return s;
    }
    float scale = m->sparsity_weight / (float)cols;
    s = clae__sparsity_kl(m->dev, batch, cols, h, 0, dh, m->sparsity_target, scale,
                          &m->unit_values);
    if (s == CLAE_OK) s = clae__reduce_sum(m->dev, cols, &m->unit_values, 0, out, out_off, scale);
    return s;
}

clae_status clae__model_loss(clae_model *m, const clae_buf *target, size_t t_off, size_t batch,
                             int with_grad, clae_buf *out, size_t out_off)
{
    if (with_grad && (m->sparsity != CLAE_SPARSITY_NONE || m->contractive > 0)) {
        /* the code penalties add their gradients here */
        clae_status s = clae__buf_fill(m->dev, &m->code_grad, 0, batch * (size_t)m->code, 0.0f);
        if (s != CLAE_OK) return s;
    }
    if (m->sparsity != CLAE_SPARSITY_NONE) {
        clae_status s = code_penalty(m, batch, with_grad, out, out_off + (size_t)m->term_sparsity);
        if (s != CLAE_OK) return s;
    }
    if (m->contractive > 0) {
        /* lambda times the mean over the batch of ‖J‖²_F; its part through W is
         * added after the code layer's backward (see clae__model_backward) */
        const clae_layer *l = &m->layers[m->code_layer];
        float scale = m->contractive / (float)batch;
        clae_status s = clae__contractive_fwd(m->dev, batch, (size_t)l->out, (size_t)l->in,
                                              (int)l->activation, &l->y, &m->params, l->w_off,
                                              with_grad ? &m->code_grad : NULL, scale,
                                              &m->unit_g2, &m->jac_values);
        if (s == CLAE_OK)
            s = clae__reduce_sum(m->dev, (size_t)l->out, &m->jac_values, 0, out,
                                 out_off + (size_t)m->term_contractive, scale);
        if (s != CLAE_OK) return s;
    }
    if (m->variational) {
        /* the KL is weighed against a reconstruction that is a mean per value:
         * divided by the values of a sample, as the ELBO per value */
        size_t n = batch * (size_t)m->code;
        clae_status s = clae__vae_kl(m->dev, batch, (size_t)m->code,
                                     &m->layers[m->code_layer].y, &m->code_partial);
        if (s == CLAE_OK)
            s = clae__reduce_sum(m->dev, clae__loss_partials(m->dev, n), &m->code_partial, 0, out,
                                 out_off + (size_t)m->term_kl,
                                 m->kl_weight / ((float)batch * (float)m->input_dim));
        if (s != CLAE_OK) return s;
    }
    size_t n = batch * (size_t)m->input_dim;
    float scale = 1.0f / (float)n;
    const clae_buf *y = &m->layers[m->n_layers - 1].y;
    clae_buf *grad = with_grad ? &m->delta[0] : NULL;
    clae_status s = m->output_logits
                        ? clae__bce_logits_loss(m->dev, n, y, 0, target, t_off, grad, 0, scale,
                                                &m->partial)
                        : clae__mse_loss(m->dev, n, y, 0, target, t_off, grad, 0, scale,
                                         &m->partial);
    if (s != CLAE_OK) return s;
    return clae__reduce_sum(m->dev, clae__loss_partials(m->dev, n), &m->partial, 0, out, out_off,
                            scale);
}

clae_status clae__model_reconstruction(clae_model *m, size_t batch, const clae_buf **out)
{
    const clae_buf *y = &m->layers[m->n_layers - 1].y;
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
    size_t n = batch * (size_t)m->input_dim;
    float scale = 1.0f / (float)n;
    s = clae__mse_loss(m->dev, n, recon, 0, target, t_off, NULL, 0, scale, &m->partial);
    if (s != CLAE_OK) return s;
    return clae__reduce_sum(m->dev, clae__loss_partials(m->dev, n), &m->partial, 0, out, out_off,
                            scale);
}

/* At the code: add the penalties' gradient, stop what winner-take-all
 * dropped, or (VAE) turn the gradient at z into the heads' gradient, KL
 * included. Returns the buffer that now holds the code layer's dy. */
static clae_status backward_through_code(clae_model *m, size_t batch, clae_buf *dcode,
                                         clae_buf *spare, clae_buf **dy)
{
    size_t n = batch * (size_t)m->code;
    clae_status s = CLAE_OK;
    *dy = dcode;
    if (m->sparsity != CLAE_SPARSITY_NONE || m->contractive > 0)
        s = clae__add_inplace(m->dev, n, &m->code_grad, dcode, 0);
    if (s == CLAE_OK && !m->wta_bypass && m->wta_percent > 0)
        s = clae__mask_mul(m->dev, n, &m->wta_mask, dcode, 0);
    if (s == CLAE_OK && m->variational) {
        float kl_scale = m->kl_weight / ((float)batch * (float)m->input_dim);
        s = clae__reparam_bwd(m->dev, batch, (size_t)m->code, &m->layers[m->code_layer].y,
                              &m->eps, dcode, kl_scale, spare);
        *dy = spare;
    }
    return s;
}

clae_status clae__model_backward(clae_model *m, const clae_buf *x, size_t x_off, size_t batch)
{
    clae_param_store ps = store_of(m);
    /* the gradient at the current layer's output, and the other buffer */
    clae_buf *dy = &m->delta[0], *other = &m->delta[1];
    for (int i = m->n_layers - 1; i >= 0; i--) {
        clae_layer *l = &m->layers[i];
        clae_status s = CLAE_OK;
        if (i == m->code_layer) {
            clae_buf *moved = NULL;
            s = backward_through_code(m, batch, dy, other, &moved);
            if (moved == other) { /* the heads' gradient went to the other buffer */
                other = dy;
                dy = moved;
            }
        }
        clae_buf *dx = i > 0 ? other : NULL;
        if (s == CLAE_OK)
            s = l->ops->backward(l, m->dev, &ps, layer_input(m, i, x), i > 0 ? 0 : x_off, dy, dx,
                                 batch);
        if (s == CLAE_OK && i == m->code_layer && m->contractive > 0)
            s = clae__contractive_wgrad(m->dev, (size_t)l->out, (size_t)l->in, &m->params,
                                        l->w_off, &m->grads, &m->unit_g2,
                                        m->contractive / (float)batch);
        if (s != CLAE_OK) return s;
        clae_buf *t = dy;
        dy = other;
        other = t;
    }
    return CLAE_OK;
}

clae_status clae__model_jacobian(clae_model *m, size_t batch, clae_buf *out, size_t out_off)
{
    const clae_layer *l = &m->layers[m->code_layer];
    clae_status s = clae__contractive_fwd(m->dev, batch, (size_t)l->out, (size_t)l->in,
                                          (int)l->activation, &l->y, &m->params, l->w_off, NULL,
                                          0.0f, &m->unit_g2, &m->jac_values);
    if (s == CLAE_OK)
        s = clae__reduce_sum(m->dev, (size_t)l->out, &m->jac_values, 0, out, out_off,
                             1.0f / (float)batch);
    return s;
}

clae_status clae__model_kl(clae_model *m, size_t batch, clae_buf *out, size_t out_off)
{
    size_t n = batch * (size_t)m->code;
    clae_status s = clae__vae_kl(m->dev, batch, (size_t)m->code, &m->layers[m->code_layer].y,
                                 &m->code_partial);
    if (s == CLAE_OK)
        s = clae__reduce_sum(m->dev, clae__loss_partials(m->dev, n), &m->code_partial, 0, out,
                             out_off, 1.0f / (float)batch);
    return s;
}

const clae_buf *clae__model_code(const clae_model *m)
{
    return m->variational ? &m->z : &m->layers[m->code_layer].y;
}

int clae__model_param_tensors(const clae_model *m, clae_param_info *infos, int max)
{
    int n = 0;
    for (int i = 0; i < m->n_layers; i++) {
        const clae_layer *l = &m->layers[i];
        if (!l->tied) {
            if (n < max)
                infos[n] = (clae_param_info){"", l->w_off, (size_t)l->in * (size_t)l->out, 2,
                                             {(size_t)l->out, (size_t)l->in}};
            if (n < max) snprintf(infos[n].name, sizeof infos[n].name, "%s.weight", l->name);
            n++;
        }
        if (n < max) {
            infos[n] = (clae_param_info){"", l->b_off, (size_t)l->out, 1, {(size_t)l->out, 0}};
            snprintf(infos[n].name, sizeof infos[n].name, "%s.bias", l->name);
        }
        n++;
    }
    return n;
}
