/* The variational code: the code layer's output is the mean and the log-
 * variance heads side by side, heads[r] = (mu[0..code), logvar[0..code)). */

/* z = mu + exp(logvar / 2) · eps (training), or z = mu (inference: sample = 0). */
__kernel void reparam_fwd(uint rows, uint code, __global const float *heads,
                          __global const float *eps, __global float *z, uint sample)
{
    uint i = get_global_id(0);
    if (i >= rows * code) return;
    uint r = i / code, j = i % code;
    float mu = heads[r * 2u * code + j];
    z[i] = sample ? mu + exp(0.5f * heads[r * 2u * code + code + j]) * eps[i] : mu;
}

/* The gradient at the heads from the gradient at z, plus the KL term's:
 * KL = 1/2 (mu² + exp(logvar) - 1 - logvar) per value, weighted by kl_scale.
 * dmu = dz + kl_scale · mu; dlogvar = dz · eps · exp(logvar / 2) / 2
 * + kl_scale · (exp(logvar) - 1) / 2. */
__kernel void reparam_bwd(uint rows, uint code, __global const float *heads,
                          __global const float *eps, __global const float *dz, float kl_scale,
                          __global float *dheads)
{
    uint i = get_global_id(0);
    if (i >= rows * code) return;
    uint r = i / code, j = i % code;
    float mu = heads[r * 2u * code + j], logvar = heads[r * 2u * code + code + j];
    float sd = exp(0.5f * logvar);
    dheads[r * 2u * code + j] = dz[i] + kl_scale * mu;
    dheads[r * 2u * code + code + j] = dz[i] * eps[i] * 0.5f * sd + kl_scale * 0.5f * (sd * sd - 1.0f);
}

/* Sum over the rows x code values of KL(N(mu, exp(logvar)) ‖ N(0, 1)), as
 * partial sums per work group (reduce them with reduce_sum). */
__kernel void vae_kl(uint rows, uint code, __global const float *heads, __global float *partial,
                     __local float *scratch)
{
    float value = 0.0f;
    uint n = rows * code;
    for (uint i = get_global_id(0); i < n; i += get_global_size(0)) {
        uint r = i / code, j = i % code;
        float mu = heads[r * 2u * code + j], logvar = heads[r * 2u * code + code + j];
        value += 0.5f * (mu * mu + exp(logvar) - 1.0f - logvar);
    }
    float sum = group_sum(value, scratch);
    if (get_local_id(0) == 0) partial[get_group_id(0)] = sum;
}
