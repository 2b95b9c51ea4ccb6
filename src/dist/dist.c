/* The ranks of a data-parallel job: MPI when built with it (CLAE_HAVE_MPI)
 * and launched by mpirun, else one rank. */
#include "clae/dist.h"

#include <stdlib.h>
#include <string.h>

#ifdef CLAE_HAVE_MPI
#include <mpi.h>
#endif

/* mpirun (Open MPI, or any launcher speaking PMI / PMIx) sets these. */
static int launched_by_mpirun(void)
{
    return getenv("OMPI_COMM_WORLD_SIZE") || getenv("PMI_SIZE") || getenv("PMIX_RANK");
}

/* FNV-1a: a hash to compare, not to protect */
static uint64_t hash_of(const void *bytes, size_t n)
{
    uint64_t h = 1469598103934665603u;
    for (size_t i = 0; i < n; i++) h = (h ^ ((const unsigned char *)bytes)[i]) * 1099511628211u;
    return h;
}

clae_status clae_dist_same(clae_ctx *ctx, clae_dist *d, const void *bytes, size_t n, int *same,
                           uint64_t *hash)
{
    uint64_t h = hash_of(bytes, n), lo, hi;
    if (hash) *hash = h;
    clae_status s = clae_dist_min_max(ctx, d, h, &lo, &hi);
    *same = s == CLAE_OK && lo == hi;
    return s;
}

static void one_rank(clae_dist *d)
{
    memset(d, 0, sizeof *d);
    d->size = 1;
}

#ifdef CLAE_HAVE_MPI

int clae_dist_available(void) { return 1; }

static clae_status mpi_fail(clae_ctx *ctx, const char *what, int err)
{
    char text[MPI_MAX_ERROR_STRING] = "";
    int len = 0;
    MPI_Error_string(err, text, &len);
    return clae__fail(ctx, CLAE_EINTERNAL, "MPI %s failed: %s", what, text);
}

clae_status clae_dist_init(clae_ctx *ctx, int *argc, char ***argv, clae_dist *d)
{
    one_rank(d);
    if (!launched_by_mpirun()) return CLAE_OK;
    int err = MPI_Init(argc, argv);
    if (err != MPI_SUCCESS) return mpi_fail(ctx, "MPI_Init", err);
    d->joined = 1;
    /* errors come back as codes, to be said in one line, not as MPI's abort */
    MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
    MPI_Comm_rank(MPI_COMM_WORLD, &d->rank);
    MPI_Comm_size(MPI_COMM_WORLD, &d->size);
    MPI_Comm node;
    err = MPI_Comm_split_type(MPI_COMM_WORLD, MPI_COMM_TYPE_SHARED, d->rank, MPI_INFO_NULL, &node);
    if (err != MPI_SUCCESS) return mpi_fail(ctx, "MPI_Comm_split_type", err);
    MPI_Comm_rank(node, &d->local_rank);
    MPI_Comm_free(&node);
    return CLAE_OK;
}

void clae_dist_finish(clae_dist *d)
{
    free(d->scratch);
    if (d->joined) MPI_Finalize();
    one_rank(d);
}

void clae_dist_abort(const clae_dist *d, int code)
{
    if (d->joined && d->size > 1) MPI_Abort(MPI_COMM_WORLD, code);
}

clae_status clae_dist_sum(clae_ctx *ctx, clae_dist *d, float *x, size_t n)
{
    if (d->size <= 1 || n == 0) return CLAE_OK;
    size_t size = (size_t)d->size, chunk = (n + size - 1) / size, padded = chunk * size;
    if (chunk > (size_t)INT32_MAX)
        return clae__fail(ctx, CLAE_EINTERNAL, "MPI: %zu values are too many to sum", n);
    if (d->scratch_n < padded + chunk) {
        float *s = realloc(d->scratch, (padded + chunk) * sizeof *s);
        if (!s) return clae__fail(ctx, CLAE_ENOMEM, "out of memory");
        d->scratch = s;
        d->scratch_n = padded + chunk;
    }
    float *all = d->scratch, *mine = d->scratch + padded;
    memcpy(all, x, n * sizeof *x);
    memset(all + n, 0, (padded - n) * sizeof *x);
    int err = MPI_Reduce_scatter_block(all, mine, (int)chunk, MPI_FLOAT, MPI_SUM, MPI_COMM_WORLD);
    if (err != MPI_SUCCESS) return mpi_fail(ctx, "MPI_Reduce_scatter_block", err);
    err = MPI_Allgather(mine, (int)chunk, MPI_FLOAT, all, (int)chunk, MPI_FLOAT, MPI_COMM_WORLD);
    if (err != MPI_SUCCESS) return mpi_fail(ctx, "MPI_Allgather", err);
    memcpy(x, all, n * sizeof *x);
    return CLAE_OK;
}

clae_status clae_dist_sum_doubles(clae_ctx *ctx, clae_dist *d, double *x, size_t n)
{
    if (d->size <= 1 || n == 0) return CLAE_OK;
    int err = MPI_Allreduce(MPI_IN_PLACE, x, (int)n, MPI_DOUBLE, MPI_SUM, MPI_COMM_WORLD);
    return err == MPI_SUCCESS ? CLAE_OK : mpi_fail(ctx, "MPI_Allreduce", err);
}

clae_status clae_dist_broadcast(clae_ctx *ctx, clae_dist *d, void *bytes, size_t n)
{
    if (d->size <= 1 || n == 0) return CLAE_OK;
    for (size_t at = 0; at < n; at += (size_t)1 << 30) { /* counts are ints */
        size_t part = n - at < (size_t)1 << 30 ? n - at : (size_t)1 << 30;
        int err = MPI_Bcast((char *)bytes + at, (int)part, MPI_BYTE, 0, MPI_COMM_WORLD);
        if (err != MPI_SUCCESS) return mpi_fail(ctx, "MPI_Bcast", err);
    }
    return CLAE_OK;
}

clae_status clae_dist_min_max(clae_ctx *ctx, clae_dist *d, uint64_t v, uint64_t *min,
                              uint64_t *max)
{
    *min = *max = v;
    if (d->size <= 1) return CLAE_OK;
    int err = MPI_Allreduce(&v, min, 1, MPI_UINT64_T, MPI_MIN, MPI_COMM_WORLD);
    if (err == MPI_SUCCESS) err = MPI_Allreduce(&v, max, 1, MPI_UINT64_T, MPI_MAX, MPI_COMM_WORLD);
    return err == MPI_SUCCESS ? CLAE_OK : mpi_fail(ctx, "MPI_Allreduce", err);
}

#else /* built without MPI: one rank */

int clae_dist_available(void) { return 0; }

clae_status clae_dist_init(clae_ctx *ctx, int *argc, char ***argv, clae_dist *d)
{
    (void)argc;
    (void)argv;
    one_rank(d);
    if (launched_by_mpirun())
        return clae__fail(ctx, CLAE_EUSAGE, "launched by mpirun, but this clae was built without "
                                            "MPI (install libopenmpi-dev and build again)");
    return CLAE_OK;
}

void clae_dist_finish(clae_dist *d) { one_rank(d); }

void clae_dist_abort(const clae_dist *d, int code)
{
    (void)d;
    (void)code;
}

clae_status clae_dist_sum(clae_ctx *ctx, clae_dist *d, float *x, size_t n)
{
    (void)ctx, (void)d, (void)x, (void)n;
    return CLAE_OK;
}

clae_status clae_dist_sum_doubles(clae_ctx *ctx, clae_dist *d, double *x, size_t n)
{
    (void)ctx, (void)d, (void)x, (void)n;
    return CLAE_OK;
}

clae_status clae_dist_broadcast(clae_ctx *ctx, clae_dist *d, void *bytes, size_t n)
{
    (void)ctx, (void)d, (void)bytes, (void)n;
    return CLAE_OK;
}

clae_status clae_dist_min_max(clae_ctx *ctx, clae_dist *d, uint64_t v, uint64_t *min,
                              uint64_t *max)
{
    (void)ctx, (void)d;
    *min = *max = v;
    return CLAE_OK;
}

#endif
