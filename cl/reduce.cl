/* Reductions, and the batch gather. */

/* out[out_off] = scale * sum(x[0..n)), computed by a single work group that
 * strides over the input: the second stage of a flat sum, over the partial
 * sums of the first (a few per work group of the first stage, never the data). */
__kernel void reduce_sum(uint n, __global const float *x, uint x_off, __global float *out,
                         uint out_off, float scale, __local float *scratch)
{
    float value = 0.0f;
    for (uint i = get_local_id(0); i < n; i += get_local_size(0)) value += x[x_off + i];
    float sum = group_sum(value, scratch);
    if (get_local_id(0) == 0) out[out_off] = scale * sum;
}

/* First stage of a column sum of a rows x cols matrix (clae__col_shape):
 * partial[block][c] = the sum of x[r][c] over the block's `per` rows.
 * Range: (ceil(cols / run), blocks). col_combine is the second stage. */
__kernel void col_partials(uint rows, uint cols, __global const float *x, uint x_off,
                           __global float *partial, uint run, uint per)
{
    uint c0 = get_global_id(0) * run, block = get_global_id(1), r0 = block * per;
    if (c0 >= cols || r0 >= rows) return;
    uint c1 = min(c0 + run, cols), r1 = min(r0 + per, rows);
    __global float *sums = partial + block * cols;
    __global const float *row = x + x_off + r0 * cols;
    for (uint c = c0; c < c1; c++) sums[c] = row[c];
    for (uint r = r0 + 1; r < r1; r++) {
        row += cols;
        for (uint c = c0; c < c1; c++) sums[c] += row[c];
    }
}

/* out[r] = the sum of squares of row r of a rows x len matrix, one work group
 * per row: its work items stride along the row (adjacent items, adjacent
 * addresses); a group of one item (CPUs) reads the row 8 wide. */
__kernel void row_sq_sums(uint rows, uint len, __global const float *x, uint x_off,
                          __global float *out, __local float *scratch)
{
    uint r = get_group_id(0), lid = get_local_id(0), size = get_local_size(0);
    float value = 0.0f;
    float8 v8 = 0.0f;
    if (r < rows) {
        __global const float *row = x + x_off + r * len;
        uint i = lid;
        if (size == 1u)
            for (; i + 8u <= len; i += 8u) {
                float8 v = vload8(0, row + i);
                v8 += v * v;
            }
        for (; i < len; i += size) value += row[i] * row[i];
    }
    float sum = group_sum(value + lanes_sum(v8), scratch);
    if (r < rows && lid == 0) out[r] = sum;
}

/* dst row r = src row idx[r]: assembles a shuffled batch from the dataset
 * kept on the device. Range: (ceil(cols / run), ceil(rows / per)). */
__kernel void gather_rows(uint rows, uint cols, __global const float *src,
                          __global const uint *idx, uint idx_off, __global float *dst, uint dst_off,
                          uint run, uint per)
{
    uint c0 = get_global_id(0) * run, r0 = get_global_id(1) * per;
    if (c0 >= cols || r0 >= rows) return;
    uint c1 = min(c0 + run, cols), r1 = min(r0 + per, rows);
    for (uint r = r0; r < r1; r++) {
        __global const float *from = src + (size_t)idx[idx_off + r] * cols;
        __global float *to = dst + dst_off + (size_t)r * cols;
        for (uint c = c0; c < c1; c++) to[c] = from[c];
    }
}
