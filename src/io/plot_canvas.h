/* What the pictures of plot.h share, drawn with cairo: sizes and limits, the
 * palette, text anchored at a point, and the surface every picture is drawn
 * on (white RGB, scaled down when it would be too large), encoded to PNG in
 * memory and written atomically, so a failed write leaves no half-written
 * file and a one-line error naming the path. */
#ifndef CLAE_PLOT_CANVAS_H
#define CLAE_PLOT_CANVAS_H

#include <cairo.h>

#include "io/plot.h"

#define TITLE_SIZE 16.0
#define LABEL_SIZE 14.0
#define TICK_SIZE 12.5
/* Pictures are laid out to stay within MAX_SIDE a side and MAX_AREA pixels (a
 * 256 MB surface): tiles drawn at 1x instead of 2x, long grid rows wrapped, and
 * as a last resort the whole picture drawn smaller. Only a picture that would
 * need to shrink below MIN_SHRINK is refused, as absurd; cairo itself stops at
 * 32767 a side. */
#define MAX_SIDE 16000
#define MAX_AREA 64e6
#define MIN_SHRINK (1.0 / 32.0)
#define OTHER_COLOR (-1)  /* clae__plot_color: the grey of labels beyond the palette */

/* Distinct colours of the palette: Tableau's 10, then 6 more. */
enum { N_PALETTE = 16 };
/* Palette colour i (cycling), or for OTHER_COLOR a grey that no palette entry is. */
void clae__plot_color(cairo_t *cr, int i, double alpha);
void clae__plot_font(cairo_t *cr, double size, int bold);
double clae__plot_text_width(cairo_t *cr, const char *s);
/* Draws s with its anchor at (x, y): ax 0 / 0.5 / 1 = left / centre / right
 * edge, ay 0 / 0.5 / 1 = top / middle / bottom of the font's line box. */
void clae__plot_text(cairo_t *cr, double x, double y, const char *s, double ax, double ay);
double clae__plot_line_height(cairo_t *cr);
/* A white surface for a picture laid out as width x height; when that exceeds
 * MAX_SIDE or MAX_AREA the surface is smaller and everything drawn is scaled
 * by *shrink (< 1; shrink may be NULL) to fit. */
clae_status clae__plot_begin(clae_ctx *ctx, const char *path, double w, double h,
                             cairo_surface_t **surface, cairo_t **cr, double *shrink);
/* Encodes the picture and writes it; releases the surface either way. */
clae_status clae__plot_finish(clae_ctx *ctx, const char *path, cairo_surface_t *surface,
                              cairo_t *cr);
/* The title, centred on x. */
void clae__plot_title(cairo_t *cr, double x, const char *title);

#endif
