/* Host wrapper of cl/noise.cl. */
#include "kernels/ops.h"

clae_status clae__corrupt(clae_device *dev, size_t n, const clae_buf *x, size_t x_off,
                          clae_buf *out, size_t out_off, uint64_t seed, uint32_t stream,
                          uint32_t base, float std, float mask)
{
    size_t items = clae__rng_items(n);
    clae__launch_bytes(dev, 8 * n);
    return CLAE_LAUNCH_ND(dev, CLAE_K_corrupt, 1, &items, KU(n), KM(x), KU(x_off), KM(out), KU(out_off),
                       KU(seed & 0xffffffffu), KU(seed >> 32), KU(stream), KU(base), KF(std),
                       KF(mask));
}
