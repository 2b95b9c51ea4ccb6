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

/* The contractive penalty (Rifai et al., 2011) on a sigmoid or tanh code
 * h = act(x·Wᵀ + b), W units x in: ‖∂h/∂x‖²_F = Σ_j g_j² s_j per sample, with
 * g_j = act'(h_j) (h(1-h) or 1-h²) and s_j = Σ_i W_ji². One work item per
 * unit j: value[j] = s_j Σ_r g_rj², unit_g2[j] = Σ_r g_rj², and (dh not NULL)
 * dh[r][j] += scale · 2 g g'(h) s_j, the part that flows through h. */
__kernel void contractive_fwd(uint rows, uint units, uint in, uint act, __global const float *h,
                              __global const float *w, uint w_off, __global float *dh,
                              float scale, __global float *unit_g2, __global float *value)
{
    uint j = get_global_id(0);
    if (j >= units) return;
    float s = 0.0f;
    for (uint i = 0; i < in; i++) {
        float wji = w[w_off + j * in + i];
        s += wji * wji;
    }
    float sum_g2 = 0.0f;
    for (uint r = 0; r < rows; r++) {
        float hj = h[r * units + j];
        float g = act == ACT_TANH ? 1.0f - hj * hj : hj * (1.0f - hj);
        float dg = act == ACT_TANH ? -2.0f * hj : 1.0f - 2.0f * hj;
        sum_g2 += g * g;
        if (dh) dh[r * units + j] += scale * 2.0f * g * dg * s;
    }
    unit_g2[j] = sum_g2;
    value[j] = s * sum_g2;
}

/* The part through W itself: dW[j][i] += scale · 2 · unit_g2[j] · W[j][i]. */
__kernel void contractive_wgrad(uint units, uint in, __global const float *w, uint w_off,
                                __global float *dw, __global const float *unit_g2, float scale)
{
    uint k = get_global_id(0);
    if (k >= units * in) return;
    dw[w_off + k] += scale * 2.0f * unit_g2[k / in] * w[w_off + k];
}
