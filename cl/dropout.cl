/* Dropout, drawn from the counter-based generator of cl/rng.cl: element i of a
 * draw keyed by (seed, stream) takes the uniform rng_uniform gives element i,
 * so every device drops the same elements. */

/* mask = 0 where the uniform is below rate, else scale = 1/(1 - rate) (computed
 * on the host); y = x * mask. y may alias x. */
__kernel void dropout_fwd(uint n, __global const float *x, uint x_off, __global float *y,
                          uint y_off, __global float *mask, uint key0, uint key1, uint stream,
                          float rate, float scale)
{
    uint i = get_global_id(0);
    if (i >= n) return;
    float u = uint_to_unit(philox_word(i, stream, (uint2)(key0, key1)));
    float m = u < rate ? 0.0f : scale;
    mask[i] = m;
    y[y_off + i] = x[x_off + i] * m;
}

/* dx = dy * mask; dx may alias dy. */
__kernel void dropout_bwd(uint n, __global const float *dy, uint dy_off,
                          __global const float *mask, __global float *dx, uint dx_off)
{
    uint i = get_global_id(0);
    if (i >= n) return;
    dx[dx_off + i] = dy[dy_off + i] * mask[i];
}
