/* Host wrappers of cl/loss.cl. */
#include "kernels/ops.h"

/* Work groups of a loss launch: enough to fill the device a few times over,
 * never more than the input needs. */
size_t clae__loss_partials(const clae_device *dev, size_t n)
{
    size_t needed = (n + dev->work_group - 1) / dev->work_group;
    size_t fill = 4 * (size_t)(dev->info.compute_units ? dev->info.compute_units : 1);
    if (fill < 8) fill = 8;
    return needed < fill ? (needed ? needed : 1) : fill;
}

static clae_status launch_loss(clae_device *dev, clae_kernel_id k, size_t n, const clae_buf *y,
                               size_t y_off, const clae_buf *t, size_t t_off, clae_buf *grad,
                               size_t grad_off, float scale, clae_buf *partial)
{
    if (partial->count < clae__loss_partials(dev, n))
        return clae__fail(dev->ctx, CLAE_EINTERNAL, "loss: partial-sum buffer too small");
    size_t global = clae__loss_partials(dev, n) * dev->work_group;
    return CLAE_LAUNCH(dev, k, global, 0, KU(n), KM(y), KU(y_off), KM(t), KU(t_off),
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
