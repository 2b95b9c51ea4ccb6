/* Winner-take-all (lifetime sparsity, Makhzani & Frey 2015): during training
 * each code unit keeps only its `keep` largest activations across the batch.
 * Ties go to the earlier row, so exactly `keep` values pass per unit. */

/* The selection's first stage: mask[r][c] = 1 where h[r][c] is among the
 * `keep` largest of column c (rank < keep: the values above it, and the equal
 * ones in earlier rows, number fewer than keep), else 0. Every value is ranked
 * by its own work item against its column, so the work spreads over rows x
 * cols items; mask_mul then zeroes the losers. The rank is counted in the mask
 * itself (exact in float up to 2^24 rows). Range: (ceil(cols / run),
 * ceil(rows / per)), as cl/activation.cl. */
__kernel void wta_rank(uint rows, uint cols, uint keep, __global const float *h, uint h_off,
                       __global float *mask, uint run, uint per)
{
    uint c0 = get_global_id(0) * run, r0 = get_global_id(1) * per;
    if (c0 >= cols || r0 >= rows) return;
    uint c1 = min(c0 + run, cols), r1 = min(r0 + per, rows);
    __global const float *x = h + h_off;
    for (uint r = r0; r < r1; r++) {
        __global const float *v = x + r * cols;
        __global float *rank = mask + r * cols;
        for (uint c = c0; c < c1; c++) rank[c] = 0.0f;
        for (uint q = 0; q < rows; q++) {
            __global const float *u = x + q * cols;
            if (q < r)
                for (uint c = c0; c < c1; c++) rank[c] += u[c] >= v[c] ? 1.0f : 0.0f;
            else
                for (uint c = c0; c < c1; c++) rank[c] += u[c] > v[c] ? 1.0f : 0.0f;
        }
        for (uint c = c0; c < c1; c++) rank[c] = rank[c] < (float)keep ? 1.0f : 0.0f;
    }
}

/* dy *= mask: the zeroed activations pass no gradient. Range as act_fwd. */
__kernel void mask_mul(uint n, uint len, __global const float *mask, __global float *dy,
                       uint dy_off, uint run, uint per)
{
    uint c0 = get_global_id(0) * run, r0 = get_global_id(1) * per;
    if (c0 >= len || r0 * len >= n) return;
    uint c1 = min(c0 + run, len), r1 = min(r0 + per, (n + len - 1) / len);
    for (uint r = r0; r < r1; r++) {
        uint at = r * len, end = min(c1, n - at);
        __global const float *m = mask + at;
        __global float *d = dy + dy_off + at;
        for (uint c = c0; c < end; c++) d[c] *= m[c];
    }
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
