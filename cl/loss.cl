/* Reconstruction losses: value and gradient in one pass.
 * Each work item strides over the input (a few work groups cover any n, so
 * the tree reduction runs once per group, not once per 256 values); each work
 * group writes the sum of its elements' losses to partial[group]; reduce_sum
 * then turns the partial sums into the scalar. grad may be NULL (evaluation);
 * the gradient is scaled by `scale` (1/n for a mean). */

/* loss = (y - t)², grad = scale * 2 (y - t) */
__kernel void mse_loss(uint n, __global const float *y, uint y_off, __global const float *t,
                       uint t_off, __global float *grad, uint grad_off, float scale,
                       __global float *partial, __local float *scratch)
{
    float value = 0.0f;
    for (uint i = get_global_id(0); i < n; i += get_global_size(0)) {
        float d = y[y_off + i] - t[t_off + i];
        value += d * d;
        if (grad) grad[grad_off + i] = scale * 2.0f * d;
    }
    float sum = group_sum(value, scratch);
    if (get_local_id(0) == 0) partial[get_group_id(0)] = sum;
}

/* Binary cross-entropy on logits z, numerically stable:
 * loss = max(z, 0) - z t + log(1 + exp(-|z|)), grad = scale * (sigmoid(z) - t).
 * One exponential serves both: with e = exp(-|z|), sigmoid(z) is 1 / (1 + e)
 * for z >= 0 and e / (1 + e) otherwise. The logarithms are summed as the log
 * of a product: each factor 1 + e lies in (1, 2], so 64 of them stay far from
 * overflow, and one log per 64 values costs a rounding error of about
 * 64 ulp of the chunk's sum (log is much slower than exp on some devices). */
#define BCE_LOG_CHUNK 64u

__kernel void bce_logits_loss(uint n, __global const float *z, uint z_off, __global const float *t,
                              uint t_off, __global float *grad, uint grad_off, float scale,
                              __global float *partial, __local float *scratch)
{
    float value = 0.0f, product = 1.0f;
    uint factors = 0;
    for (uint i = get_global_id(0); i < n; i += get_global_size(0)) {
        float zi = z[z_off + i], ti = t[t_off + i];
        float e = exp(-fabs(zi));
        value += fmax(zi, 0.0f) - zi * ti;
        product *= 1.0f + e;
        if (++factors == BCE_LOG_CHUNK) {
            value += log(product);
            product = 1.0f;
            factors = 0;
        }
        float inv = 1.0f / (1.0f + e);
        if (grad) grad[grad_off + i] = scale * ((zi >= 0.0f ? inv : e * inv) - ti);
    }
    value += log(product);
    float sum = group_sum(value, scratch);
    if (get_local_id(0) == 0) partial[get_group_id(0)] = sum;
}
