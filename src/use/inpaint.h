/* Inpainting with an autoencoder: some pixels of each sample are masked
 * (zeroed), the model restores the sample, and only the masked pixels are
 * taken from its output; the known ones stay. */
#ifndef CLAE_USE_INPAINT_H
#define CLAE_USE_INPAINT_H

#include <stdint.h>

#include "use/use.h"

#define CLAE_INPAINT_MAX_ITERATIONS 16
/* The default passes (see inpaint.c): a model trained with masking noise
 * reads zeros as unknown and is best after one; a plain one keeps improving. */
#define CLAE_INPAINT_PASSES_MASKED 1
#define CLAE_INPAINT_PASSES_PLAIN 8

typedef enum { CLAE_MASK_SQUARE, CLAE_MASK_RANDOM } clae_mask_kind;

typedef struct {
    clae_mask_kind kind;
    int side;            /* square: a side x side square at a random place inside the image */
    double probability;  /* random: each pixel masked with this probability */
} clae_mask;

/* Parses "square:K" (K >= 1) or "random:P" (0 < P <= 1); a CLAE_EUSAGE error
 * naming --mask otherwise. */
clae_status clae__mask_parse(clae_ctx *ctx, const char *text, clae_mask *out);

typedef struct {
    const char *model;      /* the checkpoint's path, for meta.json */
    clae_mask mask;
    const char *mask_text;  /* as given, for titles and files */
    uint64_t seed;          /* the masks' draws */
    int iterations;         /* passes through the model, each fed the last one's filled
                               image; 0: by the model (CLAE_INPAINT_PASSES_...) */
    int shown;              /* samples drawn in the picture */
    const char *picture;    /* original / masked / inpainted rows, or NULL */
    const char *save_dir;   /* NULL, or where the arrays go for other inpainting methods */
} clae_inpaint_options;

typedef struct {
    size_t count;           /* samples inpainted */
    size_t values;          /* values, all samples */
    size_t masked;          /* masked values among them */
    double masked_input_mse;/* MSE on the masked values of the masked input (zeros) */
    int iterations;
    double mse[CLAE_INPAINT_MAX_ITERATIONS]; /* MSE on the masked values after each pass */
} clae_inpaint_result;

/* Masks every sample of u (the first --count of the input, opened by the
 * caller), inpaints and measures; writes the picture and the arrays when asked.
 * The arrays (DIR/original.npy, masked.npy, mask.npy, inpainted.npy: count x
 * values, float32; mask 1 where masked) and DIR/meta.json (shape, mask, MSEs)
 * let another method inpaint the same samples. */
clae_status clae__inpaint(clae_ctx *ctx, clae_use *u, const clae_inpaint_options *opts,
                          clae_inpaint_result *out);

#endif
