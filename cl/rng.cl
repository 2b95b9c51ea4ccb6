/* Counter-based random numbers: Philox4x32-10 (Salmon et al., SC'11).
 * Output element i of a draw keyed by (key0, key1) and stream `stream` comes
 * from the block counter (i / 4, stream, 0, 0), word i % 4, so every device
 * and every work-group size draws the same numbers. */

#define PHILOX_M0 0xD2511F53u
#define PHILOX_M1 0xCD9E8D57u
#define PHILOX_W0 0x9E3779B9u
#define PHILOX_W1 0xBB67AE85u

inline uint4 philox4x32_10(uint4 ctr, uint2 key)
{
    for (int round = 0; round < 10; round++) {
        uint hi0 = mul_hi(PHILOX_M0, ctr.x), lo0 = PHILOX_M0 * ctr.x;
        uint hi1 = mul_hi(PHILOX_M1, ctr.z), lo1 = PHILOX_M1 * ctr.z;
        ctr = (uint4)(hi1 ^ ctr.y ^ key.x, lo1, hi0 ^ ctr.w ^ key.y, lo0);
        key += (uint2)(PHILOX_W0, PHILOX_W1);
    }
    return ctr;
}

inline uint philox_word(uint i, uint stream, uint2 key)
{
    uint4 r = philox4x32_10((uint4)(i / 4u, stream, 0u, 0u), key);
    switch (i % 4u) {
    case 0: return r.x;
    case 1: return r.y;
    case 2: return r.z;
    default: return r.w;
    }
}

/* A float in (0, 1): the top 24 bits, offset by half a step so it is never 0. */
inline float uint_to_unit(uint u) { return ((float)(u >> 8) + 0.5f) * (1.0f / 16777216.0f); }

/* out = lo + (hi - lo) * u, u uniform in (0, 1) */
__kernel void rng_uniform(uint n, __global float *out, uint out_off, uint key0, uint key1,
                          uint stream, float lo, float hi)
{
    uint i = get_global_id(0);
    if (i >= n) return;
    float u = uint_to_unit(philox_word(i, stream, (uint2)(key0, key1)));
    out[out_off + i] = lo + (hi - lo) * u;
}

/* out = mean + std * N(0, 1) by Box–Muller on the words 2j, 2j+1 of the stream. */
__kernel void rng_normal(uint n, __global float *out, uint out_off, uint key0, uint key1,
                         uint stream, float mean, float std)
{
    uint i = get_global_id(0);
    if (i >= n) return;
    uint2 key = (uint2)(key0, key1);
    uint pair = i & ~1u;
    float u1 = uint_to_unit(philox_word(pair, stream, key));
    float u2 = uint_to_unit(philox_word(pair + 1u, stream, key));
    float radius = sqrt(-2.0f * log(u1));
    float angle = 6.28318530717958647692f * u2;
    out[out_off + i] = mean + std * radius * ((i & 1u) ? sin(angle) : cos(angle));
}
