/* Reductions. */

/* out[out_off] = scale * sum(x[0..n)), computed by a single work group that
 * strides over the input (used on the small arrays of partial sums). */
__kernel void reduce_sum(uint n, __global const float *x, uint x_off, __global float *out,
                         uint out_off, float scale, __local float *scratch)
{
    float value = 0.0f;
    for (uint i = get_local_id(0); i < n; i += get_local_size(0)) value += x[x_off + i];
    float sum = group_sum(value, scratch);
    if (get_local_id(0) == 0) out[out_off] = scale * sum;
}

/* dst row r = src row idx[r]: assembles a shuffled batch from the dataset
 * kept on the device. */
__kernel void gather_rows(uint rows, uint cols, __global const float *src,
                          __global const uint *idx, uint idx_off, __global float *dst, uint dst_off)
{
    uint i = get_global_id(0);
    if (i >= rows * cols) return;
    uint r = i / cols, c = i % cols;
    dst[dst_off + i] = src[(size_t)idx[idx_off + r] * cols + c];
}
