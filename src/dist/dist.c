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

/* The all-gathers of the sums in flight go over a communicator of their own:
 * MPI matches a communicator's collectives by the order they start, and a
 * sum's all-gather starts when its reduce-scatter is done, which is not in
 * the same order as the next sums' reduce-scatters on every rank. */
static MPI_Comm gather_comm = MPI_COMM_NULL;

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
    err = MPI_Comm_dup(MPI_COMM_WORLD, &gather_comm);
    if (err != MPI_SUCCESS) return mpi_fail(ctx, "MPI_Comm_dup", err);
    MPI_Comm_set_errhandler(gather_comm, MPI_ERRORS_RETURN);
    return CLAE_OK;
}

void clae_dist_finish(clae_dist *d)
{
    if (gather_comm != MPI_COMM_NULL) MPI_Comm_free(&gather_comm);
    if (d->joined) MPI_Finalize();
    one_rank(d);
}

void clae_dist_abort(const clae_dist *d, int code)
{
    if (d->joined && d->size > 1) MPI_Abort(MPI_COMM_WORLD, code);
}

struct clae_dist_sum_op {
    size_t n, chunk;     /* values, and each rank's part of them padded to a multiple of ranks */
    float *all, *mine;   /* the padded copy (chunk x ranks), then this rank's summed part */
    float *x;            /* where the sum goes */
    int phase;           /* 0 idle, 1 reduce-scatter, 2 all-gather */
    MPI_Request request;
};

clae_status clae_dist_sum_create(clae_ctx *ctx, clae_dist *d, size_t n, clae_dist_sum_op **op)
{
    *op = NULL;
    size_t size = (size_t)d->size, chunk = (n + size - 1) / size;
    if (chunk > (size_t)INT32_MAX)
        return clae__fail(ctx, CLAE_EINTERNAL, "MPI: %zu values are too many to sum", n);
    clae_dist_sum_op *o = calloc(1, sizeof *o);
    float *all = malloc(((chunk * size + chunk) ? chunk * size + chunk : 1) * sizeof *all);
    if (!o || !all) {
        free(o);
        free(all);
        return clae__fail(ctx, CLAE_ENOMEM, "out of memory");
    }
    o->n = n;
    o->chunk = chunk;
    o->all = all;
    o->mine = all + chunk * size;
    memset(all + n, 0, (chunk * size - n) * sizeof *all); /* the padding stays zero */
    o->request = MPI_REQUEST_NULL;
    *op = o;
    return CLAE_OK;
}

void clae_dist_sum_free(clae_dist_sum_op *op)
{
    if (!op) return;
    free(op->all);
    free(op);
}

clae_status clae_dist_sum_start(clae_ctx *ctx, clae_dist_sum_op *op, float *x)
{
    op->x = x;
    memcpy(op->all, x, op->n * sizeof *x);
    int err = MPI_Ireduce_scatter_block(op->all, op->mine, (int)op->chunk, MPI_FLOAT, MPI_SUM,
                                        MPI_COMM_WORLD, &op->request);
    if (err != MPI_SUCCESS) return mpi_fail(ctx, "MPI_Ireduce_scatter_block", err);
    op->phase = 1;
    return CLAE_OK;
}

/* The phase's request is complete: on to the next. */
static clae_status next_phase(clae_ctx *ctx, clae_dist_sum_op *op)
{
    if (op->phase == 1) {
        int err = MPI_Iallgather(op->mine, (int)op->chunk, MPI_FLOAT, op->all, (int)op->chunk,
                                 MPI_FLOAT, gather_comm, &op->request);
        if (err != MPI_SUCCESS) return mpi_fail(ctx, "MPI_Iallgather", err);
        op->phase = 2;
        return CLAE_OK;
    }
    memcpy(op->x, op->all, op->n * sizeof *op->x);
    op->phase = 0;
    return CLAE_OK;
}

clae_status clae_dist_sum_poll(clae_ctx *ctx, clae_dist_sum_op *op, int *done)
{
    while (op->phase) {
        int complete = 0;
        int err = MPI_Test(&op->request, &complete, MPI_STATUS_IGNORE);
        if (err != MPI_SUCCESS) return mpi_fail(ctx, "MPI_Test", err);
        if (!complete) break;
        clae_status s = next_phase(ctx, op);
        if (s != CLAE_OK) return s;
    }
    *done = op->phase == 0;
    return CLAE_OK;
}

clae_status clae_dist_sum_wait(clae_ctx *ctx, clae_dist_sum_op *op)
{
    while (op->phase) {
        int err = MPI_Wait(&op->request, MPI_STATUS_IGNORE);
        if (err != MPI_SUCCESS) return mpi_fail(ctx, "MPI_Wait", err);
        clae_status s = next_phase(ctx, op);
        if (s != CLAE_OK) return s;
    }
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

/* One rank: the sum of x is x. */
struct clae_dist_sum_op {
    int unused;
};

clae_status clae_dist_sum_create(clae_ctx *ctx, clae_dist *d, size_t n, clae_dist_sum_op **op)
{
    (void)d, (void)n;
    *op = calloc(1, sizeof **op);
    return *op ? CLAE_OK : clae__fail(ctx, CLAE_ENOMEM, "out of memory");
}

void clae_dist_sum_free(clae_dist_sum_op *op) { free(op); }

clae_status clae_dist_sum_start(clae_ctx *ctx, clae_dist_sum_op *op, float *x)
{
    (void)ctx, (void)op, (void)x;
    return CLAE_OK;
}

clae_status clae_dist_sum_poll(clae_ctx *ctx, clae_dist_sum_op *op, int *done)
{
    (void)ctx, (void)op;
    *done = 1;
    return CLAE_OK;
}

clae_status clae_dist_sum_wait(clae_ctx *ctx, clae_dist_sum_op *op)
{
    (void)ctx, (void)op;
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
