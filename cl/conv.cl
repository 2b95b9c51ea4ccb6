/* Convolution helpers: im2col and its adjoint col2im, the moves between
 * channel-major (channels x batch*plane, what a GEMM with the weights gives)
 * and NCHW with the bias and activation fused in, and per-channel sums in two
 * stages (work-group partial sums, then a combine).
 * Every kernel has one work item per output element (gather form, no atomics),
 * and adjacent work items write adjacent addresses. */

/* col row (c*k*k + ki*k + kj), column (n*oh*ow + oy*ow + ox) =
 * x[n][c][oy*stride - pad + ki][ox*stride - pad + kj], 0 outside the image. */
__kernel void im2col(uint batch, uint channels, uint h, uint w, uint k, uint stride, uint pad,
                     uint oh, uint ow, __global const float *x, uint x_off,
                     __global float *col)
{
    uint i = get_global_id(0);
    uint plane = oh * ow, cols = batch * plane;
    if (i >= channels * k * k * cols) return;
    uint row = i / cols, q = i % cols;
    uint c = row / (k * k), kk = row % (k * k);
    uint n = q / plane, r = q % plane;
    int iy = (int)((r / ow) * stride + kk / k) - (int)pad;
    int ix = (int)((r % ow) * stride + kk % k) - (int)pad;
    float v = 0.0f;
    if (iy >= 0 && iy < (int)h && ix >= 0 && ix < (int)w)
        v = x[x_off + ((n * channels + c) * h + (uint)iy) * w + (uint)ix];
    col[i] = v;
}

/* x[n][c][i][j] = the sum of the col entries im2col reads from (i, j): the
 * offsets ki with (i + pad - ki) a multiple of stride below oh*stride. */
__kernel void col2im(uint batch, uint channels, uint h, uint w, uint k, uint stride, uint pad,
                     uint oh, uint ow, __global const float *col, __global float *x,
                     uint x_off)
{
    uint i = get_global_id(0);
    if (i >= batch * channels * h * w) return;
    uint j = i % w, t = i / w;
    uint y = t % h;
    t /= h;
    uint c = t % channels, n = t / channels;
    uint cols = batch * oh * ow;
    uint base = n * oh * ow;
    float sum = 0.0f;
    for (uint ki = 0; ki < k; ki++) {
        int sy = (int)(y + pad) - (int)ki;
        if (sy < 0 || (uint)sy % stride != 0u || (uint)sy / stride >= oh) continue;
        uint oy = (uint)sy / stride;
        for (uint kj = 0; kj < k; kj++) {
            int sx = (int)(j + pad) - (int)kj;
            if (sx < 0 || (uint)sx % stride != 0u || (uint)sx / stride >= ow) continue;
            uint ox = (uint)sx / stride;
            sum += col[(c * k * k + ki * k + kj) * cols + base + oy * ow + ox];
        }
    }
    x[x_off + i] = sum;
}

/* y[n][c][p] = act(src[c][n*plane + p] + b[c]); b may be NULL. */
__kernel void cnhw_bias_act(uint batch, uint channels, uint plane, uint act,
                            __global const float *src, __global const float *b, uint b_off,
                            __global float *y, uint y_off)
{
    uint i = get_global_id(0);
    if (i >= batch * channels * plane) return;
    uint p = i % plane, t = i / plane;
    uint c = t % channels, n = t / channels;
    float v = src[(c * batch + n) * plane + p];
    if (b) v += b[b_off + c];
    y[y_off + i] = act_apply(act, v);
}

/* dz[c][n*plane + p] = dy[n][c][p] * act'(y[n][c][p]). */
__kernel void act_bwd_to_cnhw(uint batch, uint channels, uint plane, uint act,
                              __global const float *dy, uint dy_off, __global const float *y,
                              uint y_off, __global float *dz)
{
    uint i = get_global_id(0);
    if (i >= batch * channels * plane) return;
    uint p = i % plane, t = i / plane;
    uint n = t % batch, c = t / batch;
    uint src = (n * channels + c) * plane + p;
    dz[i] = dy[dy_off + src] * act_grad_from_output(act, y[y_off + src]);
}

/* In place on NCHW: y[n][c][p] = act(y[n][c][p] + b[c]); b may be NULL. */
__kernel void channel_bias_act(uint batch, uint channels, uint plane, uint act,
                               __global float *y, uint y_off, __global const float *b,
                               uint b_off)
{
    uint i = get_global_id(0);
    if (i >= batch * channels * plane) return;
    float v = y[y_off + i];
    if (b) v += b[b_off + (i / plane) % channels];
    y[y_off + i] = act_apply(act, v);
}

/* Sums value over the work items whose local ids agree modulo tile (a power of
 * two dividing the group size); the sum for residue r is valid in local id r.
 * scratch holds get_local_size(0) floats. */
inline float tile_sum(float value, uint tile, __local float *scratch)
{
    if (tile == 1u) return group_sum(value, scratch);
    uint lid = get_local_id(0);
    scratch[lid] = value;
    barrier(CLK_LOCAL_MEM_FENCE);
    for (uint stride = get_local_size(0) / 2; stride >= tile; stride >>= 1) {
        if (lid < stride) scratch[lid] += scratch[lid + stride];
        barrier(CLK_LOCAL_MEM_FENCE);
    }
    return scratch[lid % tile];
}

/* First stage of the per-channel sums of NCHW data x over batch x plane.
 * Work group g' = t*groups + g serves the `tile` channels t*tile .. and the
 * g-th of `groups` interleaved slices of their batch*plane values: local id
 * l takes channel t*tile + l % tile and rows l / tile, l / tile + rows, ...
 * (rows = local size / tile), so adjacent items read adjacent addresses: along
 * the plane when tile is 1, across channels when the plane is small.
 * partial[(c*comps + 0)*groups + g] = the slice's sum of x; with comps 2,
 * partial[(c*comps + 1)*groups + g] = its sum of x*y (y NULL: x*x).
 * scratch holds 2 * local size floats. */
__kernel void channel_sums(uint batch, uint channels, uint plane, uint tile, uint groups,
                           uint comps, __global const float *x, uint x_off,
                           __global const float *y, uint y_off, __global float *partial,
                           __local float *scratch)
{
    uint lid = get_local_id(0), size = get_local_size(0);
    uint rows = size / tile;
    uint t = get_group_id(0) / groups, g = get_group_id(0) % groups;
    uint c = t * tile + lid % tile;
    uint count = batch * plane;
    float s0 = 0.0f, s1 = 0.0f;
    if (c < channels) {
        for (uint m = g * rows + lid / tile; m < count; m += groups * rows) {
            uint at = ((m / plane) * channels + c) * plane + m % plane;
            float v = x[x_off + at];
            s0 += v;
            if (comps > 1u) s1 += v * (y ? y[y_off + at] : v);
        }
    }
    s0 = tile_sum(s0, tile, scratch);
    if (comps > 1u) s1 = tile_sum(s1, tile, scratch + size);
    if (lid < tile && c < channels) {
        partial[c * comps * groups + g] = s0;
        if (comps > 1u) partial[(c * comps + 1u) * groups + g] = s1;
    }
}

/* Second stage: out[out_off + r] = sum of partial[r*groups .. r*groups + groups),
 * one work group per row r; scratch holds the local size in floats. */
__kernel void channel_combine(uint rows, uint groups, __global const float *partial,
                              __global float *out, uint out_off, __local float *scratch)
{
    uint r = get_group_id(0);
    float value = 0.0f;
    if (r < rows)
        for (uint g = get_local_id(0); g < groups; g += get_local_size(0))
            value += partial[r * groups + g];
    float sum = group_sum(value, scratch);
    if (r < rows && get_local_id(0) == 0) out[out_off + r] = sum;
}
