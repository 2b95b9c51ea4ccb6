/* Line plots and scatter plots with axes, ticks and legends
 * (clae__plot_lines, clae__plot_scatter, plot.h). */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "io/plot_canvas.h"

#define PI 3.14159265358979323846
#define MAX_TICKS 100    /* labelled ticks an axis can have */
#define AXIS_LIMIT 1e300 /* data beyond +-this are drawn at the frame's edge */

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
    clae__plot_font(cr, TICK_SIZE * 0.75, 0);
    double we = clae__plot_text_width(cr, e);
    clae__plot_font(cr, TICK_SIZE, 0);
    double wb = clae__plot_text_width(cr, "10");
    clae__plot_text(cr, x - we - wb, y, "10", 0, 0.5);
    clae__plot_font(cr, TICK_SIZE * 0.75, 0);
    clae__plot_text(cr, x - we, y - TICK_SIZE * 0.45, e, 0, 0.5);
    clae__plot_font(cr, TICK_SIZE, 0);
}

typedef struct {
    double x0, y0, x1, y1; /* the plot area: x0 left, y0 top */
} frame;

/* Grid lines, ticks and their labels of the x axis (bottom). */
static void draw_x_axis(cairo_t *cr, const frame *fr, const axis *a)
{
    char label[32];
    double ticks[MAX_TICKS];
    clae__plot_font(cr, TICK_SIZE, 0);
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
        clae__plot_text(cr, x, fr->y1 + 8, label, 0.5, 0);
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
    clae__plot_font(cr, TICK_SIZE, 0);
    if (!a->log) {
        double ticks[MAX_TICKS];
        int n = linear_ticks(a, ticks);
        for (int k = 0; k < n; k++) {
            double v = ticks[k], y = axis_pos(a, v, fr->y1, fr->y0);
            y_tick(cr, fr, y, 5, 1);
            format_tick(label, sizeof label, v, a->step);
            clae__plot_text(cr, fr->x0 - 8, y, label, 1, 0.5);
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
                clae__plot_text(cr, fr->x0 - 8, y, label, 1, 0.5);
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
    clae__plot_title(cr, (fr->x0 + fr->x1) / 2, title);
    clae__plot_font(cr, LABEL_SIZE, 0);
    cairo_set_source_rgb(cr, 0.1, 0.1, 0.1);
    clae__plot_text(cr, (fr->x0 + fr->x1) / 2, fr->y1 + 30, xlabel, 0.5, 0);
    if (ylabel) {
        cairo_save(cr);
        cairo_translate(cr, 18, (fr->y0 + fr->y1) / 2);
        cairo_rotate(cr, -PI / 2);
        clae__plot_text(cr, 0, 0, ylabel, 0.5, 0);
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
    clae__plot_font(cr, TICK_SIZE, 0);
    double w = 0.0;
    for (int i = 0; i < n; i++) w = fmax(w, clae__plot_text_width(cr, e[i].name));
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
    clae__plot_font(cr, TICK_SIZE, 0);
    for (int i = 0; i < n; i++) {
        double yy = y + 5 + row * (i + 0.5);
        clae__plot_color(cr, e[i].color, 1.0);
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
        clae__plot_text(cr, x + 44, yy, e[i].name, 0, 0.5);
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
    return clae__plot_begin(ctx, path, width, height, surface, cr, NULL);
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
        clae__plot_color(cr, se->color, 1.0);
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
    return clae__plot_finish(ctx, pp, surface, cr);
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
            clae__plot_color(cr, color, alpha);
            cairo_arc(cr, axis_pos(&ax, p->x[i], fr.x0, fr.x1),
                      axis_pos(&ay, p->y[i], fr.y1, fr.y0), radius, 0, 2 * PI);
            cairo_fill(cr);
        }
    cairo_restore(cr);
    free(distinct);
    draw_frame(cr, &fr, p->title, p->xlabel, p->ylabel);
    draw_legend(cr, fr.x1 + 16, fr.y0, entries, n_entries, lw);
    return clae__plot_finish(ctx, pp, surface, cr);
}
