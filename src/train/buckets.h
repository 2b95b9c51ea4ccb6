/* A step's gradient summed over the ranks in buckets, as backward produces
 * it (PyTorch's DistributedDataParallel does the same): backward finishes the
 * top layers' gradients first, so once it is past a bucket's lowest layer the
 * bucket is copied to the host and its sum over the ranks starts, while the
 * layers below are still being worked out. [train] bucket_mb sizes the
 * buckets; 0 makes one, summed after the whole backward pass.
 *
 * Every element is summed by the same reduce-scatter whatever the buckets, so
 * any bucket size gives the same bits (tests/mpi.sh holds it to that). */
#ifndef CLAE_TRAIN_BUCKETS_H
#define CLAE_TRAIN_BUCKETS_H

#include <CL/cl.h>

#include "clae/dist.h"
#include "model/model.h"

typedef struct {
    size_t lo, hi;         /* gradient values [lo, hi) */
    int layer;             /* final once backward is past this layer */
    clae_dist_sum_op *sum; /* hi - lo values (and the stop flag, for the top bucket) */
    cl_event read;         /* its copy to the host */
    int state;             /* waiting, reading, summing, done */
} clae_bucket;

typedef struct {
    const clae_model *model; /* what the buckets were planned for */
    clae_bucket bucket[CLAE_MODEL_MAX_LAYERS];
    int n;
    /* the step in flight */
    clae_device *dev;
    const clae_buf *grads;   /* this rank's batch gradient (NULL: its share was empty) */
    clae_buf *sum;           /* the step's gradient: the batch's added in, then the ranks' sum */
    float *host;             /* the sum's way through the host: n values and the stop flag */
    float weight;            /* the batch's weight in its step */
    double mpi_seconds, wait_seconds; /* in MPI calls; waiting after backward */
} clae_buckets;

/* Buckets for m's gradient of at most cap values each (0: one). */
clae_status clae__buckets_plan(clae_ctx *ctx, clae_dist *dist, const clae_model *m, size_t cap,
                               clae_buckets *b);
void clae__buckets_release(clae_buckets *b);
/* The share of the gradient in the bottom bucket, the last to start: what
 * no backward work is left to hide. */
double clae__buckets_last_share(const clae_buckets *b);

/* A step's last batch: grads (NULL for an empty share) are added to sum with
 * weight as backward finishes them, and sum becomes their total over the
 * ranks. host holds n + 1 floats; host[n] is this rank's stop flag, and
 * becomes the ranks' sum of them. Call begin, pass clae__buckets_layer_done
 * to the backward (or none, for an empty share), then finish. */
void clae__buckets_begin(clae_buckets *b, clae_device *dev, const clae_buf *grads, clae_buf *sum,
                         float *host, float weight);
clae_status clae__buckets_layer_done(void *buckets, int layer);
clae_status clae__buckets_finish(clae_buckets *b);

#endif
