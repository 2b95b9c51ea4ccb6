/* References of cl/batchnorm.cl, in double from the float inputs. */
#include <math.h>

#include "ref/ref.h"

void clae_ref_bn_stats(size_t channels, size_t count, int training, const float *sums, float eps,
                       float momentum, float *running, float *stats)
{
    for (size_t c = 0; c < channels; c++) {
        double mean, var;
        if (training) {
            mean = (double)sums[2 * c] / (double)count;
            var = (double)sums[2 * c + 1] / (double)count - mean * mean;
            if (var < 0.0) var = 0.0;
            if (running) {
                double unbiased = count > 1 ? var * (double)count / (double)(count - 1) : var;
                running[c] = (float)((1.0 - momentum) * running[c] + momentum * mean);
                running[channels + c] =
                    (float)((1.0 - momentum) * running[channels + c] + momentum * unbiased);
            }
        } else {
            mean = running[c];
            var = running[channels + c];
        }
        stats[c] = (float)mean;
        stats[channels + c] = (float)(1.0 / sqrt(var + (double)eps));
    }
}

void clae_ref_bn_fwd(size_t batch, size_t channels, size_t plane, int act, const float *x,
                     const float *stats, const float *gamma, const float *beta, float *y)
{
    for (size_t n = 0; n < batch; n++)
        for (size_t c = 0; c < channels; c++)
            for (size_t p = 0; p < plane; p++) {
                size_t i = (n * channels + c) * plane + p;
                double xhat = ((double)x[i] - stats[c]) * stats[channels + c];
                y[i] = clae_ref_act_apply(act, (float)(gamma[c] * xhat + beta[c]));
            }
}

void clae_ref_bn_param_grad(size_t channels, const float *sums, const float *stats,
                            float *dgamma, float *dbeta)
{
    for (size_t c = 0; c < channels; c++) {
        dgamma[c] = (float)(stats[channels + c] *
                            ((double)sums[2 * c + 1] - (double)stats[c] * sums[2 * c]));
        dbeta[c] = sums[2 * c];
    }
}

void clae_ref_bn_bwd(size_t batch, size_t channels, size_t plane, int training, const float *x,
                     const float *dz, const float *stats, const float *gamma,
                     const float *dgamma, const float *dbeta, float *dx)
{
    double m = (double)(batch * plane);
    for (size_t n = 0; n < batch; n++)
        for (size_t c = 0; c < channels; c++)
            for (size_t p = 0; p < plane; p++) {
                size_t i = (n * channels + c) * plane + p;
                double invstd = stats[channels + c], d = dz[i];
                if (training) {
                    double xhat = ((double)x[i] - stats[c]) * invstd;
                    d -= (dbeta[c] + xhat * dgamma[c]) / m;
                }
                dx[i] = (float)(gamma[c] * invstd * d);
            }
}
