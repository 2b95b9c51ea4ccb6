/* The .npy reader: the array itself, as images and as labels. */
#include <stdint.h>
#include <string.h>

#include "clae/data.h"
#include "io/npy.h"
#include "fuzz_input.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    clae_npy a;
    size_t rows = 0;
    if (clae__npy_parse(fuzz_ctx(), "fuzz.npy", data, size, &a) == CLAE_OK) {
        rows = a.ndim > 0 ? a.shape[0] : 0;
        clae__npy_free(&a);
    }
    const char *path = fuzz_write("fuzz.npy", data, size);
    clae_dataset ds;
    if (clae_npy_read_images(fuzz_ctx(), path, NULL, &ds) == CLAE_OK) clae_dataset_free(&ds);
    memset(&ds, 0, sizeof ds);
    ds.count = rows; /* so that the label count matches */
    clae_npy_read_labels(fuzz_ctx(), path, &ds);
    clae_dataset_free(&ds);
    clae_data_bounds bounds = fuzz_bounds(data, size);
    if (clae_npy_read_images(fuzz_ctx(), path, &bounds, &ds) == CLAE_OK) {
        clae_npy_read_labels(fuzz_ctx(), path, &ds);
        clae_dataset_free(&ds);
    }
    return 0;
}
