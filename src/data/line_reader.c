/* Lines of a text data file through one buffer; see line_reader.h. */
#include "data/line_reader.h"

#include <stdlib.h>
#include <string.h>

#include "data/reader.h"
#include "io/fsutil.h"

/* Large enough that a read costs little per byte, small beside any data. */
enum { CHUNK = 1 << 20 };

clae_status clae__lines_open(clae_ctx *ctx, const char *path, size_t max_line,
                             clae__line_reader *lr)
{
    memset(lr, 0, sizeof *lr);
    size_t size;
    clae_status st = clae__data_file_check(ctx, path, &size);
    if (st != CLAE_OK) return st;
    lr->file = clae__open_regular(ctx, path, &st);
    if (!lr->file) return st;
    lr->ctx = ctx;
    lr->path = path;
    lr->max_line = max_line;
    lr->at_start = 1;
    /* A small file needs no more than its size (+ 1, so that a read hits its end). */
    lr->cap = size < CHUNK ? size + 1 : CHUNK;
    lr->buf = malloc(lr->cap);
    if (!lr->buf) {
        fclose(lr->file);
        lr->file = NULL;
        return clae__fail(ctx, CLAE_ENOMEM, "%s: out of memory reading", path);
    }
    return CLAE_OK;
}

static int fail(clae__line_reader *lr, clae_status st)
{
    lr->status = st;
    return -1;
}

/* Reads more after buf[start, end), first moving those bytes to the front
 * and, when they fill the buffer (one long line), growing it. */
static int fill(clae__line_reader *lr)
{
    if (lr->start > 0) {
        memmove(lr->buf, lr->buf + lr->start, lr->end - lr->start);
        lr->end -= lr->start;
        lr->scanned -= lr->start;
        lr->start = 0;
    }
    if (lr->end == lr->cap) {
        if (lr->cap >= lr->max_line)
            return fail(lr, clae__fail(lr->ctx, CLAE_EDATA,
                                       "%s:%zu: a line longer than %.1f MiB, the data budget",
                                       lr->path, lr->lineno + 1,
                                       (double)lr->max_line / (1024.0 * 1024.0)));
        size_t cap = lr->cap < lr->max_line / 2 ? lr->cap * 2 : lr->max_line;
        char *grown = realloc(lr->buf, cap);
        if (!grown)
            return fail(lr, clae__fail(lr->ctx, CLAE_ENOMEM, "%s: out of memory at line %zu",
                                       lr->path, lr->lineno + 1));
        lr->buf = grown;
        lr->cap = cap;
    }
    size_t n = fread(lr->buf + lr->end, 1, lr->cap - lr->end, lr->file);
    lr->end += n;
    if (n == 0) {
        if (ferror(lr->file))
            return fail(lr, clae__fail(lr->ctx, CLAE_EIO, "%s: read failed", lr->path));
        lr->eof = 1;
    }
    return 0;
}

/* Skips a UTF-8 byte order mark (spreadsheets write one): it is no part of
 * the first field. */
static int skip_bom(clae__line_reader *lr)
{
    while (lr->end - lr->start < 3 && !lr->eof)
        if (fill(lr) < 0) return -1;
    if (lr->end - lr->start >= 3 && memcmp(lr->buf + lr->start, "\xEF\xBB\xBF", 3) == 0)
        lr->start += 3;
    lr->scanned = lr->start;
    lr->at_start = 0;
    return 0;
}

/* Drops the \n of a \r\n whose \r ended the last line. */
static int skip_lf_after_cr(clae__line_reader *lr)
{
    if (lr->start == lr->end && !lr->eof && fill(lr) < 0) return -1;
    if (lr->start < lr->end && lr->buf[lr->start] == '\n') lr->start++;
    if (lr->scanned < lr->start) lr->scanned = lr->start;
    lr->after_cr = 0;
    return 0;
}

int clae__lines_next(clae__line_reader *lr, const char **begin, const char **end)
{
    if (lr->at_start && skip_bom(lr) < 0) return -1;
    for (;;) {
        if (lr->after_cr && skip_lf_after_cr(lr) < 0) return -1;
        char *p = lr->buf + lr->scanned, *limit = lr->buf + lr->end;
        while (p < limit && *p != '\n' && *p != '\r') p++;
        if (p < limit || (lr->eof && lr->start < lr->end)) {
            *begin = lr->buf + lr->start;
            *end = p;
            lr->start = p < limit ? (size_t)(p - lr->buf) + 1 : lr->end;
            lr->after_cr = p < limit && *p == '\r';
            lr->scanned = lr->start;
            lr->lineno++;
            return 1;
        }
        lr->scanned = lr->end;
        if (lr->eof) return 0;
        if (fill(lr) < 0) return -1;
    }
}

clae_status clae__lines_count_rest(clae__line_reader *lr, size_t *rows)
{
    *rows = 0;
    if (lr->at_start && skip_bom(lr) < 0) return lr->status;
    int filled = 0; /* the line being counted holds more than blanks */
    size_t n = 0;
    for (;;) {
        /* locals: the compiler need not reload them after each byte */
        const char *p = lr->buf + lr->start, *end = lr->buf + lr->end;
        int after_cr = lr->after_cr;
        while (p < end) {
            char c = *p++;
            if (after_cr) {
                after_cr = 0;
                if (c == '\n') continue;
            }
            if (c == '\n' || c == '\r') {
                n += (size_t)filled;
                filled = 0;
                after_cr = c == '\r';
            } else if (!filled && c != ' ' && c != '\t') {
                filled = 1;
                /* the rest of a counted line matters only for where it ends */
                while (p < end && *p != '\n' && *p != '\r') p++;
            }
        }
        lr->after_cr = after_cr;
        lr->start = lr->end = lr->scanned = 0;
        if (lr->eof) break;
        if (fill(lr) < 0) return lr->status;
    }
    *rows = n + (size_t)filled;
    return CLAE_OK;
}

void clae__lines_close(clae__line_reader *lr)
{
    if (lr->file) fclose(lr->file);
    free(lr->buf);
    memset(lr, 0, sizeof *lr);
}
