/* One training step: the unit that train and bench both run. */
#include "train/step.h"

#include "kernels/ops.h"

static clae_status forward_backward(clae_model *m, const clae_buf *x, const clae_buf *target,
                                    size_t rows, clae_buf *losses, size_t loss_off,
                                    clae_backward_done done, void *arg)
{
    clae_status s = clae__model_forward(m, x, 0, rows, CLAE_TRAINING);
    if (s == CLAE_OK) s = clae__model_loss(m, target, 0, rows, CLAE_TRAINING, 1, losses, loss_off);
    if (s == CLAE_OK) s = clae__model_backward_each(m, x, 0, rows, CLAE_TRAINING, done, arg);
    return s;
}

clae_status clae__train_step(clae_model *m, clae_optimizer *opt, const clae_buf *x,
                             const clae_buf *target, size_t rows, clae_buf *losses,
                             size_t loss_off)
{
    m->step = opt->steps; /* noise, dropout and a VAE's eps are keyed by the step */
    m->row_base = 0;
    clae_status s = forward_backward(m, x, target, rows, losses, loss_off, NULL, NULL);
    if (s == CLAE_OK) s = clae__optimizer_step(m->dev, opt, &m->params, &m->grads);
    return s;
}

static size_t min_size(size_t a, size_t b) { return a < b ? a : b; }

clae_micro_batch clae__micro_batch(size_t b, size_t count, size_t batch, int per_step,
                                   const clae_dist *dist)
{
    size_t k = (size_t)per_step, start = b * batch, end = min_size(start + batch, count);
    size_t step_start = b / k * k * batch, step_end = min_size(step_start + k * batch, count);
    size_t ranks = dist ? (size_t)dist->size : 1, rank = dist ? (size_t)dist->rank : 0;
    /* rank 0 takes the rounded-up share: it has rows whenever the batch has any,
     * so its batch-norm running statistics (the ones saved) always move */
    size_t rows = end - start, lo = (rows * rank + ranks - 1) / ranks,
           hi = (rows * (rank + 1) + ranks - 1) / ranks;
    clae_micro_batch mb;
    mb.first = start + lo;
    mb.rows = hi - lo;
    mb.step_rows = step_end - step_start;
    mb.step_row = mb.first - step_start;
    mb.index = (int)(b % k);
    mb.last = end == step_end;
    return mb;
}

int clae__stop_after(const clae_optimizer *opt, clae_micro_batch mb)
{
    return opt->dist && opt->dist->size > 1 ? mb.last && opt->stop_all : opt->stop_local;
}

/* The buckets of m's gradient, planned at the first step over ranks (greedy
 * pretraining gives each stage's model an optimiser of its own). */
static clae_status plan_buckets(clae_model *m, clae_optimizer *opt)
{
    if (opt->buckets.model == m) return CLAE_OK;
    return clae__buckets_plan(m->dev->ctx, opt->dist, m, opt->bucket_values, &opt->buckets);
}

clae_status clae__train_micro_step(clae_model *m, clae_optimizer *opt, const clae_buf *x,
                                   const clae_buf *target, clae_micro_batch mb, clae_buf *losses,
                                   size_t loss_off)
{
    int ranks = opt->dist ? opt->dist->size : 1;
    if (opt->accumulate <= 1 && ranks <= 1)
        return clae__train_step(m, opt, x, target, mb.rows, losses, loss_off);
    m->step = opt->steps; /* with m->row_base, a sample's draws are those of its place in the step */
    m->row_base = mb.step_row;
    size_t n = m->params.count;
    float weight = (float)((double)mb.rows / (double)mb.step_rows);
    clae_status s = mb.index == 0 ? clae__buf_fill(m->dev, &opt->grad_sum, 0, n, 0.0f) : CLAE_OK;
    if (s == CLAE_OK && mb.last && ranks > 1) {
        /* the gradient goes to the other ranks in buckets as backward finishes them */
        s = plan_buckets(m, opt);
        if (s != CLAE_OK) return s;
        opt->host_sum[n] = opt->stop_local ? 1.0f : 0.0f;
        clae__buckets_begin(&opt->buckets, m->dev, mb.rows > 0 ? &m->grads : NULL, &opt->grad_sum,
                            opt->host_sum, weight);
        if (mb.rows > 0) /* a rank's share of a short batch may be empty */
            s = forward_backward(m, x, target, mb.rows, losses, loss_off, clae__buckets_layer_done,
                                 &opt->buckets);
        if (s == CLAE_OK) s = clae__buckets_finish(&opt->buckets);
        opt->stop_all = opt->host_sum[n] > 0.0f;
        opt->sums++;
    } else if (s == CLAE_OK && mb.rows > 0) {
        s = forward_backward(m, x, target, mb.rows, losses, loss_off, NULL, NULL);
        if (s == CLAE_OK) s = clae__add_inplace(m->dev, n, &m->grads, 0, &opt->grad_sum, 0, weight);
    }
    if (s == CLAE_OK && mb.last) s = clae__optimizer_step(m->dev, opt, &m->params, &opt->grad_sum);
    return s;
}
