/* Dropout, drawn from the counter-based generator of cl/rng.cl: element i of a
 * draw keyed by (seed, stream) takes the uniform rng_uniform gives element i,
 * so every device drops the same elements. */

/* mask = 0 where the uniform is below rate, else scale = 1/(1 - rate) (computed
 * on the host); y = x * mask. y may alias x. Range as rng_uniform. */
__kernel void dropout_fwd(uint n, __global const float *x, uint x_off, __global float *y,
                          uint y_off, __global float *mask, uint key0, uint key1, uint stream,
                          uint base, float rate, float scale)
{
    uint i0 = (uint)get_global_id(0) * RNG_VALUES;
    if (i0 >= n) return;
    float u[RNG_VALUES];
    philox_units_at(base + i0, stream, 0u, (uint2)(key0, key1), u);
    uint count = min(RNG_VALUES, n - i0);
    for (uint q = 0; q < count; q++) {
        float m = u[q] < rate ? 0.0f : scale;
        mask[i0 + q] = m;
        y[y_off + i0 + q] = x[x_off + i0 + q] * m;
    }
}

/* dx = dy * mask over n values; dx may alias dy. Range as act_fwd (cl/activation.cl). */
__kernel void dropout_bwd(uint n, uint len, __global const float *dy, uint dy_off,
                          __global const float *mask, __global float *dx, uint dx_off, uint run,
                          uint per)
{
    uint c0 = get_global_id(0) * run, r0 = get_global_id(1) * per;
    if (c0 >= len || r0 * len >= n) return;
    uint c1 = min(c0 + run, len), r1 = min(r0 + per, (n + len - 1) / len);
    for (uint r = r0; r < r1; r++) {
        uint at = r * len, end = min(c1, n - at);
        __global const float *g = dy + dy_off + at, *m = mask + at;
        __global float *d = dx + dx_off + at;
        for (uint c = c0; c < end; c++) d[c] = g[c] * m[c];
    }
}
