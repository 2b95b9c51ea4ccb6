/* Activations: forward, backward, and the fused forms the dense layer uses.
 *
 * Every kernel here takes its indices from a range laid out as in cl/conv.cl
 * (clae__run_shape on the host): a work item covers `run` consecutive values
 * of each of `per` consecutive rows, runs of 1 on GPUs (adjacent work items,
 * adjacent addresses), long runs on CPUs (their compilers vectorise the loop
 * along a run). The activation is a compile-time constant inside each loop
 * (ACT_SPECIALISE), and no work item divides an index per value. */

/* y = act(x) over n values, taken as rows of `len` (the host's choice).
 * Range: (ceil(len / run), ceil(rows / per)). */
__kernel void act_fwd(uint n, uint len, uint act, __global const float *x, uint x_off,
                      __global float *y, uint y_off, uint run, uint per)
{
    uint c0 = get_global_id(0) * run, r0 = get_global_id(1) * per;
    if (c0 >= len || r0 * len >= n) return;
    uint c1 = min(c0 + run, len), r1 = min(r0 + per, (n + len - 1) / len);
    for (uint r = r0; r < r1; r++) {
        uint at = r * len, end = min(c1, n - at);
        __global const float *src = x + x_off + at;
        __global float *dst = y + y_off + at;
#define ACT_FWD_RUN(A) \
        for (uint c = c0; c < end; c++) dst[c] = act_apply(A, src[c]);
        ACT_SPECIALISE(act, ACT_FWD_RUN)
#undef ACT_FWD_RUN
    }
}

/* dx = dy * act'(y) over n values; dx may alias dy. Range as act_fwd. */
__kernel void act_bwd(uint n, uint len, uint act, __global const float *dy, uint dy_off,
                      __global const float *y, uint y_off, __global float *dx, uint dx_off,
                      uint run, uint per)
{
    uint c0 = get_global_id(0) * run, r0 = get_global_id(1) * per;
    if (c0 >= len || r0 * len >= n) return;
    uint c1 = min(c0 + run, len), r1 = min(r0 + per, (n + len - 1) / len);
    for (uint r = r0; r < r1; r++) {
        uint at = r * len, end = min(c1, n - at);
        __global const float *g = dy + dy_off + at, *v = y + y_off + at;
        __global float *dst = dx + dx_off + at;
#define ACT_BWD_RUN(A) \
        for (uint c = c0; c < end; c++) dst[c] = g[c] * act_grad_from_output(A, v[c]);
        ACT_SPECIALISE(act, ACT_BWD_RUN)
#undef ACT_BWD_RUN
    }
}

/* y[r][c] = act(y[r][c] + b[c]) in place over a rows x cols row-major matrix:
 * the GEMM writes x·Wᵀ into y, this adds the bias and activates in one pass.
 * Range: (ceil(cols / run), ceil(rows / per)). */
__kernel void bias_act_fwd(uint rows, uint cols, uint act, __global float *y, uint y_off,
                           __global const float *b, uint b_off, uint run, uint per)
{
    uint c0 = get_global_id(0) * run, r0 = get_global_id(1) * per;
    if (c0 >= cols || r0 >= rows) return;
    uint c1 = min(c0 + run, cols), r1 = min(r0 + per, rows);
    __global const float *bias = b + b_off;
    for (uint r = r0; r < r1; r++) {
        __global float *row = y + y_off + r * cols;
#define BIAS_ACT_RUN(A) \
        for (uint c = c0; c < c1; c++) row[c] = act_apply(A, row[c] + bias[c]);
        ACT_SPECIALISE(act, BIAS_ACT_RUN)
#undef BIAS_ACT_RUN
    }
}

/* The backward step of a dense layer's elementwise part, first stage:
 * dz = dy * act'(y) written over dy, and per block of `per` rows the block's
 * column sums of dz: partial[partial_off + block * cols + c]. col_combine adds
 * the blocks up into the bias gradient; with one block the host passes the
 * bias gradient itself, and accumulate = 1 adds to it (tied weights).
 * Range: (ceil(cols / run), blocks = ceil(rows / per)). */
__kernel void act_bwd_col_partials(uint rows, uint cols, uint act, __global float *dy,
                                   uint dy_off, __global const float *y, uint y_off,
                                   __global float *partial, uint partial_off, uint accumulate,
                                   uint run, uint per)
{
    uint c0 = get_global_id(0) * run, block = get_global_id(1), r0 = block * per;
    if (c0 >= cols || r0 >= rows) return;
    uint c1 = min(c0 + run, cols), r1 = min(r0 + per, rows);
    __global float *sums = partial + partial_off + block * cols;
    if (!accumulate)
        for (uint c = c0; c < c1; c++) sums[c] = 0.0f;
    for (uint r = r0; r < r1; r++) {
        __global float *g = dy + dy_off + r * cols;
        __global const float *v = y + y_off + r * cols;
#define ACT_BWD_SUM_RUN(A)                                      \
        for (uint c = c0; c < c1; c++) {                        \
            float dz = g[c] * act_grad_from_output(A, v[c]);    \
            g[c] = dz;                                          \
            sums[c] += dz;                                      \
        }
        ACT_SPECIALISE(act, ACT_BWD_SUM_RUN)
#undef ACT_BWD_SUM_RUN
    }
}

/* Second stage of a column reduction: out[c] (+)= sum of partial[0..blocks)[c]
 * (accumulate = 1 adds: tied weights). Range: ceil(cols / run). */
__kernel void col_combine(uint blocks, uint cols, __global const float *partial,
                          __global float *out, uint out_off, uint accumulate, uint run)
{
    uint c0 = get_global_id(0) * run;
    if (c0 >= cols) return;
    uint c1 = min(c0 + run, cols);
    __global float *dst = out + out_off;
    for (uint c = c0; c < c1; c++) dst[c] = accumulate ? dst[c] + partial[c] : partial[c];
    for (uint k = 1; k < blocks; k++) {
        __global const float *p = partial + k * cols;
        for (uint c = c0; c < c1; c++) dst[c] += p[c];
    }
}
