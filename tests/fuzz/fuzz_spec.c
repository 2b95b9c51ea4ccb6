/* The spec parser on any text: what `clae spec`, train and a checkpoint's
 * stored spec go through. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "clae/spec.h"
#include "fuzz_input.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* Exactly size bytes and a terminator, so ASan sees any read past the text. */
    char *text = malloc(size + 1);
    if (!text) return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    clae_spec spec;
    if (clae_spec_parse_text(fuzz_ctx(), "fuzz.ini", text, &spec) == CLAE_OK)
        clae_spec_free(&spec);
    free(text);
    return 0;
}
