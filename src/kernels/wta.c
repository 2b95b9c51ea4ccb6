/* Host wrappers of cl/wta.cl. */
#include "kernels/ops.h"

clae_status clae__wta_select(clae_device *dev, size_t rows, size_t cols, size_t keep,
                             clae_buf *h, size_t h_off, clae_buf *mask)
{
    size_t run, per, global[2];
    clae__run_shape(dev, cols, rows, 1, &run, &per, global);
    clae__launch_bytes(dev, 8 * rows * cols); /* what it must move; it reads h rows times */
    clae_status s = CLAE_LAUNCH_ND(dev, CLAE_K_wta_rank, 2, global, KU(rows), KU(cols), KU(keep),
                                   KM(h), KU(h_off), KM(mask), KU(run), KU(per));
    return s == CLAE_OK ? clae__mask_mul(dev, rows * cols, mask, h, h_off) : s;
}

clae_status clae__mask_mul(clae_device *dev, size_t n, const clae_buf *mask, clae_buf *dy,
                           size_t dy_off)
{
    clae__launch_bytes(dev, 12 * n);
    return CLAE_LAUNCH_FLAT(dev, CLAE_K_mask_mul, n, KM(mask), KM(dy), KU(dy_off));
}

clae_status clae__wta_threshold(clae_device *dev, size_t rows, size_t cols, const clae_buf *h,
                                size_t h_off, const clae_buf *mask, float momentum, clae_buf *t,
                                size_t t_off)
{
    /* mask; h counted whole (its kept values are scattered over every row); t in place */
    clae__launch_bytes(dev, 4 * (2 * rows * cols + 2 * cols));
    return CLAE_LAUNCH(dev, CLAE_K_wta_threshold, cols, 0, KU(rows), KU(cols), KM(h), KU(h_off),
                       KM(mask), KF(momentum), KM(t), KU(t_off));
}

clae_status clae__wta_apply(clae_device *dev, size_t rows, size_t cols, const clae_buf *x,
                            size_t x_off, const clae_buf *t, size_t t_off, clae_buf *y,
                            clae_buf *mask)
{
    size_t n = rows * cols;
    clae__launch_bytes(dev, 4 * (3 * n + cols)); /* x, t; y and mask */
    return CLAE_LAUNCH(dev, CLAE_K_wta_apply, n, 0, KU(n), KU(cols), KM(x), KU(x_off), KM(t),
                       KU(t_off), KM(y), KM(mask));
}
