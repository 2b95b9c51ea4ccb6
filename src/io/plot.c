/* Pictures drawn with cairo: titled tile grids, line plots and scatter plots.
 * Every picture is drawn on a white RGB surface, encoded to PNG in memory and
 * written atomically, so a failed write leaves no half-written file and a
 * one-line error naming the path. */
#include "io/plot.h"

#include <cairo.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "io/fsutil.h"

#define FONT "DejaVu Sans"
#define TITLE_SIZE 16.0
#define LABEL_SIZE 14.0
#define TICK_SIZE 12.5
#define PI 3.14159265358979323846
/* Pictures are laid out to stay within MAX_SIDE a side and MAX_AREA pixels (a
 * 256 MB surface): tiles drawn at 1x instead of 2x, long grid rows wrapped, and
 * as a last resort the whole picture drawn smaller. Only a picture that would
 * need to shrink below MIN_SHRINK is refused, as absurd; cairo itself stops at
 * 32767 a side. */
#define MAX_SIDE 16000
#define MAX_AREA 64e6
#define MIN_SHRINK (1.0 / 32.0)
#define FOLD_MIN 16       /* a 1xN tile with N at least this is folded near-square */
#define MAX_TICKS 100     /* labelled ticks an axis can have */
#define AXIS_LIMIT 1e300  /* data beyond +-this are drawn at the frame's edge */
#define OTHER_COLOR (-1)  /* set_color: the grey of labels beyond the palette */
#define OTHER_GREY 0.72

/* Tableau's 10 colours, then 6 more distinct ones for wider label sets. */
static const double PALETTE[][3] = {
    {0.122, 0.467, 0.706}, {1.000, 0.498, 0.055}, {0.173, 0.627, 0.173}, {0.839, 0.153, 0.157},
    {0.580, 0.404, 0.741}, {0.549, 0.337, 0.294}, {0.890, 0.467, 0.761}, {0.498, 0.498, 0.498},
    {0.737, 0.741, 0.133}, {0.090, 0.745, 0.812}, {0.224, 0.231, 0.475}, {0.388, 0.475, 0.224},
    {0.549, 0.427, 0.192}, {0.518, 0.235, 0.224}, {0.482, 0.255, 0.451}, {0.000, 0.000, 0.000},
};
enum { N_PALETTE = (int)(sizeof PALETTE / sizeof PALETTE[0]) };

/* Palette colour i (cycling), or for OTHER_COLOR a grey that no palette entry is. */
static void set_color(cairo_t *cr, int i, double alpha)
{
    if (i == OTHER_COLOR) {
        cairo_set_source_rgba(cr, OTHER_GREY, OTHER_GREY, OTHER_GREY, alpha);
        return;
    }
    const double *c = PALETTE[((i % N_PALETTE) + N_PALETTE) % N_PALETTE];
    cairo_set_source_rgba(cr, c[0], c[1], c[2], alpha);
}

/* ------------------------------------------------------------------ text */

static void font(cairo_t *cr, double size, int bold)
{
    cairo_select_font_face(cr, FONT, CAIRO_FONT_SLANT_NORMAL,
                           bold ? CAIRO_FONT_WEIGHT_BOLD : CAIRO_FONT_WEIGHT_NORMAL);
    cairo_set_font_size(cr, size);
}

static double text_width(cairo_t *cr, const char *s)
{
    cairo_text_extents_t e;
    cairo_text_extents(cr, s ? s : "", &e);
    return e.x_advance;
}

/* Draws s with its anchor at (x, y): ax 0 / 0.5 / 1 = left / centre / right
 * edge, ay 0 / 0.5 / 1 = top / middle / bottom of the font's line box. */
static void text(cairo_t *cr, double x, double y, const char *s, double ax, double ay)
{
    if (!s || !s[0]) return;
    cairo_font_extents_t fe;
    cairo_font_extents(cr, &fe);
    double w = text_width(cr, s), h = fe.ascent + fe.descent;
    cairo_move_to(cr, x - ax * w, y - ay * h + fe.ascent);
    cairo_show_text(cr, s);
}

static double line_height(cairo_t *cr)
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
static clae_status begin(clae_ctx *ctx, const char *path, double w, double h,
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
static clae_status finish(clae_ctx *ctx, const char *path, cairo_surface_t *surface, cairo_t *cr)
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
static void title_at(cairo_t *cr, double x, const char *title)
{
    if (!title) return;
    font(cr, TITLE_SIZE, 1);
    cairo_set_source_rgb(cr, 0.1, 0.1, 0.1);
    text(cr, x, 14, title, 0.5, 0);
}

/* ----------------------------------------------------------------- tiles */

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
    font(m, LABEL_SIZE, 0);
    for (int r = 0; f->row_labels && r < f->rows; r++)
        tx.label_w = fmax(tx.label_w, text_width(m, f->row_labels[r]));
    tx.caption_w = text_width(m, f->caption);
    tx.label_h = line_height(m);
    if (f->tile_labels) {
        font(m, TICK_SIZE, 0);
        tx.tile_label_h = line_height(m) + 2;
    }
    font(m, TITLE_SIZE, 1);
    tx.title_w = text_width(m, f->title);
    tx.title_h = f->title ? line_height(m) : 0.0;
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
    clae_status s = begin(ctx, p, l.width, l.height, &surface, &cr, &shrink);
    if (s != CLAE_OK) return s;
    title_at(cr, l.width / 2.0, f->title);

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
            font(cr, TICK_SIZE, 0);
            cairo_set_source_rgb(cr, 0.2, 0.2, 0.2);
            text(cr, x + l.tw / 2.0, y + l.th + 2, f->tile_labels[i], 0.5, 0);
        }
    }
    font(cr, LABEL_SIZE, 0);
    cairo_set_source_rgb(cr, 0.2, 0.2, 0.2);
    for (int r = 0; f->row_labels && r < f->rows; r++)
        text(cr, l.left - 12, l.top + r * (l.group_h + l.group_gap) + l.th / 2.0,
             f->row_labels[r], 1, 0.5);
    if (f->caption) {
        cairo_set_source_rgb(cr, 0.3, 0.3, 0.3);
        text(cr, l.width / 2.0, l.top + l.grid_h + 10, f->caption, 0.5, 0);
    }
    return finish(ctx, p, surface, cr);
}

/* ------------------------------------------------------------------ axes */

typedef struct {
    double lo, hi;     /* data range shown */
    int log;           /* values are log10 of the data */
    double step;       /* between labelled ticks (linear) */
    int integers;      /* the data are whole numbers: no fractional ticks */
} axis;

static double nice_step(double span, int target)
{
    double raw = span / target, mag = pow(10.0, floor(log10(raw))), r = raw / mag;
    return (r < 1.5 ? 1.0 : r < 3.0 ? 2.0 : r < 7.0 ? 5.0 : 10.0) * mag;
}

/* A linear axis over [mn, mx] widened to whole ticks. A span the values'
 * precision cannot resolve (constant data, or 1e17 beside 1e17 + 16) is widened
 * around its centre, so that ticks are distinct numbers. */
static void linear_axis(axis *a, double mn, double mx, int integers, int target)
{
    mn = fmin(fmax(mn, -AXIS_LIMIT), AXIS_LIMIT);
    mx = fmin(fmax(mx, -AXIS_LIMIT), AXIS_LIMIT);
    double size = fmax(fabs(mn), fabs(mx));
    if (!(mx - mn > size * 1e-9)) {
        double c = mn / 2 + mx / 2, d = size != 0.0 ? size * 0.1 : 1.0;
        if (integers && d < 1.0) d = 1.0;
        mn = c - d;
        mx = c + d;
    }
    a->log = 0;
    a->integers = integers;
    a->step = nice_step(mx - mn, target);
    if (integers && a->step < 1.0) a->step = 1.0;
    double pad = (mx - mn) * 0.04;
    a->lo = integers ? mn - pad : floor((mn - pad) / a->step) * a->step;
    a->hi = integers ? mx + pad : ceil((mx + pad) / a->step) * a->step;
    if (integers && mn - pad < a->lo) a->lo = mn - pad;
}

/* A log axis over [mn, mx] (both > 0), padded a little in log space. */
static void log_axis(axis *a, double mn, double mx)
{
    double l0 = log10(mn), l1 = log10(mx);
    if (!(l1 - l0 > 1e-9)) {
        l0 -= 0.5;
        l1 += 0.5;
    }
    double pad = (l1 - l0) * 0.05;
    a->lo = l0 - pad;
    a->hi = l1 + pad;
    a->log = 1;
    a->integers = 0;
    a->step = 1.0;
}

/* Where v falls between from and to; far outside (data past AXIS_LIMIT) kept
 * within cairo's coordinate range, off the frame where it is clipped. */
static double axis_pos(const axis *a, double v, double from, double to)
{
    double t = a->log ? log10(v) : v;
    double pos = from + (t - a->lo) / (a->hi - a->lo) * (to - from);
    return fmin(fmax(pos, -1e5), 1e5);
}

/* The labelled ticks of a linear axis, by index from the first: a float step
 * added to a value can round away to nothing, an index always ends. */
static int linear_ticks(const axis *a, double ticks[MAX_TICKS])
{
    double k0 = ceil(a->lo / a->step - 1e-9);
    int n = 0;
    for (int k = 0; k < MAX_TICKS; k++) {
        double v = (k0 + k) * a->step;
        if (!(v <= a->hi + a->step * 1e-9)) break; /* NaN too */
        ticks[n++] = v;
    }
    return n;
}

static void format_tick(char *out, size_t size, double v, double step)
{
    if (fabs(v) < step * 1e-6) v = 0.0;
    double av = fabs(v);
    if (av != 0.0 && (av >= 1e5 || av < 1e-3)) {
        snprintf(out, size, "%.3g", v);
        return;
    }
    int decimals = step >= 1.0 ? 0 : (int)ceil(-log10(step) - 1e-9);
    if (decimals > 6) decimals = 6;
    snprintf(out, size, "%.*f", decimals, v);
}

/* "10" with a raised exponent, anchored at its right edge (y axis). */
static void power_label(cairo_t *cr, double x, double y, int exponent)
{
    char e[16];
    snprintf(e, sizeof e, "%d", exponent);
    font(cr, TICK_SIZE * 0.75, 0);
    double we = text_width(cr, e);
    font(cr, TICK_SIZE, 0);
    double wb = text_width(cr, "10");
    text(cr, x - we - wb, y, "10", 0, 0.5);
    font(cr, TICK_SIZE * 0.75, 0);
    text(cr, x - we, y - TICK_SIZE * 0.45, e, 0, 0.5);
    font(cr, TICK_SIZE, 0);
}

typedef struct {
    double x0, y0, x1, y1; /* the plot area: x0 left, y0 top */
} frame;

/* Grid lines, ticks and their labels of the x axis (bottom). */
static void draw_x_axis(cairo_t *cr, const frame *fr, const axis *a)
{
    char label[32];
    double ticks[MAX_TICKS];
    font(cr, TICK_SIZE, 0);
    int n = linear_ticks(a, ticks);
    for (int k = 0; k < n; k++) {
        double v = ticks[k], x = axis_pos(a, v, fr->x0, fr->x1);
        cairo_set_source_rgb(cr, 0.91, 0.91, 0.91);
        cairo_move_to(cr, round(x) + 0.5, fr->y0);
        cairo_line_to(cr, round(x) + 0.5, fr->y1);
        cairo_stroke(cr);
        cairo_set_source_rgb(cr, 0.25, 0.25, 0.25);
        cairo_move_to(cr, round(x) + 0.5, fr->y1);
        cairo_line_to(cr, round(x) + 0.5, fr->y1 + 5);
        cairo_stroke(cr);
        format_tick(label, sizeof label, v, a->step);
        text(cr, x, fr->y1 + 8, label, 0.5, 0);
    }
}

static void y_tick(cairo_t *cr, const frame *fr, double y, double len, int grid)
{
    double yy = round(y) + 0.5;
    if (grid) {
        cairo_set_source_rgb(cr, 0.91, 0.91, 0.91);
        cairo_move_to(cr, fr->x0, yy);
        cairo_line_to(cr, fr->x1, yy);
        cairo_stroke(cr);
    }
    cairo_set_source_rgb(cr, 0.25, 0.25, 0.25);
    cairo_move_to(cr, fr->x0 - len, yy);
    cairo_line_to(cr, fr->x0, yy);
    cairo_stroke(cr);
}

/* The y axis (left): decades with minor ticks on a log axis (and 2 and 5 labelled
 * when fewer than two decades show), whole steps on a linear one. */
static void draw_y_axis(cairo_t *cr, const frame *fr, const axis *a)
{
    char label[32];
    font(cr, TICK_SIZE, 0);
    if (!a->log) {
        double ticks[MAX_TICKS];
        int n = linear_ticks(a, ticks);
        for (int k = 0; k < n; k++) {
            double v = ticks[k], y = axis_pos(a, v, fr->y1, fr->y0);
            y_tick(cr, fr, y, 5, 1);
            format_tick(label, sizeof label, v, a->step);
            text(cr, fr->x0 - 8, y, label, 1, 0.5);
        }
        return;
    }
    int d0 = (int)floor(a->lo), d1 = (int)ceil(a->hi);
    int decades = 0;
    for (int d = d0; d <= d1; d++) decades += d >= a->lo && d <= a->hi;
    for (int d = d0; d <= d1; d++)
        for (int k = 1; k <= 9; k++) {
            double v = k * pow(10.0, d), lv = log10(v);
            if (lv < a->lo || lv > a->hi) continue;
            double y = axis_pos(a, v, fr->y1, fr->y0);
            /* under two decades in view: 1, 2 and 5 labelled alike, as plain numbers */
            int labelled = k == 1 || (decades < 2 && (k == 2 || k == 5));
            y_tick(cr, fr, y, k == 1 ? 5 : 3, labelled);
            cairo_set_source_rgb(cr, 0.25, 0.25, 0.25);
            if (k == 1 && decades >= 2) {
                power_label(cr, fr->x0 - 8, y, d);
            } else if (labelled) {
                snprintf(label, sizeof label, "%g", v);
                text(cr, fr->x0 - 8, y, label, 1, 0.5);
            }
        }
}

/* The frame, the axis labels under and left of it, the title above. */
static void draw_frame(cairo_t *cr, const frame *fr, const char *title,
                       const char *xlabel, const char *ylabel)
{
    cairo_set_source_rgb(cr, 0.25, 0.25, 0.25);
    cairo_set_line_width(cr, 1.0);
    cairo_rectangle(cr, fr->x0 + 0.5, fr->y0 + 0.5, fr->x1 - fr->x0 - 1, fr->y1 - fr->y0 - 1);
    cairo_stroke(cr);
    title_at(cr, (fr->x0 + fr->x1) / 2, title);
    font(cr, LABEL_SIZE, 0);
    cairo_set_source_rgb(cr, 0.1, 0.1, 0.1);
    text(cr, (fr->x0 + fr->x1) / 2, fr->y1 + 30, xlabel, 0.5, 0);
    if (ylabel) {
        cairo_save(cr);
        cairo_translate(cr, 18, (fr->y0 + fr->y1) / 2);
        cairo_rotate(cr, -PI / 2);
        text(cr, 0, 0, ylabel, 0.5, 0);
        cairo_restore(cr);
    }
}

/* A legend box at (x, y): one entry per name, each with its colour and style. */
typedef struct {
    const char *name;
    int color, dashed, marker;
} legend_entry;

static double legend_width(cairo_t *cr, const legend_entry *e, int n)
{
    font(cr, TICK_SIZE, 0);
    double w = 0.0;
    for (int i = 0; i < n; i++) w = fmax(w, text_width(cr, e[i].name));
    return n ? w + 52 : 0.0;
}

#define LEGEND_ROW 20.0

static double legend_height(int n) { return n ? n * LEGEND_ROW + 10 : 0.0; }

static void draw_legend(cairo_t *cr, double x, double y, const legend_entry *e, int n, double w)
{
    if (!n) return;
    double row = LEGEND_ROW;
    cairo_set_source_rgb(cr, 1, 1, 1);
    cairo_rectangle(cr, x + 0.5, y + 0.5, w, legend_height(n));
    cairo_fill_preserve(cr);
    cairo_set_source_rgb(cr, 0.8, 0.8, 0.8);
    cairo_set_line_width(cr, 1.0);
    cairo_stroke(cr);
    font(cr, TICK_SIZE, 0);
    for (int i = 0; i < n; i++) {
        double yy = y + 5 + row * (i + 0.5);
        set_color(cr, e[i].color, 1.0);
        if (e[i].marker) {
            cairo_arc(cr, x + 18, yy, 4.5, 0, 2 * PI);
            cairo_fill(cr);
        } else {
            double dash[] = {6, 4};
            cairo_set_line_width(cr, 2.2);
            cairo_set_dash(cr, dash, e[i].dashed ? 2 : 0, 0);
            cairo_move_to(cr, x + 8, yy);
            cairo_line_to(cr, x + 36, yy);
            cairo_stroke(cr);
            cairo_set_dash(cr, NULL, 0, 0);
            cairo_set_line_width(cr, 1.0);
        }
        cairo_set_source_rgb(cr, 0.1, 0.1, 0.1);
        text(cr, x + 44, yy, e[i].name, 0, 0.5);
    }
}

/* A plot's picture: the frame with room for its axes' labels below and left,
 * and the legend (lw wide, measured here) to the right of the frame. */
static clae_status begin_framed(clae_ctx *ctx, const char *path, const frame *fr,
                                const legend_entry *entries, int n_entries, double *lw,
                                cairo_surface_t **surface, cairo_t **cr)
{
    cairo_surface_t *scratch = cairo_image_surface_create(CAIRO_FORMAT_RGB24, 1, 1);
    cairo_t *m = cairo_create(scratch);
    *lw = legend_width(m, entries, n_entries);
    cairo_destroy(m);
    cairo_surface_destroy(scratch);
    double width = ceil(fr->x1 + 20 + (*lw > 0 ? *lw + 16 : 0));
    double height = fmax(fr->y1 + 62, fr->y0 + legend_height(n_entries) + 16);
    return begin(ctx, path, width, height, surface, cr, NULL);
}

/* ----------------------------------------------------------------- lines */

static int usable(double x, double y, int log_y) { return isfinite(x) && isfinite(y) && (!log_y || y > 0); }

clae_status clae__plot_lines(clae_ctx *ctx, const char *path, const clae_line_plot *p)
{
    const char *pp = path && path[0] ? path : "plot";
    if (!p || p->n_series < 0 || (p->n_series && !p->series))
        return clae__fail(ctx, CLAE_EUSAGE, "%s: no series to plot", pp);
    double xmn = INFINITY, xmx = -INFINITY, ymn = INFINITY, ymx = -INFINITY;
    int integers = 1, n_points = 0;
    for (int s = 0; s < p->n_series; s++) {
        const clae_series *se = &p->series[s];
        for (int i = 0; i < se->n; i++) {
            if (!usable(se->x[i], se->y[i], p->log_y)) continue;
            xmn = fmin(xmn, se->x[i]);
            xmx = fmax(xmx, se->x[i]);
            ymn = fmin(ymn, se->y[i]);
            ymx = fmax(ymx, se->y[i]);
            integers &= se->x[i] == floor(se->x[i]);
            n_points++;
        }
    }
    if (!n_points) { /* nothing finite: still an honest, empty frame */
        xmn = 0, xmx = 1, ymn = 1, ymx = 10;
        integers = 0;
    }
    axis ax, ay;
    linear_axis(&ax, xmn, xmx, integers, 8);
    if (p->log_y) log_axis(&ay, ymn, ymx);
    else linear_axis(&ay, ymn, ymx, 0, 6);

    legend_entry entries[64];
    int n_entries = 0;
    for (int s = 0; s < p->n_series && n_entries < 64; s++)
        if (p->series[s].name)
            entries[n_entries++] = (legend_entry){p->series[s].name, p->series[s].color,
                                                  p->series[s].dashed, 0};
    frame fr = {78, 46, 78 + 620, 46 + 380};
    double lw;
    cairo_surface_t *surface;
    cairo_t *cr;
    clae_status st = begin_framed(ctx, pp, &fr, entries, n_entries, &lw, &surface, &cr);
    if (st != CLAE_OK) return st;
    cairo_set_line_width(cr, 1.0);
    draw_x_axis(cr, &fr, &ax);
    draw_y_axis(cr, &fr, &ay);

    cairo_save(cr);
    cairo_rectangle(cr, fr.x0, fr.y0, fr.x1 - fr.x0, fr.y1 - fr.y0);
    cairo_clip(cr);
    for (int s = 0; s < p->n_series; s++) {
        const clae_series *se = &p->series[s];
        double dash[] = {7, 5};
        set_color(cr, se->color, 1.0);
        cairo_set_line_width(cr, 2.2);
        cairo_set_line_join(cr, CAIRO_LINE_JOIN_ROUND);
        cairo_set_dash(cr, dash, se->dashed ? 2 : 0, 0);
        int pen = 0;
        for (int i = 0; i < se->n; i++) {
            if (!usable(se->x[i], se->y[i], p->log_y)) { /* a gap in the curve */
                pen = 0;
                continue;
            }
            double x = axis_pos(&ax, se->x[i], fr.x0, fr.x1), y = axis_pos(&ay, se->y[i], fr.y1, fr.y0);
            if (pen) cairo_line_to(cr, x, y);
            else cairo_move_to(cr, x, y);
            pen = 1;
        }
        cairo_stroke(cr);
        cairo_set_dash(cr, NULL, 0, 0);
        if (se->n <= 60) /* markers: a curve of one epoch is still visible */
            for (int i = 0; i < se->n; i++) {
                if (!usable(se->x[i], se->y[i], p->log_y)) continue;
                double x = axis_pos(&ax, se->x[i], fr.x0, fr.x1);
                double y = axis_pos(&ay, se->y[i], fr.y1, fr.y0);
                cairo_arc(cr, x, y, se->dashed ? 2.6 : 3.2, 0, 2 * PI);
                cairo_fill(cr);
            }
    }
    cairo_restore(cr);
    draw_frame(cr, &fr, p->title, p->xlabel, p->ylabel);
    draw_legend(cr, fr.x1 + 16, fr.y0, entries, n_entries, lw);
    return finish(ctx, pp, surface, cr);
}

/* --------------------------------------------------------------- scatter */

static int compare_int(const void *a, const void *b)
{
    int x = *(const int *)a, y = *(const int *)b;
    return (x > y) - (x < y);
}

clae_status clae__plot_scatter(clae_ctx *ctx, const char *path, const clae_scatter_plot *p)
{
    const char *pp = path && path[0] ? path : "plot";
    if (!p || (p->n && (!p->x || !p->y)))
        return clae__fail(ctx, CLAE_EUSAGE, "%s: no points to plot", pp);
    double xmn = INFINITY, xmx = -INFINITY, ymn = INFINITY, ymx = -INFINITY;
    for (size_t i = 0; i < p->n; i++) {
        if (!isfinite(p->x[i]) || !isfinite(p->y[i])) continue;
        xmn = fmin(xmn, p->x[i]);
        xmx = fmax(xmx, p->x[i]);
        ymn = fmin(ymn, p->y[i]);
        ymx = fmax(ymx, p->y[i]);
    }
    if (xmn > xmx) xmn = -1, xmx = 1, ymn = -1, ymx = 1;
    axis ax, ay;
    linear_axis(&ax, xmn, xmx, 0, 7);
    linear_axis(&ay, ymn, ymx, 0, 7);

    /* The distinct labels, in order. Each has its own palette colour and legend
     * entry while they fit the palette; past that the first N_PALETTE - 1 keep
     * theirs and all others share one grey and one entry, so no two entries
     * (nor two labels' points) look alike. */
    int *distinct = NULL, n_distinct = 0;
    if (p->labels && p->n) {
        distinct = malloc(p->n * sizeof *distinct);
        if (!distinct) return clae__fail(ctx, CLAE_ENOMEM, "%s: out of memory", pp);
        memcpy(distinct, p->labels, p->n * sizeof *distinct);
        qsort(distinct, p->n, sizeof *distinct, compare_int);
        for (size_t i = 0; i < p->n; i++)
            if (!n_distinct || distinct[n_distinct - 1] != distinct[i])
                distinct[n_distinct++] = distinct[i];
    }
    int own = n_distinct <= N_PALETTE ? n_distinct : N_PALETTE - 1;
    legend_entry entries[N_PALETTE];
    char names[N_PALETTE][48];
    int n_entries = 0;
    for (int k = 0; k < own; k++, n_entries++) {
        int label = distinct[k];
        if (p->names && label >= 0 && p->names[label])
            snprintf(names[n_entries], sizeof names[0], "%s", p->names[label]);
        else
            snprintf(names[n_entries], sizeof names[0], "%d", label);
        entries[n_entries] = (legend_entry){names[n_entries], k, 0, 1};
    }
    if (n_distinct > own) {
        snprintf(names[n_entries], sizeof names[0], "other labels (%d)", n_distinct - own);
        entries[n_entries] = (legend_entry){names[n_entries], OTHER_COLOR, 0, 1};
        n_entries++;
    }
    frame fr = {78, 46, 78 + 560, 46 + 520};
    double lw;
    cairo_surface_t *surface;
    cairo_t *cr;
    clae_status st = begin_framed(ctx, pp, &fr, entries, n_entries, &lw, &surface, &cr);
    if (st != CLAE_OK) {
        free(distinct);
        return st;
    }
    cairo_set_line_width(cr, 1.0);
    draw_x_axis(cr, &fr, &ax);
    draw_y_axis(cr, &fr, &ay);

    /* Smaller, more transparent points as they get many, so classes stay visible. */
    double radius = p->n <= 500 ? 3.2 : p->n <= 3000 ? 2.4 : 1.8;
    double alpha = p->n <= 500 ? 0.85 : p->n <= 3000 ? 0.6 : 0.45;
    cairo_save(cr);
    cairo_rectangle(cr, fr.x0, fr.y0, fr.x1 - fr.x0, fr.y1 - fr.y0);
    cairo_clip(cr);
    /* The grey points first, under the labels that have a colour. */
    for (int pass = 0; pass < 2; pass++)
        for (size_t i = 0; i < p->n; i++) {
            if (!isfinite(p->x[i]) || !isfinite(p->y[i])) continue;
            int color = 0;
            if (distinct) { /* the label's rank among the distinct labels */
                int *at = bsearch(&p->labels[i], distinct, (size_t)n_distinct,
                                  sizeof *distinct, compare_int);
                int k = at ? (int)(at - distinct) : 0;
                color = k < own ? k : OTHER_COLOR;
            }
            if ((color == OTHER_COLOR) != (pass == 0)) continue;
            set_color(cr, color, alpha);
            cairo_arc(cr, axis_pos(&ax, p->x[i], fr.x0, fr.x1),
                      axis_pos(&ay, p->y[i], fr.y1, fr.y0), radius, 0, 2 * PI);
            cairo_fill(cr);
        }
    cairo_restore(cr);
    free(distinct);
    draw_frame(cr, &fr, p->title, p->xlabel, p->ylabel);
    draw_legend(cr, fr.x1 + 16, fr.y0, entries, n_entries, lw);
    return finish(ctx, pp, surface, cr);
}
