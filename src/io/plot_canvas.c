/* What every picture shares: the palette, text, and a white surface that is
 * encoded to PNG in memory and written atomically (see plot_canvas.h). */
#include "io/plot_canvas.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "io/fsutil.h"

#define FONT "DejaVu Sans"
#define OTHER_GREY 0.72

/* Tableau's 10 colours, then 6 more distinct ones for wider label sets. */
static const double PALETTE[][3] = {
    {0.122, 0.467, 0.706}, {1.000, 0.498, 0.055}, {0.173, 0.627, 0.173}, {0.839, 0.153, 0.157},
    {0.580, 0.404, 0.741}, {0.549, 0.337, 0.294}, {0.890, 0.467, 0.761}, {0.498, 0.498, 0.498},
    {0.737, 0.741, 0.133}, {0.090, 0.745, 0.812}, {0.224, 0.231, 0.475}, {0.388, 0.475, 0.224},
    {0.549, 0.427, 0.192}, {0.518, 0.235, 0.224}, {0.482, 0.255, 0.451}, {0.000, 0.000, 0.000},
};
_Static_assert(sizeof PALETTE / sizeof PALETTE[0] == N_PALETTE, "N_PALETTE counts the palette");

/* Palette colour i (cycling), or for OTHER_COLOR a grey that no palette entry is. */
void clae__plot_color(cairo_t *cr, int i, double alpha)
{
    if (i == OTHER_COLOR) {
        cairo_set_source_rgba(cr, OTHER_GREY, OTHER_GREY, OTHER_GREY, alpha);
        return;
    }
    const double *c = PALETTE[((i % N_PALETTE) + N_PALETTE) % N_PALETTE];
    cairo_set_source_rgba(cr, c[0], c[1], c[2], alpha);
}

/* ------------------------------------------------------------------ text */

void clae__plot_font(cairo_t *cr, double size, int bold)
{
    cairo_select_font_face(cr, FONT, CAIRO_FONT_SLANT_NORMAL,
                           bold ? CAIRO_FONT_WEIGHT_BOLD : CAIRO_FONT_WEIGHT_NORMAL);
    cairo_set_font_size(cr, size);
}

double clae__plot_text_width(cairo_t *cr, const char *s)
{
    cairo_text_extents_t e;
    cairo_text_extents(cr, s ? s : "", &e);
    return e.x_advance;
}

/* Draws s with its anchor at (x, y): ax 0 / 0.5 / 1 = left / centre / right
 * edge, ay 0 / 0.5 / 1 = top / middle / bottom of the font's line box. */
void clae__plot_text(cairo_t *cr, double x, double y, const char *s, double ax, double ay)
{
    if (!s || !s[0]) return;
    cairo_font_extents_t fe;
    cairo_font_extents(cr, &fe);
    double w = clae__plot_text_width(cr, s), h = fe.ascent + fe.descent;
    cairo_move_to(cr, x - ax * w, y - ay * h + fe.ascent);
    cairo_show_text(cr, s);
}

double clae__plot_line_height(cairo_t *cr)
{
    cairo_font_extents_t fe;
    cairo_font_extents(cr, &fe);
    return fe.ascent + fe.descent;
}

/* -------------------------------------------------------------- surfaces */

typedef struct {
    unsigned char *data;
    size_t len, cap;
} png_bytes;

static cairo_status_t collect(void *closure, const unsigned char *data, unsigned int length)
{
    png_bytes *b = closure;
    if (b->len + length > b->cap) {
        size_t cap = b->cap ? b->cap : 65536;
        while (cap < b->len + length) cap *= 2;
        unsigned char *grown = realloc(b->data, cap);
        if (!grown) return CAIRO_STATUS_NO_MEMORY;
        b->data = grown;
        b->cap = cap;
    }
    memcpy(b->data + b->len, data, length);
    b->len += length;
    return CAIRO_STATUS_SUCCESS;
}

/* A white surface for a picture laid out as width x height; when that exceeds
 * MAX_SIDE or MAX_AREA the surface is smaller and everything drawn is scaled
 * by *shrink (< 1) to fit. */
clae_status clae__plot_begin(clae_ctx *ctx, const char *path, double w, double h,
                             cairo_surface_t **surface, cairo_t **cr, double *shrink)
{
    *surface = NULL;
    *cr = NULL;
    if (shrink) *shrink = 1.0;
    if (!path || !path[0]) return clae__fail(ctx, CLAE_EUSAGE, "plot: no output path");
    double g = fmin(1.0, fmin(MAX_SIDE / w, MAX_SIDE / h));
    if (w * h * g * g > MAX_AREA) g = sqrt(MAX_AREA / (w * h));
    if (!(w >= 1 && h >= 1 && g >= MIN_SHRINK))
        return clae__fail(ctx, CLAE_EUSAGE, "%s: picture of %.0fx%.0f pixels is too large", path,
                          w, h);
    int width = (int)ceil(w * g), height = (int)ceil(h * g);
    *surface = cairo_image_surface_create(CAIRO_FORMAT_RGB24, width, height);
    *cr = cairo_create(*surface);
    if (cairo_status(*cr) != CAIRO_STATUS_SUCCESS) {
        clae_status s = clae__fail(ctx, CLAE_ENOMEM, "%s: cannot create a %dx%d picture: %s",
                                   path, width, height, cairo_status_to_string(cairo_status(*cr)));
        cairo_destroy(*cr);
        cairo_surface_destroy(*surface);
        *cr = NULL;
        *surface = NULL;
        return s;
    }
    cairo_set_source_rgb(*cr, 1, 1, 1);
    cairo_paint(*cr);
    if (g < 1.0) cairo_scale(*cr, g, g);
    if (shrink) *shrink = g;
    return CLAE_OK;
}

/* Encodes the picture and writes it; releases the surface either way. */
clae_status clae__plot_finish(clae_ctx *ctx, const char *path, cairo_surface_t *surface,
                              cairo_t *cr)
{
    clae_status s = CLAE_OK;
    cairo_status_t cs = cairo_status(cr);
    png_bytes png = {NULL, 0, 0};
    if (cs == CAIRO_STATUS_SUCCESS) {
        cairo_surface_flush(surface);
        cs = cairo_surface_write_to_png_stream(surface, collect, &png);
    }
    if (cs == CAIRO_STATUS_NO_MEMORY)
        s = clae__fail(ctx, CLAE_ENOMEM, "%s: out of memory drawing the picture", path);
    else if (cs != CAIRO_STATUS_SUCCESS)
        s = clae__fail(ctx, CLAE_EINTERNAL, "%s: drawing failed: %s", path,
                       cairo_status_to_string(cs));
    else
        s = clae__write_file_atomic(ctx, path, png.data, png.len);
    free(png.data);
    cairo_destroy(cr);
    cairo_surface_destroy(surface);
    return s;
}

/* The title, centred on x. */
void clae__plot_title(cairo_t *cr, double x, const char *title)
{
    if (!title) return;
    clae__plot_font(cr, TITLE_SIZE, 1);
    cairo_set_source_rgb(cr, 0.1, 0.1, 0.1);
    clae__plot_text(cr, x, 14, title, 0.5, 0);
}
