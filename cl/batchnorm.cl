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

/* y = act(gamma[c] (x - mean[c]) invstd[c] + beta[c]), one work item per element. */
__kernel void bn_fwd(uint batch, uint channels, uint plane, uint act, __global const float *x,
                     uint x_off, __global const float *stats, __global const float *params,
                     uint g_off, uint b_off, __global float *y, uint y_off)
{
    uint i = get_global_id(0);
    if (i >= batch * channels * plane) return;
    uint c = (i / plane) % channels;
    float xhat = (x[x_off + i] - stats[c]) * stats[channels + c];
    y[y_off + i] = act_apply(act, params[g_off + c] * xhat + params[b_off + c]);
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
 * gamma invstd dz in evaluation (x and grads unused, may be NULL). dx may alias dz. */
__kernel void bn_bwd(uint batch, uint channels, uint plane, uint training,
                     __global const float *x, uint x_off, __global const float *dz, uint dz_off,
                     __global const float *stats, __global const float *params, uint g_off,
                     __global const float *grads, uint gg_off, uint gb_off, __global float *dx,
                     uint dx_off)
{
    uint i = get_global_id(0);
    if (i >= batch * channels * plane) return;
    uint c = (i / plane) % channels;
    float invstd = stats[channels + c];
    float d = dz[dz_off + i];
    if (training) {
        float m = (float)(batch * plane);
        float xhat = (x[x_off + i] - stats[c]) * invstd;
        d = d - grads[gb_off + c] / m - xhat * (grads[gg_off + c] / m);
    }
    dx[dx_off + i] = params[g_off + c] * invstd * d;
}
