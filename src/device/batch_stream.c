/* Batches streamed from the host: see batch_stream.h. */
#include "device/batch_stream.h"

#include <stdlib.h>
#include <string.h>

static void release_event(cl_event *e)
{
    if (*e) clReleaseEvent(*e);
    *e = NULL;
}

clae_status clae__batch_stream_open(clae_device *dev, size_t rows, size_t dim,
                                    clae_batch_stream *bs)
{
    memset(bs, 0, sizeof *bs);
    bs->dev = dev;
    bs->rows = rows;
    bs->dim = dim;
    clae_status status = CLAE_OK;
    cl_int err = CL_SUCCESS;
    bs->uploads = clCreateCommandQueue(dev->context, dev->id, 0, &err);
    CL_TRY(dev->ctx, err);
    for (int k = 0; k < 2; k++) {
        bs->host[k] = malloc((rows * dim > 0 ? rows * dim : 1) * sizeof *bs->host[k]);
        if (!bs->host[k]) {
            status = clae__fail(dev->ctx, CLAE_ENOMEM, "out of memory for a batch of %zu rows", rows);
            goto fail;
        }
        status = clae__buf_create_for(dev, rows * dim, "a streamed batch", &bs->slot[k]);
        if (status != CLAE_OK) goto fail;
    }
    /* the slots' zero fill is on the compute queue: done before any upload */
    CL_TRY(dev->ctx, clFinish(dev->queue));
    return CLAE_OK;
fail:
    clae__batch_stream_close(bs);
    return status;
}

clae_status clae__batch_stream_rows(clae_batch_stream *bs, int k, float **rows)
{
    clae_status status = CLAE_OK;
    *rows = NULL;
    /* the host array is the source of the slot's last upload until that is done */
    if (bs->uploaded[k]) CL_TRY(bs->dev->ctx, clWaitForEvents(1, &bs->uploaded[k]));
    release_event(&bs->uploaded[k]);
    *rows = bs->host[k];
fail:
    return status;
}

clae_status clae__batch_stream_upload(clae_batch_stream *bs, int k, size_t n)
{
    clae_status status = CLAE_OK;
    if (n > bs->rows)
        return clae__fail(bs->dev->ctx, CLAE_EINTERNAL, "a batch of %zu rows in a slot of %zu", n,
                          bs->rows);
    CL_TRY(bs->dev->ctx,
           clEnqueueWriteBuffer(bs->uploads, bs->slot[k].mem, CL_FALSE, 0,
                                n * bs->dim * sizeof *bs->host[k], bs->host[k],
                                bs->consumed[k] ? 1 : 0, bs->consumed[k] ? &bs->consumed[k] : NULL,
                                &bs->uploaded[k]));
    CL_TRY(bs->dev->ctx, clFlush(bs->uploads));
fail:
    return status;
}

clae_status clae__batch_stream_take(clae_batch_stream *bs, int k, const clae_buf **slot)
{
    clae_status status = CLAE_OK;
    *slot = &bs->slot[k];
    CL_TRY(bs->dev->ctx, clEnqueueBarrierWithWaitList(bs->dev->queue, 1, &bs->uploaded[k], NULL));
    bs->dev->queue_busy = 1;
fail:
    return status;
}

clae_status clae__batch_stream_release(clae_batch_stream *bs, int k)
{
    clae_status status = CLAE_OK;
    release_event(&bs->consumed[k]);
    CL_TRY(bs->dev->ctx, clEnqueueMarkerWithWaitList(bs->dev->queue, 0, NULL, &bs->consumed[k]));
    CL_TRY(bs->dev->ctx, clFlush(bs->dev->queue));
fail:
    return status;
}

void clae__batch_stream_close(clae_batch_stream *bs)
{
    if (bs->uploads) clFinish(bs->uploads);
    for (int k = 0; k < 2; k++) {
        release_event(&bs->uploaded[k]);
        release_event(&bs->consumed[k]);
        clae__buf_release(&bs->slot[k]);
        free(bs->host[k]);
    }
    if (bs->uploads) clReleaseCommandQueue(bs->uploads);
    memset(bs, 0, sizeof *bs);
}
