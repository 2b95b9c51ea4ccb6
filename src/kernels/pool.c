/* Host wrappers of cl/pool.cl. */
#include <stdint.h>

#include "kernels/ops.h"

static clae_status check_pool(clae_device *dev, const char *kernel, size_t batch,
                              size_t channels, size_t h, size_t w, size_t k, size_t stride,
                              size_t oh, size_t ow)
{
    if (k == 0 || stride == 0)
        return clae__fail(dev->ctx, CLAE_EUSAGE, "%s: window %zu and stride %zu must be positive",
                          kernel, k, stride);
    if ((oh && (oh - 1) * stride + k > h) || (ow && (ow - 1) * stride + k > w))
        return clae__fail(dev->ctx, CLAE_EUSAGE,
                          "%s: %zux%zu windows of %zu at stride %zu overrun a %zux%zu input",
                          kernel, oh, ow, k, stride, h, w);
    if (batch * channels * h * w > UINT32_MAX)
        return clae__fail(dev->ctx, CLAE_EUSAGE, "%s: %zu elements exceed 32-bit indexing",
                          kernel, batch * channels * h * w);
    return CLAE_OK;
}

clae_status clae__maxpool_fwd(clae_device *dev, size_t batch, size_t channels, size_t h,
                              size_t w, size_t k, size_t stride, size_t oh, size_t ow,
                              const clae_buf *x, size_t x_off, clae_buf *y, size_t y_off,
                              clae_buf *arg)
{
    clae_status s = check_pool(dev, "maxpool_fwd", batch, channels, h, w, k, stride, oh, ow);
    if (s != CLAE_OK) return s;
    size_t run, per, rows = batch * channels * oh;
    size_t global[2];
    clae__run_shape(dev, ow, rows, 1, &run, &per, global);
    /* the input values some window covers (a stride above k skips some), y and arg */
    size_t cover_h = oh ? (oh - 1) * stride + k : 0, cover_w = ow ? (ow - 1) * stride + k : 0;
    if (stride > k) {
        cover_h = oh * k;
        cover_w = ow * k;
    }
    clae__launch_bytes(dev, 4 * (batch * channels * (cover_h * cover_w + 2 * oh * ow)));
    return CLAE_LAUNCH_ND(dev, CLAE_K_maxpool_fwd, 2, global, KU(batch), KU(channels), KU(h),
                          KU(w), KU(k), KU(stride), KU(oh), KU(ow), KM(x), KU(x_off), KM(y),
                          KU(y_off), KM(arg), KU(run), KU(per));
}

clae_status clae__maxpool_bwd(clae_device *dev, size_t batch, size_t channels, size_t h,
                              size_t w, size_t k, size_t stride, size_t oh, size_t ow,
                              const clae_buf *dy, size_t dy_off, const clae_buf *arg,
                              clae_buf *dx, size_t dx_off)
{
    clae_status s = check_pool(dev, "maxpool_bwd", batch, channels, h, w, k, stride, oh, ow);
    if (s != CLAE_OK) return s;
    size_t run, per, rows = batch * channels * h;
    size_t global[2];
    clae__run_shape(dev, w, rows, 1, &run, &per, global);
    clae__launch_bytes(dev, 4 * (batch * channels * (2 * oh * ow + h * w))); /* dy, arg; dx */
    return CLAE_LAUNCH_ND(dev, CLAE_K_maxpool_bwd, 2, global, KU(batch), KU(channels), KU(h),
                          KU(w), KU(k), KU(stride), KU(oh), KU(ow), KM(dy), KU(dy_off), KM(arg),
                          KM(dx), KU(dx_off), KU(run), KU(per));
}

static clae_status check_upsample(clae_device *dev, const char *kernel, size_t batch,
                                  size_t channels, size_t h, size_t w, size_t factor)
{
    if (factor == 0)
        return clae__fail(dev->ctx, CLAE_EUSAGE, "%s: the factor must be positive", kernel);
    if (batch * channels * h * w * factor * factor > UINT32_MAX)
        return clae__fail(dev->ctx, CLAE_EUSAGE, "%s: %zu elements exceed 32-bit indexing",
                          kernel, batch * channels * h * w * factor * factor);
    return CLAE_OK;
}

clae_status clae__upsample_fwd(clae_device *dev, size_t batch, size_t channels, size_t h,
                               size_t w, size_t factor, const clae_buf *x, size_t x_off,
                               clae_buf *y, size_t y_off)
{
    clae_status s = check_upsample(dev, "upsample_fwd", batch, channels, h, w, factor);
    if (s != CLAE_OK) return s;
    clae__launch_bytes(dev, 4 * batch * channels * h * w * (1 + factor * factor));
    size_t run, per, global[2];
    clae__run_shape(dev, w * factor, batch * channels * h * factor, 1, &run, &per, global);
    return CLAE_LAUNCH_ND(dev, CLAE_K_upsample_fwd, 2, global, KU(batch), KU(channels), KU(h),
                          KU(w), KU(factor), KM(x), KU(x_off), KM(y), KU(y_off), KU(run),
                          KU(per));
}

clae_status clae__upsample_bwd(clae_device *dev, size_t batch, size_t channels, size_t h,
                               size_t w, size_t factor, const clae_buf *dy, size_t dy_off,
                               clae_buf *dx, size_t dx_off)
{
    clae_status s = check_upsample(dev, "upsample_bwd", batch, channels, h, w, factor);
    if (s != CLAE_OK) return s;
    clae__launch_bytes(dev, 4 * batch * channels * h * w * (factor * factor + 1));
    size_t run, per, global[2];
    clae__run_shape(dev, w, batch * channels * h, 1, &run, &per, global);
    return CLAE_LAUNCH_ND(dev, CLAE_K_upsample_bwd, 2, global, KU(batch), KU(channels), KU(h),
                          KU(w), KU(factor), KM(dy), KU(dy_off), KM(dx), KU(dx_off), KU(run),
                          KU(per));
}
