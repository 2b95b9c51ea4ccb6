/* References of cl/conv.cl, written directly from the definitions (col2im by
 * searching every column that reads a pixel), with double accumulation. */
#include "ref/ref.h"

void clae_ref_im2col(size_t batch, size_t channels, size_t h, size_t w, size_t k, size_t stride,
                     size_t pad, size_t oh, size_t ow, const float *x, float *col)
{
    size_t cols = batch * oh * ow;
    for (size_t c = 0; c < channels; c++)
        for (size_t ki = 0; ki < k; ki++)
            for (size_t kj = 0; kj < k; kj++) {
                float *row = col + ((c * k + ki) * k + kj) * cols;
                for (size_t n = 0; n < batch; n++)
                    for (size_t oy = 0; oy < oh; oy++)
                        for (size_t ox = 0; ox < ow; ox++) {
                            long iy = (long)(oy * stride + ki) - (long)pad;
                            long ix = (long)(ox * stride + kj) - (long)pad;
                            int inside = iy >= 0 && iy < (long)h && ix >= 0 && ix < (long)w;
                            row[(n * oh + oy) * ow + ox] =
                                inside ? x[((n * channels + c) * h + (size_t)iy) * w + (size_t)ix]
                                       : 0.0f;
                        }
            }
}

void clae_ref_col2im(size_t batch, size_t channels, size_t h, size_t w, size_t k, size_t stride,
                     size_t pad, size_t oh, size_t ow, const float *col, float *x)
{
    size_t cols = batch * oh * ow;
    for (size_t n = 0; n < batch; n++)
        for (size_t c = 0; c < channels; c++)
            for (size_t i = 0; i < h; i++)
                for (size_t j = 0; j < w; j++) {
                    double sum = 0.0;
                    for (size_t ki = 0; ki < k; ki++)
                        for (size_t oy = 0; oy < oh; oy++) {
                            if (oy * stride + ki != i + pad) continue;
                            for (size_t kj = 0; kj < k; kj++)
                                for (size_t ox = 0; ox < ow; ox++)
                                    if (ox * stride + kj == j + pad)
                                        sum += col[((c * k + ki) * k + kj) * cols +
                                                   (n * oh + oy) * ow + ox];
                        }
                    x[((n * channels + c) * h + i) * w + j] = (float)sum;
                }
}

void clae_ref_cnhw_bias_act(size_t batch, size_t channels, size_t plane, int act,
                            const float *src, const float *b, float *y)
{
    for (size_t n = 0; n < batch; n++)
        for (size_t c = 0; c < channels; c++)
            for (size_t p = 0; p < plane; p++) {
                float v = src[c * batch * plane + n * plane + p];
                if (b) v += b[c];
                y[(n * channels + c) * plane + p] = clae_ref_act_apply(act, v);
            }
}

void clae_ref_act_bwd_to_cnhw(size_t batch, size_t channels, size_t plane, int act,
                              const float *dy, const float *y, float *dz)
{
    for (size_t n = 0; n < batch; n++)
        for (size_t c = 0; c < channels; c++)
            for (size_t p = 0; p < plane; p++) {
                size_t i = (n * channels + c) * plane + p;
                dz[c * batch * plane + n * plane + p] =
                    dy[i] * clae_ref_act_grad_from_output(act, y[i]);
            }
}

void clae_ref_channel_bias_act(size_t batch, size_t channels, size_t plane, int act, float *y,
                               const float *b)
{
    for (size_t n = 0; n < batch; n++)
        for (size_t c = 0; c < channels; c++)
            for (size_t p = 0; p < plane; p++) {
                float *v = &y[(n * channels + c) * plane + p];
                *v = clae_ref_act_apply(act, b ? *v + b[c] : *v);
            }
}

void clae_ref_channel_sums(size_t batch, size_t channels, size_t plane, const float *x,
                           const float *y, float *sums)
{
    for (size_t c = 0; c < channels; c++) {
        double s = 0.0, sq = 0.0;
        for (size_t n = 0; n < batch; n++)
            for (size_t p = 0; p < plane; p++) {
                size_t i = (n * channels + c) * plane + p;
                s += x[i];
                sq += (double)x[i] * (y ? y[i] : x[i]);
            }
        sums[2 * c] = (float)s;
        sums[2 * c + 1] = (float)sq;
    }
}

void clae_ref_channel_combine(size_t rows, size_t groups, const float *partial, float *out)
{
    for (size_t r = 0; r < rows; r++) {
        double s = 0.0;
        for (size_t g = 0; g < groups; g++) s += partial[r * groups + g];
        out[r] = (float)s;
    }
}

void clae_ref_channel_bias_grad(size_t batch, size_t channels, size_t plane, const float *dz,
                                float *db)
{
    for (size_t c = 0; c < channels; c++) {
        double s = 0.0;
        for (size_t n = 0; n < batch; n++)
            for (size_t p = 0; p < plane; p++) s += dz[(n * channels + c) * plane + p];
        db[c] = (float)s;
    }
}
