/* References of cl/vae.cl. */
#include <math.h>

#include "ref/ref.h"

void clae_ref_reparam_fwd(size_t rows, size_t code, const float *heads, const float *eps,
                          float *z, int sample)
{
    for (size_t r = 0; r < rows; r++)
        for (size_t j = 0; j < code; j++) {
            float mu = heads[r * 2 * code + j], logvar = heads[r * 2 * code + code + j];
            z[r * code + j] = sample ? mu + expf(0.5f * logvar) * eps[r * code + j] : mu;
        }
}

void clae_ref_reparam_bwd(size_t rows, size_t code, const float *heads, const float *eps,
                          const float *dz, float kl_scale, float *dheads)
{
    for (size_t r = 0; r < rows; r++)
        for (size_t j = 0; j < code; j++) {
            size_t i = r * code + j;
            float mu = heads[r * 2 * code + j], logvar = heads[r * 2 * code + code + j];
            float sd = expf(0.5f * logvar);
            dheads[r * 2 * code + j] = dz[i] + kl_scale * mu;
            dheads[r * 2 * code + code + j] =
                dz[i] * eps[i] * 0.5f * sd + kl_scale * 0.5f * (sd * sd - 1.0f);
        }
}

double clae_ref_vae_kl(size_t rows, size_t code, const float *heads)
{
    double sum = 0.0;
    for (size_t r = 0; r < rows; r++)
        for (size_t j = 0; j < code; j++) {
            double mu = heads[r * 2 * code + j], logvar = heads[r * 2 * code + code + j];
            sum += 0.5 * (mu * mu + exp(logvar) - 1.0 - logvar);
        }
    return sum;
}
