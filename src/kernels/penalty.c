/* Host wrappers of cl/penalty.cl. */
#include "kernels/ops.h"

clae_status clae__sparsity_l1(clae_device *dev, size_t n, const clae_buf *h, size_t h_off,
                              clae_buf *dh, float scale, clae_buf *partial)
{
    if (partial->count < clae__loss_partials(dev, n))
        return clae__fail(dev->ctx, CLAE_EINTERNAL, "sparsity_l1: partial-sum buffer too small");
    size_t global = clae__loss_partials(dev, n) * dev->work_group;
    return CLAE_LAUNCH(dev, CLAE_K_sparsity_l1, global, 0, KU(n), KM(h), KU(h_off),
                       dh ? KM(dh) : KNULL, KF(scale), KM(partial),
                       KLOCAL(dev->work_group * sizeof(float)));
}

clae_status clae__sparsity_kl(clae_device *dev, size_t rows, size_t cols, const clae_buf *h,
                              size_t h_off, clae_buf *dh, float rho, float scale,
                              clae_buf *value)
{
    return CLAE_LAUNCH(dev, CLAE_K_sparsity_kl, cols, 0, KU(rows), KU(cols), KM(h), KU(h_off),
                       dh ? KM(dh) : KNULL, KF(rho), KF(scale), KM(value));
}

clae_status clae__add_inplace(clae_device *dev, size_t n, const clae_buf *src, clae_buf *dst,
                              size_t dst_off)
{
    return CLAE_LAUNCH(dev, CLAE_K_add_inplace, n, 0, KU(n), KM(src), KM(dst), KU(dst_off));
}

clae_status clae__contractive_fwd(clae_device *dev, size_t rows, size_t units, size_t in, int act,
                                  const clae_buf *h, const clae_buf *w, size_t w_off,
                                  clae_buf *dh, float scale, clae_buf *unit_g2, clae_buf *value)
{
    return CLAE_LAUNCH(dev, CLAE_K_contractive_fwd, units, 0, KU(rows), KU(units), KU(in), KU(act),
                       KM(h), KM(w), KU(w_off), dh ? KM(dh) : KNULL, KF(scale), KM(unit_g2),
                       KM(value));
}

clae_status clae__contractive_wgrad(clae_device *dev, size_t units, size_t in, const clae_buf *w,
                                    size_t w_off, clae_buf *dw, const clae_buf *unit_g2,
                                    float scale)
{
    return CLAE_LAUNCH(dev, CLAE_K_contractive_wgrad, units * in, 0, KU(units), KU(in), KM(w),
                       KU(w_off), KM(dw), KM(unit_g2), KF(scale));
}
