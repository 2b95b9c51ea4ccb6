/* References of cl/penalty.cl. */
#include <math.h>

#include "ref/ref.h"

double clae_ref_sparsity_l1(size_t n, const float *h, float *dh, float scale)
{
    double sum = 0.0;
    for (size_t i = 0; i < n; i++) {
        sum += fabsf(h[i]);
        if (dh) dh[i] += scale * (float)((h[i] > 0.0f) - (h[i] < 0.0f));
    }
    return sum;
}

void clae_ref_sparsity_kl(size_t rows, size_t cols, const float *h, float *dh, float rho,
                          float scale, float *value)
{
    for (size_t c = 0; c < cols; c++) {
        double sum = 0.0;
        for (size_t r = 0; r < rows; r++) sum += h[r * cols + c];
        double mean = sum / (double)rows;
        mean = mean < 1e-6 ? 1e-6 : mean > 1.0 - 1e-6 ? 1.0 - 1e-6 : mean;
        value[c] = (float)(rho * log(rho / mean) + (1.0 - rho) * log((1.0 - rho) / (1.0 - mean)));
        if (!dh) continue;
        float g = (float)(scale * (-rho / mean + (1.0 - rho) / (1.0 - mean)) / (double)rows);
        for (size_t r = 0; r < rows; r++) dh[r * cols + c] += g;
    }
}

void clae_ref_add_inplace(size_t n, const float *src, float *dst, float alpha)
{
    for (size_t i = 0; i < n; i++) dst[i] += alpha * src[i];
}

void clae_ref_contractive_fwd(size_t rows, size_t units, size_t in, int tanh_act, const float *h,
                              const float *w, float *dh, float scale, float *unit_g2,
                              float *value)
{
    for (size_t j = 0; j < units; j++) {
        double s = 0.0, sum_g2 = 0.0;
        for (size_t i = 0; i < in; i++) s += (double)w[j * in + i] * w[j * in + i];
        for (size_t r = 0; r < rows; r++) {
            double hj = h[r * units + j];
            double g = tanh_act ? 1.0 - hj * hj : hj * (1.0 - hj);
            double dg = tanh_act ? -2.0 * hj : 1.0 - 2.0 * hj;
            sum_g2 += g * g;
            if (dh) dh[r * units + j] += (float)(scale * 2.0 * g * dg * s);
        }
        unit_g2[j] = (float)sum_g2;
        value[j] = (float)(s * sum_g2);
    }
}

void clae_ref_contractive_wgrad(size_t units, size_t in, const float *w, float *dw,
                                const float *unit_g2, float scale)
{
    for (size_t k = 0; k < units * in; k++) dw[k] += scale * 2.0f * unit_g2[k / in] * w[k];
}
