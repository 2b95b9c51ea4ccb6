/* Host wrappers of cl/loss.cl. */
#include "kernels/ops.h"

/* Partial sums of a loss launch: one per work group (clae__flat_shape). */
size_t clae__loss_partials(const clae_device *dev, size_t n)
{
    size_t run, local, groups;
    clae__flat_shape(dev, n, &run, &local, &groups);
    return groups;
}

static clae_status launch_loss(clae_device *dev, clae_kernel_id k, size_t n, const clae_buf *y,
                               size_t y_off, const clae_buf *t, size_t t_off, clae_buf *grad,
                               size_t grad_off, float scale, clae_buf *partial)
{
    size_t run, local, groups;
    clae__flat_shape(dev, n, &run, &local, &groups);
    if (partial->count < groups)
        return clae__fail(dev->ctx, CLAE_EINTERNAL, "loss: partial-sum buffer too small");
    clae__launch_bytes(dev, 4 * ((grad ? 3 : 2) * n + groups));
    return CLAE_LAUNCH(dev, k, groups * local, local, KU(n), KM(y), KU(y_off), KM(t), KU(t_off),
                       grad ? KM(grad) : KNULL, KU(grad_off), KF(scale), KM(partial),
                       KLOCAL(local * sizeof(float)), KU(run));
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
