/* clae list-devices: one row per OpenCL device, indexed as --device takes. */
#include <stdio.h>
#include <stdlib.h>

#include "cli/cli.h"

static int run(int argc, char **argv)
{
    if (argc > 1) return cli_usage_error("list-devices", "unexpected argument \"%s\"", argv[1]);
    clae_ctx *ctx = cli_context(0);
    clae_device_info *infos = NULL;
    int count = 0;
    clae_status status = clae_device_list(ctx, &infos, &count);
    if (status != CLAE_OK) {
        int code = cli_fail(ctx, status);
        clae_ctx_destroy(ctx);
        return code;
    }
    if (count == 0) {
        fprintf(stderr, "clae: no OpenCL device found (%s)\n", clae_device_none_hint());
        free(infos);
        clae_ctx_destroy(ctx);
        return clae_status_exit_code(CLAE_ENODEVICE);
    }
    printf("%-5s %-28s %-36s %-5s %5s %10s %6s  %s\n", "index", "platform", "device", "type",
           "units", "memory", "wg", "OpenCL C");
    for (int i = 0; i < count; i++) {
        const clae_device_info *d = &infos[i];
        printf("%-5d %-28.28s %-36.36s %-5s %5u %7.1f GiB %6zu  %s\n", d->index, d->platform,
               d->name, d->type, d->compute_units,
               (double)d->global_mem_bytes / (1024.0 * 1024.0 * 1024.0), d->max_work_group_size,
               d->opencl_c_version);
    }
    free(infos);
    clae_ctx_destroy(ctx);
    return 0;
}

const clae_command clae_cmd_list_devices = {
    "list-devices", "list the OpenCL devices and their indices",
    "usage: clae list-devices\n"
    "Lists every OpenCL device of every platform: index (what --device takes), platform,\n"
    "device, type, compute units, global memory, max work-group size, OpenCL C version.\n",
    run};
