/* Loading the datasets of a spec's [data] section. */
#include <string.h>

#include "data/source.h"

#include "data/reader.h"

_Static_assert(CLAE_DATA_MAX_LABEL == CLAE_MAX_CLASSES - 1,
               "[data] classes must be able to select every label a reader gives");

clae_status clae__load_data_file(clae_ctx *ctx, const clae_spec *spec, const char *images,
                                 const char *labels, size_t take, clae_dataset *ds)
{
    memset(ds, 0, sizeof *ds);
    /* Named class folders are numbered by sorted position: a test or input
     * folder must hold train's names, or its labels would not be train's. */
    if (strcmp(images, spec->data.train) != 0 && strcmp(spec->data.train, "mnist") != 0) {
        clae_status s = clae__png_dir_same_classes(ctx, images, spec->data.train);
        if (s != CLAE_OK) return s;
    }
    clae_data_bounds bounds = {take, spec->data.max_memory};
    clae_status s = clae_dataset_read(ctx, images, spec->data.label_column, &bounds, ds);
    if (s == CLAE_OK && labels[0]) s = clae_dataset_read_labels(ctx, labels, ds);
    if (s == CLAE_OK && spec->data.resize_h)
        s = clae_dataset_resize(ctx, ds, spec->data.resize_h, spec->data.resize_w);
    if (s == CLAE_OK) s = clae_dataset_pad(ctx, ds, spec->data.pad);
    if (s != CLAE_OK) clae_dataset_free(ds);
    return s;
}

/* [data] classes: the spec's own splits only. An explicit input (clae score
 * --input ...) keeps every class, so that a model trained on some classes can
 * be scored on all of them. */
static clae_status select_classes(clae_ctx *ctx, const clae_spec *spec, clae_dataset *ds)
{
    return spec->data.has_classes ? clae_dataset_select_classes(ctx, ds, spec->data.classes)
                                  : CLAE_OK;
}

/* The training file, mapped when asked and its samples need no change. */
static clae_status load_train(clae_ctx *ctx, const clae_spec *spec, int map, size_t take,
                              clae_dataset *train)
{
    if (map && !spec->data.resize_h && !spec->data.pad && !spec->data.has_classes) {
        clae_data_bounds bounds = {take, spec->data.max_memory};
        int mapped = 0;
        clae_status s = clae_dataset_map(ctx, spec->data.train, &bounds, train, &mapped);
        if (s == CLAE_OK && mapped && spec->data.labels[0])
            s = clae_dataset_read_labels(ctx, spec->data.labels, train);
        if (s != CLAE_OK) clae_dataset_free(train);
        if (s != CLAE_OK || mapped) return s;
    }
    return clae__load_data_file(ctx, spec, spec->data.train, spec->data.labels, take, train);
}

clae_status clae__load_datasets(clae_ctx *ctx, const clae_spec *spec, clae_dataset *train,
                                clae_dataset *test)
{
    return clae__load_training_datasets(ctx, spec, 0, train, test);
}

clae_status clae__load_training_datasets(clae_ctx *ctx, const clae_spec *spec, int map_train,
                                         clae_dataset *train, clae_dataset *test)
{
    memset(train, 0, sizeof *train);
    memset(test, 0, sizeof *test);
    /* limit is read as it stands, unless classes must be chosen first. */
    size_t limit = spec->data.limit > 0 ? (size_t)spec->data.limit : 0;
    clae_status s = load_train(ctx, spec, map_train, spec->data.has_classes ? 0 : limit, train);
    if (s == CLAE_OK) s = select_classes(ctx, spec, train);
    if (s != CLAE_OK) goto fail;
    if (limit) clae_dataset_limit(train, limit);
    if (spec->data.test[0]) {
        s = clae__load_data_file(ctx, spec, spec->data.test, spec->data.test_labels, 0, test);
        if (s == CLAE_OK) s = select_classes(ctx, spec, test);
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
