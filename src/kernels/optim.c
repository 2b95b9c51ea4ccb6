/* Host wrappers of cl/optim.cl: each step covers the whole parameter buffer. */
#include "kernels/ops.h"

clae_status clae__sgd_step(clae_device *dev, size_t n, clae_buf *p, const clae_buf *g, clae_buf *m,
                           float lr, float momentum)
{
    clae__launch_bytes(dev, 20 * n); /* reads p, g, m; writes p, m */
    return CLAE_LAUNCH(dev, CLAE_K_sgd_step, n, 0, KU(n), KM(p), KM(g), KM(m), KF(lr),
                       KF(momentum));
}

clae_status clae__rmsprop_step(clae_device *dev, size_t n, clae_buf *p, const clae_buf *g,
                               clae_buf *v, float lr, float rho, float eps)
{
    clae__launch_bytes(dev, 20 * n); /* reads p, g, v; writes p, v */
    return CLAE_LAUNCH(dev, CLAE_K_rmsprop_step, n, 0, KU(n), KM(p), KM(g), KM(v), KF(lr), KF(rho),
                       KF(eps));
}

clae_status clae__adam_step(clae_device *dev, size_t n, clae_buf *p, const clae_buf *g,
                            clae_buf *m, clae_buf *v, float beta1, float beta2, float step_size,
                            float bc2_sqrt, float eps)
{
    /* four values per work item (see cl/optim.cl) */
    clae__launch_bytes(dev, 28 * n); /* reads p, g, m, v; writes p, m, v */
    return CLAE_LAUNCH(dev, CLAE_K_adam_step, (n + 3) / 4, 0, KU(n), KM(p), KM(g), KM(m), KM(v), KF(beta1),
                       KF(beta2), KF(step_size), KF(bc2_sqrt), KF(eps));
}
