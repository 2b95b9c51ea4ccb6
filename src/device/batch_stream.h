/* Batches streamed from the host when the training set stays there ([data]
 * stream): two staging slots, each a host array and a device buffer. The
 * next batch's rows are gathered on the host (by the caller, from memory or
 * a mapped file) and uploaded on a queue of their own while the current
 * step runs; events order the two queues, and
 * nothing waits for the whole queue. */
#ifndef CLAE_BATCH_STREAM_H
#define CLAE_BATCH_STREAM_H

#include <stdint.h>

#include "device/buffer.h"

typedef struct {
    clae_device *dev;
    cl_command_queue uploads;  /* a second in-order queue: copies beside the steps */
    size_t rows, dim;          /* a slot's capacity */
    float *host[2];            /* gathered rows, read by their upload until it is done */
    clae_buf slot[2];          /* on the device: what a step reads */
    cl_event uploaded[2];      /* the slot's last upload */
    cl_event consumed[2];      /* the last step that read the slot */
} clae_batch_stream;

clae_status clae__batch_stream_open(clae_device *dev, size_t rows, size_t dim,
                                    clae_batch_stream *bs);
/* Slot k's host array (rows x dim floats) for the caller to fill with the
 * next batch: waits for the slot's last upload, which reads it until done. */
clae_status clae__batch_stream_rows(clae_batch_stream *bs, int k, float **rows);
/* Starts uploading the first n rows of slot k's host array to its device
 * buffer, once the step that last read slot k is done. */
clae_status clae__batch_stream_upload(clae_batch_stream *bs, int k, size_t n);
/* Slot k for the next step: the compute queue waits for its upload. */
clae_status clae__batch_stream_take(clae_batch_stream *bs, int k, const clae_buf **slot);
/* After the step that read slot k was enqueued: marks when it is done. */
clae_status clae__batch_stream_release(clae_batch_stream *bs, int k);
void clae__batch_stream_close(clae_batch_stream *bs);

#endif
