/* Numeric CSV files: one sample a row, comma-separated, an optional header
 * line and an optional label column; and text label files, one a line.
 *
 * The scaling rule: values must lie in [0, 255]; when any value is above 1
 * the file holds pixel bytes and every value is divided by 255, otherwise the
 * values are taken as they are. Blank lines are skipped; a header is a first
 * line none of whose fields is a number (so a first data row with one empty or
 * mistyped field is reported like any other row, not dropped as a header).
 * A UTF-8 byte order mark at the start is skipped, and lines may end in \n,
 * \r\n or a lone \r.
 *
 * Files are read a line at a time (data/line_reader.h). CSV declares no row
 * count, so the rows are checked against the data budget as they come, and
 * with bounds->take the reader stops parsing after that many rows: the rest
 * is only counted (its non-blank lines, for file_count), not checked. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clae/data.h"
#include "clae/spec.h"
#include "data/line_reader.h"
#include "data/reader.h"

_Static_assert(CLAE_LABEL_COLUMN_LAST == -1, "clae_csv_read takes -1 for the last column");

/* One field of a line: [begin, end) with surrounding blanks removed. */
typedef struct {
    const char *begin, *end;
} field;

/* The field that starts at *p on a line ending at end; *p moves past its comma. */
static field next_field(const char **p, const char *end)
{
    const char *c = *p;
    while (c < end && *c != ',') c++;
    const char *b = *p, *e = c;
    while (b < e && (*b == ' ' || *b == '\t')) b++;
    while (e > b && (e[-1] == ' ' || e[-1] == '\t')) e--;
    *p = c < end ? c + 1 : end;
    return (field){b, e};
}

/* The number of fields on line [p, end): one more than its commas. */
static size_t count_fields(const char *p, const char *end)
{
    size_t n = 1;
    for (; p < end; p++) n += *p == ',';
    return n;
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

/* A first line is a header when none of its fields is a number: a row of
 * numbers with one empty or mistyped field is data, and that field's error
 * is reported with its line. */
static int is_header(const char *b, const char *e)
{
    for (size_t n = count_fields(b, e); n > 0; n--) {
        double v;
        if (number(next_field(&b, e), &v)) return 0;
    }
    return 1;
}

static int as_label(field f, int *out)
{
    double v;
    if (!number(f, &v) || v != floor(v) || v < 0 || v > CLAE_DATA_MAX_LABEL) return 0;
    *out = (int)v;
    return 1;
}

/* The budget in bytes, as clae__data_take reads it. */
static size_t as_size(uint64_t v) { return v < SIZE_MAX ? (size_t)v : SIZE_MAX; }

/* The rows the float array (and the labels) should hold next, when `count`
 * rows fill it: twice as many, but no more than take nor than the budget
 * holds. At the budget it is count + 1, which clae__data_take then refuses
 * naming the sizes: a file over the budget fails as soon as it reaches it. */
static size_t next_capacity(size_t count, size_t take, uint64_t budget_rows)
{
    size_t want = count ? 2 * count : 1024;
    if (take && want > take) want = take;
    if (want > budget_rows) want = budget_rows > count ? (size_t)budget_rows : count + 1;
    return want;
}

/* The row [b, e) of ncols fields (already counted) into row and *label. */
static clae_status parse_row(clae_ctx *ctx, const char *path, size_t lineno, const char *b,
                             const char *e, size_t ncols, int has_label, size_t lc, float *row,
                             int *label, double *max)
{
    char shown_buf[64];
    for (size_t c = 0, k = 0; c < ncols; c++) {
        field f = next_field(&b, e);
        if (has_label && c == lc) {
            if (!as_label(f, label))
                return clae__fail(ctx, CLAE_EDATA,
                                  "%s:%zu: column %zu: expected a label from 0 to %d, got \"%s\"",
                                  path, lineno, c + 1, CLAE_DATA_MAX_LABEL,
                                  shown(f, shown_buf, sizeof shown_buf));
            continue;
        }
        double v;
        if (!number(f, &v))
            return clae__fail(ctx, CLAE_EDATA, "%s:%zu: column %zu: expected a number, got \"%s\"",
                              path, lineno, c + 1, shown(f, shown_buf, sizeof shown_buf));
        if (v < 0 || v > 255)
            return clae__fail(ctx, CLAE_EDATA,
                              "%s:%zu: column %zu: expected a value from 0 to 255 (or 0 to 1), "
                              "got \"%s\"",
                              path, lineno, c + 1, shown(f, shown_buf, sizeof shown_buf));
        if (v > *max) *max = v;
        row[k++] = (float)v;
    }
    return CLAE_OK;
}

clae_status clae_csv_read(clae_ctx *ctx, const char *path, int label_column,
                          const clae_data_bounds *bounds, clae_dataset *out)
{
    memset(out, 0, sizeof *out);
    size_t take = bounds ? bounds->take : 0;
    uint64_t budget = clae__data_budget(bounds);
    clae__line_reader lr;
    clae_status st = clae__lines_open(ctx, path, as_size(budget), &lr);
    if (st != CLAE_OK) return st;

    clae_dataset ds;
    memset(&ds, 0, sizeof ds);
    snprintf(ds.name, sizeof ds.name, "%s", path);
    size_t ncols = 0, lc = 0, cap = 0, first_row = 0;
    uint64_t budget_rows = 0;
    int has_label = label_column != 0, first = 1, got;
    double max = 0;
    const char *b, *e;
    while ((got = clae__lines_next(&lr, &b, &e)) > 0) {
        if (blank(b, e)) continue;
        if (first) {
            first = 0;
            if (is_header(b, e)) continue;
        }
        size_t n = count_fields(b, e);
        if (ncols == 0) {
            ncols = n;
            first_row = lr.lineno;
            if (has_label) {
                if (label_column > 0 && (size_t)label_column > ncols) {
                    st = clae__fail(ctx, CLAE_EDATA,
                                    "%s:%zu: label_column %d, but the rows have %zu values", path,
                                    lr.lineno, label_column, ncols);
                    goto done;
                }
                if (ncols < 2) {
                    st = clae__fail(ctx, CLAE_EDATA,
                                    "%s:%zu: a label column and no values (1 value a row)", path,
                                    lr.lineno);
                    goto done;
                }
                lc = label_column > 0 ? (size_t)label_column - 1 : ncols - 1;
            }
            clae__data_flat_shape(&ds, ncols - (has_label ? 1 : 0));
            /* the bytes a row takes, as clae__data_take counts them */
            budget_rows = budget / ((uint64_t)ds.dim * sizeof(float) + (has_label ? sizeof(int) : 0));
        }
        if (n != ncols) {
            st = clae__fail(ctx, CLAE_EDATA, "%s:%zu: %zu values, expected %zu as in line %zu",
                            path, lr.lineno, n, ncols, first_row);
            goto done;
        }
        if (ds.count == cap) {
            /* Doubling: glibc moves a large block by remapping it, and the
             * capacity not yet written is not resident; shrunk at the end. */
            size_t want = next_capacity(ds.count, take, budget_rows), kept;
            st = clae__data_take(ctx, path, bounds, want, ds.dim, has_label, &kept);
            if (st != CLAE_OK) goto done;
            float *x = realloc(ds.x, want * ds.dim * sizeof *ds.x);
            if (!x) goto oom;
            ds.x = x;
            if (has_label) {
                int *l = realloc(ds.labels, want * sizeof *ds.labels);
                if (!l) goto oom;
                ds.labels = l;
            }
            cap = want;
        }
        st = parse_row(ctx, path, lr.lineno, b, e, ncols, has_label, lc, ds.x + ds.count * ds.dim,
                       has_label ? &ds.labels[ds.count] : NULL, &max);
        if (st != CLAE_OK) goto done;
        ds.count++;
        if (take && ds.count == take) break;
    }
    if (got < 0) {
        st = lr.status;
        goto done;
    }
    if (ds.count == 0) {
        st = clae__fail(ctx, CLAE_EDATA, "%s: no data rows", path);
        goto done;
    }
    size_t rest = 0;
    if (got > 0) { /* stopped at take: what a labels file must match */
        st = clae__lines_count_rest(&lr, &rest);
        if (st != CLAE_OK) goto done;
    }
    ds.file_count = ds.count + rest;
    /* Exactly count rows (a failed shrink keeps the larger block). */
    float *x = realloc(ds.x, ds.count * ds.dim * sizeof *ds.x);
    if (x) ds.x = x;
    if (has_label) {
        int *l = realloc(ds.labels, ds.count * sizeof *ds.labels);
        if (l) ds.labels = l;
    }
    /* Decided over the rows read: with take, a value above 1 after them is not seen. */
    if (max > 1)
        for (size_t i = 0; i < ds.count * ds.dim; i++) ds.x[i] /= 255.0f;
    *out = ds;
    memset(&ds, 0, sizeof ds);
    goto done;
oom:
    st = clae__fail(ctx, CLAE_ENOMEM, "%s: out of memory at line %zu", path, lr.lineno);
done:
    clae_dataset_free(&ds);
    clae__lines_close(&lr);
    return st;
}

clae_status clae_csv_read_labels(clae_ctx *ctx, const char *path, clae_dataset *ds)
{
    /* The file must hold a label for every sample of the images' file; the
     * first ds->count are kept, the others are checked and counted. */
    size_t want = clae__data_file_count(ds), keep = ds->count;
    clae__line_reader lr;
    clae_status st = clae__lines_open(ctx, path, as_size(clae_data_default_budget()), &lr);
    if (st != CLAE_OK) return st;
    int *labels = malloc((keep ? keep : 1) * sizeof *labels);
    if (!labels) {
        clae__lines_close(&lr);
        return clae__fail(ctx, CLAE_ENOMEM, "%s: out of memory reading", path);
    }
    size_t n = 0;
    int first = 1, got;
    char shown_buf[64];
    const char *b, *e;
    while ((got = clae__lines_next(&lr, &b, &e)) > 0) {
        if (blank(b, e)) continue;
        if (first) {
            first = 0;
            if (is_header(b, e)) continue;
        }
        size_t k = count_fields(b, e);
        if (k != 1) {
            st = clae__fail(ctx, CLAE_EDATA, "%s:%zu: %zu values, expected 1 label", path,
                            lr.lineno, k);
            goto done;
        }
        int label;
        field f = next_field(&b, e);
        if (!as_label(f, &label)) {
            st = clae__fail(ctx, CLAE_EDATA, "%s:%zu: expected a label from 0 to %d, got \"%s\"",
                            path, lr.lineno, CLAE_DATA_MAX_LABEL,
                            shown(f, shown_buf, sizeof shown_buf));
            goto done;
        }
        if (n < keep) labels[n] = label;
        n++;
    }
    if (got < 0) {
        st = lr.status;
        goto done;
    }
    if (n != want) {
        st = clae__fail(ctx, CLAE_EDATA, "%s: %zu labels for %zu images", path, n, want);
        goto done;
    }
    free(ds->labels);
    ds->labels = labels;
    labels = NULL;
done:
    free(labels);
    clae__lines_close(&lr);
    return st;
}
