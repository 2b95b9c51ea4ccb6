/* Numeric CSV files: one sample a row, comma-separated, an optional header
 * line and an optional label column; and text label files, one a line.
 *
 * The scaling rule: values must lie in [0, 255]; when any value is above 1
 * the file holds pixel bytes and every value is divided by 255, otherwise the
 * values are taken as they are. Blank lines are skipped; a header is a first
 * line none of whose fields is a number (so a first data row with one empty or
 * mistyped field is reported like any other row, not dropped as a header).
 * A UTF-8 byte order mark at the start is skipped, and lines may end in \n,
 * \r\n or a lone \r. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clae/data.h"
#include "clae/spec.h"
#include "data/reader.h"

_Static_assert(CLAE_LABEL_COLUMN_LAST == -1, "clae_csv_read takes -1 for the last column");

/* One field of a line: [begin, end) with surrounding blanks removed. */
typedef struct {
    const char *begin, *end;
} field;

/* Splits line [p, end) at commas into at most cap fields; returns the number
 * of fields there are (which may exceed cap). */
static size_t split(const char *p, const char *end, field *f, size_t cap)
{
    size_t n = 0;
    for (;;) {
        const char *c = p;
        while (c < end && *c != ',') c++;
        const char *b = p, *e = c;
        while (b < e && (*b == ' ' || *b == '\t')) b++;
        while (e > b && (e[-1] == ' ' || e[-1] == '\t')) e--;
        if (n < cap) f[n] = (field){b, e};
        n++;
        if (c == end) return n;
        p = c + 1;
    }
}

/* The field as a finite number. */
static int number(field f, double *out)
{
    char buf[64];
    size_t len = (size_t)(f.end - f.begin);
    if (len == 0 || len >= sizeof buf) return 0;
    memcpy(buf, f.begin, len);
    buf[len] = '\0';
    char *e;
    double v = strtod(buf, &e);
    if (e != buf + len || !isfinite(v)) return 0;
    *out = v;
    return 1;
}

/* The field quoted for a message, cut at 40 characters. */
static const char *shown(field f, char *buf, size_t cap)
{
    size_t len = (size_t)(f.end - f.begin);
    int cut = len > 40;
    if (cut) len = 40;
    snprintf(buf, cap, "%.*s%s", (int)len, f.begin, cut ? "..." : "");
    return buf;
}

static int blank(const char *p, const char *end)
{
    while (p < end && (*p == ' ' || *p == '\t')) p++;
    return p == end;
}

/* Walks the lines of text: *line is [p, *end) without its line end (\n,
 * \r\n or a lone \r, as old Mac spreadsheets write). */
typedef struct {
    const char *p, *limit;
    size_t lineno;
} lines;

static lines lines_of(const char *text, size_t size)
{
    /* A UTF-8 byte order mark (spreadsheets write one) is no part of the first field. */
    if (size >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0) return (lines){text + 3, text + size, 0};
    return (lines){text, text + size, 0};
}

static int next_line(lines *ls, const char **begin, const char **end)
{
    if (ls->p >= ls->limit) return 0;
    const char *b = ls->p, *e = b;
    while (e < ls->limit && *e != '\n' && *e != '\r') e++;
    ls->p = e;
    if (ls->p < ls->limit && *ls->p == '\r') ls->p++;
    if (ls->p < ls->limit && *ls->p == '\n') ls->p++;
    ls->lineno++;
    *begin = b;
    *end = e;
    return 1;
}

/* A first line is a header when none of its fields is a number: a row of
 * numbers with one empty or mistyped field is data, and that field's error
 * is reported with its line. */
static int is_header(const char *b, const char *e)
{
    for (;;) {
        const char *c = b;
        while (c < e && *c != ',') c++;
        field f;
        split(b, c, &f, 1);
        double v;
        if (number(f, &v)) return 0;
        if (c == e) return 1;
        b = c + 1;
    }
}

static int as_label(field f, int *out)
{
    double v;
    if (!number(f, &v) || v != floor(v) || v < 0 || v > CLAE_DATA_MAX_LABEL) return 0;
    *out = (int)v;
    return 1;
}

static void *grow(void *p, size_t *cap, size_t need, size_t elem)
{
    if (need <= *cap) return p;
    size_t c = *cap ? *cap : 1024;
    while (c < need) c *= 2;
    void *q = realloc(p, c * elem);
    if (q) *cap = c;
    return q;
}

clae_status clae_csv_read(clae_ctx *ctx, const char *path, int label_column, clae_dataset *out)
{
    memset(out, 0, sizeof *out);
    char *text;
    size_t size;
    clae_status st = clae__data_read_file(ctx, path, &text, &size);
    if (st != CLAE_OK) return st;

    clae_dataset ds;
    memset(&ds, 0, sizeof ds);
    snprintf(ds.name, sizeof ds.name, "%s", path);
    size_t ncols = 0, lc = 0, xcap = 0, lcap = 0, fcap = 0, first_row = 0;
    int has_label = label_column != 0, first = 1;
    double max = 0;
    field *f = NULL;
    char shown_buf[64];
    lines ls = lines_of(text, size);
    const char *b, *e;
    while (next_line(&ls, &b, &e)) {
        if (blank(b, e)) continue;
        if (first) {
            first = 0;
            if (is_header(b, e)) continue;
        }
        size_t n = split(b, e, NULL, 0);
        if (ncols == 0) {
            ncols = n;
            first_row = ls.lineno;
            if (has_label) {
                if (label_column > 0 && (size_t)label_column > ncols) {
                    st = clae__fail(ctx, CLAE_EDATA,
                                    "%s:%zu: label_column %d, but the rows have %zu values", path,
                                    ls.lineno, label_column, ncols);
                    goto done;
                }
                if (ncols < 2) {
                    st = clae__fail(ctx, CLAE_EDATA,
                                    "%s:%zu: a label column and no values (1 value a row)", path,
                                    ls.lineno);
                    goto done;
                }
                lc = label_column > 0 ? (size_t)label_column - 1 : ncols - 1;
            }
            clae__data_flat_shape(&ds, ncols - (has_label ? 1 : 0));
            f = grow(NULL, &fcap, ncols, sizeof *f);
            if (!f) goto oom;
        }
        if (n != ncols) {
            st = clae__fail(ctx, CLAE_EDATA, "%s:%zu: %zu values, expected %zu as in line %zu",
                            path, ls.lineno, n, ncols, first_row);
            goto done;
        }
        split(b, e, f, ncols);
        float *nx = grow(ds.x, &xcap, (ds.count + 1) * ds.dim, sizeof *ds.x);
        if (!nx) goto oom;
        ds.x = nx;
        if (has_label) {
            int *nl = grow(ds.labels, &lcap, ds.count + 1, sizeof *ds.labels);
            if (!nl) goto oom;
            ds.labels = nl;
        }
        float *row = ds.x + ds.count * ds.dim;
        for (size_t c = 0, k = 0; c < ncols; c++) {
            if (has_label && c == lc) {
                if (!as_label(f[c], &ds.labels[ds.count])) {
                    st = clae__fail(ctx, CLAE_EDATA,
                                    "%s:%zu: column %zu: expected a label from 0 to %d, got \"%s\"",
                                    path, ls.lineno, c + 1, CLAE_DATA_MAX_LABEL,
                                    shown(f[c], shown_buf, sizeof shown_buf));
                    goto done;
                }
                continue;
            }
            double v;
            if (!number(f[c], &v)) {
                st = clae__fail(ctx, CLAE_EDATA,
                                "%s:%zu: column %zu: expected a number, got \"%s\"", path,
                                ls.lineno, c + 1, shown(f[c], shown_buf, sizeof shown_buf));
                goto done;
            }
            if (v < 0 || v > 255) {
                st = clae__fail(ctx, CLAE_EDATA,
                                "%s:%zu: column %zu: expected a value from 0 to 255 (or 0 to 1), "
                                "got \"%s\"",
                                path, ls.lineno, c + 1, shown(f[c], shown_buf, sizeof shown_buf));
                goto done;
            }
            if (v > max) max = v;
            row[k++] = (float)v;
        }
        ds.count++;
    }
    if (ds.count == 0) {
        st = clae__fail(ctx, CLAE_EDATA, "%s: no data rows", path);
        goto done;
    }
    if (max > 1)
        for (size_t i = 0; i < ds.count * ds.dim; i++) ds.x[i] /= 255.0f;
    *out = ds;
    memset(&ds, 0, sizeof ds);
    goto done;
oom:
    st = clae__fail(ctx, CLAE_ENOMEM, "%s: out of memory at line %zu", path, ls.lineno);
done:
    clae_dataset_free(&ds);
    free(f);
    free(text);
    return st;
}

clae_status clae_csv_read_labels(clae_ctx *ctx, const char *path, clae_dataset *ds)
{
    char *text;
    size_t size;
    clae_status st = clae__data_read_file(ctx, path, &text, &size);
    if (st != CLAE_OK) return st;
    int *labels = NULL;
    size_t n = 0, cap = 0;
    int first = 1;
    char shown_buf[64];
    lines ls = lines_of(text, size);
    const char *b, *e;
    while (next_line(&ls, &b, &e)) {
        if (blank(b, e)) continue;
        if (first) {
            first = 0;
            if (is_header(b, e)) continue;
        }
        field f;
        size_t k = split(b, e, &f, 1);
        if (k != 1) {
            st = clae__fail(ctx, CLAE_EDATA, "%s:%zu: %zu values, expected 1 label", path,
                            ls.lineno, k);
            goto done;
        }
        int *nl = grow(labels, &cap, n + 1, sizeof *labels);
        if (!nl) {
            st = clae__fail(ctx, CLAE_ENOMEM, "%s: out of memory at line %zu", path, ls.lineno);
            goto done;
        }
        labels = nl;
        if (!as_label(f, &labels[n])) {
            st = clae__fail(ctx, CLAE_EDATA, "%s:%zu: expected a label from 0 to %d, got \"%s\"",
                            path, ls.lineno, CLAE_DATA_MAX_LABEL,
                            shown(f, shown_buf, sizeof shown_buf));
            goto done;
        }
        n++;
    }
    if (n != ds->count) {
        st = clae__fail(ctx, CLAE_EDATA, "%s: %zu labels for %zu images", path, n, ds->count);
        goto done;
    }
    free(ds->labels);
    ds->labels = labels;
    labels = NULL;
done:
    free(labels);
    free(text);
    return st;
}
