/* The PNG reader (libpng through clae_png_read). */
#include <stdint.h>
#include <stdlib.h>

#include "clae/image.h"
#include "fuzz_input.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *path = fuzz_write("fuzz.png", data, size);
    unsigned char *pixels;
    int width, height, channels;
    if (clae_png_read(fuzz_ctx(), path, &pixels, &width, &height, &channels) != CLAE_OK) return 0;
    /* Touch the last pixel: the buffer must hold every one. */
    volatile unsigned char last = pixels[(size_t)width * height * channels - 1];
    (void)last;
    free(pixels);
    return 0;
}
