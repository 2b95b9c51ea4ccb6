/* clae train under mpirun: see train_ranks.h. */
#include "cli/train_ranks.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clae/device.h"

/* This rank's device: its entry of a --device list ("0,2": local rank 0 the
 * first, 1 the second, 2 the first again), the one --device or $CLAE_DEVICE
 * names, else with several ranks the GPUs of the machine in turn by local
 * rank, else the default. buf holds a chosen index. */
const char *cli_rank_device(clae_ctx *ctx, const char *device, const clae_dist *dist,
                            char *buf, size_t cap)
{
    if (device && strchr(device, ',')) {
        int n = 1, pick;
        for (const char *c = device; *c; c++) n += *c == ',';
        pick = dist->local_rank % n;
        const char *at = device;
        for (int i = 0; i < pick; i++) at = strchr(at, ',') + 1;
        size_t len = strcspn(at, ",");
        snprintf(buf, cap, "%.*s", (int)(len < cap ? len : cap - 1), at);
        return buf;
    }
    if (device || getenv("CLAE_DEVICE") || dist->size <= 1) return device;
    clae_device_info *infos = NULL;
    int count = 0, gpus = 0;
    if (clae_device_list(ctx, &infos, &count) == CLAE_OK)
        for (int i = 0; i < count; i++) gpus += strcmp(infos[i].type, "GPU") == 0;
    for (int i = 0, seen = 0; gpus > 0 && i < count; i++)
        if (strcmp(infos[i].type, "GPU") == 0 && seen++ == dist->local_rank % gpus) {
            snprintf(buf, cap, "%d", infos[i].index);
            device = buf;
        }
    free(infos);
    return device;
}

/* Over ranks, rank 0's view decides whether the run resumes (a rank's own
 * look at the folder could differ), and every rank must have read the same
 * spec: else their steps would not pair up. */
clae_status cli_agree_on_run(clae_ctx *ctx, clae_dist *dist, const clae_spec *spec, int *resume)
{
    if (dist->size <= 1) return CLAE_OK;
    int32_t r = *resume;
    clae_status s = clae_dist_broadcast(ctx, dist, &r, sizeof r);
    *resume = r;
    const char *text = spec->text ? spec->text : "";
    int same = 0;
    if (s == CLAE_OK) s = clae_dist_same(ctx, dist, text, strlen(text), &same, NULL);
    if (s == CLAE_OK && !same)
        s = clae__fail(ctx, CLAE_EUSAGE,
                       "the ranks read different specs: give every rank the same --spec, and "
                       "its run folder on a file system all ranks see");
    return s;
}
