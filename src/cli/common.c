/* Helpers shared by the commands. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli/cli.h"

static void log_to_stderr(void *user, clae_log_level level, const char *line)
{
    (void)user;
    static const char *names[] = {"error", "warning", "info", "debug"};
    fprintf(stderr, "clae: %s: %s\n", names[level], line);
}

clae_ctx *cli_context(int verbose)
{
    clae_ctx *ctx = clae_ctx_create();
    if (ctx) clae_ctx_set_log(ctx, log_to_stderr, NULL, verbose ? CLAE_LOG_INFO : CLAE_LOG_WARN);
    return ctx;
}

int cli_fail(clae_ctx *ctx, clae_status status)
{
    if (status == CLAE_EINTERNAL) /* a broken invariant: a bug to report, not bad input */
        fprintf(stderr, "clae: internal error (please report it): %s\n", clae_ctx_message(ctx));
    else
        fprintf(stderr, "clae: %s\n", clae_ctx_message(ctx));
    return clae_status_exit_code(status);
}

int cli_usage_error(const char *command, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "clae %s: ", command);
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, " (see clae help %s)\n", command);
    va_end(ap);
    return clae_status_exit_code(CLAE_EUSAGE);
}

clae_status cli_open_device(clae_ctx *ctx, const char *choice, clae_device **dev)
{
    int index = 0;
    clae_status status = clae_device_choose(ctx, choice, &index);
    if (status == CLAE_OK) status = clae_device_open(ctx, index, dev);
    return status;
}

int cli_parse_long(const char *text, long min, long max, long *out)
{
    char *end = NULL;
    errno = 0;
    long v = strtol(text, &end, 10);
    if (end == text || *end != '\0' || errno != 0 || v < min || v > max) return -1;
    *out = v;
    return 0;
}
