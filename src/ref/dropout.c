/* References of cl/dropout.cl: the uniforms of clae_ref_rng_uniform. */
#include "ref/ref.h"

void clae_ref_dropout_fwd(size_t n, const float *x, float *y, float *mask, uint64_t seed,
                          uint32_t stream, uint32_t base, float rate)
{
    float scale = rate < 1.0f ? 1.0f / (1.0f - rate) : 0.0f;
    for (size_t i = 0; i < n; i++) {
        mask[i] = clae_ref_rng_uniform_at(base + i, seed, stream) < rate ? 0.0f : scale;
        y[i] = x[i] * mask[i];
    }
}

void clae_ref_dropout_bwd(size_t n, const float *dy, const float *mask, float *dx)
{
    for (size_t i = 0; i < n; i++) dx[i] = dy[i] * mask[i];
}
