/* Batch normalisation per channel over batch x plane of NCHW data (a dense
 * layer's features are channels with plane 1). stats holds mean[c] at c and
 * invstd[c] at channels + c; the sums come from channel_sums (cl/conv.cl). */

/* One work item per channel. Training: from the sums of x and x*x over count
 * values, the biased variance normalises and the unbiased one (count > 1)
 * goes into the running variance, as PyTorch does; the running statistics
 * (mean at r_off + c, variance at r_off + channels + c; running may be NULL)
 * move by momentum. Evaluation: mean and variance are the running ones. */
__kernel void bn_stats(uint channels, uint count, uint training, __global const float *sums,
                       uint sums_off, float eps, float momentum, __global float *running,
                       uint r_off, __global float *stats)
{
    uint c = get_global_id(0);
    if (c >= channels) return;
    float mean, var;
    if (training) {
        float n = (float)count;
        mean = sums[sums_off + 2 * c] / n;
        var = fmax(sums[sums_off + 2 * c + 1] / n - mean * mean, 0.0f);
        if (running) {
            float unbiased = count > 1u ? var * (n / (float)(count - 1u)) : var;
            uint m = r_off + c, v = r_off + channels + c;
            running[m] = (1.0f - momentum) * running[m] + momentum * mean;
            running[v] = (1.0f - momentum) * running[v] + momentum * unbiased;
        }
    } else {
        mean = running[r_off + c];
        var = running[r_off + channels + c];
    }
    stats[c] = mean;
    stats[channels + c] = 1.0f / sqrt(var + eps);
}

/* y = act(gamma[c] (x - mean[c]) invstd[c] + beta[c]). Range: (ceil(plane / run),
 * ceil(batch*channels / rows)); a work item writes `run` values of each of
 * `rows` (n, c) rows, as the kernels of cl/conv.cl (ACT_RUN is there). */
__kernel void bn_fwd(uint batch, uint channels, uint plane, uint act, __global const float *x,
                     uint x_off, __global const float *stats, __global const float *params,
                     uint g_off, uint b_off, __global float *y, uint y_off, uint run, uint rows)
{
    uint p0 = get_global_id(0) * run, r0 = get_global_id(1) * rows;
    if (p0 >= plane || r0 >= batch * channels) return;
    uint p1 = min(p0 + run, plane), r1 = min(r0 + rows, batch * channels);
    uint c = r0 % channels;
    __global const float *src = x + x_off + r0 * plane;
    __global float *dst = y + y_off + r0 * plane;
    for (uint r = r0; r < r1; r++, src += plane, dst += plane) {
        float mean = stats[c], invstd = stats[channels + c];
        float gamma = params[g_off + c], beta = params[b_off + c];
        ACT_RUN(act, p, p0, p1, gamma * ((src[p] - mean) * invstd) + beta, dst[p])
        if (++c == channels) c = 0;
    }
}

/* From sums = (sum dz, sum dz*x) per channel: dgamma = invstd (sum dz*x - mean sum dz)
 * to grads[g_off + c], dbeta = sum dz to grads[b_off + c]. One work item per channel. */
__kernel void bn_param_grad(uint channels, __global const float *sums, uint sums_off,
                            __global const float *stats, __global float *grads, uint g_off,
                            uint b_off)
{
    uint c = get_global_id(0);
    if (c >= channels) return;
    float sd = sums[sums_off + 2 * c], sdx = sums[sums_off + 2 * c + 1];
    grads[g_off + c] = stats[channels + c] * (sdx - stats[c] * sd);
    grads[b_off + c] = sd;
}

/* dx = gamma invstd (dz - dbeta/M - xhat dgamma/M) in training (M = batch*plane),
 * gamma invstd dz in evaluation (x and grads unused, may be NULL). dx may alias dz.
 * Range and runs as bn_fwd. */
__kernel void bn_bwd(uint batch, uint channels, uint plane, uint training,
                     __global const float *x, uint x_off, __global const float *dz, uint dz_off,
                     __global const float *stats, __global const float *params, uint g_off,
                     __global const float *grads, uint gg_off, uint gb_off, __global float *dx,
                     uint dx_off, uint run, uint rows)
{
    uint p0 = get_global_id(0) * run, r0 = get_global_id(1) * rows;
    if (p0 >= plane || r0 >= batch * channels) return;
    uint p1 = min(p0 + run, plane), r1 = min(r0 + rows, batch * channels);
    uint c = r0 % channels;
    float m = (float)(batch * plane);
    for (uint r = r0; r < r1; r++) {
        __global const float *d = dz + dz_off + r * plane;
        __global float *out = dx + dx_off + r * plane;
        float invstd = stats[channels + c], scale = params[g_off + c] * invstd;
        if (training) {
            __global const float *v = x + x_off + r * plane;
            float mean = stats[c], dbeta = grads[gb_off + c] / m, dgamma = grads[gg_off + c] / m;
            for (uint p = p0; p < p1; p++)
                out[p] = scale * (d[p] - dbeta - (v[p] - mean) * invstd * dgamma);
        } else {
            for (uint p = p0; p < p1; p++) out[p] = scale * d[p];
        }
        if (++c == channels) c = 0;
    }
}
