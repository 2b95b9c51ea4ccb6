/* One training step: the unit that train and bench both run. */
#include "train/step.h"

#include <time.h>

#include "kernels/ops.h"

static clae_status forward_backward(clae_model *m, const clae_buf *x, const clae_buf *target,
                                    size_t rows, clae_buf *losses, size_t loss_off)
{
    clae_status s = clae__model_forward(m, x, 0, rows, CLAE_TRAINING);
    if (s == CLAE_OK) s = clae__model_loss(m, target, 0, rows, CLAE_TRAINING, 1, losses, loss_off);
    if (s == CLAE_OK) s = clae__model_backward(m, x, 0, rows, CLAE_TRAINING);
    return s;
}

clae_status clae__train_step(clae_model *m, clae_optimizer *opt, const clae_buf *x,
                             const clae_buf *target, size_t rows, clae_buf *losses,
                             size_t loss_off)
{
    m->step = opt->steps; /* noise, dropout and a VAE's eps are keyed by the step */
    m->row_base = 0;
    clae_status s = forward_backward(m, x, target, rows, losses, loss_off);
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

/* The step's gradient summed over the ranks, with each rank's stop request
 * (its last value): every rank then holds the same gradient and the same
 * answer to "stop now?". */
static double seconds_now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static clae_status sum_over_ranks(clae_model *m, clae_optimizer *opt)
{
    size_t n = m->params.count;
    double t0 = seconds_now();
    clae_status s = clae__buf_read(m->dev, &opt->grad_sum, 0, n, opt->host_sum);
    if (s != CLAE_OK) return s;
    opt->host_sum[n] = opt->stop_local ? 1.0f : 0.0f;
    double t1 = seconds_now();
    s = clae_dist_sum(m->dev->ctx, opt->dist, opt->host_sum, n + 1);
    if (s != CLAE_OK) return s;
    opt->sum_seconds += seconds_now() - t1;
    opt->stop_all = opt->host_sum[n] > 0.0f;
    s = clae__buf_write(m->dev, &opt->grad_sum, 0, n, opt->host_sum);
    opt->exchange_seconds += seconds_now() - t0;
    opt->sums++;
    return s;
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
    clae_status s = mb.index == 0 ? clae__buf_fill(m->dev, &opt->grad_sum, 0, n, 0.0f) : CLAE_OK;
    if (s == CLAE_OK && mb.rows > 0) { /* a rank's share of a short batch may be empty */
        s = forward_backward(m, x, target, mb.rows, losses, loss_off);
        if (s == CLAE_OK)
            s = clae__add_inplace(m->dev, n, &m->grads, &opt->grad_sum, 0,
                                  (float)((double)mb.rows / (double)mb.step_rows));
    }
    if (s == CLAE_OK && mb.last && ranks > 1) s = sum_over_ranks(m, opt);
    if (s == CLAE_OK && mb.last) s = clae__optimizer_step(m->dev, opt, &m->params, &opt->grad_sum);
    return s;
}
