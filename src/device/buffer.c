/* Device buffers and kernel launches. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "device/buffer.h"

static const char *kernel_names[] = {
#define CLAE__KERNEL_NAME(name) #name,
    CLAE_KERNEL_TABLE(CLAE__KERNEL_NAME)
#undef CLAE__KERNEL_NAME
};

const char *clae__kernel_name(int k)
{
    if (k >= 0 && k < CLAE_K_COUNT) return kernel_names[k];
    return k == CLAE_PROFILE_COPY ? "copy" : "gemm";
}

/* Host storage lives until the runtime destroys the buffer, which may be after
 * clReleaseMemObject returns: commands still queued may use it. */
static void CL_CALLBACK free_host_storage(cl_mem mem, void *host)
{
    (void)mem;
    free(host);
}

clae_status clae__buf_create(clae_device *dev, size_t count, clae_buf *out)
{
    return clae__buf_create_for(dev, count, NULL, out);
}

clae_status clae__buf_create_for(clae_device *dev, size_t count, const char *what, clae_buf *out)
{
    clae_status status = CLAE_OK;
    memset(out, 0, sizeof *out);
    out->owns_host = 1;
    /* checked before asking the driver, whose answer names no buffer */
    unsigned long long most = dev->info.max_alloc_bytes;
    if (count > SIZE_MAX / 4 || (most > 0 && (unsigned long long)count * 4 > most))
        return clae__fail(dev->ctx, CLAE_ENOMEM,
                          "%s: %zu values (%.1f MiB), more than the largest buffer device %d "
                          "allows (%.1f MiB): make the model or the batch smaller",
                          what ? what : "a buffer", count, (double)count * 4.0 / 1048576.0,
                          dev->info.index, (double)most / 1048576.0);
    size_t bytes = (count ? count : 1) * 4;
    cl_int err = CL_SUCCESS;
    if (dev->host_shared) {
        size_t rounded = (bytes + dev->host_align - 1) / dev->host_align * dev->host_align;
        out->host = aligned_alloc(dev->host_align, rounded);
        if (!out->host)
            return clae__fail(dev->ctx, CLAE_ENOMEM, "out of memory allocating %zu bytes", bytes);
        memset(out->host, 0, rounded);
        out->mem = clCreateBuffer(dev->context, CL_MEM_READ_WRITE | CL_MEM_USE_HOST_PTR, bytes,
                                  out->host, &err);
        if (err == CL_SUCCESS) {
            err = clSetMemObjectDestructorCallback(out->mem, free_host_storage, out->host);
            if (err == CL_SUCCESS) out->owns_host = 0;
        }
    } else {
        out->mem = clCreateBuffer(dev->context, CL_MEM_READ_WRITE, bytes, NULL, &err);
    }
    CL_TRY(dev->ctx, err);
    /* Zero it through the queue: this also makes the driver allocate the
     * buffer on the device now, which native kernels (host BLAS) rely on:
     * they receive the device pointer of a buffer no command has touched. */
    cl_uint zero = 0;
    CL_TRY(dev->ctx, clEnqueueFillBuffer(dev->queue, out->mem, &zero, sizeof zero, 0, bytes, 0,
                                         NULL, NULL));
    dev->queue_busy = 1;
    out->count = count;
    return CLAE_OK;
fail:
    clae__buf_release(out);
    return status;
}

void clae__buf_release(clae_buf *buf)
{
    if (!buf) return;
    if (buf->mem) clReleaseMemObject(buf->mem);
    if (buf->owns_host) free(buf->host); /* else the destructor callback frees it */
    memset(buf, 0, sizeof *buf);
}

static clae_status check_range(clae_device *dev, const clae_buf *buf, size_t offset, size_t count)
{
    if (offset > buf->count || count > buf->count - offset)
        return clae__fail(dev->ctx, CLAE_EINTERNAL,
                          "buffer access [%zu, %zu) outside a buffer of %zu elements", offset,
                          offset + count, buf->count);
    return CLAE_OK;
}

clae_status clae__buf_write(clae_device *dev, clae_buf *buf, size_t offset, size_t count,
                            const void *src)
{
    clae_status status = check_range(dev, buf, offset, count);
    if (status != CLAE_OK || count == 0) return status;
    CL_TRY(dev->ctx, clEnqueueWriteBuffer(dev->queue, buf->mem, CL_TRUE, offset * 4, count * 4, src,
                                          0, NULL, NULL));
fail:
    return status;
}

clae_status clae__buf_read(clae_device *dev, const clae_buf *buf, size_t offset, size_t count,
                           void *dst)
{
    clae_status status = check_range(dev, buf, offset, count);
    if (status != CLAE_OK || count == 0) return status;
    CL_TRY(dev->ctx, clEnqueueReadBuffer(dev->queue, buf->mem, CL_TRUE, offset * 4, count * 4, dst,
                                         0, NULL, NULL));
    dev->queue_busy = 0;
    dev->waits++;
fail:
    return status;
}

clae_status clae__buf_read_async(clae_device *dev, const clae_buf *buf, size_t offset,
                                 size_t count, void *dst, cl_event *done)
{
    *done = NULL;
    clae_status status = check_range(dev, buf, offset, count);
    if (status != CLAE_OK) return status;
    CL_TRY(dev->ctx, clEnqueueReadBuffer(dev->queue, buf->mem, CL_FALSE, offset * 4, count * 4,
                                         dst, 0, NULL, done));
    CL_TRY(dev->ctx, clFlush(dev->queue));
    dev->queue_busy = 1;
fail:
    return status;
}

clae_status clae__buf_copy(clae_device *dev, const clae_buf *src, size_t src_off, clae_buf *dst,
                           size_t dst_off, size_t count)
{
    clae_status status = check_range(dev, src, src_off, count);
    if (status == CLAE_OK) status = check_range(dev, dst, dst_off, count);
    if (status != CLAE_OK || count == 0) return status;
    dev->next_bytes = 8 * count;
    CL_TRY(dev->ctx, clEnqueueCopyBuffer(dev->queue, src->mem, dst->mem, src_off * 4, dst_off * 4,
                                         count * 4, 0, NULL,
                                         clae__profile_slot(dev, CLAE_PROFILE_COPY)));
    dev->launches++;
    dev->queue_busy = 1;
fail:
    return status;
}

clae_status clae__buf_fill(clae_device *dev, clae_buf *buf, size_t offset, size_t count,
                           float value)
{
    clae_status status = check_range(dev, buf, offset, count);
    if (status != CLAE_OK || count == 0) return status;
    CL_TRY(dev->ctx, clEnqueueFillBuffer(dev->queue, buf->mem, &value, sizeof value, offset * 4,
                                         count * 4, 0, NULL, NULL));
    dev->queue_busy = 1;
    dev->launches++;
fail:
    return status;
}

static clae_status set_args(clae_device *dev, clae_kernel_id k, const clae_karg *args, int nargs)
{
    for (int i = 0; i < nargs; i++) {
        cl_int err = clSetKernelArg(dev->kernels[k], (cl_uint)i, args[i].size, args[i].value);
        if (err != CL_SUCCESS)
            return clae__fail(dev->ctx, CLAE_EDEVICE, "clSetKernelArg(%s, %d) failed: %s (%d)",
                              kernel_names[k], i, clae__cl_error_name(err), (int)err);
    }
    return CLAE_OK;
}

static clae_status enqueue(clae_device *dev, clae_kernel_id k, cl_uint dims, const size_t *global,
                           const size_t *local)
{
    cl_int err = clEnqueueNDRangeKernel(dev->queue, dev->kernels[k], dims, NULL, global, local, 0,
                                        NULL, clae__profile_slot(dev, (int)k));
    dev->launches++;
    if (err != CL_SUCCESS)
        return clae__fail(dev->ctx,
                          err == CL_MEM_OBJECT_ALLOCATION_FAILURE ? CLAE_ENOMEM : CLAE_EDEVICE,
                          "clEnqueueNDRangeKernel(%s) failed: %s (%d)", kernel_names[k],
                          clae__cl_error_name(err), (int)err);
    dev->queue_busy = 1;
    return CLAE_OK;
}

clae_status clae__launch(clae_device *dev, clae_kernel_id k, size_t global, size_t local,
                         const clae_karg *args, int nargs)
{
    if (global == 0) return CLAE_OK;
    clae_status s = set_args(dev, k, args, nargs);
    if (s != CLAE_OK) return s;
    if (local == 0) local = dev->work_group;
    size_t rounded = (global + local - 1) / local * local;
    return enqueue(dev, k, 1, &rounded, &local);
}

clae_status clae__launch_nd(clae_device *dev, clae_kernel_id k, unsigned dims,
                            const size_t *global, const clae_karg *args, int nargs)
{
    if (dims < 1 || dims > 3)
        return clae__fail(dev->ctx, CLAE_EINTERNAL, "%s: %u launch dimensions", kernel_names[k],
                          dims);
    /* a CPU's work items carry runs (clae__run_shape): groups of one item
     * cost nothing there and need one compiled variant per kernel */
    size_t rounded[3], local[3], left = clae__prefers_runs(dev) ? 1 : dev->work_group;
    for (unsigned d = 0; d < dims; d++) {
        if (global[d] == 0) return CLAE_OK;
        local[d] = 1;
        while (local[d] < global[d] && 2 * local[d] <= left) local[d] *= 2;
        left /= local[d];
        rounded[d] = (global[d] + local[d] - 1) / local[d] * local[d];
    }
    clae_status s = set_args(dev, k, args, nargs);
    if (s != CLAE_OK) return s;
    return enqueue(dev, k, dims, rounded, local);
}

/* On a CPU: the longest run of a row one work item takes, the elements it
 * aims at in all (enough to pay for its index arithmetic), and the fewest work
 * items per compute unit (to balance the load). */
#define RUN_MAX 1024
#define ITEM_ELEMS 256
#define ITEMS_PER_UNIT 64
/* Column reductions: blocks of rows on a CPU; rows per block elsewhere. */
#define COL_BLOCKS_CPU 16
#define COL_BLOCK_VALUES 16384
#define COL_BLOCK_ROWS 8
/* Flat sums on a CPU: the longest run one work item takes. */
#define FLAT_RUN_MAX 4096
/* Elsewhere: the most work items along dimension 1 (CUDA-based drivers give
 * it a grid dimension of 65535 groups at most). */
#define GRID_MAX 65535

int clae__prefers_runs(const clae_device *dev)
{
    return strcmp(dev->info.type, "CPU") == 0;
}

static void run_shape(const clae_device *dev, size_t len, size_t rows, size_t other, size_t *run,
                      size_t *per)
{
    *run = *per = 1;
    if (len == 0 || rows == 0) return;
    if (!clae__prefers_runs(dev)) {
        *per = (rows + GRID_MAX - 1) / GRID_MAX;
        return;
    }
    size_t runs = (len + RUN_MAX - 1) / RUN_MAX; /* equal runs */
    *run = (len + runs - 1) / runs;
    size_t want = (ITEM_ELEMS + *run - 1) / *run;
    size_t min_items = ITEMS_PER_UNIT * (dev->info.compute_units ? dev->info.compute_units : 1);
    if (other == 0) other = 1;
    while (want > 1 && runs * ((rows + want - 1) / want) * other < min_items) want /= 2;
    *per = want < rows ? want : rows;
}

void clae__run_shape(const clae_device *dev, size_t len, size_t rows, size_t other, size_t *run,
                     size_t *per, size_t global[2])
{
    run_shape(dev, len, rows, other, run, per);
    global[0] = (len + *run - 1) / *run;
    global[1] = (rows + *per - 1) / *per;
}

clae_status clae__launch_flat(clae_device *dev, clae_kernel_id k, size_t n, const clae_karg *args,
                              int nargs)
{
    if (n == 0) return CLAE_OK;
    if (nargs > 12) return clae__fail(dev->ctx, CLAE_EINTERNAL, "%s: too many arguments", kernel_names[k]);
    size_t len = n < CLAE_FLAT_ROW ? n : CLAE_FLAT_ROW, run, per, global[2];
    clae__run_shape(dev, len, (n + len - 1) / len, 1, &run, &per, global);
    clae_karg all[16] = {KU(n), KU(len)};
    for (int i = 0; i < nargs; i++) all[2 + i] = args[i];
    all[2 + nargs] = KU(run);
    all[3 + nargs] = KU(per);
    return clae__launch_nd(dev, k, 2, global, all, 4 + nargs);
}

void clae__col_shape(const clae_device *dev, size_t rows, size_t cols, size_t *run, size_t *per,
                     size_t global[2])
{
    size_t blocks;
    if (clae__prefers_runs(dev)) {
        size_t runs = (cols + RUN_MAX - 1) / RUN_MAX;
        *run = cols ? (cols + runs - 1) / runs : 1;
        /* a block per COL_BLOCK_VALUES values, so small layers take one block
         * (and no second stage) and large ones keep both cores busy */
        blocks = rows * cols / COL_BLOCK_VALUES;
        if (blocks > COL_BLOCKS_CPU) blocks = COL_BLOCKS_CPU;
        if (blocks > rows) blocks = rows;
    } else {
        *run = 1;
        blocks = (rows + COL_BLOCK_ROWS - 1) / COL_BLOCK_ROWS;
        if (blocks > GRID_MAX) blocks = GRID_MAX;
    }
    if (blocks == 0) blocks = 1;
    *per = (rows + blocks - 1) / blocks;
    if (*per == 0) *per = 1;
    global[0] = (cols + *run - 1) / *run;
    global[1] = (rows + *per - 1) / *per;
}

void clae__flat_shape(const clae_device *dev, size_t n, size_t *run, size_t *local,
                      size_t *groups)
{
    if (clae__prefers_runs(dev)) {
        size_t runs = (n + FLAT_RUN_MAX - 1) / FLAT_RUN_MAX;
        *run = n ? (n + runs - 1) / runs : 1;
        *local = 1;
    } else {
        *run = 1;
        *local = dev->work_group;
    }
    size_t items = (n + *run - 1) / *run;
    *groups = items ? (items + *local - 1) / *local : 1;
}

struct clae_scratch {
    clae_buf buf;
};

clae_status clae__scratch(clae_device *dev, size_t count, clae_buf **out)
{
    if (!dev->scratch) {
        dev->scratch = calloc(1, sizeof *dev->scratch);
        if (!dev->scratch) return clae__fail(dev->ctx, CLAE_ENOMEM, "out of memory");
    }
    clae_buf *buf = &dev->scratch->buf;
    if (buf->count < count) {
        /* released buffers live on until the queued commands that use them end */
        clae__buf_release(buf);
        clae_status s = clae__buf_create(dev, count, buf);
        if (s != CLAE_OK) return s;
    }
    *out = buf;
    return CLAE_OK;
}

void clae__scratch_release(clae_device *dev)
{
    if (!dev->scratch) return;
    clae__buf_release(&dev->scratch->buf);
    free(dev->scratch);
    dev->scratch = NULL;
}
