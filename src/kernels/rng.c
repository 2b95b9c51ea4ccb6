/* Host wrappers of cl/rng.cl. */
#include "kernels/ops.h"

/* Work items of a draw of n values: each computes 8 Philox blocks, 32 values
 * (RNG_VALUES in cl/rng.cl). */
size_t clae__rng_items(size_t n) { return (n + 31) / 32; }

clae_status clae__rng_uniform(clae_device *dev, size_t n, clae_buf *out, size_t out_off,
                              uint64_t seed, uint32_t stream, float lo, float hi)
{
    size_t items = clae__rng_items(n);
    clae__launch_bytes(dev, 4 * n); /* writes only: the numbers come from the counter */
    return CLAE_LAUNCH_ND(dev, CLAE_K_rng_uniform, 1, &items, KU(n), KM(out), KU(out_off),
                       KU(seed & 0xffffffffu), KU(seed >> 32), KU(stream), KF(lo), KF(hi));
}

clae_status clae__rng_normal(clae_device *dev, size_t n, clae_buf *out, size_t out_off,
                             uint64_t seed, uint32_t stream, uint32_t base, float mean, float std)
{
    size_t items = clae__rng_items(n);
    clae__launch_bytes(dev, 4 * n);
    return CLAE_LAUNCH_ND(dev, CLAE_K_rng_normal, 1, &items, KU(n), KM(out), KU(out_off),
                       KU(seed & 0xffffffffu), KU(seed >> 32), KU(stream), KU(base), KF(mean),
                       KF(std));
}
