/* One training step: the unit that train and bench both run. */
#include "train/step.h"

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
    clae_status s = forward_backward(m, x, target, rows, losses, loss_off);
    if (s == CLAE_OK) s = clae__optimizer_step(m->dev, opt, &m->params, &m->grads);
    return s;
}

clae_micro_batch clae__micro_batch(size_t b, size_t count, size_t micro_rows, int per_step)
{
    size_t k = (size_t)per_step, first = b * micro_rows, step_first = b / k * k * micro_rows;
    size_t step_end = step_first + k * micro_rows < count ? step_first + k * micro_rows : count;
    clae_micro_batch mb;
    mb.rows = count - first < micro_rows ? count - first : micro_rows;
    mb.step_rows = step_end - step_first;
    mb.index = (int)(b % k);
    mb.last = first + mb.rows == step_end;
    return mb;
}

clae_status clae__train_micro_step(clae_model *m, clae_optimizer *opt, const clae_buf *x,
                                   const clae_buf *target, clae_micro_batch mb, clae_buf *losses,
                                   size_t loss_off)
{
    if (opt->accumulate <= 1) return clae__train_step(m, opt, x, target, mb.rows, losses, loss_off);
    m->step = opt->steps * (uint64_t)opt->accumulate + (uint64_t)mb.index;
    clae_status s = forward_backward(m, x, target, mb.rows, losses, loss_off);
    size_t n = m->params.count;
    if (s == CLAE_OK && mb.index == 0) s = clae__buf_fill(m->dev, &opt->grad_sum, 0, n, 0.0f);
    if (s == CLAE_OK)
        s = clae__add_inplace(m->dev, n, &m->grads, &opt->grad_sum, 0,
                              (float)((double)mb.rows / (double)mb.step_rows));
    if (s == CLAE_OK && mb.last) s = clae__optimizer_step(m->dev, opt, &m->params, &opt->grad_sum);
    return s;
}
