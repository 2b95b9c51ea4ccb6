/* Dropout, drawn from the counter-based generator of cl/rng.cl: element i of a
 * draw keyed by (seed, stream) takes the uniform rng_uniform gives element i,
 * so every device drops the same elements. */

/* mask = 0 where the uniform is below rate, else scale = 1/(1 - rate) (computed
 * on the host); y = x * mask. y may alias x. Range as rng_uniform. */
__kernel void dropout_fwd(uint n, __global const float *x, uint x_off, __global float *y,
                          uint y_off, __global float *mask, uint key0, uint key1, uint stream,
                          float rate, float scale)
{
    uint i0 = (uint)get_global_id(0) * RNG_VALUES;
    if (i0 >= n) return;
    float u[RNG_VALUES];
    philox_units(i0 / 4u, stream, 0u, (uint2)(key0, key1), u);
    uint count = min(RNG_VALUES, n - i0);
    for (uint q = 0; q < count; q++) {
        float m = u[q] < rate ? 0.0f : scale;
        mask[i0 + q] = m;
        y[y_off + i0 + q] = x[x_off + i0 + q] * m;
    }
}

/* dx = dy * mask; dx may alias dy. */
__kernel void dropout_bwd(uint n, __global const float *dy, uint dy_off,
                          __global const float *mask, __global float *dx, uint dx_off)
{
    uint i = get_global_id(0);
    if (i >= n) return;
    dx[dx_off + i] = dy[dy_off + i] * mask[i];
}
