/* References of cl/activation.cl (and the helpers in cl/common.cl). */
#include <math.h>

#include "clae/spec.h"
#include "ref/ref.h"

#define LEAKY_SLOPE 0.01f

float clae_ref_act_apply(int act, float x)
{
    switch (act) {
    case CLAE_ACT_RELU: return x > 0.0f ? x : 0.0f;
    case CLAE_ACT_LEAKY_RELU: return x > 0.0f ? x : LEAKY_SLOPE * x;
    case CLAE_ACT_ELU: return x > 0.0f ? x : expm1f(x);
    case CLAE_ACT_SIGMOID: return 1.0f / (1.0f + expf(-x));
    case CLAE_ACT_TANH: return tanhf(x);
    default: return x;
    }
}

float clae_ref_act_grad_from_output(int act, float y)
{
    switch (act) {
    case CLAE_ACT_RELU: return y > 0.0f ? 1.0f : 0.0f;
    case CLAE_ACT_LEAKY_RELU: return y > 0.0f ? 1.0f : LEAKY_SLOPE;
    case CLAE_ACT_ELU: return y > 0.0f ? 1.0f : y + 1.0f;
    case CLAE_ACT_SIGMOID: return y * (1.0f - y);
    case CLAE_ACT_TANH: return 1.0f - y * y;
    default: return 1.0f;
    }
}

void clae_ref_act_fwd(size_t n, int act, const float *x, float *y)
{
    for (size_t i = 0; i < n; i++) y[i] = clae_ref_act_apply(act, x[i]);
}

void clae_ref_act_bwd(size_t n, int act, const float *dy, const float *y, float *dx)
{
    for (size_t i = 0; i < n; i++) dx[i] = dy[i] * clae_ref_act_grad_from_output(act, y[i]);
}

void clae_ref_bias_act_fwd(size_t rows, size_t cols, int act, float *y, const float *b)
{
    for (size_t r = 0; r < rows; r++)
        for (size_t c = 0; c < cols; c++)
            y[r * cols + c] = clae_ref_act_apply(act, y[r * cols + c] + b[c]);
}

void clae_ref_bias_grad(size_t rows, size_t cols, const float *dz, float *db, int accumulate)
{
    for (size_t c = 0; c < cols; c++) {
        double sum = 0.0;
        for (size_t r = 0; r < rows; r++) sum += dz[r * cols + c];
        db[c] = (float)(accumulate ? db[c] + sum : sum);
    }
}

void clae_ref_act_bwd_bias_grad(size_t rows, size_t cols, int act, float *dy, const float *y,
                                float *db, int accumulate)
{
    clae_ref_act_bwd(rows * cols, act, dy, y, dy);
    clae_ref_bias_grad(rows, cols, dy, db, accumulate);
}
