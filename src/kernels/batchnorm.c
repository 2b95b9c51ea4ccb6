/* Host wrappers of cl/batchnorm.cl. */
#include <stdint.h>

#include "kernels/ops.h"

static clae_status check_fits(clae_device *dev, const char *kernel, size_t n)
{
    if (n > UINT32_MAX)
        return clae__fail(dev->ctx, CLAE_EUSAGE, "%s: %zu elements exceed 32-bit indexing",
                          kernel, n);
    return CLAE_OK;
}

clae_status clae__bn_stats(clae_device *dev, size_t channels, size_t count, int training,
                           const clae_buf *sums, size_t sums_off, float eps, float momentum,
                           clae_buf *running, size_t r_off, clae_buf *stats)
{
    if (!training && !running)
        return clae__fail(dev->ctx, CLAE_EUSAGE, "bn_stats: evaluation needs running statistics");
    if (training && (!sums || count == 0))
        return clae__fail(dev->ctx, CLAE_EUSAGE, "bn_stats: training needs the sums of %zu > 0 values",
                          count);
    clae_status s = check_fits(dev, "bn_stats", count);
    if (s != CLAE_OK) return s;
    /* training: the sums and the running statistics updated in place; evaluation: the
     * running statistics; both write mean and invstd */
    size_t values = training ? 2 + (running ? 4 : 0) : 2;
    clae__launch_bytes(dev, 4 * channels * (values + 2));
    return CLAE_LAUNCH(dev, CLAE_K_bn_stats, channels, 0, KU(channels), KU(count),
                       KU(training != 0), sums ? KM(sums) : KNULL, KU(sums_off), KF(eps),
                       KF(momentum), running ? KM(running) : KNULL, KU(r_off), KM(stats));
}

clae_status clae__bn_fwd(clae_device *dev, size_t batch, size_t channels, size_t plane, int act,
                         const clae_buf *x, size_t x_off, const clae_buf *stats,
                         const clae_buf *params, size_t g_off, size_t b_off, clae_buf *y,
                         size_t y_off)
{
    size_t n = batch * channels * plane;
    clae_status s = check_fits(dev, "bn_fwd", n);
    if (s != CLAE_OK) return s;
    size_t run, per;
    size_t global[2];
    clae__run_shape(dev, plane, batch * channels, 1, &run, &per, global);
    clae__launch_bytes(dev, 4 * (2 * n + 4 * channels)); /* x, y; mean, invstd, gamma, beta */
    return CLAE_LAUNCH_ND(dev, CLAE_K_bn_fwd, 2, global, KU(batch), KU(channels), KU(plane),
                          KU(act), KM(x), KU(x_off), KM(stats), KM(params), KU(g_off),
                          KU(b_off), KM(y), KU(y_off), KU(run), KU(per));
}

clae_status clae__bn_param_grad(clae_device *dev, size_t channels, const clae_buf *sums,
                                size_t sums_off, const clae_buf *stats, clae_buf *grads,
                                size_t g_off, size_t b_off)
{
    clae__launch_bytes(dev, 4 * 6 * channels); /* reads the sums and stats, writes 2 per channel */
    return CLAE_LAUNCH(dev, CLAE_K_bn_param_grad, channels, 0, KU(channels), KM(sums),
                       KU(sums_off), KM(stats), KM(grads), KU(g_off), KU(b_off));
}

clae_status clae__bn_bwd(clae_device *dev, size_t batch, size_t channels, size_t plane,
                         int training, const clae_buf *x, size_t x_off, const clae_buf *dz,
                         size_t dz_off, const clae_buf *stats, const clae_buf *params,
                         size_t g_off, const clae_buf *grads, size_t gg_off, size_t gb_off,
                         clae_buf *dx, size_t dx_off)
{
    size_t n = batch * channels * plane;
    if (training && (!x || !grads))
        return clae__fail(dev->ctx, CLAE_EUSAGE, "bn_bwd: training needs x and the gradients");
    clae_status s = check_fits(dev, "bn_bwd", n);
    if (s != CLAE_OK) return s;
    size_t run, per;
    size_t global[2];
    clae__run_shape(dev, plane, batch * channels, 1, &run, &per, global);
    /* training: x, dz, dx; mean, invstd, gamma, dgamma, dbeta. evaluation: dz, dx; invstd, gamma */
    clae__launch_bytes(dev, 4 * (training ? 3 * n + 5 * channels : 2 * n + 2 * channels));
    return CLAE_LAUNCH_ND(dev, CLAE_K_bn_bwd, 2, global, KU(batch), KU(channels), KU(plane),
                          KU(training != 0), x ? KM(x) : KNULL, KU(x_off), KM(dz), KU(dz_off),
                          KM(stats), KM(params), KU(g_off), grads ? KM(grads) : KNULL,
                          KU(gg_off), KU(gb_off), KM(dx), KU(dx_off), KU(run), KU(per));
}
