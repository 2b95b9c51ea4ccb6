/* Penalties on the code activations h (rows x cols: a batch of codes). Each
 * adds its gradient into dh and leaves its value for reduce_sum. */

/* L1: value = sum |h| (partial sums per group, as the losses); dh += scale·sign(h). */
__kernel void sparsity_l1(uint n, __global const float *h, uint h_off, __global float *dh,
                          float scale, __global float *partial, __local float *scratch)
{
    float value = 0.0f;
    for (uint i = get_global_id(0); i < n; i += get_global_size(0)) {
        float v = h[h_off + i];
        value += fabs(v);
        if (dh) dh[i] += scale * (float)((v > 0.0f) - (v < 0.0f));
    }
    float sum = group_sum(value, scratch);
    if (get_local_id(0) == 0) partial[get_group_id(0)] = sum;
}

/* KL(rho ‖ rho_j) for each code unit j, rho_j = mean over the batch of h[., j]:
 * value[j] = rho log(rho / rho_j) + (1 - rho) log((1 - rho) / (1 - rho_j));
 * dh[., j] += scale · (-rho / rho_j + (1 - rho) / (1 - rho_j)) / rows.
 * One work item per unit; rho_j is kept inside (0, 1) so the logs stay finite. */
__kernel void sparsity_kl(uint rows, uint cols, __global const float *h, uint h_off,
                          __global float *dh, float rho, float scale, __global float *value)
{
    uint c = get_global_id(0);
    if (c >= cols) return;
    float sum = 0.0f;
    for (uint r = 0; r < rows; r++) sum += h[h_off + r * cols + c];
    float mean = clamp(sum / (float)rows, 1e-6f, 1.0f - 1e-6f);
    value[c] = rho * log(rho / mean) + (1.0f - rho) * log((1.0f - rho) / (1.0f - mean));
    if (!dh) return;
    float g = scale * (-rho / mean + (1.0f - rho) / (1.0f - mean)) / (float)rows;
    for (uint r = 0; r < rows; r++) dh[r * cols + c] += g;
}

/* dst += src, elementwise: adds the code penalties' gradient to the gradient
 * that reaches the code from the decoder. */
__kernel void add_inplace(uint n, __global const float *src, __global float *dst, uint dst_off)
{
    uint i = get_global_id(0);
    if (i >= n) return;
    dst[dst_off + i] += src[i];
}
