/* Greedy layer-wise pretraining (Bengio et al., 2007; Vincent et al., 2010).
 *
 * Stage k trains encoder layer k together with its mirror decoder layer as a
 * one-layer autoencoder on the codes of stage k-1 (the data for k = 0). Those
 * codes are computed once per stage and cached on the device, so the earlier
 * layers are frozen. A stage's weights are copied into the full model, which
 * is then fine-tuned as a whole by the usual training loop.
 *
 * Stage 0 reconstructs the data with the spec's output and loss (and its
 * noise, for a stacked denoising autoencoder); later stages reconstruct codes,
 * with the activation that made them and MSE, without noise (codes need not
 * lie in the [0, 1] the noise clips to). */
#include <stdio.h>
#include <string.h>

#include "kernels/ops.h"
#include "train/pretrain.h"
#include "train/step.h"

#define STAGE_SEED_KEY 0x7374616765ULL /* "stage": each stage's own init and order */

/* The spec of stage k: input -> layer k -> mirror of layer k. */
static clae_spec stage_spec(const clae_run *r, int k)
{
    const clae_model *m = r->model;
    clae_spec st = *r->spec;
    st.text = NULL; /* the copy owns nothing */
    st.n_encoder = 0;
    st.model.code = m->layers[k].out;
    st.code_activation = m->layers[k].activation;
    if (k > 0) {
        st.model.output = m->layers[k - 1].activation;
        st.loss.reconstruction = CLAE_RECON_MSE;
        st.noise.gaussian = st.noise.mask = 0.0;
    }
    return st;
}

static clae_status train_stage(clae_run *r, int k, clae_model *sm, clae_optimizer *opt,
                               const clae_buf *input, size_t width, double *loss)
{
    const clae_spec *st = r->spec;
    size_t count = r->train.count, batch = sm->batch_max, batches = (count + batch - 1) / batch;
    uint64_t seed = st->train.seed ^ (STAGE_SEED_KEY + (uint64_t)k);
    int noisy = k == 0 && r->denoising;
    clae_status s = CLAE_OK;
    for (int epoch = 1; epoch <= st->train.pretrain_epochs && s == CLAE_OK; epoch++) {
        double start = clae__now_seconds();
        clae_shuffle(r->perm, count, seed, (uint64_t)epoch);
        s = clae__buf_write(r->dev, &r->order, 0, count, r->perm);
        for (size_t b = 0; b < batches && s == CLAE_OK; b++) {
            size_t left = count - b * batch, rows = left < batch ? left : batch;
            s = clae__gather_rows(r->dev, rows, width, input, &r->order, b * batch, &r->batch_x, 0);
            if (s == CLAE_OK && noisy)
                s = clae__corrupt(r->dev, rows * width, &r->batch_x, 0, &r->noisy_x, 0,
                                  r->noise_seed ^ seed, (uint32_t)opt->steps,
                                  (float)st->noise.gaussian, (float)st->noise.mask);
            if (s == CLAE_OK)
                s = clae__train_step(sm, opt, noisy ? &r->noisy_x : &r->batch_x, &r->batch_x,
                                     rows, &r->losses, b);
        }
        if (s == CLAE_OK) s = clae__buf_read(r->dev, &r->losses, 0, batches, r->host_losses);
        if (s != CLAE_OK) break;
        double sum = 0.0;
        for (size_t b = 0; b < batches; b++) {
            size_t left = count - b * batch, rows = left < batch ? left : batch;
            sum += r->host_losses[b] * (double)rows;
        }
        *loss = sum / (double)count;
        if (!(*loss == *loss) || *loss > 1e30)
            return clae__fail(r->ctx, CLAE_EDIVERGED,
                              "pretraining stage %d diverged in epoch %d (try a lower "
                              "learning_rate)", k + 1, epoch);
        if (r->opts->progress) {
            clae_progress p = {.epoch = epoch, .epochs = st->train.pretrain_epochs,
                               .train_loss = *loss, .epoch_done = 1, .stage = k + 1,
                               .stages = r->model->code_layer + 1};
            p.epoch_seconds = clae__now_seconds() - start;
            p.samples_per_second = (double)count / p.epoch_seconds;
            r->opts->progress(r->opts->progress_user, &p);
        }
    }
    return s;
}

/* Copies a stage's weights and biases into the full model's layer k and its mirror. */
static clae_status adopt_stage(clae_run *r, int k, const clae_model *sm)
{
    clae_model *m = r->model;
    const clae_layer *se = &sm->layers[0], *sd = &sm->layers[1];
    const clae_layer *fe = &m->layers[k], *fd = &m->layers[2 * m->code_layer + 1 - k];
    size_t weights = (size_t)se->in * (size_t)se->out;
    clae_status s = clae__buf_copy(r->dev, &sm->params, se->w_off, &m->params, fe->w_off, weights);
    if (s == CLAE_OK)
        s = clae__buf_copy(r->dev, &sm->params, se->b_off, &m->params, fe->b_off, (size_t)se->out);
    if (s == CLAE_OK && !sd->tied)
        s = clae__buf_copy(r->dev, &sm->params, sd->w_off, &m->params, fd->w_off, weights);
    if (s == CLAE_OK)
        s = clae__buf_copy(r->dev, &sm->params, sd->b_off, &m->params, fd->b_off, (size_t)sd->out);
    return s;
}

/* The codes of a stage's encoder layer for every training row, cached for the next stage. */
static clae_status cache_codes(clae_run *r, clae_model *sm, const clae_buf *input, size_t width,
                               clae_buf *codes)
{
    size_t count = r->train.count, out = (size_t)sm->layers[0].out;
    clae_status s = clae__buf_create(r->dev, count * out, codes);
    for (size_t first = 0; first < count && s == CLAE_OK; first += sm->batch_max) {
        size_t n = count - first < sm->batch_max ? count - first : sm->batch_max;
        s = clae__model_forward(sm, input, first * width, n);
        if (s == CLAE_OK) s = clae__buf_copy(r->dev, &sm->layers[0].y, 0, codes, first * out, n * out);
    }
    return s;
}

clae_status clae__pretrain_greedy(clae_run *r)
{
    clae_model *m = r->model;
    int stages = m->code_layer + 1;
    clae_buf cache = {0}, next = {0};
    const clae_buf *input = &r->train_x;
    size_t width = r->train.dim;
    clae_status s = CLAE_OK;
    for (int k = 0; k < stages && s == CLAE_OK; k++) {
        clae_spec st = stage_spec(r, k);
        clae_model *sm = NULL;
        clae_optimizer opt;
        memset(&opt, 0, sizeof opt);
        double loss = 0.0;
        s = clae__model_create(r->dev, &st, (int)width, m->batch_max, &sm);
        if (s == CLAE_OK) s = clae__optimizer_create(r->dev, &st, sm->n_params, &opt);
        if (s == CLAE_OK) s = clae__model_init(sm, st.train.seed ^ (STAGE_SEED_KEY + (uint64_t)k));
        if (s == CLAE_OK) s = train_stage(r, k, sm, &opt, input, width, &loss);
        if (s == CLAE_OK) s = adopt_stage(r, k, sm);
        if (s == CLAE_OK && k + 1 < stages) s = cache_codes(r, sm, input, width, &next);
        if (s == CLAE_OK) {
            r->result->pretrain_losses[k] = loss;
            r->result->pretrain_stages = k + 1;
            clae__buf_release(&cache);
            cache = next;
            memset(&next, 0, sizeof next);
            input = &cache;
            width = (size_t)m->layers[k].out;
        }
        clae__optimizer_release(&opt);
        clae__model_destroy(sm);
    }
    clae__buf_release(&cache);
    clae__buf_release(&next);
    return s;
}
