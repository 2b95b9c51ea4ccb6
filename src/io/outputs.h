/* The files a training run writes besides the checkpoint. */
#ifndef CLAE_OUTPUTS_H
#define CLAE_OUTPUTS_H

#include "clae/data.h"
#include "clae/train.h"

/* loss.csv: the header line, then the given rows. */
clae_status clae__write_loss_csv(clae_ctx *ctx, const char *dir, const char *header,
                                 const char *rows);

typedef struct {
    const clae_spec *spec;
    const clae_train_result *result;
    const char *device;
    const char *gemm_provider;
} clae_summary;
clae_status clae__write_summary(clae_ctx *ctx, const char *dir, const clae_summary *summary);

/* A reconstruction grid into path (e.g. DIR/reconstructions.png), drawn
 * with a title: rows of originals, each followed by a row of their corrupted
 * versions (when not NULL: denoising) and a row of the model's outputs (n
 * images, up to 16 a row), each row labelled at its left. */
clae_status clae__write_reconstructions(clae_ctx *ctx, const char *path, const char *title,
                                        const clae_dataset *shape, const float *originals,
                                        const float *corrupted, const float *reconstructions,
                                        int n);

/* A titled grid of n images (values in [0, 1]), up to 16 a row, into
 * dir/file (or file itself when dir is NULL). */
clae_status clae__write_tiles(clae_ctx *ctx, const char *dir, const char *file,
                              const char *title, const clae_dataset *shape, const float *images,
                              int n);

#endif
