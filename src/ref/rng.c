/* Reference of cl/rng.cl: Philox4x32-10 keyed by the seed, block counter
 * (i / 4, stream, 0, 0), word i % 4. */
#include <math.h>

#include "ref/ref.h"

static void philox4x32_10(uint32_t ctr[4], uint32_t key0, uint32_t key1);

void clae_ref_philox(uint32_t ctr[4], uint64_t seed)
{
    philox4x32_10(ctr, (uint32_t)seed, (uint32_t)(seed >> 32));
}

static void philox4x32_10(uint32_t ctr[4], uint32_t key0, uint32_t key1)
{
    for (int round = 0; round < 10; round++) {
        uint64_t p0 = (uint64_t)0xD2511F53u * ctr[0];
        uint64_t p1 = (uint64_t)0xCD9E8D57u * ctr[2];
        uint32_t next[4] = {(uint32_t)(p1 >> 32) ^ ctr[1] ^ key0, (uint32_t)p1,
                            (uint32_t)(p0 >> 32) ^ ctr[3] ^ key1, (uint32_t)p0};
        for (int j = 0; j < 4; j++) ctr[j] = next[j];
        key0 += 0x9E3779B9u;
        key1 += 0xBB67AE85u;
    }
}

static uint32_t philox_word(uint32_t i, uint32_t stream, uint64_t seed)
{
    uint32_t ctr[4] = {i / 4u, stream, 0u, 0u};
    philox4x32_10(ctr, (uint32_t)seed, (uint32_t)(seed >> 32));
    return ctr[i % 4u];
}

float clae_ref_uint_to_unit(uint32_t u) { return ((float)(u >> 8) + 0.5f) * (1.0f / 16777216.0f); }
#define uint_to_unit clae_ref_uint_to_unit

void clae_ref_rng_uniform(size_t n, float *out, uint64_t seed, uint32_t stream, float lo, float hi)
{
    for (size_t i = 0; i < n; i++)
        out[i] = lo + (hi - lo) * uint_to_unit(philox_word((uint32_t)i, stream, seed));
}

void clae_ref_rng_normal_at(size_t i, uint64_t seed, uint32_t stream, float *out)
{
    uint32_t pair = (uint32_t)i & ~1u;
    float u1 = uint_to_unit(philox_word(pair, stream, seed));
    float u2 = uint_to_unit(philox_word(pair + 1u, stream, seed));
    float radius = sqrtf(-2.0f * logf(u1));
    float angle = 6.28318530717958647692f * u2;
    *out = radius * ((i & 1u) ? sinf(angle) : cosf(angle));
}

float clae_ref_rng_uniform_at(size_t i, uint64_t seed, uint32_t stream)
{
    return uint_to_unit(philox_word((uint32_t)i, stream, seed));
}

void clae_ref_rng_normal(size_t n, float *out, uint64_t seed, uint32_t stream, uint32_t base,
                         float mean, float std)
{
    for (size_t i = 0; i < n; i++) {
        float g;
        clae_ref_rng_normal_at(base + i, seed, stream, &g);
        out[i] = mean + std * g;
    }
}
