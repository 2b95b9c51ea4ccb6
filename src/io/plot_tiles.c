/* Titled grids of image tiles with labels (clae__plot_tiles, plot.h). */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "io/plot_canvas.h"

#define FOLD_MIN 16 /* a 1xN tile with N at least this is folded near-square */

static uint32_t tile_pixel(const float *tile, size_t plane, size_t i, int channels, double lo,
                           double hi)
{
    uint32_t px = 0;
    for (int k = 0; k < 3; k++) {
        double v = tile[(size_t)(channels == 3 ? k : 0) * plane + i];
        v = hi > lo ? (v - lo) / (hi - lo) : 0.5;
        if (!(v > 0.0)) v = 0.0; /* NaN too */
        if (v > 1.0) v = 1.0;
        px = px << 8 | (uint32_t)lround(v * 255.0);
    }
    return px;
}

/* The shape a tile is drawn in: its own, or for a 1xN (or Nx1) sample, such as
 * a CSV row, N pixels folded row by row into a near-square, so a long strip
 * neither dwarfs the grid nor shows as a hairline. The rest of the square is
 * blank: BLANK_TINT, a pale blue no grey level (nor a weight's sign) has. */
#define BLANK_TINT 0xDBE6F5u

typedef struct {
    int height, width;
    size_t plane; /* pixels of one channel */
} tile_shape;

static tile_shape drawn_shape(const clae_tile_figure *f)
{
    tile_shape t = {f->height, f->width, (size_t)f->height * (size_t)f->width};
    if ((f->height == 1) != (f->width == 1) && t.plane >= FOLD_MIN) {
        size_t w = (size_t)ceil(sqrt((double)t.plane));
        while (w > 1 && (w - 1) * (w - 1) >= t.plane) w--;
        while (w * w < t.plane) w++;
        size_t h = (t.plane + w - 1) / w;
        t.width = w > (size_t)INT32_MAX ? INT32_MAX : (int)w;
        t.height = h > (size_t)INT32_MAX ? INT32_MAX : (int)h;
    }
    return t;
}

/* The tile's pixels at its drawn size into a surface, scaled as asked. */
static cairo_surface_t *tile_surface(const clae_tile_figure *f, const tile_shape *ts,
                                     const float *tile)
{
    cairo_surface_t *t = cairo_image_surface_create(CAIRO_FORMAT_RGB24, ts->width, ts->height);
    if (cairo_surface_status(t) != CAIRO_STATUS_SUCCESS) return t;
    size_t plane = ts->plane, n = plane * (size_t)f->channels;
    double lo = 0.0, hi = 1.0;
    if (f->scaling != CLAE_TILES_CLAMP) {
        double mn = INFINITY, mx = -INFINITY;
        for (size_t i = 0; i < n; i++)
            if (isfinite(tile[i])) {
                if (tile[i] < mn) mn = tile[i];
                if (tile[i] > mx) mx = tile[i];
            }
        if (mn > mx) mn = mx = 0.0;
        if (f->scaling == CLAE_TILES_STRETCH) {
            lo = mn;
            hi = mx;
        } else {
            double a = fmax(fabs(mn), fabs(mx));
            lo = -a;
            hi = a;
        }
    }
    cairo_surface_flush(t);
    unsigned char *data = cairo_image_surface_get_data(t);
    int stride = cairo_image_surface_get_stride(t);
    for (int y = 0; y < ts->height; y++) {
        uint32_t *row = (uint32_t *)(void *)(data + (size_t)y * (size_t)stride);
        for (int x = 0; x < ts->width; x++) {
            size_t i = (size_t)y * (size_t)ts->width + (size_t)x;
            row[x] = i < plane ? tile_pixel(tile, plane, i, f->channels, lo, hi) : BLANK_TINT;
        }
    }
    cairo_surface_mark_dirty(t);
    return t;
}

/* Text sizes and the grid's geometry at one scale. A grid row too long for
 * MAX_SIDE is wrapped: each grid row then takes `sub` drawn rows of `per_row`
 * tiles, its label beside the first, a wider gap between grid rows. */
typedef struct {
    double label_w, label_h, tile_label_h, title_w, title_h, caption_w;
} tile_text;

typedef struct {
    int scale, tw, th, gap, per_row, sub;
    double left, top, row_h, group_h, group_gap, grid_h, width, height;
} tile_layout;

static void lay_out(const clae_tile_figure *f, const tile_shape *ts, const tile_text *tx,
                    int scale, int per_row, tile_layout *l)
{
    double margin = 16;
    l->scale = scale;
    l->tw = ts->width * scale;
    l->th = ts->height * scale;
    l->gap = f->gap < 0 ? 0 : f->gap > 0 ? f->gap : l->tw >= 40 ? 6 : 4;
    l->per_row = per_row;
    l->sub = (f->cols + per_row - 1) / per_row;
    l->left = margin + (tx->label_w > 0 ? ceil(tx->label_w) + 12 : 0);
    l->top = ceil(14 + tx->title_h + 12);
    l->row_h = l->th + ceil(tx->tile_label_h);
    l->group_h = l->sub * l->row_h + (l->sub - 1.0) * l->gap;
    l->group_gap = l->sub > 1 ? l->gap + 10 : l->gap;
    l->grid_h = f->rows * l->group_h + (f->rows - 1.0) * l->group_gap;
    double grid_w = (double)per_row * l->tw + (per_row - 1.0) * l->gap;
    l->width = l->left + grid_w + margin;
    double need = ceil(fmax(tx->title_w, tx->caption_w)) + 2 * margin;
    if (l->width < need) {
        l->left += floor((need - l->width) / 2); /* centre the grid under a long title */
        l->width = need;
    }
    l->height = l->top + l->grid_h + margin + (f->caption ? ceil(tx->label_h) + 8 : 0);
}

clae_status clae__plot_tiles(clae_ctx *ctx, const char *path, const clae_tile_figure *f)
{
    const char *p = path && path[0] ? path : "plot";
    if (!f || f->rows <= 0 || f->cols <= 0 || f->rows > 4096 || f->cols > 4096)
        return clae__fail(ctx, CLAE_EUSAGE, "%s: invalid tile grid", p);
    if (f->channels != 1 && f->channels != 3)
        return clae__fail(ctx, CLAE_EUSAGE, "%s: invalid channel count %d (want 1 or 3)", p,
                          f->channels);
    if (f->height <= 0 || f->width <= 0)
        return clae__fail(ctx, CLAE_EUSAGE, "%s: invalid tile size %dx%d", p, f->height, f->width);
    tile_shape ts = drawn_shape(f);
    if (ts.height > MAX_SIDE || ts.width > MAX_SIDE)
        return clae__fail(ctx, CLAE_EUSAGE, "%s: tiles of %dx%d pixels are too large", p,
                          f->height, f->width);
    if (!f->tiles) return clae__fail(ctx, CLAE_EUSAGE, "%s: no tile data", p);
    int total = f->rows * f->cols;
    int count = f->count > 0 && f->count < total ? f->count : total;

    /* Measure the text on a scratch surface to lay the picture out. */
    cairo_surface_t *scratch = cairo_image_surface_create(CAIRO_FORMAT_RGB24, 1, 1);
    cairo_t *m = cairo_create(scratch);
    tile_text tx = {0};
    clae__plot_font(m, LABEL_SIZE, 0);
    for (int r = 0; f->row_labels && r < f->rows; r++)
        tx.label_w = fmax(tx.label_w, clae__plot_text_width(m, f->row_labels[r]));
    tx.caption_w = clae__plot_text_width(m, f->caption);
    tx.label_h = clae__plot_line_height(m);
    if (f->tile_labels) {
        clae__plot_font(m, TICK_SIZE, 0);
        tx.tile_label_h = clae__plot_line_height(m) + 2;
    }
    clae__plot_font(m, TITLE_SIZE, 1);
    tx.title_w = clae__plot_text_width(m, f->title);
    tx.title_h = f->title ? clae__plot_line_height(m) : 0.0;
    cairo_destroy(m);
    cairo_surface_destroy(scratch);

    /* An integer scale of 2 or more that makes the grid at least ~600 px wide
     * and small tiles (filters) at least ~48 px; less where that would pass
     * MAX_SIDE, down to 1; then rows wrapped where still too wide. What still
     * does not fit is drawn smaller as a whole (begin). */
    int scale = 2, side = ts.width > ts.height ? ts.width : ts.height;
    while (scale < 32 && ((double)f->cols * ts.width * scale < 600 || side * scale < 48)) scale++;
    tile_layout l;
    lay_out(f, &ts, &tx, scale, f->cols, &l);
    while (l.scale > 1 && (l.width > MAX_SIDE || l.height > MAX_SIDE))
        lay_out(f, &ts, &tx, l.scale - 1, f->cols, &l);
    if (l.width > MAX_SIDE) {
        double fit = floor((MAX_SIDE - l.left - 16 + l.gap) / (l.tw + l.gap));
        lay_out(f, &ts, &tx, l.scale, fit < 1 ? 1 : fit < f->cols ? (int)fit : f->cols, &l);
    }

    cairo_surface_t *surface;
    cairo_t *cr;
    double shrink;
    clae_status s = clae__plot_begin(ctx, p, l.width, l.height, &surface, &cr, &shrink);
    if (s != CLAE_OK) return s;
    clae__plot_title(cr, l.width / 2.0, f->title);

    /* Pixels shown whole stay sharp; a picture drawn smaller averages them. */
    cairo_filter_t filter = l.scale * shrink >= 1.0 ? CAIRO_FILTER_NEAREST : CAIRO_FILTER_GOOD;
    size_t dim = (size_t)f->channels * ts.plane;
    for (int i = 0; i < count && cairo_status(cr) == CAIRO_STATUS_SUCCESS; i++) {
        int r = i / f->cols, c = i % f->cols;
        double x = l.left + (c % l.per_row) * (double)(l.tw + l.gap);
        double y = l.top + r * (l.group_h + l.group_gap) + (c / l.per_row) * (l.row_h + l.gap);
        cairo_surface_t *t = tile_surface(f, &ts, f->tiles + (size_t)i * dim);
        if (cairo_surface_status(t) == CAIRO_STATUS_SUCCESS) {
            cairo_save(cr);
            cairo_translate(cr, x, y);
            cairo_scale(cr, l.scale, l.scale);
            cairo_set_source_surface(cr, t, 0, 0);
            cairo_pattern_set_filter(cairo_get_source(cr), filter);
            cairo_rectangle(cr, 0, 0, ts.width, ts.height);
            cairo_fill(cr);
            cairo_restore(cr);
        } else {
            cairo_set_source_rgb(cr, 0.5, 0.5, 0.5);
            cairo_rectangle(cr, x, y, l.tw, l.th);
            cairo_fill(cr);
        }
        cairo_surface_destroy(t);
        if (f->tile_labels && f->tile_labels[i]) {
            clae__plot_font(cr, TICK_SIZE, 0);
            cairo_set_source_rgb(cr, 0.2, 0.2, 0.2);
            clae__plot_text(cr, x + l.tw / 2.0, y + l.th + 2, f->tile_labels[i], 0.5, 0);
        }
    }
    clae__plot_font(cr, LABEL_SIZE, 0);
    cairo_set_source_rgb(cr, 0.2, 0.2, 0.2);
    for (int r = 0; f->row_labels && r < f->rows; r++)
        clae__plot_text(cr, l.left - 12, l.top + r * (l.group_h + l.group_gap) + l.th / 2.0,
             f->row_labels[r], 1, 0.5);
    if (f->caption) {
        cairo_set_source_rgb(cr, 0.3, 0.3, 0.3);
        clae__plot_text(cr, l.width / 2.0, l.top + l.grid_h + 10, f->caption, 0.5, 0);
    }
    return clae__plot_finish(ctx, p, surface, cr);
}
