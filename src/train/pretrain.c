/* Greedy layer-wise pretraining (Bengio et al., 2007; Vincent et al., 2010).
 *
 * Stage k trains encoder layer k together with its mirror decoder layer as a
 * one-layer autoencoder on the codes of stage k-1 (the data for k = 0). Those
 * codes are computed once per stage and cached on the device, so the earlier
 * layers are frozen. A stage's weights are copied into the full model, which
 * is then fine-tuned as a whole by the usual training loop. The spec rules
 * limit it to dense stacks with a mirrored decoder.
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

/* The full model's dense encoder layer k (k = n_encoder: the code layer) and its mirror. */
static clae_layer *encoder_layer(const clae_run *r, int k)
{
    return r->model->layers[r->model->code_layer - r->spec->n_encoder + k];
}

static clae_layer *mirror_layer(const clae_run *r, int k)
{
    return r->model->layers[r->model->first_decoder + r->spec->n_encoder - k];
}

/* The spec of stage k: input -> layer k -> mirror of layer k. */
static clae_spec stage_spec(const clae_run *r, int k)
{
    clae_spec st = *r->spec;
    st.text = NULL; /* the copy owns nothing */
    st.n_encoder = 0;
    st.model.code = (int)clae_shape_size(encoder_layer(r, k)->out);
    st.code_activation = encoder_layer(r, k)->activation;
    st.train.seed = r->spec->train.seed ^ (STAGE_SEED_KEY + (uint64_t)k);
    if (k > 0) {
        st.model.output = encoder_layer(r, k - 1)->activation;
        st.loss.reconstruction = CLAE_RECON_MSE;
        st.noise.gaussian = st.noise.mask = 0.0;
    }
    return st;
}

static clae_status interrupted(const clae_run *r, int k)
{
    return clae__fail(r->ctx, CLAE_EINTERRUPTED,
                      "interrupted in pretraining stage %d; nothing was saved yet", k + 1);
}

/* Trains a stage on `input` (count rows of width values), batch by batch
 * through its own batch buffer of that width. */
static clae_status train_stage(clae_run *r, int k, const clae_spec *st, clae_model *sm,
                               clae_optimizer *opt, const clae_buf *input, size_t width,
                               double *loss)
{
    size_t count = r->train.count, batch = r->batch, batches = (count + batch - 1) / batch;
    clae_buf batch_x = {0};
    clae_status s = clae__buf_create(r->dev, sm->batch_max * width, &batch_x);
    for (int epoch = 1; epoch <= st->train.pretrain_epochs && s == CLAE_OK; epoch++) {
        double start = clae__now_seconds();
        clae_shuffle(r->perm, count, st->train.seed, (uint64_t)epoch);
        s = clae__buf_write(r->dev, &r->order, 0, count, r->perm);
        for (size_t b = 0; b < batches && s == CLAE_OK; b++) {
            clae_micro_batch mb = clae__micro_batch(b, count, batch, opt->accumulate, r->dist);
            if (mb.rows > 0)
                s = clae__gather_rows(r->dev, mb.rows, width, input, &r->order, mb.first,
                                      &batch_x, 0);
            opt->stop_local = r->opts->stop && *r->opts->stop;
            if (s == CLAE_OK) s = clae__train_micro_step(sm, opt, &batch_x, &batch_x, mb, &r->losses, b);
            if (s == CLAE_OK && clae__stop_after(opt, mb))
                s = interrupted(r, k);
        }
        if (s == CLAE_OK) s = clae__buf_read(r->dev, &r->losses, 0, batches, r->host_losses);
        if (s != CLAE_OK) break;
        double sums[2] = {0.0, 0.0}; /* the loss over rows, the rows: this rank's, then all */
        for (size_t b = 0; b < batches; b++) {
            size_t rows = clae__micro_batch(b, count, batch, 1, r->dist).rows;
            if (rows) sums[0] += r->host_losses[b] * (double)rows;
            sums[1] += (double)rows;
        }
        s = clae_dist_sum_doubles(r->ctx, r->dist, sums, 2);
        if (s != CLAE_OK) break;
        *loss = sums[0] / sums[1];
        if (!(*loss == *loss) || *loss > 1e30) {
            s = clae__fail(r->ctx, CLAE_EDIVERGED,
                           "pretraining stage %d diverged in epoch %d (try a lower "
                           "learning_rate)", k + 1, epoch);
            break;
        }
        if (r->opts->progress) {
            clae_progress p = {.epoch = epoch, .epochs = st->train.pretrain_epochs,
                               .train_loss = *loss, .epoch_done = 1, .stage = k + 1,
                               .stages = r->spec->n_encoder + 1};
            p.epoch_seconds = clae__now_seconds() - start;
            p.samples_per_second = (double)count / p.epoch_seconds;
            r->opts->progress(r->opts->progress_user, &p);
        }
    }
    clae__buf_release(&batch_x);
    return s;
}

/* Copies a stage's weights and biases into the full model's layer k and its mirror. */
static clae_status adopt_stage(clae_run *r, int k, const clae_model *sm)
{
    const clae_layer *se = sm->layers[sm->code_layer], *sd = sm->layers[sm->n_layers - 1];
    const clae_layer *fe = encoder_layer(r, k), *fd = mirror_layer(r, k);
    size_t weights = clae_shape_size(se->in) * clae_shape_size(se->out);
    size_t out = clae_shape_size(se->out), in = clae_shape_size(se->in);
    clae_status s = clae__buf_copy(r->dev, &sm->params, se->w_off, &r->model->params, fe->w_off,
                                   weights);
    if (s == CLAE_OK)
        s = clae__buf_copy(r->dev, &sm->params, se->b_off, &r->model->params, fe->b_off, out);
    if (s == CLAE_OK && !r->spec->model.tied)
        s = clae__buf_copy(r->dev, &sm->params, sd->w_off, &r->model->params, fd->w_off, weights);
    if (s == CLAE_OK)
        s = clae__buf_copy(r->dev, &sm->params, sd->b_off, &r->model->params, fd->b_off, in);
    return s;
}

/* The codes of a stage's encoder layer for every training row, cached for the next stage. */
static clae_status cache_codes(clae_run *r, clae_model *sm, const clae_buf *input, size_t width,
                               clae_buf *codes)
{
    const clae_layer *code = sm->layers[sm->code_layer];
    size_t count = r->train.count, out = clae_shape_size(code->out);
    clae_status s = clae__buf_create(r->dev, count * out, codes);
    for (size_t first = 0; first < count && s == CLAE_OK; first += sm->batch_max) {
        size_t n = count - first < sm->batch_max ? count - first : sm->batch_max;
        s = clae__model_forward(sm, input, first * width, n, CLAE_EVALUATION);
        if (s == CLAE_OK) s = clae__buf_copy(r->dev, &code->y, 0, codes, first * out, n * out);
    }
    return s;
}

clae_status clae__pretrain_greedy(clae_run *r)
{
    int stages = r->spec->n_encoder + 1;
    clae_buf cache = {0}, next = {0};
    const clae_buf *input = &r->train_x;
    clae_shape shape = {r->train.channels, r->train.height, r->train.width};
    clae_status s = CLAE_OK;
    for (int k = 0; k < stages && s == CLAE_OK; k++) {
        clae_spec st = stage_spec(r, k);
        clae_model *sm = NULL;
        clae_optimizer opt;
        memset(&opt, 0, sizeof opt);
        double loss = 0.0;
        size_t width = clae_shape_size(shape);
        s = clae__model_create(r->dev, &st, shape, r->model->batch_max, &sm);
        if (s == CLAE_OK) s = clae__optimizer_create(r->dev, &st, sm->n_params, &opt);
        if (s == CLAE_OK) s = clae__optimizer_join(r->dev, &opt, r->dist, sm->n_params);
        if (s == CLAE_OK) s = clae__model_init(sm, st.train.seed);
        if (s == CLAE_OK) s = train_stage(r, k, &st, sm, &opt, input, width, &loss);
        if (s == CLAE_OK) s = adopt_stage(r, k, sm);
        if (s == CLAE_OK && k + 1 < stages) s = cache_codes(r, sm, input, width, &next);
        if (s == CLAE_OK) {
            char name[32];
            snprintf(name, sizeof name, "pretrain_loss_%d", k + 1);
            clae_result_set(r->result, name, loss);
            clae__buf_release(&cache);
            cache = next;
            memset(&next, 0, sizeof next);
            input = &cache;
            shape = clae_shape_flat(clae_shape_size(encoder_layer(r, k)->out));
        }
        clae__optimizer_release(&opt);
        clae__model_destroy(sm);
    }
    clae__buf_release(&cache);
    clae__buf_release(&next);
    return s;
}
