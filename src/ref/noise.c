/* Reference of cl/noise.cl. */
#include <math.h>

#include "ref/ref.h"

void clae_ref_corrupt(size_t n, const float *x, float *out, uint64_t seed, uint32_t stream,
                      float std, float mask)
{
    for (size_t i = 0; i < n; i++) {
        uint32_t r[4] = {(uint32_t)i, stream, 0u, 0u};
        clae_ref_philox(r, seed);
        float v = x[i];
        if (std > 0.0f) {
            float radius = sqrtf(-2.0f * logf(clae_ref_uint_to_unit(r[0])));
            v += std * radius * cosf(6.28318530717958647692f * clae_ref_uint_to_unit(r[1]));
            v = v < 0.0f ? 0.0f : v > 1.0f ? 1.0f : v;
        }
        if (mask > 0.0f && clae_ref_uint_to_unit(r[2]) < mask) v = 0.0f;
        out[i] = v;
    }
}
