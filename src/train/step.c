/* One training step: the unit that train and bench both run. */
#include "train/step.h"

clae_status clae__train_step(clae_model *m, clae_optimizer *opt, const clae_buf *x,
                             const clae_buf *target, size_t rows, clae_buf *losses,
                             size_t loss_off)
{
    m->sampling = 1; /* a VAE draws its code; eps is keyed by the step */
    m->step = opt->steps;
    clae_status s = clae__model_forward(m, x, 0, rows);
    if (s == CLAE_OK) s = clae__model_loss(m, target, 0, rows, 1, losses, loss_off);
    if (s == CLAE_OK) s = clae__model_backward(m, x, 0, rows);
    if (s == CLAE_OK) s = clae__optimizer_step(m->dev, opt, &m->params, &m->grads);
    m->sampling = 0;
    return s;
}
