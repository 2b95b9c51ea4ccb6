/* Status table lookups and the error/log context. */
#include "clae/status.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct clae_ctx {
    clae_status status;
    char message[1024];
    clae_log_fn log_fn;
    void *log_user;
    clae_log_level log_level;
};

static const struct {
    const char *name;
    int exit_code;
    const char *message;
} status_table[] = {
#define CLAE__STATUS_ROW(name, code, msg) {#name, code, msg},
    CLAE_STATUS_TABLE(CLAE__STATUS_ROW)
#undef CLAE__STATUS_ROW
};

#define STATUS_COUNT (sizeof status_table / sizeof status_table[0])

const char *clae_status_name(clae_status s)
{
    return (unsigned)s < STATUS_COUNT ? status_table[s].name : "CLAE_UNKNOWN";
}

const char *clae_status_message(clae_status s)
{
    return (unsigned)s < STATUS_COUNT ? status_table[s].message : "unknown status";
}

int clae_status_exit_code(clae_status s)
{
    return (unsigned)s < STATUS_COUNT ? status_table[s].exit_code : 1;
}

clae_ctx *clae_ctx_create(void)
{
    clae_ctx *ctx = calloc(1, sizeof *ctx);
    if (ctx) ctx->log_level = CLAE_LOG_WARN;
    return ctx;
}

void clae_ctx_destroy(clae_ctx *ctx) { free(ctx); }

const char *clae_ctx_message(const clae_ctx *ctx)
{
    if (!ctx) return "";
    return ctx->message[0] ? ctx->message : clae_status_message(ctx->status);
}

clae_status clae_ctx_status(const clae_ctx *ctx) { return ctx ? ctx->status : CLAE_OK; }

void clae_ctx_clear(clae_ctx *ctx)
{
    if (!ctx) return;
    ctx->status = CLAE_OK;
    ctx->message[0] = '\0';
}

void clae_ctx_set_log(clae_ctx *ctx, clae_log_fn fn, void *user, clae_log_level level)
{
    ctx->log_fn = fn;
    ctx->log_user = user;
    ctx->log_level = level;
}

clae_status clae__fail(clae_ctx *ctx, clae_status s, const char *fmt, ...)
{
    if (!ctx) return s;
    ctx->status = s;
    va_list ap;
    va_start(ap, fmt);
    char raw[sizeof ctx->message];
    vsnprintf(raw, sizeof raw, fmt, ap);
    va_end(ap);
    /* One line per error (a newline becomes a space), and no control bytes from
     * a spec or a file reach the terminal: a carriage return or an escape
     * becomes \xNN. */
    size_t out = 0;
    for (const unsigned char *p = (const unsigned char *)raw; *p && out + 5 < sizeof ctx->message;
         p++) {
        if (*p == '\n')
            ctx->message[out++] = ' ';
        else if (*p < 0x20 || *p == 0x7f)
            out += (size_t)snprintf(ctx->message + out, 5, "\\x%02x", *p);
        else
            ctx->message[out++] = (char)*p;
    }
    ctx->message[out] = '\0';
    return s;
}

void clae__log(clae_ctx *ctx, clae_log_level level, const char *fmt, ...)
{
    if (!ctx || !ctx->log_fn || level > ctx->log_level) return;
    char line[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    ctx->log_fn(ctx->log_user, level, line);
}
