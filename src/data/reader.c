/* The file check and flat-row shape shared by the data readers. */
#include "data/reader.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "io/fsutil.h"

clae_status clae__data_file_check(clae_ctx *ctx, const char *path, size_t *size)
{
    struct stat sb;
    if (stat(path, &sb) != 0) return clae__fail_open(ctx, path, errno);
    if (S_ISDIR(sb.st_mode)) return clae__fail_open(ctx, path, EISDIR);
    if (!S_ISREG(sb.st_mode)) return clae__fail(ctx, CLAE_EDATA, "%s: not a regular file", path);
    if ((unsigned long long)sb.st_size > CLAE_DATA_MAX_FILE_BYTES)
        return clae__fail(ctx, CLAE_EDATA, "%s: %llu bytes is more than the %llu a data file may have",
                          path, (unsigned long long)sb.st_size, CLAE_DATA_MAX_FILE_BYTES);
    if (size) *size = (size_t)sb.st_size;
    return CLAE_OK;
}

clae_status clae__data_read_file(clae_ctx *ctx, const char *path, char **bytes, size_t *size)
{
    *bytes = NULL;
    clae_status st = clae__data_file_check(ctx, path, NULL);
    return st != CLAE_OK ? st : clae__read_file(ctx, path, bytes, size);
}

int clae__data_ends_with(const char *path, const char *suffix)
{
    size_t n = strlen(path), k = strlen(suffix);
    if (n < k) return 0;
    for (size_t i = 0; i < k; i++)
        if (tolower((unsigned char)path[n - k + i]) != suffix[i]) return 0;
    return 1;
}

void clae__data_flat_shape(clae_dataset *ds, size_t n)
{
    size_t s = (size_t)sqrt((double)n);
    while (s * s > n) s--;
    while ((s + 1) * (s + 1) <= n) s++;
    ds->channels = 1;
    ds->height = s * s == n ? (int)s : 1;
    ds->width = s * s == n ? (int)s : (int)n;
    ds->dim = n;
}

/* The memory limit of this process's cgroup (a container's), 0 if none is set. */
static uint64_t cgroup_limit(void)
{
    static const char *const files[] = {"/sys/fs/cgroup/memory.max", /* v2 */
                                        "/sys/fs/cgroup/memory/memory.limit_in_bytes"};
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        FILE *f = fopen(files[i], "r");
        if (!f) continue;
        unsigned long long v = 0;
        int got = fscanf(f, "%llu", &v); /* "max" (no limit) reads as nothing */
        fclose(f);
        if (got == 1 && v > 0) return v;
    }
    return 0;
}

uint64_t clae_data_default_budget(void)
{
    long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGESIZE);
    uint64_t memory = pages > 0 && page > 0 ? (uint64_t)pages * (uint64_t)page
                                            : (uint64_t)1 << 33; /* unknown: as if 8 GiB */
    uint64_t limit = cgroup_limit();
    if (limit && limit < memory) memory = limit;
    return memory / 2;
}

uint64_t clae__data_budget(const clae_data_bounds *bounds)
{
    return bounds && bounds->budget ? bounds->budget : clae_data_default_budget();
}

size_t clae__data_keep(const clae_data_bounds *bounds, size_t count)
{
    return bounds && bounds->take && bounds->take < count ? bounds->take : count;
}

/* "12.3 MiB", or "40000 bytes" under a MiB */
static const char *size_text(double bytes, char *buf, size_t cap)
{
    if (bytes < 1024.0 * 1024.0) snprintf(buf, cap, "%.0f bytes", bytes);
    else snprintf(buf, cap, "%.1f MiB", bytes / (1024.0 * 1024.0));
    return buf;
}

clae_status clae__data_take(clae_ctx *ctx, const char *name, const clae_data_bounds *bounds,
                            size_t count, size_t dim, int labelled, size_t *take)
{
    size_t keep = clae__data_keep(bounds, count);
    uint64_t budget = clae__data_budget(bounds);
    uint64_t per = (uint64_t)dim * sizeof(float) + (labelled ? sizeof(int) : 0);
    *take = keep;
    if (per == 0 || keep <= budget / per) return CLAE_OK;
    char need[32], have[32];
    return clae__fail(ctx, CLAE_EDATA,
                      "%s: %zu samples of %zu values need %s, more than the data budget of %s "
                      "(raise [data] max_memory, or read fewer with [data] limit)",
                      name, keep, dim, size_text((double)keep * (double)per, need, sizeof need),
                      size_text((double)budget, have, sizeof have));
}

size_t clae__data_file_count(const clae_dataset *ds)
{
    return ds->file_count ? ds->file_count : ds->count;
}
