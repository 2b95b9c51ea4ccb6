/* Host wrappers of cl/dropout.cl. */
#include "kernels/ops.h"

clae_status clae__dropout_fwd(clae_device *dev, size_t n, const clae_buf *x, size_t x_off,
                              clae_buf *y, size_t y_off, clae_buf *mask, uint64_t seed,
                              uint32_t stream, uint32_t base, float rate)
{
    if (!(rate >= 0.0f && rate <= 1.0f))
        return clae__fail(dev->ctx, CLAE_EUSAGE, "dropout_fwd: rate %g is not in [0, 1]",
                          (double)rate);
    /* the scale here, so every device multiplies by the same float */
    float scale = rate < 1.0f ? 1.0f / (1.0f - rate) : 0.0f;
    clae__launch_bytes(dev, 12 * n); /* reads x; writes mask and y */
    size_t items = clae__rng_items(n);
    return CLAE_LAUNCH_ND(dev, CLAE_K_dropout_fwd, 1, &items, KU(n), KM(x), KU(x_off), KM(y), KU(y_off),
                       KM(mask), KU(seed & 0xffffffffu), KU(seed >> 32), KU(stream), KU(base),
                       KF(rate), KF(scale));
}

clae_status clae__dropout_bwd(clae_device *dev, size_t n, const clae_buf *dy, size_t dy_off,
                              const clae_buf *mask, clae_buf *dx, size_t dx_off)
{
    clae__launch_bytes(dev, 12 * n);
    return CLAE_LAUNCH_FLAT(dev, CLAE_K_dropout_bwd, n, KM(dy), KU(dy_off), KM(mask), KM(dx),
                            KU(dx_off));
}
