/* References of cl/loss.cl and cl/reduce.cl. */
#include <math.h>

#include "ref/ref.h"

double clae_ref_mse_loss(size_t n, const float *y, const float *t, float *grad, float scale)
{
    double sum = 0.0;
    for (size_t i = 0; i < n; i++) {
        float d = y[i] - t[i];
        sum += (double)d * d;
        if (grad) grad[i] = scale * 2.0f * d;
    }
    return sum;
}

double clae_ref_bce_logits_loss(size_t n, const float *z, const float *t, float *grad, float scale)
{
    double sum = 0.0;
    for (size_t i = 0; i < n; i++) {
        double zi = z[i], ti = t[i];
        sum += fmax(zi, 0.0) - zi * ti + log1p(exp(-fabs(zi)));
        if (grad) grad[i] = scale * (float)(1.0 / (1.0 + exp(-zi)) - ti);
    }
    return sum;
}

double clae_ref_reduce_sum(size_t n, const float *x, float scale)
{
    double sum = 0.0;
    for (size_t i = 0; i < n; i++) sum += x[i];
    return scale * sum;
}

void clae_ref_gather_rows(size_t rows, size_t cols, const float *src, const uint32_t *idx,
                          float *dst)
{
    for (size_t r = 0; r < rows; r++)
        for (size_t c = 0; c < cols; c++) dst[r * cols + c] = src[(size_t)idx[r] * cols + c];
}
