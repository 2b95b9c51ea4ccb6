/* Host wrappers of cl/rng.cl. */
#include "kernels/ops.h"

clae_status clae__rng_uniform(clae_device *dev, size_t n, clae_buf *out, size_t out_off,
                              uint64_t seed, uint32_t stream, float lo, float hi)
{
    return CLAE_LAUNCH(dev, CLAE_K_rng_uniform, n, 0, KU(n), KM(out), KU(out_off),
                       KU(seed & 0xffffffffu), KU(seed >> 32), KU(stream), KF(lo), KF(hi));
}

clae_status clae__rng_normal(clae_device *dev, size_t n, clae_buf *out, size_t out_off,
                             uint64_t seed, uint32_t stream, float mean, float std)
{
    return CLAE_LAUNCH(dev, CLAE_K_rng_normal, n, 0, KU(n), KM(out), KU(out_off),
                       KU(seed & 0xffffffffu), KU(seed >> 32), KU(stream), KF(mean), KF(std));
}
