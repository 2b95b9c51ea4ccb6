/* Winner-take-all (lifetime sparsity, Makhzani & Frey 2015): during training
 * each code unit keeps only its `keep` largest activations across the batch.
 * Ties go to the earlier row, so exactly `keep` values pass per unit. */

/* One work item per unit: rank each value among the unit's column, zero the
 * losers in place and record the mask (1 = passed) for the backward pass. */
__kernel void wta_select(uint rows, uint cols, uint keep, __global float *h, uint h_off,
                         __global float *mask)
{
    uint c = get_global_id(0);
    if (c >= cols) return;
    for (uint r = 0; r < rows; r++) {
        float v = h[h_off + r * cols + c];
        uint rank = 0;
        for (uint q = 0; q < rows; q++) {
            float u = h[h_off + q * cols + c];
            rank += (u > v) || (u == v && q < r);
        }
        mask[r * cols + c] = rank < keep ? 1.0f : 0.0f;
    }
    /* zero after ranking, so every rank saw the original values */
    for (uint r = 0; r < rows; r++)
        if (mask[r * cols + c] == 0.0f) h[h_off + r * cols + c] = 0.0f;
}

/* dy *= mask: the zeroed activations pass no gradient. */
__kernel void mask_mul(uint n, __global const float *mask, __global float *dy, uint dy_off)
{
    uint i = get_global_id(0);
    if (i >= n) return;
    dy[dy_off + i] *= mask[i];
}

/* After a training selection: each unit's threshold (its smallest kept
 * value) moves the running threshold t[c] = (1 - momentum) t[c] + momentum
 * threshold, as batch norm's running statistics do. One work item per unit. */
__kernel void wta_threshold(uint rows, uint cols, __global const float *h, uint h_off,
                            __global const float *mask, float momentum, __global float *t,
                            uint t_off)
{
    uint c = get_global_id(0);
    if (c >= cols) return;
    float least = INFINITY;
    for (uint r = 0; r < rows; r++)
        if (mask[r * cols + c] != 0.0f) least = fmin(least, h[h_off + r * cols + c]);
    t[t_off + c] = (1.0f - momentum) * t[t_off + c] + momentum * least;
}

/* Evaluation: a value passes when it reaches its unit's running threshold, so
 * a sample's code does not depend on the batch it comes in. y = x or 0, and
 * the mask for the backward pass. */
__kernel void wta_apply(uint n, uint cols, __global const float *x, uint x_off,
                        __global const float *t, uint t_off, __global float *y,
                        __global float *mask)
{
    uint i = get_global_id(0);
    if (i >= n) return;
    float v = x[x_off + i];
    float pass = v >= t[t_off + i % cols] ? 1.0f : 0.0f;
    mask[i] = pass;
    y[i] = v * pass;
}
