/* The safetensors reader as a checkpoint is read: the file, the metadata a
 * checkpoint keeps (its spec is parsed as the checkpoint loader does) and
 * every byte of the tensors found under the names a checkpoint uses. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "clae/spec.h"
#include "io/safetensors.h"
#include "fuzz_input.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Names in the seed corpus and in clae's checkpoints. */
static const char *const tensor_names[] = {"w", "b", "encoder.0.weight", "encoder.0.bias",
                                           "optimizer.m", "optimizer.v"};

static volatile float sink; /* keeps the reads of the tensors */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *path = fuzz_write("fuzz.safetensors", data, size);
    clae_safetensors *st;
    if (clae_safetensors_read(fuzz_ctx(), path, &st) != CLAE_OK) return 0;
    float sum = 0;
    for (size_t i = 0; i < sizeof tensor_names / sizeof *tensor_names; i++) {
        int ndim;
        size_t shape[CLAE_ST_MAX_DIMS], count;
        const float *x = clae_safetensors_tensor(st, tensor_names[i], &ndim, shape, &count);
        for (size_t k = 0; x && k < count; k++) sum += x[k];
    }
    sink = sum;
    const char *text = clae_safetensors_meta(st, "spec");
    const char *shape = clae_safetensors_meta(st, "input_shape");
    int c, h, w;
    if (shape) (void)sscanf(shape, "%d,%d,%d", &c, &h, &w);
    clae_spec spec;
    if (text && clae_spec_parse_text(fuzz_ctx(), path, text, &spec) == CLAE_OK)
        clae_spec_free(&spec);
    (void)clae_safetensors_meta(st, "format");
    clae_safetensors_free(st);
    return 0;
}
