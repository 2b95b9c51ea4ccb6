/* A text data file read a line at a time through one buffer (1 MiB, or the
 * file's size when smaller), so that a reader never holds the whole file. A
 * line longer than the buffer grows it, up to max_line bytes. A UTF-8 byte
 * order mark at the start is skipped; \n, \r\n and a lone \r end a line; the
 * last line needs no line end. */
#ifndef CLAE_DATA_LINE_READER_H
#define CLAE_DATA_LINE_READER_H

#include <stddef.h>
#include <stdio.h>

#include "clae/status.h"

typedef struct clae__line_reader {
    clae_ctx *ctx;
    const char *path;
    FILE *file;
    char *buf;
    size_t cap, max_line;
    size_t start, end; /* the bytes read and not yet returned: buf[start, end) */
    size_t scanned;    /* buf[start, scanned) holds no line end */
    size_t lineno;     /* of the line last returned, from 1 */
    int eof, after_cr, at_start;
    clae_status status; /* why clae__lines_next or clae__lines_count_rest failed */
} clae__line_reader;

/* Opens path (a regular file within the data file size limit, the same checks
 * and messages as clae__data_read_file). */
clae_status clae__lines_open(clae_ctx *ctx, const char *path, size_t max_line,
                             clae__line_reader *lr);
/* The next line, [*begin, *end) without its line end, valid until the next
 * call: 1; 0 at the end of the file; -1 on a read error, no memory or a line
 * over max_line (the message is on ctx, the status in lr->status). */
int clae__lines_next(clae__line_reader *lr, const char **begin, const char **end);
/* Counts the lines left that hold more than blanks (spaces, tabs), reading on
 * in the same buffer without growing it or parsing the lines. */
clae_status clae__lines_count_rest(clae__line_reader *lr, size_t *rows);
void clae__lines_close(clae__line_reader *lr);

#endif
