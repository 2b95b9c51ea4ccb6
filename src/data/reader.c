/* The file check and flat-row shape shared by the data readers. */
#include "data/reader.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <sys/stat.h>

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
