/* clae encode: the code of every sample, as CSV or NPY. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "io/fsutil.h"
#include "io/npy.h"
#include "train/evaluate.h"
#include "use/commands.h"

int clae__codes_format(const char *path)
{
    size_t n = strlen(path);
    if (n > 4 && strcmp(path + n - 4, ".csv") == 0) return CLAE_CODES_CSV;
    if (n > 4 && strcmp(path + n - 4, ".npy") == 0) return CLAE_CODES_NPY;
    return -1;
}

void clae__text_put(clae_text *b, const char *fmt, ...)
{
    if (b->failed) return;
    if (b->cap - b->len < 256) { /* one field of ours is far shorter */
        size_t cap = b->cap ? 2 * b->cap : (size_t)1 << 16;
        char *grown = realloc(b->text, cap);
        if (!grown) {
            b->failed = 1;
            return;
        }
        b->text = grown;
        b->cap = cap;
    }
    va_list ap;
    va_start(ap, fmt);
    int w = vsnprintf(b->text + b->len, b->cap - b->len, fmt, ap);
    va_end(ap);
    if (w < 0 || (size_t)w >= b->cap - b->len) b->failed = 1;
    else b->len += (size_t)w;
}

clae_status clae__text_write(clae_ctx *ctx, const char *path, clae_text *b)
{
    clae_status s = b->failed ? clae__fail(ctx, CLAE_ENOMEM, "out of memory writing %s", path)
                              : clae__write_file_atomic(ctx, path, b->text, b->len);
    free(b->text);
    memset(b, 0, sizeof *b);
    return s;
}

static clae_status write_csv(clae_ctx *ctx, const char *path, const float *values, size_t rows,
                             size_t code, size_t cols, const int *labels)
{
    clae_text b = {0};
    for (size_t k = 0; k < cols; k++)
        clae__text_put(&b, "%s%s_%zu", k ? "," : "", k < code ? "code" : "logvar", k % code + 1);
    clae__text_put(&b, "%s\n", labels ? ",label" : "");
    for (size_t r = 0; r < rows; r++) {
        for (size_t k = 0; k < cols; k++)
            clae__text_put(&b, "%s%.9g", k ? "," : "", values[r * cols + k]);
        if (labels) clae__text_put(&b, ",%d", labels[r]);
        clae__text_put(&b, "\n");
    }
    return clae__text_write(ctx, path, &b);
}

clae_status clae__use_encode(clae_ctx *ctx, clae_use *u, const char *path,
                             clae_codes_format format, int logvar, size_t *cols_out)
{
    clae_model *m = u->lm.model;
    int variational = u->lm.spec.model.variational;
    if (logvar && !variational)
        return clae__fail(ctx, CLAE_EUSAGE, "--logvar needs a variational model ([model] "
                                            "variational = yes)");
    size_t code = (size_t)m->code, rows = u->data.count;
    /* A VAE's code layer yields both heads per row, means then log-variances:
     * read there, the layout is already the columns asked for. In evaluation
     * the sampler passes the means, so the code point has them alone. */
    size_t cols = logvar ? 2 * code : code;
    float *values = malloc(rows * cols * sizeof *values);
    if (!values)
        return clae__fail(ctx, CLAE_ENOMEM, "out of memory encoding %zu samples", rows);
    clae_status s = logvar ? clae__encode_at(m, &u->x, rows, m->code_layer, values)
                           : clae__encode_all(m, &u->x, rows, values);
    if (s == CLAE_OK)
        s = format == CLAE_CODES_NPY
                ? clae__npy_write(ctx, path, values, rows, cols)
                : write_csv(ctx, path, values, rows, code, cols, u->data.labels);
    if (s == CLAE_OK) *cols_out = cols;
    free(values);
    return s;
}
