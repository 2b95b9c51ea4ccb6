/* Helpers shared by the commands. */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "clae/spec.h"

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

static char rank_prefix[48];

void cli_set_rank(int rank, int size)
{
    snprintf(rank_prefix, sizeof rank_prefix, "rank %d of %d: ", rank, size);
}

int cli_fail(clae_ctx *ctx, clae_status status)
{
    if (status == CLAE_EINTERNAL) /* a broken invariant: a bug to report, not bad input */
        fprintf(stderr, "clae: %sinternal error (please report it): %s\n", rank_prefix,
                clae_ctx_message(ctx));
    else
        fprintf(stderr, "clae: %s%s\n", rank_prefix, clae_ctx_message(ctx));
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

int cli_check_out(const char *command, const char *out)
{
    if (!out || strlen(out) < CLAE_PATH_MAX) return 0;
    return cli_usage_error(command, "--out: %zu characters, longer than the limit of %d",
                           strlen(out), CLAE_PATH_MAX - 1);
}

/* "-xy": a group of short options, as getopt reads them one character at a time. */
static int short_group_with(const char *arg, int c)
{
    return arg && arg[0] == '-' && arg[1] && arg[1] != '-' && strchr(arg + 1, c) != NULL;
}

int cli_bad_option(const char *command, char **argv)
{
    const char *at = argv[optind - 1];
    /* getopt sets optopt to the character for a bad short option, to 0 for an
     * unknown long one, and to the option's value for a long one missing or
     * refusing its argument. A bad short option inside a group leaves optind
     * on the group (argv[optind - 1] is then the element before it, e.g. the
     * argument of --model); the last one of a group moves optind past it. */
    if (optopt > 0 && optopt < 128 &&
        (short_group_with(at, optopt) || short_group_with(argv[optind], optopt)))
        return cli_usage_error(command, "unknown or incomplete option \"-%c\"", optopt);
    return cli_usage_error(command, "unknown or incomplete option \"%s\"", at);
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
