/* The pictures a training run writes besides reconstructions.png: loss
 * curves, the test codes as a scatter, the first layer's weights as tiles,
 * a VAE's decoded latent grid, and per-epoch reconstruction snapshots. The
 * tile and grid makers are shared with `clae features` and `clae sample`. */
#ifndef CLAE_PICTURES_H
#define CLAE_PICTURES_H

#include "clae/status.h"
#include "model/model.h"
#include "train/train_run.h"

/* The first weighted layer's weights as image tiles (host memory, malloc'd,
 * the caller frees *tiles): a dense first layer gives one tile per unit (its
 * incoming weights in the input's shape: channels x height x width, at most
 * 64 units); a convolution gives its filters (channels x k x k each, all of
 * them). Tiles are planar floats, *count of them, to be drawn with
 * CLAE_TILES_SYMMETRIC (signed weights). A model without a weighted first
 * layer is a CLAE_EDATA error. */
clae_status clae__first_layer_tiles(clae_ctx *ctx, clae_model *m, float **tiles, int *count,
                                    int *channels, int *height, int *width);

/* A model with a 2-D code: decodes the side x side grid of codes spread over
 * [-range, range]^2 (row 0 at z2 = +range, column 0 at z1 = -range, as a plot
 * reads) into out (side * side * m->input_dim floats), in batches of at most
 * m->batch_max. range <= 0 places the points at the standard normal's
 * quantiles (1/(2 side) ... 1 - 1/(2 side)), as the Keras VAE example does. */
clae_status clae__decode_grid(clae_model *m, int side, double range, float *out);

/* The end of a run (report.c): loss.png from the run's history, latent.png
 * (the evaluation rows' codes; wider than 2: on their first two principal
 * axes), features.png, and for a VAE with a 2-D code manifold.png. */
clae_status clae__write_run_pictures(clae_run *r);

/* A reconstruction grid (io/outputs.h) into <output dir>/<file>, titled with
 * what the rows are and the run's epochs and test_mse results so far. */
clae_status clae__write_run_reconstructions(clae_run *r, const char *file,
                                            const float *originals, const float *corrupted,
                                            const float *reconstructions, int n);

/* --snapshot: the epoch's reconstruction grid into
 * <output dir>/snapshots/epoch-NNN.png (after the epoch's results are set). */
clae_status clae__write_snapshot(clae_run *r, int epoch);

#endif
