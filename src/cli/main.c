/* clae: the command-line program. Dispatches to one file per command. */
#include <png.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clae/dist.h"
#include "cli/cli.h"

static const clae_command *const commands[] = {
    &clae_cmd_train, &clae_cmd_sample, &clae_cmd_list_devices, &clae_cmd_conformance,
    &clae_cmd_bench,
    &clae_cmd_reconstruct, &clae_cmd_encode, &clae_cmd_score, &clae_cmd_interpolate,
    &clae_cmd_features, &clae_cmd_probe, &clae_cmd_inpaint,
    &clae_cmd_export, &clae_cmd_spec,
};
#define N_COMMANDS (sizeof commands / sizeof commands[0])

static void print_usage(FILE *out)
{
    fprintf(out, "usage: clae COMMAND [OPTIONS]\n\ncommands:\n");
    for (size_t i = 0; i < N_COMMANDS; i++)
        fprintf(out, "  %-14s %s\n", commands[i]->name, commands[i]->summary);
    fprintf(out, "  %-14s %s\n", "help [COMMAND]", "usage of clae or of one command");
    fprintf(out, "  %-14s %s\n", "--version", "versions of clae and its libraries");
}

/* clae's version, the libraries it was built with, and each OpenCL device's
 * driver (the OpenCL implementation that will run the kernels). */
static int version(void)
{
    printf("clae %s\n", CLAE_VERSION);
    printf("built with: OpenCL headers (target 1.2), CLBlast %s, OpenBLAS %s, libpng %s\n",
           CLAE_CLBLAST_VERSION, CLAE_OPENBLAS_VERSION, png_get_libpng_ver(NULL));
    printf("data-parallel training: %s\n",
           clae_dist_available() ? "MPI (mpirun -np N clae train ...)" : "no (built without MPI)");
    clae_ctx *ctx = clae_ctx_create();
    clae_device_info *infos = NULL;
    int count = 0;
    if (ctx && clae_device_list(ctx, &infos, &count) == CLAE_OK)
        for (int i = 0; i < count; i++)
            printf("device %d: %s, %s, driver %s, %s\n", i, infos[i].platform, infos[i].name,
                   infos[i].driver_version, infos[i].opencl_c_version);
    free(infos);
    clae_ctx_destroy(ctx);
    return 0;
}

static const clae_command *find(const char *name)
{
    for (size_t i = 0; i < N_COMMANDS; i++)
        if (strcmp(commands[i]->name, name) == 0) return commands[i];
    return NULL;
}

static int help(int argc, char **argv)
{
    if (argc < 3) {
        print_usage(stdout);
        return 0;
    }
    const clae_command *cmd = find(argv[2]);
    if (!cmd) {
        fprintf(stderr, "clae help: unknown command \"%s\"\n", argv[2]);
        return 2;
    }
    fputs(cmd->usage, stdout);
    return 0;
}

int main(int argc, char **argv)
{
    /* A reader that goes away (`clae train | head -1`) must not kill a run:
     * writes to it fail with EPIPE instead, which each command handles. */
    signal(SIGPIPE, SIG_IGN);
    if (argc < 2) {
        print_usage(stderr);
        return 2;
    }
    const char *name = argv[1];
    if (strcmp(name, "--version") == 0 || strcmp(name, "version") == 0) return version();
    if (strcmp(name, "help") == 0 || strcmp(name, "--help") == 0 || strcmp(name, "-h") == 0)
        return help(argc, argv);
    const clae_command *cmd = find(name);
    if (!cmd) {
        fprintf(stderr, "clae: unknown command \"%s\" (see clae help)\n", name);
        return 2;
    }
    /* every command answers --help / -h (anywhere before a "--"), as `clae help COMMAND` */
    for (int i = 2; i < argc && strcmp(argv[i], "--") != 0; i++)
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            fputs(cmd->usage, stdout);
            return 0;
        }
    return cmd->run(argc - 1, argv + 1);
}
