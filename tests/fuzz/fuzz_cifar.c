/* CIFAR-10 binary batches, read directly and through the format detection
 * that tells a .bin batch from an IDX file. */
#include <stdint.h>

#include "clae/data.h"
#include "fuzz_input.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *path = fuzz_write("fuzz.bin", data, size);
    clae_dataset ds;
    if (clae_cifar_read(fuzz_ctx(), path, NULL, &ds) == CLAE_OK) clae_dataset_free(&ds);
    if (clae_dataset_read(fuzz_ctx(), path, 0, NULL, &ds) == CLAE_OK) clae_dataset_free(&ds);
    clae_data_bounds bounds = fuzz_bounds(data, size);
    if (clae_cifar_read(fuzz_ctx(), path, &bounds, &ds) == CLAE_OK) clae_dataset_free(&ds);
    return 0;
}
