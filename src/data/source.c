/* Loading the datasets of a spec's [data] section. */
#include <string.h>

#include "data/source.h"

/* One file, its labels, then [data] resize and pad. */
static clae_status load_one(clae_ctx *ctx, const clae_spec *spec, const char *images,
                            const char *labels, clae_dataset *ds)
{
    clae_status s = strcmp(images, "mnist") == 0 ? clae_dataset_load_mnist(ctx, ds)
                                                 : clae_idx_read_images(ctx, images, ds);
    if (s == CLAE_OK && labels[0]) s = clae_idx_read_labels(ctx, labels, ds);
    if (s == CLAE_OK && spec->data.resize_h)
        s = clae_dataset_resize(ctx, ds, spec->data.resize_h, spec->data.resize_w);
    if (s == CLAE_OK) s = clae_dataset_pad(ctx, ds, spec->data.pad);
    return s;
}

clae_status clae__load_datasets(clae_ctx *ctx, const clae_spec *spec, clae_dataset *train,
                                clae_dataset *test)
{
    memset(train, 0, sizeof *train);
    memset(test, 0, sizeof *test);
    clae_status s = load_one(ctx, spec, spec->data.train, spec->data.labels, train);
    if (s != CLAE_OK) goto fail;
    if (spec->data.limit > 0) clae_dataset_limit(train, (size_t)spec->data.limit);
    if (spec->data.test[0]) {
        s = load_one(ctx, spec, spec->data.test, spec->data.test_labels, test);
        if (s != CLAE_OK) goto fail;
        if (test->dim != train->dim) {
            s = clae__fail(ctx, CLAE_EDATA, "%s: %zu values per sample, but %s has %zu",
                           spec->data.test, test->dim, spec->data.train, train->dim);
            goto fail;
        }
    } else if (spec->data.holdout > 0.0) {
        s = clae_dataset_split(ctx, train, spec->data.holdout, test);
        if (s != CLAE_OK) goto fail;
    }
    return CLAE_OK;
fail:
    clae_dataset_free(train);
    clae_dataset_free(test);
    return s;
}
