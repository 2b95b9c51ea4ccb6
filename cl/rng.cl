/* Counter-based random numbers: Philox4x32-10 (Salmon et al., SC'11).
 * Output element i of a draw keyed by (key0, key1) and stream `stream` comes
 * from the block counter (i / 4, stream, 0, 0), word i % 4, so every device
 * and every work-group size draws the same numbers.
 *
 * A work item computes RNG_BLOCKS consecutive blocks at once, one per lane of
 * 8-wide vectors (a CPU's SIMD; a GPU simply has more registers per item),
 * and writes their 4 x RNG_BLOCKS values: one block per four values, not one
 * per value. Range: ceil(n / RNG_VALUES) work items. */

#define PHILOX_M0 0xD2511F53u
#define PHILOX_M1 0xCD9E8D57u
#define PHILOX_W0 0x9E3779B9u
#define PHILOX_W1 0xBB67AE85u

#define RNG_BLOCKS 8u
#define RNG_VALUES (4u * RNG_BLOCKS)

/* Eight blocks at once: the counters (first + lane, stream, c2, 0); words
 * w[0..3], each lane one block: 10 rounds of
 * (x, y, z, w) <- (hi(M1 z) ^ y ^ k0, lo(M1 z), hi(M0 x) ^ w ^ k1, lo(M0 x)),
 * the key advancing by (W0, W1) after each. */
inline void philox8(uint first, uint stream, uint c2, uint2 key, uint8 *w)
{
    uint8 x = (uint8)(first) + (uint8)(0u, 1u, 2u, 3u, 4u, 5u, 6u, 7u);
    uint8 y = (uint8)(stream), z = (uint8)(c2), v = (uint8)(0u);
    for (int round = 0; round < 10; round++) {
        uint8 hi0 = mul_hi((uint8)(PHILOX_M0), x), lo0 = (uint8)(PHILOX_M0) * x;
        uint8 hi1 = mul_hi((uint8)(PHILOX_M1), z), lo1 = (uint8)(PHILOX_M1) * z;
        x = hi1 ^ y ^ (uint8)(key.x);
        y = lo1;
        z = hi0 ^ v ^ (uint8)(key.y);
        v = lo0;
        key += (uint2)(PHILOX_W0, PHILOX_W1);
    }
    w[0] = x;
    w[1] = y;
    w[2] = z;
    w[3] = v;
}

/* Floats in (0, 1): the top 24 bits, offset by half a step so never 0. */
inline float8 uint8_to_unit(uint8 u)
{
    return (convert_float8(u >> 8) + 0.5f) * (1.0f / 16777216.0f);
}

/* Uniforms in (0, 1) of the RNG_VALUES values from block `first` on:
 * u[4k + j] = word j of block first + k. */
inline void philox_units(uint first, uint stream, uint c2, uint2 key, float *u)
{
    uint8 w[4];
    philox8(first, stream, c2, key, w);
    for (uint j = 0; j < 4u; j++) {
        float l[8];
        vstore8(uint8_to_unit(w[j]), 0, l);
        for (uint k = 0; k < RNG_BLOCKS; k++) u[4u * k + j] = l[k];
    }
}

/* Normals N(0, 1) by Box–Muller on the word pairs (0, 1) and (2, 3) of each
 * block: value 4b + 2p is radius·cos, 4b + 2p + 1 radius·sin of pair p. */
inline void philox_normals(uint first, uint stream, uint2 key, float *g)
{
    uint8 w[4];
    philox8(first, stream, 0u, key, w);
    for (uint p = 0; p < 2u; p++) {
        float8 radius = sqrt(-2.0f * log(uint8_to_unit(w[2u * p])));
        float8 angle = 6.28318530717958647692f * uint8_to_unit(w[2u * p + 1u]);
        float c[8], s[8];
        vstore8(radius * cos(angle), 0, c);
        vstore8(radius * sin(angle), 0, s);
        for (uint k = 0; k < RNG_BLOCKS; k++) {
            g[4u * k + 2u * p] = c[k];
            g[4u * k + 2u * p + 1u] = s[k];
        }
    }
}

/* v[0..RNG_VALUES) moved down by shift, filled from next. */
inline void shift_values(float *v, const float *next, uint shift)
{
    for (uint q = 0; q < RNG_VALUES; q++)
        v[q] = q + shift < RNG_VALUES ? v[q + shift] : next[q + shift - RNG_VALUES];
}

/* As philox_units and philox_normals, for the RNG_VALUES values from element
 * e0 on, whatever its alignment: element e is word e % 4 of block e / 4, so a
 * draw keyed by an element's place in a larger whole (a sample's place in
 * its step, over every rank) gives it the same value in any slice. An e0
 * that is no multiple of 4 costs a second set of blocks. */
inline void philox_units_at(uint e0, uint stream, uint c2, uint2 key, float *u)
{
    philox_units(e0 / 4u, stream, c2, key, u);
    if (e0 % 4u == 0u) return;
    float next[RNG_VALUES];
    philox_units(e0 / 4u + RNG_BLOCKS, stream, c2, key, next);
    shift_values(u, next, e0 % 4u);
}

inline void philox_normals_at(uint e0, uint stream, uint2 key, float *g)
{
    philox_normals(e0 / 4u, stream, key, g);
    if (e0 % 4u == 0u) return;
    float next[RNG_VALUES];
    philox_normals(e0 / 4u + RNG_BLOCKS, stream, key, next);
    shift_values(g, next, e0 % 4u);
}

/* out = lo + (hi - lo) * u, u uniform in (0, 1) */
__kernel void rng_uniform(uint n, __global float *out, uint out_off, uint key0, uint key1,
                          uint stream, float lo, float hi)
{
    uint i0 = (uint)get_global_id(0) * RNG_VALUES;
    if (i0 >= n) return;
    float u[RNG_VALUES];
    philox_units(i0 / 4u, stream, 0u, (uint2)(key0, key1), u);
    uint count = min(RNG_VALUES, n - i0);
    __global float *dst = out + out_off + i0;
    for (uint q = 0; q < count; q++) dst[q] = lo + (hi - lo) * u[q];
}

/* out = mean + std * N(0, 1), value i from the pair of words of block i / 4
 * that holds word i % 4 (words 2j, 2j+1 of the stream). */
/* out = mean + std * g, g standard normal; value i is element base + i of the draw */
__kernel void rng_normal(uint n, __global float *out, uint out_off, uint key0, uint key1,
                         uint stream, uint base, float mean, float std)
{
    uint i0 = (uint)get_global_id(0) * RNG_VALUES;
    if (i0 >= n) return;
    float g[RNG_VALUES];
    philox_normals_at(base + i0, stream, (uint2)(key0, key1), g);
    uint count = min(RNG_VALUES, n - i0);
    __global float *dst = out + out_off + i0;
    for (uint q = 0; q < count; q++) dst[q] = mean + std * g[q];
}
