/* Input corruption for denoising autoencoders, drawn from the counter-based
 * generator (cl/rng.cl), so every device corrupts a batch identically:
 * value i's Gaussian noise is value i of rng_normal's draw of the stream
 * (blocks (i / 4, stream, 0, 0)), its masking uniform word i % 4 of the
 * block (i / 4, stream, 1, 0). Range as rng_uniform. */

/* out = x + std·N(0, 1), clipped to [0, 1]; then zeroed with probability mask. */
__kernel void corrupt(uint n, __global const float *x, uint x_off, __global float *out,
                      uint out_off, uint key0, uint key1, uint stream, uint base, float std,
                      float mask)
{
    uint i0 = (uint)get_global_id(0) * RNG_VALUES;
    if (i0 >= n) return;
    uint2 key = (uint2)(key0, key1);
    float g[RNG_VALUES], u[RNG_VALUES];
    uint count = min(RNG_VALUES, n - i0);
    __global const float *src = x + x_off + i0;
    __global float *dst = out + out_off + i0;
    for (uint q = 0; q < count; q++) dst[q] = src[q];
    if (std > 0.0f) {
        philox_normals_at(base + i0, stream, key, g);
        for (uint q = 0; q < count; q++) dst[q] = clamp(dst[q] + std * g[q], 0.0f, 1.0f);
    }
    if (mask > 0.0f) {
        philox_units_at(base + i0, stream, 1u, key, u);
        for (uint q = 0; q < count; q++)
            if (u[q] < mask) dst[q] = 0.0f;
    }
}
