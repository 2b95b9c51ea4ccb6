/* Reference of cl/noise.cl. */
#include <math.h>

#include "ref/ref.h"

void clae_ref_corrupt(size_t n, const float *x, float *out, uint64_t seed, uint32_t stream,
                      uint32_t base, float std, float mask)
{
    for (size_t k = 0; k < n; k++) {
        size_t i = base + k; /* the element of the draw */
        float v = x[k];
        if (std > 0.0f) {
            float g;
            clae_ref_rng_normal_at(i, seed, stream, &g);
            v += std * g;
            v = v < 0.0f ? 0.0f : v > 1.0f ? 1.0f : v;
        }
        uint32_t r[4] = {(uint32_t)(i / 4), stream, 1u, 0u};
        clae_ref_philox(r, seed);
        if (mask > 0.0f && clae_ref_uint_to_unit(r[i % 4]) < mask) v = 0.0f;
        out[k] = v;
    }
}
