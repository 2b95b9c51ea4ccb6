/* References of cl/pool.cl; the backward passes search every output for the
 * ones that read each input, in double. */
#include "ref/ref.h"

void clae_ref_maxpool_fwd(size_t batch, size_t channels, size_t h, size_t w, size_t k,
                          size_t stride, size_t oh, size_t ow, const float *x, float *y,
                          uint32_t *arg)
{
    for (size_t nc = 0; nc < batch * channels; nc++) {
        const float *in = x + nc * h * w;
        for (size_t oy = 0; oy < oh; oy++)
            for (size_t ox = 0; ox < ow; ox++) {
                size_t best_at = oy * stride * w + ox * stride;
                for (size_t ki = 0; ki < k; ki++)
                    for (size_t kj = 0; kj < k; kj++) {
                        size_t at = (oy * stride + ki) * w + ox * stride + kj;
                        if (in[at] > in[best_at]) best_at = at;
                    }
                size_t o = (nc * oh + oy) * ow + ox;
                y[o] = in[best_at];
                arg[o] = (uint32_t)best_at;
            }
    }
}

void clae_ref_maxpool_bwd(size_t batch, size_t channels, size_t h, size_t w, size_t k,
                          size_t stride, size_t oh, size_t ow, const float *dy,
                          const uint32_t *arg, float *dx)
{
    for (size_t nc = 0; nc < batch * channels; nc++)
        for (size_t i = 0; i < h; i++)
            for (size_t j = 0; j < w; j++) {
                double sum = 0.0;
                for (size_t oy = 0; oy < oh; oy++) {
                    if (i < oy * stride || i >= oy * stride + k) continue;
                    for (size_t ox = 0; ox < ow; ox++) {
                        if (j < ox * stride || j >= ox * stride + k) continue;
                        size_t o = (nc * oh + oy) * ow + ox;
                        if (arg[o] == i * w + j) sum += dy[o];
                    }
                }
                dx[(nc * h + i) * w + j] = (float)sum;
            }
}

void clae_ref_upsample_fwd(size_t batch, size_t channels, size_t h, size_t w, size_t factor,
                           const float *x, float *y)
{
    size_t hf = h * factor, wf = w * factor;
    for (size_t nc = 0; nc < batch * channels; nc++)
        for (size_t i = 0; i < hf; i++)
            for (size_t j = 0; j < wf; j++)
                y[(nc * hf + i) * wf + j] = x[(nc * h + i / factor) * w + j / factor];
}

void clae_ref_upsample_bwd(size_t batch, size_t channels, size_t h, size_t w, size_t factor,
                           const float *dy, float *dx)
{
    size_t hf = h * factor, wf = w * factor;
    for (size_t nc = 0; nc < batch * channels; nc++)
        for (size_t i = 0; i < h; i++)
            for (size_t j = 0; j < w; j++) {
                double sum = 0.0;
                for (size_t a = 0; a < factor; a++)
                    for (size_t b = 0; b < factor; b++)
                        sum += dy[(nc * hf + i * factor + a) * wf + j * factor + b];
                dx[(nc * h + i) * w + j] = (float)sum;
            }
}
