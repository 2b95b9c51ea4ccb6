/* GEMM through CLBlast, or through host BLAS on buffers the host shares. */
#include <cblas.h>
#include <clblast_c.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "device/gemm.h"

static const char *clblast_status_name(CLBlastStatusCode s)
{
    switch (s) {
    case CLBlastInvalidDimension: return "CLBlastInvalidDimension";
    case CLBlastInvalidLeadDimA: return "CLBlastInvalidLeadDimA";
    case CLBlastInvalidLeadDimB: return "CLBlastInvalidLeadDimB";
    case CLBlastInvalidLeadDimC: return "CLBlastInvalidLeadDimC";
    case CLBlastInsufficientMemoryA: return "CLBlastInsufficientMemoryA";
    case CLBlastInsufficientMemoryB: return "CLBlastInsufficientMemoryB";
    case CLBlastInsufficientMemoryC: return "CLBlastInsufficientMemoryC";
    case CLBlastTempBufferAllocFailure: return "CLBlastTempBufferAllocFailure";
    case CLBlastOpenCLOutOfResources: return "CLBlastOpenCLOutOfResources";
    case CLBlastOpenCLBuildProgramFailure: return "CLBlastOpenCLBuildProgramFailure";
    case CLBlastNotImplemented: return "CLBlastNotImplemented";
    case CLBlastDatabaseError: return "CLBlastDatabaseError";
    case CLBlastUnknownError: return "CLBlastUnknownError";
    case CLBlastUnexpectedError: return "CLBlastUnexpectedError";
    default: return (int)s > -1000 ? clae__cl_error_name((cl_int)s) : "CLBlast error";
    }
}

/* The stored shape of an operand: rows x cols before the transpose. */
static int operand_fits(const clae_buf *buf, size_t off, size_t ld, size_t rows, size_t cols)
{
    if (cols > ld || rows == 0) return cols <= ld;
    size_t need = (rows - 1) * ld + cols;
    return off <= buf->count && need <= buf->count - off;
}

static clae_status check_args(clae_device *dev, const clae_gemm_args *g)
{
    int ok = operand_fits(g->a, g->a_off, g->lda, g->trans_a ? g->k : g->m,
                          g->trans_a ? g->m : g->k) &&
             operand_fits(g->b, g->b_off, g->ldb, g->trans_b ? g->n : g->k,
                          g->trans_b ? g->k : g->n) &&
             operand_fits(g->c, g->c_off, g->ldc, g->m, g->n);
    if (!ok)
        return clae__fail(dev->ctx, CLAE_EINTERNAL,
                          "gemm m=%zu n=%zu k=%zu (trans %d%d): an operand does not fit its buffer",
                          g->m, g->n, g->k, g->trans_a, g->trans_b);
    return CLAE_OK;
}

/* CLBlast's temporary buffer (padded or transposed operand copies) for this
 * GEMM, from the device's own one, grown to the largest need: without it,
 * CLBlast allocates and frees one on every call. NULL when none is needed or
 * the size is unknown (CLBlast then allocates its own). */
static cl_mem gemm_temp(clae_device *dev, const clae_gemm_args *g, CLBlastTranspose ta,
                        CLBlastTranspose tb)
{
    size_t bytes = 0;
    if (CLBlastSGemmTempBufferSize(CLBlastLayoutRowMajor, ta, tb, g->m, g->n, g->k, g->a_off,
                                   g->lda, g->b_off, g->ldb, g->c_off, g->ldc, &dev->queue,
                                   &bytes) != CLBlastSuccess ||
        bytes == 0)
        return NULL;
    if (bytes > dev->gemm_temp_bytes) {
        if (dev->gemm_temp) clReleaseMemObject(dev->gemm_temp);
        cl_int err = CL_SUCCESS;
        dev->gemm_temp = clCreateBuffer(dev->context, CL_MEM_READ_WRITE, bytes, NULL, &err);
        dev->gemm_temp_bytes = err == CL_SUCCESS ? bytes : 0;
        if (err != CL_SUCCESS) dev->gemm_temp = NULL;
    }
    return dev->gemm_temp;
}

static clae_status gemm_clblast(clae_device *dev, const clae_gemm_args *g)
{
    CLBlastTranspose ta = g->trans_a ? CLBlastTransposeYes : CLBlastTransposeNo;
    CLBlastTranspose tb = g->trans_b ? CLBlastTransposeYes : CLBlastTransposeNo;
    cl_mem temp = gemm_temp(dev, g, ta, tb);
    cl_event *event = clae__profile_slot(dev, CLAE_PROFILE_GEMM);
    CLBlastStatusCode s =
        temp ? CLBlastSgemmWithTempBuffer(CLBlastLayoutRowMajor, ta, tb, g->m, g->n, g->k,
                                          g->alpha, g->a->mem, g->a_off, g->lda, g->b->mem,
                                          g->b_off, g->ldb, g->beta, g->c->mem, g->c_off, g->ldc,
                                          &dev->queue, event, temp)
             : CLBlastSgemm(CLBlastLayoutRowMajor, ta, tb, g->m, g->n, g->k, g->alpha, g->a->mem,
                            g->a_off, g->lda, g->b->mem, g->b_off, g->ldb, g->beta, g->c->mem,
                            g->c_off, g->ldc, &dev->queue, event);
    if (s != CLBlastSuccess)
        return clae__fail(dev->ctx,
                          s == CLBlastTempBufferAllocFailure ? CLAE_ENOMEM : CLAE_EDEVICE,
                          "CLBlastSgemm m=%zu n=%zu k=%zu failed: %s (%d)", g->m, g->n, g->k,
                          clblast_status_name(s), (int)s);
    dev->queue_busy = 1;
    return CLAE_OK;
}

/* Host BLAS inside the queue: a native kernel, so the GEMM is ordered with
 * the kernels around it and the host never waits for them.
 *
 * The operands are the buffers' host storage (host-shared devices only). The
 * runtime's own pointer substitution is not used: PoCL 3.1 fills the handle
 * slots in the order of its de-duplicated (and re-ordered) buffer list, not in
 * the order given. The buffers are still listed, so the runtime makes their
 * contents current before the call; their substituted pointers land in
 * `unused` and are ignored. */
typedef struct {
    const float *a, *b;
    float *c;
    int trans_a, trans_b;
    blasint m, n, k, lda, ldb, ldc;
    float alpha, beta;
    void *unused[3];
} native_gemm;

static void CL_CALLBACK run_native_gemm(void *args)
{
    const native_gemm *g = args;
    cblas_sgemm(CblasRowMajor, g->trans_a ? CblasTrans : CblasNoTrans,
                g->trans_b ? CblasTrans : CblasNoTrans, g->m, g->n, g->k, g->alpha, g->a, g->lda,
                g->b, g->ldb, g->beta, g->c, g->ldc);
}

static clae_status gemm_native(clae_device *dev, const clae_gemm_args *g)
{
    clae_status status = CLAE_OK;
    native_gemm args = {g->a->host + g->a_off, g->b->host + g->b_off, g->c->host + g->c_off,
                        g->trans_a, g->trans_b, (blasint)g->m, (blasint)g->n, (blasint)g->k,
                        (blasint)g->lda, (blasint)g->ldb, (blasint)g->ldc, g->alpha, g->beta,
                        {g->a->mem, g->b->mem, g->c->mem}};
    cl_mem mems[3] = {g->a->mem, g->b->mem, g->c->mem};
    const void *locs[3] = {&args.unused[0], &args.unused[1], &args.unused[2]};
    CL_TRY(dev->ctx, clEnqueueNativeKernel(dev->queue, run_native_gemm, &args, sizeof args, 3,
                                           mems, locs, 0, NULL,
                                           clae__profile_slot(dev, CLAE_PROFILE_GEMM)));
    dev->queue_busy = 1;
fail:
    return status;
}

/* Without native kernels: the buffers are the host's own memory, so wait for
 * the queued kernels that produce the operands, then multiply in place.
 * Later kernels are enqueued only after this returns, so they see the result. */
static clae_status gemm_host_wait(clae_device *dev, const clae_gemm_args *g)
{
    clae_status status = CLAE_OK;
    if (dev->queue_busy) {
        struct timespec t0, t1;
        clock_gettime(CLOCK_MONOTONIC, &t0);
        CL_TRY(dev->ctx, clFinish(dev->queue));
        clock_gettime(CLOCK_MONOTONIC, &t1);
        dev->wait_seconds += (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) * 1e-9;
        dev->waits++;
        dev->queue_busy = 0;
    }
    cblas_sgemm(CblasRowMajor, g->trans_a ? CblasTrans : CblasNoTrans,
                g->trans_b ? CblasTrans : CblasNoTrans, (blasint)g->m, (blasint)g->n,
                (blasint)g->k, g->alpha, g->a->host + g->a_off, (blasint)g->lda,
                g->b->host + g->b_off, (blasint)g->ldb, g->beta, g->c->host + g->c_off,
                (blasint)g->ldc);
fail:
    return status;
}

int clae__gemm_provider_available(const clae_device *dev, clae_gemm_provider provider)
{
    return provider == CLAE_GEMM_CLBLAST || dev->host_shared;
}

clae_status clae__gemm_with(clae_device *dev, clae_gemm_provider provider, const clae_gemm_args *g)
{
    clae_status status = check_args(dev, g);
    if (status != CLAE_OK) return status;
    if (g->m == 0 || g->n == 0) return CLAE_OK;
    if (dev->gemm_log && dev->gemm_log_len < dev->gemm_log_cap)
        dev->gemm_log[dev->gemm_log_len++] = *g;
    if (provider == CLAE_GEMM_HOST) {
        if (!dev->host_shared || !g->a->host || !g->b->host || !g->c->host)
            return clae__fail(dev->ctx, CLAE_EINTERNAL,
                              "host BLAS needs buffers in host memory (a CPU device)");
        return dev->native_kernels ? gemm_native(dev, g) : gemm_host_wait(dev, g);
    }
    return gemm_clblast(dev, g);
}

clae_status clae__gemm(clae_device *dev, const clae_gemm_args *g)
{
    return clae__gemm_with(dev, dev->gemm, g);
}

clae_status clae__gemm_choose_provider(clae_device *dev)
{
    const char *force = getenv("CLAE_GEMM");
    dev->gemm = dev->host_shared ? CLAE_GEMM_HOST : CLAE_GEMM_CLBLAST;
    if (force && *force) {
        if (strcmp(force, "clblast") == 0)
            dev->gemm = CLAE_GEMM_CLBLAST;
        else if (strcmp(force, "host") == 0 && dev->host_shared)
            dev->gemm = CLAE_GEMM_HOST;
        else if (strcmp(force, "host") == 0)
            return clae__fail(dev->ctx, CLAE_EUSAGE,
                              "CLAE_GEMM=host: device %d does not share host memory", dev->info.index);
        else
            return clae__fail(dev->ctx, CLAE_EUSAGE,
                              "CLAE_GEMM: expected \"clblast\" or \"host\", got \"%s\"", force);
    }
    return CLAE_OK;
}

void clae__gemm_release(clae_device *dev)
{
    if (dev->gemm_temp) clReleaseMemObject(dev->gemm_temp);
    dev->gemm_temp = NULL;
    dev->gemm_temp_bytes = 0;
    CLBlastClearCache();
}
