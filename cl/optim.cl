/* Optimiser steps over the single parameter buffer: one launch per step. */

/* SGD with (heavy-ball) momentum, as PyTorch: m = μ m + g; p -= lr m */
__kernel void sgd_step(uint n, __global float *p, __global const float *g, __global float *m,
                       float lr, float momentum)
{
    uint i = get_global_id(0);
    if (i >= n) return;
    float mi = momentum * m[i] + g[i];
    m[i] = mi;
    p[i] -= lr * mi;
}

/* RMSprop: v = ρ v + (1-ρ) g²; p -= lr g / (sqrt(v) + ε) */
__kernel void rmsprop_step(uint n, __global float *p, __global const float *g, __global float *v,
                           float lr, float rho, float eps)
{
    uint i = get_global_id(0);
    if (i >= n) return;
    float gi = g[i];
    float vi = rho * v[i] + (1.0f - rho) * gi * gi;
    v[i] = vi;
    p[i] -= lr * gi / (sqrt(vi) + eps);
}

/* Adam with PyTorch's bias correction: step_size = lr / (1 - β1^t),
 * bc2_sqrt = sqrt(1 - β2^t); p -= step_size m / (sqrt(v) / bc2_sqrt + ε).
 * Each work item updates four consecutive values with vector loads (the
 * step is memory-bound; wide accesses keep it at the memory's speed on CPU
 * devices); the last work item finishes a ragged tail one value at a time. */
__kernel void adam_step(uint n, __global float *p, __global const float *g, __global float *m,
                        __global float *v, float beta1, float beta2, float step_size,
                        float bc2_sqrt, float eps)
{
    uint q = get_global_id(0), i = 4u * q;
    if (i >= n) return;
    if (i + 4u <= n) {
        float4 gi = vload4(q, g);
        float4 mi = beta1 * vload4(q, m) + (1.0f - beta1) * gi;
        float4 vi = beta2 * vload4(q, v) + (1.0f - beta2) * gi * gi;
        vstore4(mi, q, m);
        vstore4(vi, q, v);
        vstore4(vload4(q, p) - step_size * mi / (sqrt(vi) / bc2_sqrt + eps), q, p);
        return;
    }
    for (; i < n; i++) {
        float gi = g[i];
        float mi = beta1 * m[i] + (1.0f - beta1) * gi;
        float vi = beta2 * v[i] + (1.0f - beta2) * gi * gi;
        m[i] = mi;
        v[i] = vi;
        p[i] -= step_size * mi / (sqrt(vi) / bc2_sqrt + eps);
    }
}
