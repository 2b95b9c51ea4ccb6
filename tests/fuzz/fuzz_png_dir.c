/* A folder of PNGs holding the input as its one image. */
#include <stdint.h>
#include <string.h>

#include "clae/data.h"
#include "fuzz_input.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *path = fuzz_write("images/0.png", data, size);
    char dir[600];
    snprintf(dir, sizeof dir, "%s", path);
    *strrchr(dir, '/') = '\0';
    clae_dataset ds;
    if (clae_png_dir_read(fuzz_ctx(), dir, NULL, &ds) == CLAE_OK) clae_dataset_free(&ds);
    clae_data_bounds bounds = fuzz_bounds(data, size);
    if (clae_png_dir_read(fuzz_ctx(), dir, &bounds, &ds) == CLAE_OK) clae_dataset_free(&ds);
    return 0;
}
