/* Host wrappers of cl/vae.cl. */
#include "kernels/ops.h"

clae_status clae__reparam_fwd(clae_device *dev, size_t rows, size_t code, const clae_buf *heads,
                              const clae_buf *eps, clae_buf *z, int sample)
{
    /* sampling reads both heads and eps; inference reads the means only */
    clae__launch_bytes(dev, 4 * rows * code * (sample ? 4 : 2));
    return CLAE_LAUNCH(dev, CLAE_K_reparam_fwd, rows * code, 0, KU(rows), KU(code), KM(heads),
                       KM(eps), KM(z), KU(sample));
}

clae_status clae__reparam_bwd(clae_device *dev, size_t rows, size_t code, const clae_buf *heads,
                              const clae_buf *eps, const clae_buf *dz, float kl_scale,
                              clae_buf *dheads)
{
    clae__launch_bytes(dev, 24 * rows * code); /* reads heads, eps, dz; writes dheads */
    return CLAE_LAUNCH(dev, CLAE_K_reparam_bwd, rows * code, 0, KU(rows), KU(code), KM(heads),
                       KM(eps), KM(dz), KF(kl_scale), KM(dheads));
}

clae_status clae__vae_kl(clae_device *dev, size_t rows, size_t code, const clae_buf *heads,
                         clae_buf *partial)
{
    size_t n = rows * code;
    if (partial->count < clae__loss_partials(dev, n))
        return clae__fail(dev->ctx, CLAE_EINTERNAL, "vae_kl: partial-sum buffer too small");
    clae__launch_bytes(dev, 4 * (2 * n + clae__loss_partials(dev, n)));
    return CLAE_LAUNCH(dev, CLAE_K_vae_kl, clae__loss_partials(dev, n) * dev->work_group, 0,
                       KU(rows), KU(code), KM(heads), KM(partial),
                       KLOCAL(dev->work_group * sizeof(float)));
}
