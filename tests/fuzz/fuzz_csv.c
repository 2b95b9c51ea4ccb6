/* The CSV reader with and without a label column, and the text labels reader. */
#include <stdint.h>
#include <string.h>

#include "clae/data.h"
#include "fuzz_input.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *path = fuzz_write("fuzz.csv", data, size);
    clae_dataset ds;
    if (clae_csv_read(fuzz_ctx(), path, 0, NULL, &ds) == CLAE_OK) clae_dataset_free(&ds);
    if (clae_csv_read(fuzz_ctx(), path, -1, NULL, &ds) == CLAE_OK) /* -1: the last column */
        clae_dataset_free(&ds);
    if (clae_csv_read(fuzz_ctx(), path, 1, NULL, &ds) != CLAE_OK) memset(&ds, 0, sizeof ds);
    clae_csv_read_labels(fuzz_ctx(), path, &ds); /* as many labels as rows, when it read */
    clae_dataset_free(&ds);
    clae_data_bounds bounds = fuzz_bounds(data, size);
    if (clae_csv_read(fuzz_ctx(), path, 1, &bounds, &ds) == CLAE_OK) {
        clae_csv_read_labels(fuzz_ctx(), path, &ds); /* a longer file's first labels */
        clae_dataset_free(&ds);
    }
    return 0;
}
