/* Host wrappers of cl/activation.cl. */
#include "kernels/ops.h"

clae_status clae__act_fwd(clae_device *dev, size_t n, int act, const clae_buf *x, size_t x_off,
                          clae_buf *y, size_t y_off)
{
    clae__launch_bytes(dev, 8 * n);
    return CLAE_LAUNCH_FLAT(dev, CLAE_K_act_fwd, n, KU(act), KM(x), KU(x_off), KM(y), KU(y_off));
}

clae_status clae__act_bwd(clae_device *dev, size_t n, int act, const clae_buf *dy, size_t dy_off,
                          const clae_buf *y, size_t y_off, clae_buf *dx, size_t dx_off)
{
    clae__launch_bytes(dev, 12 * n);
    return CLAE_LAUNCH_FLAT(dev, CLAE_K_act_bwd, n, KU(act), KM(dy), KU(dy_off), KM(y), KU(y_off),
                            KM(dx), KU(dx_off));
}

clae_status clae__bias_act_fwd(clae_device *dev, size_t rows, size_t cols, int act, clae_buf *y,
                               size_t y_off, const clae_buf *b, size_t b_off)
{
    size_t run, per, global[2];
    clae__run_shape(dev, cols, rows, 1, &run, &per, global);
    clae__launch_bytes(dev, 4 * (2 * rows * cols + cols));
    return CLAE_LAUNCH_ND(dev, CLAE_K_bias_act_fwd, 2, global, KU(rows), KU(cols), KU(act), KM(y),
                          KU(y_off), KM(b), KU(b_off), KU(run), KU(per));
}

clae_status clae__col_combine(clae_device *dev, size_t blocks, size_t cols, const clae_buf *partial,
                              clae_buf *out, size_t out_off, int accumulate, size_t run)
{
    size_t global = (cols + run - 1) / run;
    clae__launch_bytes(dev, 4 * (blocks * cols + (accumulate ? 2 : 1) * cols));
    return CLAE_LAUNCH_ND(dev, CLAE_K_col_combine, 1, &global, KU(blocks), KU(cols), KM(partial),
                          KM(out), KU(out_off), KU(accumulate), KU(run));
}

clae_status clae__act_bwd_bias_grad(clae_device *dev, size_t rows, size_t cols, int act,
                                    clae_buf *dy, size_t dy_off, const clae_buf *y, size_t y_off,
                                    clae_buf *db, size_t db_off, int accumulate)
{
    if (rows == 0 || cols == 0) return CLAE_OK;
    size_t run, per, global[2];
    clae__col_shape(dev, rows, cols, &run, &per, global);
    size_t blocks = global[1];
    clae__launch_bytes(dev, 4 * (3 * rows * cols + 2 * blocks * cols)); /* dy, y, dz; sums */
    if (blocks == 1) /* the one block's sums are the bias gradient */
        return CLAE_LAUNCH_ND(dev, CLAE_K_act_bwd_col_partials, 2, global, KU(rows), KU(cols),
                              KU(act), KM(dy), KU(dy_off), KM(y), KU(y_off), KM(db), KU(db_off),
                              KU(accumulate), KU(run), KU(per));
    clae_buf *partial = NULL;
    clae_status s = clae__scratch(dev, blocks * cols, &partial);
    if (s != CLAE_OK) return s;
    s = CLAE_LAUNCH_ND(dev, CLAE_K_act_bwd_col_partials, 2, global, KU(rows), KU(cols), KU(act),
                       KM(dy), KU(dy_off), KM(y), KU(y_off), KM(partial), KU(0), KU(0), KU(run),
                       KU(per));
    if (s != CLAE_OK) return s;
    return clae__col_combine(dev, blocks, cols, partial, db, db_off, accumulate, run);
}
