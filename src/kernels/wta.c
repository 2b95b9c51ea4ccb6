/* Host wrappers of cl/wta.cl. */
#include "kernels/ops.h"

clae_status clae__wta_select(clae_device *dev, size_t rows, size_t cols, size_t keep,
                             clae_buf *h, size_t h_off, clae_buf *mask)
{
    return CLAE_LAUNCH(dev, CLAE_K_wta_select, cols, 0, KU(rows), KU(cols), KU(keep), KM(h),
                       KU(h_off), KM(mask));
}

clae_status clae__mask_mul(clae_device *dev, size_t n, const clae_buf *mask, clae_buf *dy,
                           size_t dy_off)
{
    return CLAE_LAUNCH(dev, CLAE_K_mask_mul, n, 0, KU(n), KM(mask), KM(dy), KU(dy_off));
}

clae_status clae__wta_threshold(clae_device *dev, size_t rows, size_t cols, const clae_buf *h,
                                size_t h_off, const clae_buf *mask, float momentum, clae_buf *t,
                                size_t t_off)
{
    return CLAE_LAUNCH(dev, CLAE_K_wta_threshold, cols, 0, KU(rows), KU(cols), KM(h), KU(h_off),
                       KM(mask), KF(momentum), KM(t), KU(t_off));
}

clae_status clae__wta_apply(clae_device *dev, size_t rows, size_t cols, const clae_buf *x,
                            size_t x_off, const clae_buf *t, size_t t_off, clae_buf *y,
                            clae_buf *mask)
{
    size_t n = rows * cols;
    return CLAE_LAUNCH(dev, CLAE_K_wta_apply, n, 0, KU(n), KU(cols), KM(x), KU(x_off), KM(t),
                       KU(t_off), KM(y), KM(mask));
}
