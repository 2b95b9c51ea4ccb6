/* Which reader a data path needs: told by what the path is (a folder), its
 * extension, and for IDX its magic bytes. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "clae/data.h"
#include "io/fsutil.h"

#define ACCEPTED                                                                           \
    "accepted: \"mnist\", a folder of PNGs, .csv, .npy, CIFAR-10 .bin batches, IDX (.gz ok)"

static int ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), k = strlen(suffix);
    if (n < k) return 0;
    for (size_t i = 0; i < k; i++)
        if (tolower((unsigned char)s[n - k + i]) != suffix[i]) return 0;
    return 1;
}

/* The first bytes of the file (fewer when it is shorter). */
static clae_status head(clae_ctx *ctx, const char *path, unsigned char *b, size_t cap, size_t *n)
{
    FILE *f = fopen(path, "rb");
    if (!f) return clae__fail_open(ctx, path, errno);
    errno = 0;
    *n = fread(b, 1, cap, f);
    int bad = ferror(f), e = errno ? errno : EIO;
    fclose(f);
    if (bad) return clae__fail(ctx, CLAE_EIO, "%s: read error: %s", path, strerror(e));
    return CLAE_OK;
}

/* IDX: two zero bytes, a known type, a rank of 1 to 4; or gzip (only IDX is
 * read gzipped). */
static int looks_idx(const unsigned char *b, size_t n)
{
    if (n >= 2 && b[0] == 0x1f && b[1] == 0x8b) return 1;
    if (n < 4 || b[0] != 0 || b[1] != 0 || b[3] < 1 || b[3] > 4) return 0;
    return b[2] == 0x08 || b[2] == 0x09 || (b[2] >= 0x0B && b[2] <= 0x0E);
}

static int is_npy(const unsigned char *b, size_t n)
{
    return n >= 6 && memcmp(b, "\x93NUMPY", 6) == 0;
}

clae_status clae_dataset_read(clae_ctx *ctx, const char *path, int label_column,
                              clae_dataset *out)
{
    memset(out, 0, sizeof *out);
    if (strcmp(path, "mnist") == 0) return clae_dataset_load_mnist(ctx, out);
    struct stat sb;
    if (stat(path, &sb) != 0)
        return clae__fail_open(ctx, path, errno);
    if (S_ISDIR(sb.st_mode)) return clae_png_dir_read(ctx, path, out);
    if (ends_with(path, ".csv")) return clae_csv_read(ctx, path, label_column, out);
    unsigned char b[8];
    size_t n;
    clae_status st = head(ctx, path, b, sizeof b, &n);
    if (st != CLAE_OK) return st;
    if (ends_with(path, ".npy") || is_npy(b, n)) return clae_npy_read_images(ctx, path, out);
    /* A .bin is a CIFAR batch; its reader names a size that is no whole number of records. */
    if (ends_with(path, ".bin") && !looks_idx(b, n)) return clae_cifar_read(ctx, path, out);
    if (looks_idx(b, n) || ends_with(path, ".idx") || ends_with(path, "-ubyte") ||
        ends_with(path, ".gz"))
        return clae_idx_read_images(ctx, path, out);
    return clae__fail(ctx, CLAE_EDATA, "%s: unknown data format (" ACCEPTED ")", path);
}

clae_status clae_dataset_read_labels(clae_ctx *ctx, const char *path, clae_dataset *ds)
{
    unsigned char b[8];
    size_t n;
    clae_status st = head(ctx, path, b, sizeof b, &n);
    if (st != CLAE_OK) return st;
    if (ends_with(path, ".npy") || is_npy(b, n)) return clae_npy_read_labels(ctx, path, ds);
    if (ends_with(path, ".csv") || ends_with(path, ".txt")) return clae_csv_read_labels(ctx, path, ds);
    if (looks_idx(b, n) || ends_with(path, ".idx") || ends_with(path, "-ubyte") ||
        ends_with(path, ".gz"))
        return clae_idx_read_labels(ctx, path, ds);
    return clae__fail(ctx, CLAE_EDATA,
                      "%s: unknown labels format (accepted: IDX of integers (.gz ok), .npy of "
                      "integers, .csv or .txt with one label a line)",
                      path);
}
