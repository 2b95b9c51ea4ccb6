/* Host wrappers of cl/reduce.cl. */
#include "kernels/ops.h"

clae_status clae__reduce_sum(clae_device *dev, size_t n, const clae_buf *x, size_t x_off,
                             clae_buf *out, size_t out_off, float scale)
{
    /* One work group strides over the whole input. */
    size_t wg = dev->work_group;
    clae__launch_bytes(dev, 4 * (n + 1));
    return CLAE_LAUNCH(dev, CLAE_K_reduce_sum, wg, wg, KU(n), KM(x), KU(x_off), KM(out),
                       KU(out_off), KF(scale), KLOCAL(wg * sizeof(float)));
}

clae_status clae__gather_rows(clae_device *dev, size_t rows, size_t cols, const clae_buf *src,
                              const clae_buf *idx, size_t idx_off, clae_buf *dst, size_t dst_off)
{
    size_t run, per, global[2];
    clae__run_shape(dev, cols, rows, 1, &run, &per, global);
    clae__launch_bytes(dev, 4 * (2 * rows * cols + rows));
    return CLAE_LAUNCH_ND(dev, CLAE_K_gather_rows, 2, global, KU(rows), KU(cols), KM(src), KM(idx),
                          KU(idx_off), KM(dst), KU(dst_off), KU(run), KU(per));
}
