/* Which reader a data path needs: told by what the path is (a folder), its
 * extension, and for IDX its header. Only folders and regular files are read:
 * a FIFO or a device would block or never end. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "clae/data.h"
#include "data/reader.h"
#include "io/fsutil.h"

#define ACCEPTED                                                                           \
    "accepted: \"mnist\", a folder of PNGs, .csv, .npy, CIFAR-10 .bin batches, IDX (.gz ok)"

/* The first bytes of a regular file (fewer when it is shorter) and its size. */
static clae_status head(clae_ctx *ctx, const char *path, unsigned char *b, size_t cap, size_t *n,
                        size_t *size)
{
    clae_status st = clae__data_file_check(ctx, path, size);
    if (st != CLAE_OK) return st;
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

/* The size in bytes that a plain (not gzipped) IDX header implies, 0 when
 * the head is too short to tell or the size overflows. */
static unsigned long long idx_implied_size(const unsigned char *b, size_t n)
{
    if (!looks_idx(b, n) || b[0] == 0x1f) return 0;
    size_t rank = b[3];
    if (n < 4 + 4 * rank) return 0;
    unsigned long long total = b[2] == 0x0B ? 2 : b[2] == 0x0E ? 8 : b[2] >= 0x0C ? 4 : 1;
    for (size_t i = 0; i < rank; i++) {
        const unsigned char *d = b + 4 + 4 * i;
        unsigned long long dim = (unsigned long long)d[0] << 24 | d[1] << 16 | d[2] << 8 | d[3];
        if (dim && total > CLAE_DATA_MAX_FILE_BYTES / dim) return 0;
        total *= dim;
    }
    return 4 + 4 * rank + total;
}

/* A .bin is CIFAR-10 records unless it is IDX. A whole number of records
 * whose first bytes happen to read as an IDX header (label 0, then pixel
 * bytes 0, a type and a rank) is IDX only if that header's shape accounts for the file's size exactly. */
static int bin_is_idx(const unsigned char *b, size_t n, size_t size)
{
    if (!looks_idx(b, n)) return 0;
    if (b[0] == 0x1f || size == 0 || size % 3073 != 0) return 1; /* no CIFAR label is 0x1f */
    return idx_implied_size(b, n) == size;
}

static int is_npy(const unsigned char *b, size_t n)
{
    return n >= 6 && memcmp(b, "\x93NUMPY", 6) == 0;
}

/* The format of a regular file from its name and first bytes. */
static clae__data_format file_format(const char *path, const unsigned char *b, size_t n,
                                     size_t size)
{
    if (clae__data_ends_with(path, ".npy") || is_npy(b, n)) return CLAE__DATA_NPY;
    /* A .bin is a CIFAR batch; its reader names a size that is no whole number of records. */
    if (clae__data_ends_with(path, ".bin") && !bin_is_idx(b, n, size)) return CLAE__DATA_CIFAR;
    if (looks_idx(b, n) || clae__data_ends_with(path, ".idx") ||
        clae__data_ends_with(path, "-ubyte") || clae__data_ends_with(path, ".gz"))
        return CLAE__DATA_IDX;
    return CLAE__DATA_UNKNOWN;
}

clae_status clae__data_format_of(clae_ctx *ctx, const char *path, clae__data_format *out)
{
    *out = CLAE__DATA_UNKNOWN;
    struct stat sb;
    if (strcmp(path, "mnist") == 0) *out = CLAE__DATA_MNIST;
    else if (stat(path, &sb) != 0) return clae__fail_open(ctx, path, errno);
    else if (S_ISDIR(sb.st_mode)) *out = CLAE__DATA_FOLDER;
    else if (clae__data_ends_with(path, ".csv")) *out = CLAE__DATA_CSV;
    else {
        /* The magic and an IDX header of up to rank 4. */
        unsigned char b[20];
        size_t n, size;
        clae_status st = head(ctx, path, b, sizeof b, &n, &size);
        if (st != CLAE_OK) return st;
        *out = file_format(path, b, n, size);
    }
    if (*out != CLAE__DATA_UNKNOWN) return CLAE_OK;
    return clae__fail(ctx, CLAE_EDATA, "%s: unknown data format (" ACCEPTED ")", path);
}

clae_status clae_dataset_read(clae_ctx *ctx, const char *path, int label_column,
                              const clae_data_bounds *bounds, clae_dataset *out)
{
    memset(out, 0, sizeof *out);
    clae__data_format format;
    clae_status st = clae__data_format_of(ctx, path, &format);
    if (st != CLAE_OK) return st;
    switch (format) {
    case CLAE__DATA_MNIST: return clae_dataset_load_mnist(ctx, bounds, out);
    case CLAE__DATA_FOLDER: return clae_png_dir_read(ctx, path, bounds, out);
    case CLAE__DATA_CSV: return clae_csv_read(ctx, path, label_column, bounds, out);
    case CLAE__DATA_NPY: return clae_npy_read_images(ctx, path, bounds, out);
    case CLAE__DATA_CIFAR: return clae_cifar_read(ctx, path, bounds, out);
    default: return clae_idx_read_images(ctx, path, bounds, out);
    }
}

clae_status clae_dataset_read_labels(clae_ctx *ctx, const char *path, clae_dataset *ds)
{
    unsigned char b[8];
    size_t n;
    clae_status st = head(ctx, path, b, sizeof b, &n, NULL);
    if (st != CLAE_OK) return st;
    if (clae__data_ends_with(path, ".npy") || is_npy(b, n)) return clae_npy_read_labels(ctx, path, ds);
    if (clae__data_ends_with(path, ".csv") || clae__data_ends_with(path, ".txt")) return clae_csv_read_labels(ctx, path, ds);
    if (looks_idx(b, n) || clae__data_ends_with(path, ".idx") || clae__data_ends_with(path, "-ubyte") ||
        clae__data_ends_with(path, ".gz"))
        return clae_idx_read_labels(ctx, path, ds);
    return clae__fail(ctx, CLAE_EDATA,
                      "%s: unknown labels format (accepted: IDX of integers (.gz ok), .npy of "
                      "integers, .csv or .txt with one label a line)",
                      path);
}
