/* clae: the command-line program. Dispatches to one file per command. */
#include <clblast_c.h>
#include <png.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"

static const clae_command *const commands[] = {
    &clae_cmd_train, &clae_cmd_sample, &clae_cmd_list_devices, &clae_cmd_conformance,
    &clae_cmd_bench,
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
    if (argc < 2) {
        print_usage(stderr);
        return 2;
    }
    const char *name = argv[1];
    if (strcmp(name, "--version") == 0 || strcmp(name, "version") == 0) {
        printf("clae %s\nOpenCL target 1.2 (ICD loader), CLBlast, libpng %s\n", CLAE_VERSION,
               png_get_libpng_ver(NULL));
        return 0;
    }
    if (strcmp(name, "help") == 0 || strcmp(name, "--help") == 0 || strcmp(name, "-h") == 0)
        return help(argc, argv);
    const clae_command *cmd = find(name);
    if (!cmd) {
        fprintf(stderr, "clae: unknown command \"%s\" (see clae help)\n", name);
        return 2;
    }
    return cmd->run(argc - 1, argv + 1);
}
