/* Optimiser state and steps (the kernels are in cl/optim.cl). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "kernels/ops.h"
#include "train/optimizer.h"

const char *clae__optimizer_name(clae_optimizer_kind kind)
{
    return kind == CLAE_OPT_ADAM ? "adam" : kind == CLAE_OPT_RMSPROP ? "rmsprop" : "sgd";
}

clae_status clae__optimizer_create(clae_device *dev, const clae_spec *spec, size_t n_params,
                                   clae_optimizer *opt)
{
    memset(opt, 0, sizeof *opt);
    opt->kind = spec->train.optimizer;
    opt->lr = spec->train.learning_rate;
    opt->momentum = spec->train.momentum;
    opt->beta1 = spec->train.beta1;
    opt->beta2 = spec->train.beta2;
    opt->rho = spec->train.rho;
    opt->eps = spec->train.epsilon;
    opt->accumulate = spec->train.accumulate > 1 ? spec->train.accumulate : 1;
    double bucket_mb = spec->train.bucket_mb;
    if (bucket_mb == CLAE_SPEC_BUCKET_AUTO)
        bucket_mb = strcmp(clae_device_get_info(dev)->type, "CPU") == 0 ? 0.0 : CLAE_SPEC_BUCKET_MB;
    opt->bucket_values = (size_t)(bucket_mb * (1024.0 * 1024.0 / sizeof(float)));
    clae_status s = clae__buf_create_for(dev, n_params, "the optimiser's moments", &opt->m);
    if (s == CLAE_OK) s = clae__buf_create_for(dev, n_params, "the optimiser's moments", &opt->v);
    if (s == CLAE_OK && opt->accumulate > 1)
        s = clae__buf_create_for(dev, n_params, "the accumulated gradient", &opt->grad_sum);
    if (s != CLAE_OK) clae__optimizer_release(opt);
    return s;
}

double clae__schedule_lr(const clae_spec *spec, int epoch)
{
    double lr = spec->train.learning_rate;
    int epochs = spec->train.epochs > 0 ? spec->train.epochs : 1;
    int e = epoch > 1 ? epoch - 1 : 0; /* epochs completed before this one */
    switch (spec->train.schedule) {
    case CLAE_SCHEDULE_STEP: {
        int step = spec->train.schedule_step > 0 ? spec->train.schedule_step : epochs / 3;
        if (step < 1) step = 1;
        return lr * pow(spec->train.schedule_gamma, (double)(e / step));
    }
    case CLAE_SCHEDULE_COSINE:
        if (e > epochs) e = epochs;
        return lr * 0.5 * (1.0 + cos(3.14159265358979323846 * (double)e / (double)epochs));
    default: return lr;
    }
}

void clae__optimizer_set_epoch(clae_optimizer *opt, const clae_spec *spec, int epoch)
{
    opt->lr = clae__schedule_lr(spec, epoch);
}

clae_status clae__optimizer_join(clae_device *dev, clae_optimizer *opt, clae_dist *dist,
                                 size_t n_params)
{
    if (!dist || dist->size <= 1) return CLAE_OK;
    opt->dist = dist;
    opt->host_sum = malloc((n_params + 1) * sizeof *opt->host_sum);
    if (!opt->host_sum) return clae__fail(dev->ctx, CLAE_ENOMEM, "out of memory");
    if (opt->grad_sum.mem) return CLAE_OK;
    return clae__buf_create_for(dev, n_params, "the accumulated gradient", &opt->grad_sum);
}

void clae__optimizer_release(clae_optimizer *opt)
{
    clae__buf_release(&opt->m);
    clae__buf_release(&opt->v);
    clae__buf_release(&opt->grad_sum);
    clae__buckets_release(&opt->buckets);
    free(opt->host_sum);
    opt->host_sum = NULL;
}

clae_status clae__optimizer_step(clae_device *dev, clae_optimizer *opt, clae_buf *params,
                                 const clae_buf *grads)
{
    size_t n = params->count;
    opt->steps++;
    switch (opt->kind) {
    case CLAE_OPT_SGD:
        return clae__sgd_step(dev, n, params, grads, &opt->m, (float)opt->lr,
                              (float)opt->momentum);
    case CLAE_OPT_RMSPROP:
        return clae__rmsprop_step(dev, n, params, grads, &opt->v, (float)opt->lr, (float)opt->rho,
                                  (float)opt->eps);
    default: {
        /* Bias corrections in double on the host, as PyTorch's Adam. */
        double t = (double)opt->steps;
        double step_size = opt->lr / (1.0 - pow(opt->beta1, t));
        double bc2_sqrt = sqrt(1.0 - pow(opt->beta2, t));
        return clae__adam_step(dev, n, params, grads, &opt->m, &opt->v, (float)opt->beta1,
                               (float)opt->beta2, (float)step_size, (float)bc2_sqrt,
                               (float)opt->eps);
    }
    }
}
