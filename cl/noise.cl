/* Input corruption for denoising autoencoders, drawn from the counter-based
 * generator (cl/rng.cl): value i of a draw uses the Philox block (i, stream),
 * so every device corrupts a batch identically. */

/* out = x + std·N(0, 1), clipped to [0, 1]; then zeroed with probability mask.
 * Words 0 and 1 of the block feed Box–Muller, word 2 the mask. */
__kernel void corrupt(uint n, __global const float *x, uint x_off, __global float *out,
                      uint out_off, uint key0, uint key1, uint stream, float std, float mask)
{
    uint i = get_global_id(0);
    if (i >= n) return;
    uint4 r = philox4x32_10((uint4)(i, stream, 0u, 0u), (uint2)(key0, key1));
    float v = x[x_off + i];
    if (std > 0.0f) {
        float radius = sqrt(-2.0f * log(uint_to_unit(r.x)));
        v = clamp(v + std * radius * cos(6.28318530717958647692f * uint_to_unit(r.y)), 0.0f, 1.0f);
    }
    if (mask > 0.0f && uint_to_unit(r.z) < mask) v = 0.0f;
    out[out_off + i] = v;
}
