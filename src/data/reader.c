/* The file check and flat-row shape shared by the data readers. */
#include "data/reader.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <stdint.h>
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

uint64_t clae_data_default_budget(void)
{
    long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGESIZE);
    if (pages <= 0 || page <= 0) return (uint64_t)1 << 32; /* unknown: 4 GiB */
    return (uint64_t)pages * (uint64_t)page / 2;
}

static double mib(uint64_t bytes) { return (double)bytes / (1024.0 * 1024.0); }

clae_status clae__data_take(clae_ctx *ctx, const char *name, const clae_data_bounds *bounds,
                            size_t count, size_t dim, int labelled, size_t *take)
{
    size_t keep = bounds && bounds->take && bounds->take < count ? bounds->take : count;
    uint64_t budget = bounds && bounds->budget ? bounds->budget : clae_data_default_budget();
    uint64_t per = (uint64_t)dim * sizeof(float) + (labelled ? sizeof(int) : 0);
    *take = keep;
    if (per == 0 || keep <= budget / per) return CLAE_OK;
    return clae__fail(ctx, CLAE_EDATA,
                      "%s: %zu samples of %zu values need %.1f MiB, more than the data budget of "
                      "%.1f MiB (raise [data] max_memory, or read fewer with [data] limit)",
                      name, keep, dim, (double)keep * (double)per / (1024.0 * 1024.0), mib(budget));
}

size_t clae__data_file_count(const clae_dataset *ds)
{
    return ds->file_count ? ds->file_count : ds->count;
}
