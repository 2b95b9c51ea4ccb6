/* Pictures a person wants to look at, drawn with cairo and written as PNG:
 * titled grids of image tiles with labels, line plots and scatter plots with
 * axes, ticks and legends. Tiles are scaled up (2x or more, so that a grid is
 * at least ~600 px wide) as far as a picture stays within 16000 px a side: big
 * tiles are drawn at 1x, a grid row still too wide is wrapped onto more lines,
 * and what still does not fit is drawn smaller; only absurd sizes fail. A tile
 * 1 pixel high (or wide) and long, such as a CSV row, is folded row by row into
 * a near-square, the rest of it blank. Any finite or non-finite data plot:
 * constant, NaN or absent values give an empty or widened axis. */
#ifndef CLAE_PLOT_H
#define CLAE_PLOT_H

#include <stddef.h>

#include "clae/status.h"

/* How tile values become grey levels (or RGB). */
typedef enum {
    CLAE_TILES_CLAMP,     /* data: values clamped to [0, 1] */
    CLAE_TILES_STRETCH,   /* each tile stretched from its own min to its max (weights, filters) */
    CLAE_TILES_SYMMETRIC  /* each tile scaled to +-max|v|, 0 mid-grey (signed weights) */
} clae_tile_scaling;

typedef struct {
    const char *title;               /* above the grid */
    const char *caption;             /* a line of text under the grid, or NULL */
    int rows, cols;                  /* tiles */
    int channels, height, width;     /* each tile: planar floats, channels 1 or 3 */
    const float *tiles;              /* rows * cols tiles, row by row; NULL-free */
    const char *const *row_labels;   /* rows strings, left of each row, or NULL */
    const char *const *tile_labels;  /* rows * cols strings under each tile, or NULL */
    clae_tile_scaling scaling;
    int count;                       /* tiles drawn (the rest of the grid left blank); 0: all */
    int gap;                         /* pixels between tiles: 0 a default, -1 none (a mosaic) */
} clae_tile_figure;

clae_status clae__plot_tiles(clae_ctx *ctx, const char *path, const clae_tile_figure *f);

typedef struct {
    const char *name;   /* legend entry */
    const double *x, *y;
    int n;
    int dashed;         /* e.g. the test curve beside the solid train curve */
    int color;          /* index into the palette; series of one term share it */
} clae_series;

typedef struct {
    const char *title, *xlabel, *ylabel;
    int log_y;          /* logarithmic y axis (all y > 0) */
    const clae_series *series;
    int n_series;
} clae_line_plot;

clae_status clae__plot_lines(clae_ctx *ctx, const char *path, const clae_line_plot *p);

typedef struct {
    const char *title, *xlabel, *ylabel;
    const float *x, *y;        /* n points */
    size_t n;
    const int *labels;         /* n labels colouring the points, or NULL: up to 16 distinct
                                  labels get a colour and legend entry each; past that the
                                  15 smallest do and the rest share one grey entry */
    const char *const *names;  /* label -> legend text, or NULL: the label's number */
} clae_scatter_plot;

clae_status clae__plot_scatter(clae_ctx *ctx, const char *path, const clae_scatter_plot *p);

#endif
