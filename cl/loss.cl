/* Reconstruction losses: value and gradient in one pass.
 * Each work group writes the sum of its elements' losses to partial[group];
 * reduce_sum then turns the partial sums into the scalar. grad may be NULL
 * (evaluation); the gradient is scaled by `scale` (1/n for a mean). */

/* loss = (y - t)², grad = scale * 2 (y - t) */
__kernel void mse_loss(uint n, __global const float *y, uint y_off, __global const float *t,
                       uint t_off, __global float *grad, uint grad_off, float scale,
                       __global float *partial, __local float *scratch)
{
    uint i = get_global_id(0);
    float value = 0.0f;
    if (i < n) {
        float d = y[y_off + i] - t[t_off + i];
        value = d * d;
        if (grad) grad[grad_off + i] = scale * 2.0f * d;
    }
    float sum = group_sum(value, scratch);
    if (get_local_id(0) == 0) partial[get_group_id(0)] = sum;
}

/* Binary cross-entropy on logits z, numerically stable:
 * loss = max(z, 0) - z t + log(1 + exp(-|z|)), grad = scale * (sigmoid(z) - t) */
__kernel void bce_logits_loss(uint n, __global const float *z, uint z_off, __global const float *t,
                              uint t_off, __global float *grad, uint grad_off, float scale,
                              __global float *partial, __local float *scratch)
{
    uint i = get_global_id(0);
    float value = 0.0f;
    if (i < n) {
        float zi = z[z_off + i], ti = t[t_off + i];
        value = fmax(zi, 0.0f) - zi * ti + log1p(exp(-fabs(zi)));
        if (grad) grad[grad_off + i] = scale * (1.0f / (1.0f + exp(-zi)) - ti);
    }
    float sum = group_sum(value, scratch);
    if (get_local_id(0) == 0) partial[get_group_id(0)] = sum;
}
