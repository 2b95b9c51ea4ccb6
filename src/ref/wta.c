#include <math.h>
/* References of cl/wta.cl. */
#include "ref/ref.h"

void clae_ref_wta_select(size_t rows, size_t cols, size_t keep, float *h, float *mask)
{
    for (size_t c = 0; c < cols; c++) {
        for (size_t r = 0; r < rows; r++) {
            float v = h[r * cols + c];
            size_t rank = 0;
            for (size_t q = 0; q < rows; q++) {
                float u = h[q * cols + c];
                rank += (u > v) || (u == v && q < r);
            }
            mask[r * cols + c] = rank < keep ? 1.0f : 0.0f;
        }
        for (size_t r = 0; r < rows; r++)
            if (mask[r * cols + c] == 0.0f) h[r * cols + c] = 0.0f;
    }
}

void clae_ref_mask_mul(size_t n, const float *mask, float *dy)
{
    for (size_t i = 0; i < n; i++) dy[i] *= mask[i];
}

void clae_ref_wta_threshold(size_t rows, size_t cols, const float *h, const float *mask,
                            float momentum, float *t)
{
    for (size_t c = 0; c < cols; c++) {
        float least = INFINITY;
        for (size_t r = 0; r < rows; r++)
            if (mask[r * cols + c] != 0.0f && h[r * cols + c] < least) least = h[r * cols + c];
        t[c] = (1.0f - momentum) * t[c] + momentum * least;
    }
}

void clae_ref_wta_apply(size_t rows, size_t cols, const float *x, const float *t, float *y,
                        float *mask)
{
    for (size_t i = 0; i < rows * cols; i++) {
        mask[i] = x[i] >= t[i % cols] ? 1.0f : 0.0f;
        y[i] = x[i] * mask[i];
    }
}
