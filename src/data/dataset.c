/* The bundled digits, limiting, splitting, freeing and shuffling datasets
 * (in memory or mapped). */
#include "clae/data.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "data/bundled.h"
#include "data/mapped.h"
#include "data/reader.h"

clae_status clae_dataset_load_mnist(clae_ctx *ctx, const clae_data_bounds *bounds,
                                    clae_dataset *out)
{
    clae_status st = clae_idx_parse_images(ctx, "bundled mnist images", clae__mnist_images_gz,
                                           (size_t)clae__mnist_images_gz_size, bounds, out);
    if (st != CLAE_OK) return st;
    st = clae_idx_parse_labels(ctx, "bundled mnist labels", clae__mnist_labels_gz,
                               (size_t)clae__mnist_labels_gz_size, out);
    if (st != CLAE_OK) {
        clae_dataset_free(out);
        return st;
    }
    snprintf(out->name, sizeof out->name, "mnist");
    return CLAE_OK;
}

void clae_dataset_limit(clae_dataset *ds, size_t limit)
{
    if (!ds || limit == 0 || limit >= ds->count) return;
    ds->count = limit;
    /* Give the tail back; a failed shrink just keeps the larger block. A
     * mapped set's pages past the limit are never read. */
    float *x = ds->x ? realloc(ds->x, limit * ds->dim * sizeof *x) : NULL;
    if (x) ds->x = x;
    if (ds->labels) {
        int *l = realloc(ds->labels, limit * sizeof *l);
        if (l) ds->labels = l;
    }
}

clae_status clae_dataset_split(clae_ctx *ctx, clae_dataset *all, double holdout, clae_dataset *test)
{
    memset(test, 0, sizeof *test);
    if (!(holdout >= 0.0 && holdout < 1.0)) /* also catches NaN */
        return clae__fail(ctx, CLAE_EUSAGE, "%s: holdout %g is not in [0, 1)", all->name, holdout);
    memcpy(test->name, all->name, sizeof test->name);
    test->channels = all->channels;
    test->height = all->height;
    test->width = all->width;
    test->dim = all->dim;
    if (holdout == 0.0) return CLAE_OK;

    /* Round half up; the value is non-negative, so truncating the cast is floor. */
    size_t n_test = (size_t)(holdout * (double)all->count + 0.5);
    if (n_test == 0)
        return clae__fail(ctx, CLAE_EDATA, "%s: holdout %g of %zu samples leaves no test samples",
                          all->name, holdout, all->count);
    if (n_test >= all->count)
        return clae__fail(ctx, CLAE_EDATA,
                          "%s: holdout %g of %zu samples leaves no training samples", all->name,
                          holdout, all->count);
    size_t n_train = all->count - n_test;
    /* A mapped set's test part becomes a copy in memory: it is the budget's. */
    if (all->mapped) {
        clae_data_bounds bounds = {0, clae__mapped_budget(all->mapped)};
        size_t kept;
        clae_status st = clae__data_take(ctx, all->name, &bounds, n_test, all->dim, 0, &kept);
        if (st != CLAE_OK) return st;
    }

    test->x = malloc(n_test * all->dim * sizeof *test->x);
    if (all->labels) test->labels = malloc(n_test * sizeof *test->labels);
    if (!test->x || (all->labels && !test->labels)) {
        clae_dataset_free(test);
        return clae__fail(ctx, CLAE_ENOMEM, "%s: out of memory for %zu test samples", all->name,
                          n_test);
    }
    clae_dataset_rows(all, NULL, n_train, n_test, test->x);
    if (all->labels) memcpy(test->labels, all->labels + n_train, n_test * sizeof *test->labels);
    test->count = n_test;
    clae_dataset_limit(all, n_train);
    return CLAE_OK;
}

clae_status clae_dataset_select_classes(clae_ctx *ctx, clae_dataset *ds,
                                        const unsigned char *keep)
{
    if (!ds->labels)
        return clae__fail(ctx, CLAE_EDATA,
                          "%s: [data] classes selects by label, but this data has no labels", ds->name);
    if (ds->mapped) /* the loader reads, not maps, a set whose classes are chosen */
        return clae__fail(ctx, CLAE_EINTERNAL, "%s: classes cannot be chosen in a mapped set",
                          ds->name);
    /* In place: kept samples move forward, in their order. */
    size_t k = 0;
    for (size_t i = 0; i < ds->count; i++) {
        int l = ds->labels[i];
        if (l < 0 || l > CLAE_DATA_MAX_LABEL || !keep[l]) continue;
        if (k != i) {
            memmove(ds->x + k * ds->dim, ds->x + i * ds->dim, ds->dim * sizeof *ds->x);
            ds->labels[k] = l;
        }
        k++;
    }
    if (k == 0)
        return clae__fail(ctx, CLAE_EDATA, "%s: [data] classes keeps none of its %zu samples",
                          ds->name, ds->count);
    clae_dataset_limit(ds, k);
    return CLAE_OK;
}

void clae_dataset_free(clae_dataset *ds)
{
    if (!ds) return;
    clae__dataset_drop_samples(ds);
    free(ds->labels);
    memset(ds, 0, sizeof *ds);
}

/* splitmix64 (Steele, Lea, Flood 2014): tiny, and its output depends only on
 * 64-bit integer arithmetic, so every machine gets the same stream. */
static uint64_t mix64(uint64_t z)
{
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9u;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBu;
    return z ^ (z >> 31);
}

static uint64_t splitmix64(uint64_t *state)
{
    *state += 0x9E3779B97F4A7C15u;
    return mix64(*state);
}

/* Uniform in [0, bound) for bound >= 1: draws below 2^64 mod bound are
 * rejected so that the rest split evenly (no modulo bias). */
static uint64_t below(uint64_t *state, uint64_t bound)
{
    uint64_t threshold = (0 - bound) % bound;
    uint64_t r;
    do r = splitmix64(state);
    while (r < threshold);
    return r % bound;
}

void clae_shuffle(uint32_t *perm, size_t n, uint64_t seed, uint64_t epoch)
{
    if (!perm || n == 0) return;
    /* mix64 is a bijection, so for one seed every epoch starts a distinct stream. */
    uint64_t state = mix64(mix64(seed) ^ epoch);
    for (size_t i = 0; i < n; i++) perm[i] = (uint32_t)i;
    /* Fisher-Yates, from the top down. */
    for (size_t i = n - 1; i > 0; i--) {
        size_t j = (size_t)below(&state, (uint64_t)i + 1);
        uint32_t t = perm[i];
        perm[i] = perm[j];
        perm[j] = t;
    }
}
