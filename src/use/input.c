/* Opening a trained model and the data it will run on. */
#include <string.h>

#include "data/source.h"
#include "use/use.h"

static clae_status load_input(clae_ctx *ctx, const clae_use_options *o, const clae_spec *spec,
                              clae_dataset *data)
{
    if (o->input)
    {
        /* Only the samples up to the end of --skip N --limit M are read. */
        size_t take = o->limit ? o->skip + o->limit : 0;
        return clae__load_data_file(ctx, spec, o->input, o->labels ? o->labels : "", take, data);
    }
    /* The model's own test split, as training held it out. */
    clae_dataset train;
    clae_status s = clae__load_datasets(ctx, spec, &train, data);
    clae_dataset_free(&train);
    if (s == CLAE_OK && data->count == 0) {
        clae_dataset_free(data);
        s = clae__fail(ctx, CLAE_EUSAGE, "%s: the model's spec holds out no test split: give "
                                         "--input DATA", o->model);
    }
    return s;
}

/* Drops the first n rows, keeping the rest in order. */
static clae_status skip_rows(clae_ctx *ctx, clae_dataset *d, size_t n)
{
    if (n >= d->count)
        return clae__fail(ctx, CLAE_EUSAGE, "--skip %zu: %s has only %zu samples", n, d->name,
                          d->count);
    memmove(d->x, d->x + n * d->dim, (d->count - n) * d->dim * sizeof *d->x);
    if (d->labels) memmove(d->labels, d->labels + n, (d->count - n) * sizeof *d->labels);
    clae_dataset_limit(d, d->count - n);
    return CLAE_OK;
}

clae_status clae__use_open(clae_ctx *ctx, clae_device *dev, const clae_use_options *o,
                           clae_use *u)
{
    memset(u, 0, sizeof *u);
    /* the model's own split carries its own labels: a file beside it would be ignored */
    if (o->labels && !o->input) return clae__fail(ctx, CLAE_EUSAGE, "--labels needs --input");
    /* Evaluation gives the same answers whatever the batch: it only bounds memory. */
    u->batch = o->batch ? o->batch : 256;
    clae_status s = clae__checkpoint_load_model(ctx, dev, o->model, u->batch, &u->lm);
    if (s != CLAE_OK) return s;

    s = load_input(ctx, o, &u->lm.spec, &u->data);
    if (s != CLAE_OK) goto fail;
    if (o->skip) s = skip_rows(ctx, &u->data, o->skip);
    if (s != CLAE_OK) goto fail;
    if (o->limit) clae_dataset_limit(&u->data, o->limit);
    if (u->data.channels != u->lm.channels || u->data.height != u->lm.height ||
        u->data.width != u->lm.width) {
        s = clae__fail(ctx, CLAE_EDATA, "%s: samples of %dx%dx%d, but %s takes %dx%dx%d",
                       u->data.name, u->data.channels, u->data.height, u->data.width, o->model,
                       u->lm.channels, u->lm.height, u->lm.width);
        goto fail;
    }
    s = clae__buf_create(dev, u->data.count * u->data.dim, &u->x);
    if (s == CLAE_OK) s = clae__buf_write(dev, &u->x, 0, u->data.count * u->data.dim, u->data.x);
    if (s == CLAE_OK) return CLAE_OK;
fail:
    clae__use_close(u);
    return s;
}

void clae__use_close(clae_use *u)
{
    clae__buf_release(&u->x);
    clae_dataset_free(&u->data);
    clae__loaded_model_free(&u->lm);
    memset(u, 0, sizeof *u);
}

clae_dataset clae__use_shape(const clae_use *u)
{
    clae_dataset shape;
    memset(&shape, 0, sizeof shape);
    shape.channels = u->lm.channels;
    shape.height = u->lm.height;
    shape.width = u->lm.width;
    shape.dim = (size_t)shape.channels * (size_t)shape.height * (size_t)shape.width;
    return shape;
}
