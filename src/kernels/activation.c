/* Host wrappers of cl/activation.cl. */
#include "kernels/ops.h"

clae_status clae__act_fwd(clae_device *dev, size_t n, int act, const clae_buf *x, size_t x_off,
                          clae_buf *y, size_t y_off)
{
    return CLAE_LAUNCH(dev, CLAE_K_act_fwd, n, 0, KU(n), KU(act), KM(x), KU(x_off), KM(y),
                       KU(y_off));
}

clae_status clae__act_bwd(clae_device *dev, size_t n, int act, const clae_buf *dy, size_t dy_off,
                          const clae_buf *y, size_t y_off, clae_buf *dx, size_t dx_off)
{
    return CLAE_LAUNCH(dev, CLAE_K_act_bwd, n, 0, KU(n), KU(act), KM(dy), KU(dy_off), KM(y),
                       KU(y_off), KM(dx), KU(dx_off));
}

clae_status clae__bias_act_fwd(clae_device *dev, size_t rows, size_t cols, int act, clae_buf *y,
                               size_t y_off, const clae_buf *b, size_t b_off)
{
    return CLAE_LAUNCH(dev, CLAE_K_bias_act_fwd, rows * cols, 0, KU(rows), KU(cols), KU(act),
                       KM(y), KU(y_off), KM(b), KU(b_off));
}

clae_status clae__bias_grad(clae_device *dev, size_t rows, size_t cols, const clae_buf *dz,
                            size_t dz_off, clae_buf *db, size_t db_off, int accumulate)
{
    return CLAE_LAUNCH(dev, CLAE_K_bias_grad, cols, 0, KU(rows), KU(cols), KM(dz), KU(dz_off),
                       KM(db), KU(db_off), KU(accumulate));
}

clae_status clae__act_bwd_bias_grad(clae_device *dev, size_t rows, size_t cols, int act,
                                    clae_buf *dy, size_t dy_off, const clae_buf *y, size_t y_off,
                                    clae_buf *db, size_t db_off, int accumulate)
{
    return CLAE_LAUNCH(dev, CLAE_K_act_bwd_bias_grad, cols, 0, KU(rows), KU(cols), KU(act), KM(dy),
                       KU(dy_off), KM(y), KU(y_off), KM(db), KU(db_off), KU(accumulate));
}
