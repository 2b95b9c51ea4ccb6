/* PNG output (libpng): image grids for reconstructions, samples and features. */
#ifndef CLAE_IMAGE_H
#define CLAE_IMAGE_H

#include "clae/status.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Writes rows x cols tiles, each channels x height x width floats (planar,
 * channel-major like the datasets), clamped to [0, 1]. Tile t = r * cols + c
 * starts at images + t * channels * height * width; a NULL tile pointer row is
 * not allowed. pad pixels of mid-grey separate the tiles. channels is 1
 * (grey) or 3 (RGB). */
clae_status clae_image_write_grid(clae_ctx *ctx, const char *path, const float *images, int rows,
                                  int cols, int channels, int height, int width, int pad);
/* Writes 8-bit pixels: channels 1 (grey), 3 (RGB) or 4 (RGBA), interleaved. */
clae_status clae_png_write(clae_ctx *ctx, const char *path, const unsigned char *pixels, int width,
                           int height, int channels);
/* Reads a PNG into 8-bit interleaved pixels (malloc'd); channels is 1, 3 or 4
 * (grey loses its alpha, colour keeps it). A header asking for more than 2^30
 * pixel bytes is refused (CLAE_EDATA) before anything is allocated. */
clae_status clae_png_read(clae_ctx *ctx, const char *path, unsigned char **pixels, int *width,
                          int *height, int *channels);
/* The size and channel count clae_png_read would give, from the chunks before
 * the image data alone (no pixel is decoded, nothing large is allocated); the
 * same refusals of a header as clae_png_read. */
clae_status clae_png_read_info(clae_ctx *ctx, const char *path, int *width, int *height,
                               int *channels);

#ifdef __cplusplus
}
#endif
#endif
