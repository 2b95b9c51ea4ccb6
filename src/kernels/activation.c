/* Host wrappers of cl/activation.cl. */
#include "kernels/ops.h"

/* Flat elementwise work is laid out as rows of this many values, so the launch
 * stays within every device's range limits whatever n is. */
#define FLAT_ROW 4096

static clae_status launch_flat_act(clae_device *dev, clae_kernel_id k, size_t n, size_t bytes,
                                   int act, const clae_karg *buffers, int nbuffers)
{
    size_t len = n < FLAT_ROW ? n : FLAT_ROW, run, per, global[2];
    clae__run_shape(dev, len, (n + len - 1) / len, 1, &run, &per, global);
    clae_karg args[12] = {KU(n), KU(len), KU(act)};
    for (int i = 0; i < nbuffers; i++) args[3 + i] = buffers[i];
    args[3 + nbuffers] = KU(run);
    args[4 + nbuffers] = KU(per);
    clae__launch_bytes(dev, bytes);
    return clae__launch_nd(dev, k, 2, global, args, 5 + nbuffers);
}

clae_status clae__act_fwd(clae_device *dev, size_t n, int act, const clae_buf *x, size_t x_off,
                          clae_buf *y, size_t y_off)
{
    if (n == 0) return CLAE_OK;
    const clae_karg buffers[] = {KM(x), KU(x_off), KM(y), KU(y_off)};
    return launch_flat_act(dev, CLAE_K_act_fwd, n, 8 * n, act, buffers, 4);
}

clae_status clae__act_bwd(clae_device *dev, size_t n, int act, const clae_buf *dy, size_t dy_off,
                          const clae_buf *y, size_t y_off, clae_buf *dx, size_t dx_off)
{
    if (n == 0) return CLAE_OK;
    const clae_karg buffers[] = {KM(dy), KU(dy_off), KM(y), KU(y_off), KM(dx), KU(dx_off)};
    return launch_flat_act(dev, CLAE_K_act_bwd, n, 12 * n, act, buffers, 6);
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
    clae_buf *partial = NULL;
    clae_status s = clae__scratch(dev, global[1] * cols, &partial);
    if (s != CLAE_OK) return s;
    clae__launch_bytes(dev, 4 * (3 * rows * cols + global[1] * cols));
    s = CLAE_LAUNCH_ND(dev, CLAE_K_act_bwd_col_partials, 2, global, KU(rows), KU(cols), KU(act),
                       KM(dy), KU(dy_off), KM(y), KU(y_off), KM(partial), KU(run), KU(per));
    if (s != CLAE_OK) return s;
    return clae__col_combine(dev, global[1], cols, partial, db, db_off, accumulate, run);
}
