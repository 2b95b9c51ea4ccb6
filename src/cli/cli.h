/* Shared pieces of the command-line program: the only layer that prints and
 * maps a status to an exit code. */
#ifndef CLAE_CLI_H
#define CLAE_CLI_H

#include "clae/device.h"
#include "clae/status.h"

typedef struct {
    const char *name;
    const char *summary;
    const char *usage; /* full usage text for `clae help COMMAND` */
    int (*run)(int argc, char **argv);
} clae_command;

extern const clae_command clae_cmd_list_devices, clae_cmd_train, clae_cmd_conformance,
    clae_cmd_bench, clae_cmd_sample;
extern const clae_command clae_cmd_features, clae_cmd_probe, clae_cmd_inpaint;
extern const clae_command clae_cmd_spec, clae_cmd_export;
extern const clae_command clae_cmd_reconstruct, clae_cmd_encode, clae_cmd_score,
    clae_cmd_interpolate;

/* A context whose log goes to stderr (INFO with --verbose, else WARN). */
clae_ctx *cli_context(int verbose);
/* Prints "clae: <message>" on stderr and returns the status's exit code. */
int cli_fail(clae_ctx *ctx, clae_status status);
/* In a job of several ranks, cli_fail's lines name the rank: "clae: rank 1 of 4: ...". */
void cli_set_rank(int rank, int size);
/* Prints "clae <command>: <message>" for a usage error and returns 2. */
int cli_usage_error(const char *command, const char *fmt, ...) CLAE__PRINTF(2, 3);
/* An --out (NULL: none given) longer than CLAE_PATH_MAX - 1 characters is
 * refused, not cut (a cut path names another file or a parent folder): the
 * usage error's exit code, else 0. */
int cli_check_out(const char *command, const char *out);
/* After getopt_long answered '?': the usage error naming the bad option ("-x" of a group). */
int cli_bad_option(const char *command, char **argv);
/* Chooses (--device / $CLAE_DEVICE / first GPU / first) and opens a device. */
clae_status cli_open_device(clae_ctx *ctx, const char *choice, clae_device **dev);
/* Parses a non-negative integer option; returns 0 on success. */
int cli_parse_long(const char *text, long min, long max, long *out);

#endif
