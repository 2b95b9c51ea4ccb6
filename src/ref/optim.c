/* References of cl/optim.cl. */
#include <math.h>

#include "ref/ref.h"

void clae_ref_sgd_step(size_t n, float *p, const float *g, float *m, float lr, float momentum)
{
    for (size_t i = 0; i < n; i++) {
        m[i] = momentum * m[i] + g[i];
        p[i] -= lr * m[i];
    }
}

void clae_ref_rmsprop_step(size_t n, float *p, const float *g, float *v, float lr, float rho,
                           float eps)
{
    for (size_t i = 0; i < n; i++) {
        v[i] = rho * v[i] + (1.0f - rho) * g[i] * g[i];
        p[i] -= lr * g[i] / (sqrtf(v[i]) + eps);
    }
}

void clae_ref_adam_step(size_t n, float *p, const float *g, float *m, float *v, float beta1,
                        float beta2, float step_size, float bc2_sqrt, float eps)
{
    for (size_t i = 0; i < n; i++) {
        m[i] = beta1 * m[i] + (1.0f - beta1) * g[i];
        v[i] = beta2 * v[i] + (1.0f - beta2) * g[i] * g[i];
        p[i] -= step_size * m[i] / (sqrtf(v[i]) / bc2_sqrt + eps);
    }
}
