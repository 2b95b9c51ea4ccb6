/* One training step: the unit that train and bench both run. */
#include "train/step.h"

clae_status clae__train_step(clae_model *m, clae_optimizer *opt, const clae_buf *x,
                             const clae_buf *target, size_t rows, clae_buf *losses,
                             size_t loss_off)
{
    m->step = opt->steps; /* noise, dropout and a VAE's eps are keyed by the step */
    clae_status s = clae__model_forward(m, x, 0, rows, CLAE_TRAINING);
    if (s == CLAE_OK) s = clae__model_loss(m, target, 0, rows, CLAE_TRAINING, 1, losses, loss_off);
    if (s == CLAE_OK) s = clae__model_backward(m, x, 0, rows, CLAE_TRAINING);
    if (s == CLAE_OK) s = clae__optimizer_step(m->dev, opt, &m->params, &m->grads);
    return s;
}
