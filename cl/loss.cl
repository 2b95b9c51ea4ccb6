/* Reconstruction losses: value and gradient in one pass.
 * A work item takes `run` consecutive values (the host's clae__flat_shape:
 * 1 on GPUs, long runs on CPUs, read 8 wide with 8 running sums, since a
 * compiler may not reorder one float sum to vectorise it); each work group
 * writes the sum of its values' losses to partial[group], and reduce_sum
 * turns the partial sums into the scalar. grad may be NULL (evaluation): the
 * branch is taken once per work item, outside the loops. The gradient is
 * scaled by `scale` (1/n for a mean). */

/* loss = (y - t)², grad = scale * 2 (y - t) */
__kernel void mse_loss(uint n, __global const float *y, uint y_off, __global const float *t,
                       uint t_off, __global float *grad, uint grad_off, float scale,
                       __global float *partial, __local float *scratch, uint run)
{
    uint i0 = min((uint)get_global_id(0) * run, n), i1 = min(i0 + run, n), i = i0;
    __global const float *a = y + y_off, *b = t + t_off;
    float8 v8 = 0.0f;
    float value = 0.0f;
    if (grad) {
        __global float *g = grad + grad_off;
        for (; i + 8u <= i1; i += 8u) {
            float8 d = vload8(0, a + i) - vload8(0, b + i);
            v8 += d * d;
            vstore8(scale * 2.0f * d, 0, g + i);
        }
        for (; i < i1; i++) {
            float d = a[i] - b[i];
            value += d * d;
            g[i] = scale * 2.0f * d;
        }
    } else {
        for (; i + 8u <= i1; i += 8u) {
            float8 d = vload8(0, a + i) - vload8(0, b + i);
            v8 += d * d;
        }
        for (; i < i1; i++) {
            float d = a[i] - b[i];
            value += d * d;
        }
    }
    float sum = group_sum(value + lanes_sum(v8), scratch);
    if (get_local_id(0) == 0) partial[get_group_id(0)] = sum;
}

/* Binary cross-entropy on logits z, numerically stable:
 * loss = max(z, 0) - z t + log(1 + exp(-|z|)), grad = scale * (sigmoid(z) - t).
 * One exponential serves both: with e = exp(-|z|), sigmoid(z) is 1 / (1 + e)
 * for z >= 0 and e / (1 + e) otherwise. The logarithms are summed as the log
 * of a product: each factor 1 + e lies in (1, 2], so BCE_LOG_CHUNK of them
 * stay far from overflow, and one log per chunk costs a rounding error of
 * about that many ulp of the chunk's sum (log is much slower than exp on some
 * devices). */
#define BCE_LOG_CHUNK 64u

__kernel void bce_logits_loss(uint n, __global const float *z, uint z_off, __global const float *t,
                              uint t_off, __global float *grad, uint grad_off, float scale,
                              __global float *partial, __local float *scratch, uint run)
{
    uint i0 = min((uint)get_global_id(0) * run, n), i1 = min(i0 + run, n), i = i0;
    __global const float *a = z + z_off, *b = t + t_off;
    __global float *g = grad ? grad + grad_off : grad;
    float8 v8 = 0.0f;
    float value = 0.0f;
    /* 8 wide: a log of each lane's product every BCE_LOG_CHUNK / 8 pieces */
    while (i + 8u <= i1) {
        float8 product = 1.0f;
        for (uint k = 0; k < BCE_LOG_CHUNK / 8u && i + 8u <= i1; k++, i += 8u) {
            float8 zi = vload8(0, a + i), ti = vload8(0, b + i);
            float8 e = exp(-fabs(zi));
            v8 += fmax(zi, 0.0f) - zi * ti;
            product *= 1.0f + e;
            if (g) {
                float8 inv = 1.0f / (1.0f + e);
                vstore8(scale * (select(e * inv, inv, zi >= 0.0f) - ti), 0, g + i);
            }
        }
        v8 += log(product);
    }
    float product = 1.0f;
    for (; i < i1; i++) {
        float zi = a[i], ti = b[i];
        float e = exp(-fabs(zi));
        value += fmax(zi, 0.0f) - zi * ti;
        product *= 1.0f + e; /* at most 7 factors here */
        if (g) {
            float inv = 1.0f / (1.0f + e);
            g[i] = scale * ((zi >= 0.0f ? inv : e * inv) - ti);
        }
    }
    value += log(product);
    float sum = group_sum(value + lanes_sum(v8), scratch);
    if (get_local_id(0) == 0) partial[get_group_id(0)] = sum;
}
