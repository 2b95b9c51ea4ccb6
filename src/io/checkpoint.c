/* Checkpoint save and restore through the safetensors module. Tensor names
 * and shapes follow PyTorch's layouts: "encoder.0.weight" of a dense layer is
 * out x in, of a conv F x C x k x k; batch norm's running statistics are
 * "<layer>.running_mean" and "<layer>.running_var".
 *
 * A VAE's [code] layer is one dense layer holding both heads: of its
 * 2*code x in "encoder.N.weight" and 2*code "encoder.N.bias" (N = the number
 * of encoder layers), rows 0 .. code-1 are the mean head and rows code ..
 * 2*code-1 the log-variance head (log sigma^2), as the sampler reads them.
 *
 * Without an optimiser (clae export) only the weights and running statistics
 * are written, under the format CLAE_WEIGHTS_FORMAT; the metadata (spec, input
 * shape) stays, so every command that loads a model loads them. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "io/checkpoint.h"

clae_status clae__checkpoint_save(clae_ctx *ctx, const char *path, clae_model *m,
                                  const clae_optimizer *opt, const clae_checkpoint_meta *meta)
{
    size_t n = m->n_params, arenas = opt ? 3 : 1;
    /* parameters, optimiser moments, then the running statistics */
    float *host = malloc((arenas * n + m->n_stats + 1) * sizeof *host);
    if (!host) return clae__fail(ctx, CLAE_ENOMEM, "out of memory writing %s", path);
    float *stats = host + arenas * n;
    clae_status s = clae__buf_read(m->dev, &m->params, 0, n, host);
    if (s == CLAE_OK && opt) s = clae__buf_read(m->dev, &opt->m, 0, n, host + n);
    if (s == CLAE_OK && opt) s = clae__buf_read(m->dev, &opt->v, 0, n, host + 2 * n);
    if (s == CLAE_OK && m->n_stats) s = clae__buf_read(m->dev, &m->stats, 0, m->n_stats, stats);
    if (s != CLAE_OK) {
        free(host);
        return s;
    }
    int n_params = m->n_tensors;
    clae_st_tensor tensors[CLAE_MODEL_MAX_TENSORS + 2];
    for (int i = 0; i < n_params; i++) {
        const clae_tensor_info *t = &m->tensors[i];
        tensors[i] = (clae_st_tensor){t->name, (t->stats ? stats : host) + t->offset, t->ndim,
                                      {0}};
        memcpy(tensors[i].shape, t->shape, sizeof t->shape);
    }
    if (opt) {
        tensors[n_params] = (clae_st_tensor){"optimizer.m", host + n, 1, {n}};
        tensors[n_params + 1] = (clae_st_tensor){"optimizer.v", host + 2 * n, 1, {n}};
    }

    char epoch[32], step[32], seed[32], shape[64];
    snprintf(shape, sizeof shape, "%d,%d,%d", meta->channels, meta->height, meta->width);
    snprintf(epoch, sizeof epoch, "%d", meta->epoch);
    snprintf(step, sizeof step, "%" PRIu64, meta->step);
    snprintf(seed, sizeof seed, "%" PRIu64, meta->seed);
    clae_st_meta md[] = {
        {"format", opt ? "clae-checkpoint-1" : CLAE_WEIGHTS_FORMAT},
        {"version", CLAE_VERSION},
        {"epoch", epoch},
        {"step", step},
        {"seed", seed},
        {"optimizer", opt ? clae__optimizer_name(opt->kind) : ""},
        {"device", meta->device ? meta->device : ""},
        {"input_shape", shape},
        {"spec", meta->spec_text ? meta->spec_text : ""},
        {"loss_history", meta->history ? meta->history : ""},
        {"loss_columns", meta->history_columns ? meta->history_columns : ""},
    };
    s = clae_safetensors_write(ctx, path, tensors, n_params + (opt ? 2 : 0), md,
                               (int)(sizeof md / sizeof md[0]));
    free(host);
    return s;
}

static clae_status restore_tensor(clae_ctx *ctx, const char *path, const clae_safetensors *st,
                                  const char *name, const size_t *shape, int ndim, clae_device *dev,
                                  clae_buf *buf, size_t offset)
{
    int got_ndim = 0;
    size_t got_shape[CLAE_ST_MAX_DIMS] = {0}, count = 0;
    const float *data = clae_safetensors_tensor(st, name, &got_ndim, got_shape, &count);
    if (!data)
        return clae__fail(ctx, CLAE_EDATA, "%s: tensor \"%s\" is missing (a different model?)",
                          path, name);
    int same = got_ndim == ndim;
    for (int d = 0; same && d < ndim; d++) same = got_shape[d] == shape[d];
    if (!same)
        return clae__fail(ctx, CLAE_EDATA,
                          "%s: tensor \"%s\" has shape [%zu%s] but the model needs [%zu%s]", path,
                          name, got_ndim ? got_shape[0] : 0, got_ndim > 1 ? ", ..." : "", shape[0],
                          ndim > 1 ? ", ..." : "");
    size_t n = 1;
    for (int d = 0; d < ndim; d++) n *= shape[d];
    return clae__buf_write(dev, buf, offset, n, data);
}

clae_status clae__checkpoint_restore(clae_ctx *ctx, const char *path, const clae_safetensors *st,
                                     clae_model *m, clae_optimizer *opt)
{
    clae_status s = CLAE_OK;
    for (int i = 0; i < m->n_tensors && s == CLAE_OK; i++) {
        const clae_tensor_info *t = &m->tensors[i];
        s = restore_tensor(ctx, path, st, t->name, t->shape, t->ndim, m->dev,
                           t->stats ? &m->stats : &m->params, t->offset);
    }
    if (s != CLAE_OK || !opt) return s;
    size_t shape[1] = {m->n_params};
    s = restore_tensor(ctx, path, st, "optimizer.m", shape, 1, m->dev, &opt->m, 0);
    if (s == CLAE_OK) s = restore_tensor(ctx, path, st, "optimizer.v", shape, 1, m->dev, &opt->v, 0);
    return s;
}

clae_status clae__checkpoint_load_model(clae_ctx *ctx, clae_device *dev, const char *path,
                                        size_t batch_max, clae_loaded_model *out)
{
    memset(out, 0, sizeof *out);
    clae_safetensors *st = NULL;
    clae_status s = clae_safetensors_read(ctx, path, &st);
    if (s != CLAE_OK) return s;
    const char *text = clae_safetensors_meta(st, "spec");
    const char *shape = clae_safetensors_meta(st, "input_shape");
    if (!text || !*text || !shape ||
        sscanf(shape, "%d,%d,%d", &out->channels, &out->height, &out->width) != 3 ||
        out->channels <= 0 || out->height <= 0 || out->width <= 0 ||
        (long)out->channels * out->height * out->width > CLAE_SPEC_MAX_COUNT)
        s = clae__fail(ctx, CLAE_EDATA, "%s: not a clae model (no spec or input shape stored)",
                       path);
    if (s == CLAE_OK) s = clae_spec_parse_text(ctx, path, text, &out->spec);
    if (s == CLAE_OK)
        s = clae__model_create(dev, &out->spec,
                               (clae_shape){out->channels, out->height, out->width}, batch_max,
                               &out->model);
    if (s == CLAE_OK) s = clae__checkpoint_restore(ctx, path, st, out->model, NULL);
    clae_safetensors_free(st);
    if (s != CLAE_OK) clae__loaded_model_free(out);
    return s;
}

void clae__loaded_model_free(clae_loaded_model *lm)
{
    clae__model_destroy(lm->model);
    clae_spec_free(&lm->spec);
    memset(lm, 0, sizeof *lm);
}
