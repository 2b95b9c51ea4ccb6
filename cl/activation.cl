/* Activations: forward, backward, and the fused forms the dense layer uses. */

/* y = act(x), elementwise. */
__kernel void act_fwd(uint n, uint act, __global const float *x, uint x_off,
                      __global float *y, uint y_off)
{
    uint i = get_global_id(0);
    if (i >= n) return;
    y[y_off + i] = act_apply(act, x[x_off + i]);
}

/* dx = dy * act'(y), elementwise; dx may alias dy. */
__kernel void act_bwd(uint n, uint act, __global const float *dy, uint dy_off,
                      __global const float *y, uint y_off, __global float *dx, uint dx_off)
{
    uint i = get_global_id(0);
    if (i >= n) return;
    dx[dx_off + i] = dy[dy_off + i] * act_grad_from_output(act, y[y_off + i]);
}

/* y[r][c] = act(y[r][c] + b[c]) in place over a rows x cols row-major matrix:
 * the GEMM writes x·Wᵀ into y, this adds the bias and activates in one pass. */
__kernel void bias_act_fwd(uint rows, uint cols, uint act, __global float *y, uint y_off,
                           __global const float *b, uint b_off)
{
    uint i = get_global_id(0);
    if (i >= rows * cols) return;
    uint c = i % cols;
    y[y_off + i] = act_apply(act, y[y_off + i] + b[b_off + c]);
}

/* db[c] (+)= sum over rows of dz[r][c]. One work item per column; adjacent
 * items read adjacent addresses. accumulate = 1 adds to db (tied weights). */
__kernel void bias_grad(uint rows, uint cols, __global const float *dz, uint dz_off,
                        __global float *db, uint db_off, uint accumulate)
{
    uint c = get_global_id(0);
    if (c >= cols) return;
    float sum = 0.0f;
    for (uint r = 0; r < rows; r++) sum += dz[dz_off + r * cols + c];
    db[db_off + c] = accumulate ? db[db_off + c] + sum : sum;
}

/* The fused backward step of a dense layer's elementwise part:
 * dz = dy * act'(y) written over dy, and db = column sums of dz. */
__kernel void act_bwd_bias_grad(uint rows, uint cols, uint act, __global float *dy, uint dy_off,
                                __global const float *y, uint y_off, __global float *db,
                                uint db_off, uint accumulate)
{
    uint c = get_global_id(0);
    if (c >= cols) return;
    float sum = 0.0f;
    for (uint r = 0; r < rows; r++) {
        uint i = r * cols + c;
        float dz = dy[dy_off + i] * act_grad_from_output(act, y[y_off + i]);
        dy[dy_off + i] = dz;
        sum += dz;
    }
    db[db_off + c] = accumulate ? db[db_off + c] + sum : sum;
}
