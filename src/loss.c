/* Host wrappers of cl/loss.cl. */
#include "ops.h"

size_t clae__loss_partials(const clae_device *dev, size_t n)
{
    return (n + dev->work_group - 1) / dev->work_group;
}

static clae_status launch_loss(clae_device *dev, clae_kernel_id k, size_t n, const clae_buf *y,
                               size_t y_off, const clae_buf *t, size_t t_off, clae_buf *grad,
                               size_t grad_off, float scale, clae_buf *partial)
{
    if (partial->count < clae__loss_partials(dev, n))
        return clae__fail(dev->ctx, CLAE_EUSAGE, "loss: partial-sum buffer too small");
    return CLAE_LAUNCH(dev, k, n, 0, KU(n), KM(y), KU(y_off), KM(t), KU(t_off),
                       grad ? KM(grad) : KNULL, KU(grad_off), KF(scale), KM(partial),
                       KLOCAL(dev->work_group * sizeof(float)));
}

clae_status clae__mse_loss(clae_device *dev, size_t n, const clae_buf *y, size_t y_off,
                           const clae_buf *t, size_t t_off, clae_buf *grad, size_t grad_off,
                           float scale, clae_buf *partial)
{
    return launch_loss(dev, CLAE_K_mse_loss, n, y, y_off, t, t_off, grad, grad_off, scale,
                       partial);
}

clae_status clae__bce_logits_loss(clae_device *dev, size_t n, const clae_buf *z, size_t z_off,
                                  const clae_buf *t, size_t t_off, clae_buf *grad,
                                  size_t grad_off, float scale, clae_buf *partial)
{
    return launch_loss(dev, CLAE_K_bce_logits_loss, n, z, z_off, t, t_off, grad, grad_off, scale,
                       partial);
}
