/* Datasets read through a read-only mmap of a plain IDX or NPY file of
 * bytes or floats, so that a training set larger than the host's memory
 * budget stays in the page cache (which the kernel may drop and read again)
 * instead of the heap. Rows are converted from the file as they are asked
 * for, exactly as the readers convert them. */
#include "data/mapped.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "data/reader.h"
#include "io/fsutil.h"

struct clae_mapped {
    void *base;                    /* the mapping, from the file's first byte */
    size_t size;                   /* bytes mapped: the header and the samples kept */
    const unsigned char *samples;  /* the first sample's first byte */
    size_t value_bytes;            /* 1 or 4 */
    clae__mapped_type type;
    int interleaved;               /* H x W x C in the file */
    uint64_t budget;               /* bounds->budget as given (0: the default) */
};

static float be_float(const unsigned char *p)
{
    uint32_t u = (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
    float f;
    memcpy(&f, &u, sizeof f);
    return f;
}

static float le_float(const unsigned char *p)
{
    uint32_t u = (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0];
    float f;
    memcpy(&f, &u, sizeof f);
    return f;
}

/* Value i of a sample's bytes, as its reader gives it: a byte b is
 * (float)b / 255.0f, which is the IDX reader's (float)(b / 255.0) for every
 * byte (tests/test_data_mapped.c checks all 256). */
static float value_at(const struct clae_mapped *m, const unsigned char *p, size_t i)
{
    switch (m->type) {
    case CLAE__MAPPED_U8: return (float)p[i] / 255.0f;
    case CLAE__MAPPED_F32_BE: return be_float(p + 4 * i);
    default: return le_float(p + 4 * i);
    }
}

/* Every value of the samples kept is finite, or the reader's message. The
 * scan reads the file front to back: SEQUENTIAL reads ahead far and
 * lets the pages behind go first. */
static clae_status check_finite(clae_ctx *ctx, const char *path, const struct clae_mapped *m,
                                size_t values)
{
    posix_madvise(m->base, m->size, POSIX_MADV_SEQUENTIAL); /* advice: failing changes nothing */
    for (size_t i = 0; i < values; i++) {
        if (isfinite(value_at(m, m->samples, i))) continue;
        if (m->type == CLAE__MAPPED_F32_BE)
            return clae__fail(ctx, CLAE_EDATA, "%s: value %zu (byte %zu) is not a finite float",
                              path, i, (size_t)(m->samples - (const unsigned char *)m->base) + 4 * i);
        return clae__fail(ctx, CLAE_EDATA, "%s: entry %zu is not a finite number", path, i);
    }
    return CLAE_OK;
}

clae_status clae_dataset_map(clae_ctx *ctx, const char *path, const clae_data_bounds *bounds,
                             clae_dataset *out, int *mapped)
{
    memset(out, 0, sizeof *out);
    *mapped = 0;
    /* the reader's own choice of format: NPY and IDX files may be mapped */
    clae__data_format format;
    clae_status st = clae__data_format_of(ctx, path, &format);
    if (st != CLAE_OK || (format != CLAE__DATA_NPY && format != CLAE__DATA_IDX)) return st;
    clae__mapped_layout lay;
    st = format == CLAE__DATA_NPY ? clae__npy_layout(ctx, path, &lay)
                                  : clae__idx_layout(ctx, path, &lay);
    if (st != CLAE_OK || lay.type == CLAE__MAPPED_OTHER) return st;

    clae_dataset ds = lay.shape;
    ds.count = clae__data_keep(bounds, ds.file_count);
    struct clae_mapped *m = calloc(1, sizeof *m);
    if (!m) return clae__fail(ctx, CLAE_ENOMEM, "%s: out of memory", path);
    m->type = lay.type;
    m->interleaved = lay.interleaved;
    m->value_bytes = lay.type == CLAE__MAPPED_U8 ? 1 : 4;
    m->budget = bounds ? bounds->budget : 0;
    /* The header parser checked the file's size against its shape, so this
     * neither overflows nor passes the end (unless the file changed since). */
    m->size = lay.offset + ds.count * ds.dim * m->value_bytes;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        free(m);
        return clae__fail_open(ctx, path, errno);
    }
    struct stat sb;
    if (fstat(fd, &sb) != 0 || (unsigned long long)sb.st_size < m->size) {
        size_t need = m->size;
        close(fd);
        free(m);
        return clae__fail(ctx, CLAE_EDATA, "%s: truncated while it was read (%zu bytes needed)",
                          path, need);
    }
    m->base = mmap(NULL, m->size, PROT_READ, MAP_SHARED, fd, 0);
    int e = errno;
    close(fd); /* the mapping keeps the file */
    if (m->base == MAP_FAILED) {
        /* A file system that cannot map (some FUSE ones): read it instead. */
        clae__log(ctx, CLAE_LOG_INFO, "%s: cannot map it (%s); reading it into memory", path,
                  strerror(e));
        free(m);
        return CLAE_OK;
    }
    m->samples = (const unsigned char *)m->base + lay.offset;
    if (m->type != CLAE__MAPPED_U8) st = check_finite(ctx, path, m, ds.count * ds.dim);
    /* Training reads the samples in a shuffled order, but every one of them
     * once an epoch: the kernel's read-around brings pages that the epoch
     * uses soon, so NORMAL, not RANDOM (which would fault a page at a time
     * on a file that is not in the page cache). */
    posix_madvise(m->base, m->size, POSIX_MADV_NORMAL);
    if (st != CLAE_OK) {
        clae__mapped_close(m);
        return st;
    }
    ds.mapped = m;
    *out = ds;
    *mapped = 1;
    return CLAE_OK;
}

/* One sample's values from the file, planar. */
static void convert_row(const struct clae_mapped *m, const clae_dataset *ds, size_t row,
                        float *out)
{
    const unsigned char *p = m->samples + row * ds->dim * m->value_bytes;
    if (!m->interleaved) {
        for (size_t j = 0; j < ds->dim; j++) out[j] = value_at(m, p, j);
        return;
    }
    size_t c = (size_t)ds->channels, plane = (size_t)ds->height * (size_t)ds->width;
    for (size_t q = 0; q < plane; q++)
        for (size_t ch = 0; ch < c; ch++) out[ch * plane + q] = value_at(m, p, q * c + ch);
}

void clae_dataset_rows(const clae_dataset *ds, const uint32_t *order, size_t first, size_t n,
                       float *out)
{
    for (size_t i = 0; i < n; i++) {
        size_t row = order ? (size_t)order[first + i] : first + i;
        if (ds->mapped)
            convert_row(ds->mapped, ds, row, out + i * ds->dim);
        else
            memcpy(out + i * ds->dim, ds->x + row * ds->dim, ds->dim * sizeof *out);
    }
}

size_t clae__mapped_bytes(const struct clae_mapped *m) { return m ? m->size : 0; }

uint64_t clae__mapped_budget(const struct clae_mapped *m) { return m ? m->budget : 0; }

void clae__dataset_drop_samples(clae_dataset *ds)
{
    free(ds->x);
    ds->x = NULL;
    clae__mapped_close(ds->mapped);
    ds->mapped = NULL;
}

void clae__mapped_close(struct clae_mapped *m)
{
    if (!m) return;
    munmap(m->base, m->size);
    free(m);
}
