/* Host wrapper of cl/noise.cl. */
#include "kernels/ops.h"

clae_status clae__corrupt(clae_device *dev, size_t n, const clae_buf *x, size_t x_off,
                          clae_buf *out, size_t out_off, uint64_t seed, uint32_t stream,
                          float std, float mask)
{
    return CLAE_LAUNCH(dev, CLAE_K_corrupt, n, 0, KU(n), KM(x), KU(x_off), KM(out), KU(out_off),
                       KU(seed & 0xffffffffu), KU(seed >> 32), KU(stream), KF(std), KF(mask));
}
