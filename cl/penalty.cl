/* Penalties on the code activations h (rows x cols: a batch of codes). Each
 * adds its gradient into dh and leaves its value for reduce_sum. Layouts as
 * in cl/loss.cl (flat sums) and cl/activation.cl (column sums in two stages). */

/* L1: value = sum |h| (partial sums per group, as the losses); dh += scale·sign(h). */
__kernel void sparsity_l1(uint n, __global const float *h, uint h_off, __global float *dh,
                          float scale, __global float *partial, __local float *scratch, uint run)
{
    uint i0 = min((uint)get_global_id(0) * run, n), i1 = min(i0 + run, n), i = i0;
    __global const float *x = h + h_off;
    float8 v8 = 0.0f;
    float value = 0.0f;
    for (; i + 8u <= i1; i += 8u) {
        float8 v = vload8(0, x + i);
        v8 += fabs(v);
        if (dh) vstore8(vload8(0, dh + i) + scale * sign(v), 0, dh + i);
    }
    for (; i < i1; i++) {
        float v = x[i];
        value += fabs(v);
        if (dh) dh[i] += scale * sign(v);
    }
    float sum = group_sum(value + lanes_sum(v8), scratch);
    if (get_local_id(0) == 0) partial[get_group_id(0)] = sum;
}

/* KL(rho ‖ rho_j) for each code unit j, rho_j = mean over the batch of h[., j],
 * from the column sums' partials (col_partials):
 * value[j] = rho log(rho / rho_j) + (1 - rho) log((1 - rho) / (1 - rho_j));
 * g[j] = scale · (-rho / rho_j + (1 - rho) / (1 - rho_j)) / rows, which
 * add_cols adds to every row of dh. rho_j is kept inside (0, 1) so the logs
 * stay finite. Range: ceil(cols / run). */
__kernel void sparsity_kl_units(uint blocks, uint rows, uint cols, __global const float *partial,
                                float rho, float scale, __global float *value, __global float *g,
                                uint g_off, uint run)
{
    uint c0 = get_global_id(0) * run;
    if (c0 >= cols) return;
    uint c1 = min(c0 + run, cols);
    for (uint c = c0; c < c1; c++) {
        float sum = 0.0f;
        for (uint k = 0; k < blocks; k++) sum += partial[k * cols + c];
        float mean = clamp(sum / (float)rows, 1e-6f, 1.0f - 1e-6f);
        value[c] = rho * log(rho / mean) + (1.0f - rho) * log((1.0f - rho) / (1.0f - mean));
        g[g_off + c] = scale * (-rho / mean + (1.0f - rho) / (1.0f - mean)) / (float)rows;
    }
}

/* dh[r][c] += g[c] over a rows x cols matrix. Range: (ceil(cols / run), ceil(rows / per)). */
__kernel void add_cols(uint rows, uint cols, __global const float *g, uint g_off,
                       __global float *dh, uint run, uint per)
{
    uint c0 = get_global_id(0) * run, r0 = get_global_id(1) * per;
    if (c0 >= cols || r0 >= rows) return;
    uint c1 = min(c0 + run, cols), r1 = min(r0 + per, rows);
    for (uint r = r0; r < r1; r++) {
        __global float *row = dh + r * cols;
        for (uint c = c0; c < c1; c++) row[c] += g[g_off + c];
    }
}

/* dst += alpha src over n values: adds the code penalties' gradient to the
 * gradient that reaches the code from the decoder, and a batch's parameter
 * gradient (or a slice of it) to its step's. Range as act_fwd
 * (cl/activation.cl). */
__kernel void add_inplace(uint n, uint len, __global const float *src, uint src_off,
                          __global float *dst, uint dst_off, float alpha, uint run, uint per)
{
    uint c0 = get_global_id(0) * run, r0 = get_global_id(1) * per;
    if (c0 >= len || r0 * len >= n) return;
    uint c1 = min(c0 + run, len), r1 = min(r0 + per, (n + len - 1) / len);
    for (uint r = r0; r < r1; r++) {
        uint at = r * len, end = min(c1, n - at);
        __global const float *s = src + src_off + at;
        __global float *d = dst + dst_off + at;
        for (uint c = c0; c < end; c++) d[c] += alpha * s[c];
    }
}

/* The contractive penalty (Rifai et al., 2011) on a sigmoid or tanh code
 * h = act(x·Wᵀ + b), W units x in: ‖∂h/∂x‖²_F = Σ_j g_j² s_j per sample, with
 * g_j = act'(h_j) (h(1-h) or 1-h²) and s_j = Σ_i W_ji² (row_sq_sums).
 * First stage, over (unit runs, blocks of rows) as act_bwd_col_partials:
 * partial[block][j] = Σ_block g_rj², and (dh not NULL) dh[r][j] +=
 * scale · 2 g g'(h) s_j, the part that flows through h. */
__kernel void contractive_partials(uint rows, uint units, uint act, __global const float *h,
                                   __global const float *s, __global float *dh, float scale,
                                   __global float *partial, uint partial_off, uint run, uint per)
{
    uint c0 = get_global_id(0) * run, block = get_global_id(1), r0 = block * per;
    if (c0 >= units || r0 >= rows) return;
    uint c1 = min(c0 + run, units), r1 = min(r0 + per, rows);
    __global float *sums = partial + partial_off + block * units;
    for (uint c = c0; c < c1; c++) sums[c] = 0.0f;
    for (uint r = r0; r < r1; r++) {
        __global const float *hr = h + r * units;
        __global float *dr = dh ? dh + r * units : dh;
#define CONTRACTIVE_RUN(TANH)                                              \
        for (uint c = c0; c < c1; c++) {                                   \
            float hj = hr[c];                                              \
            float g = TANH ? 1.0f - hj * hj : hj * (1.0f - hj);             \
            float dg = TANH ? -2.0f * hj : 1.0f - 2.0f * hj;               \
            sums[c] += g * g;                                              \
            if (dr) dr[c] += scale * 2.0f * g * dg * s[c];                 \
        }
        if (act == ACT_TANH) {
            CONTRACTIVE_RUN(1)
        } else {
            CONTRACTIVE_RUN(0)
        }
#undef CONTRACTIVE_RUN
    }
}

/* Second stage: unit_g2[j] = Σ_r g_rj² from the blocks, value[j] = s_j unit_g2[j].
 * Range: ceil(units / run). */
__kernel void contractive_units(uint blocks, uint units, __global const float *partial,
                                uint partial_off, __global const float *s,
                                __global float *unit_g2, __global float *value, uint run)
{
    uint c0 = get_global_id(0) * run;
    if (c0 >= units) return;
    uint c1 = min(c0 + run, units);
    for (uint c = c0; c < c1; c++) {
        float sum = 0.0f;
        for (uint k = 0; k < blocks; k++) sum += partial[partial_off + k * units + c];
        unit_g2[c] = sum;
        value[c] = s[c] * sum;
    }
}

/* The part through W itself: dW[j][i] += scale · 2 · unit_g2[j] · W[j][i].
 * Range: (ceil(in / run), ceil(units / per)). */
__kernel void contractive_wgrad(uint units, uint in, __global const float *w, uint w_off,
                                __global float *dw, __global const float *unit_g2, float scale,
                                uint run, uint per)
{
    uint c0 = get_global_id(0) * run, r0 = get_global_id(1) * per;
    if (c0 >= in || r0 >= units) return;
    uint c1 = min(c0 + run, in), r1 = min(r0 + per, units);
    for (uint j = r0; j < r1; j++) {
        float f = scale * 2.0f * unit_g2[j];
        __global const float *wj = w + w_off + j * in;
        __global float *dj = dw + w_off + j * in;
        for (uint i = c0; i < c1; i++) dj[i] += f * wj[i];
    }
}
