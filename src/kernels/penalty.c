/* Host wrappers of cl/penalty.cl. */
#include "kernels/ops.h"

clae_status clae__sparsity_l1(clae_device *dev, size_t n, const clae_buf *h, size_t h_off,
                              clae_buf *dh, float scale, clae_buf *partial)
{
    size_t run, local, groups;
    clae__flat_shape(dev, n, &run, &local, &groups);
    if (partial->count < groups)
        return clae__fail(dev->ctx, CLAE_EINTERNAL, "sparsity_l1: partial-sum buffer too small");
    clae__launch_bytes(dev, 4 * ((dh ? 3 : 1) * n + groups));
    return CLAE_LAUNCH(dev, CLAE_K_sparsity_l1, groups * local, local, KU(n), KM(h), KU(h_off),
                       dh ? KM(dh) : KNULL, KF(scale), KM(partial),
                       KLOCAL(local * sizeof(float)), KU(run));
}

clae_status clae__sparsity_kl(clae_device *dev, size_t rows, size_t cols, const clae_buf *h,
                              size_t h_off, clae_buf *dh, float rho, float scale,
                              clae_buf *value)
{
    if (rows == 0 || cols == 0) return CLAE_OK;
    size_t run, per, global[2];
    clae__col_shape(dev, rows, cols, &run, &per, global);
    size_t blocks = global[1], units = global[0];
    clae_buf *scratch = NULL; /* the blocks' partial sums, then g */
    clae_status s = clae__scratch(dev, (blocks + 1) * cols, &scratch);
    if (s != CLAE_OK) return s;
    clae__launch_bytes(dev, 4 * (rows * cols + blocks * cols));
    s = CLAE_LAUNCH_ND(dev, CLAE_K_col_partials, 2, global, KU(rows), KU(cols), KM(h), KU(h_off),
                       KM(scratch), KU(run), KU(per));
    if (s != CLAE_OK) return s;
    /* g[c] follows the partial sums in the scratch */
    clae__launch_bytes(dev, 4 * (blocks * cols + 2 * cols));
    s = CLAE_LAUNCH_ND(dev, CLAE_K_sparsity_kl_units, 1, &units, KU(blocks), KU(rows), KU(cols),
                       KM(scratch), KF(rho), KF(scale), KM(value), KM(scratch), KU(blocks * cols),
                       KU(run));
    if (s != CLAE_OK || !dh) return s;
    size_t arun, aper, aglobal[2];
    clae__run_shape(dev, cols, rows, 1, &arun, &aper, aglobal);
    clae__launch_bytes(dev, 4 * (2 * rows * cols + cols));
    return CLAE_LAUNCH_ND(dev, CLAE_K_add_cols, 2, aglobal, KU(rows), KU(cols), KM(scratch),
                          KU(blocks * cols), KM(dh), KU(arun), KU(aper));
}

clae_status clae__add_inplace(clae_device *dev, size_t n, const clae_buf *src, size_t src_off,
                              clae_buf *dst, size_t dst_off, float alpha)
{
    clae__launch_bytes(dev, 12 * n);
    return CLAE_LAUNCH_FLAT(dev, CLAE_K_add_inplace, n, KM(src), KU(src_off), KM(dst), KU(dst_off),
                            KF(alpha));
}

clae_status clae__contractive_fwd(clae_device *dev, size_t rows, size_t units, size_t in, int act,
                                  const clae_buf *h, const clae_buf *w, size_t w_off,
                                  clae_buf *dh, float scale, clae_buf *unit_g2, clae_buf *value)
{
    if (units == 0 || rows == 0) return CLAE_OK;
    size_t run, per, global[2];
    clae__col_shape(dev, rows, units, &run, &per, global);
    size_t blocks = global[1], combine = (units + run - 1) / run;
    /* the scratch holds s_j at [0, units), then the blocks' partial sums of g² */
    clae_buf *scratch = NULL;
    clae_status s = clae__scratch(dev, units + blocks * units, &scratch);
    if (s != CLAE_OK) return s;
    size_t row_run, local, row_groups; /* one work group per row of W */
    clae__flat_shape(dev, in, &row_run, &local, &row_groups);
    clae__launch_bytes(dev, 4 * (units * in + units));
    s = CLAE_LAUNCH(dev, CLAE_K_row_sq_sums, units * local, local, KU(units), KU(in), KM(w),
                    KU(w_off), KM(scratch), KLOCAL(local * sizeof(float)));
    if (s != CLAE_OK) return s;
    clae__launch_bytes(dev, 4 * ((dh ? 3 : 1) * rows * units + blocks * units));
    s = CLAE_LAUNCH_ND(dev, CLAE_K_contractive_partials, 2, global, KU(rows), KU(units), KU(act),
                       KM(h), KM(scratch), dh ? KM(dh) : KNULL, KF(scale), KM(scratch),
                       KU(units), KU(run), KU(per));
    if (s != CLAE_OK) return s;
    clae__launch_bytes(dev, 4 * (blocks * units + 3 * units));
    return CLAE_LAUNCH_ND(dev, CLAE_K_contractive_units, 1, &combine, KU(blocks), KU(units),
                          KM(scratch), KU(units), KM(scratch), KM(unit_g2), KM(value), KU(run));
}

clae_status clae__contractive_wgrad(clae_device *dev, size_t units, size_t in, const clae_buf *w,
                                    size_t w_off, clae_buf *dw, const clae_buf *unit_g2,
                                    float scale)
{
    size_t run, per, global[2];
    clae__run_shape(dev, in, units, 1, &run, &per, global);
    clae__launch_bytes(dev, 4 * (3 * units * in + units));
    return CLAE_LAUNCH_ND(dev, CLAE_K_contractive_wgrad, 2, global, KU(units), KU(in), KM(w),
                          KU(w_off), KM(dw), KM(unit_g2), KF(scale), KU(run), KU(per));
}
