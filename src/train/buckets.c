/* A step's gradient summed over the ranks in buckets: see buckets.h.
 *
 * MPI requires the ranks to start their collectives in the same order, so a
 * bucket's sum starts only after the one above it has started, and a sum is
 * moved on (to its all-gather) only once the one above it is done: the order
 * is the buckets' on every rank, whichever copy reaches the host first. */
#include "train/buckets.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "device/device_internal.h"
#include "kernels/ops.h"

enum { WAITING, READING, SUMMING, DONE };

static double now_seconds(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

void clae__buckets_release(clae_buckets *b)
{
    for (int k = 0; k < b->n; k++) {
        clae_dist_sum_free(b->bucket[k].sum);
        if (b->bucket[k].read) clReleaseEvent(b->bucket[k].read);
    }
    memset(b, 0, sizeof *b);
}

double clae__buckets_last_share(const clae_buckets *b)
{
    if (!b->n || !b->model->n_params) return 0.0;
    const clae_bucket *k = &b->bucket[b->n - 1];
    return (double)(k->hi - k->lo) / (double)b->model->n_params;
}

clae_status clae__buckets_plan(clae_ctx *ctx, clae_dist *dist, const clae_model *m, size_t cap,
                               clae_buckets *b)
{
    clae__buckets_release(b);
    b->model = m;
    /* from the top layer down, as backward goes: a bucket closes at the layer
     * that brings it to cap values, and at the bottom layer. Layers take
     * their parameters in order, so param_start falls as i does. */
    size_t hi = m->n_params;
    for (int i = m->n_layers - 1; i >= 0; i--) {
        size_t lo = i == 0 ? 0 : m->param_start[i];
        if (lo > hi) return clae__fail(ctx, CLAE_EINTERNAL, "layer parameters out of order");
        if (hi - lo == 0 || (i > 0 && (cap == 0 || hi - lo < cap))) continue;
        clae_bucket *k = &b->bucket[b->n++];
        k->lo = lo;
        k->hi = hi;
        k->layer = i;
        hi = lo;
    }
    if (b->n == 0) return clae__fail(ctx, CLAE_EINTERNAL, "a model without parameters to sum");
    /* the top bucket carries the stop flag, at host[n_params], beside it */
    for (int k = 0; k < b->n; k++) {
        size_t values = b->bucket[k].hi - b->bucket[k].lo + (k == 0);
        clae_status s = clae_dist_sum_create(ctx, dist, values, &b->bucket[k].sum);
        if (s != CLAE_OK) return s;
    }
    return CLAE_OK;
}

void clae__buckets_begin(clae_buckets *b, clae_device *dev, const clae_buf *grads, clae_buf *sum,
                         float *host, float weight)
{
    b->dev = dev;
    b->grads = grads;
    b->sum = sum;
    b->host = host;
    b->weight = weight;
    for (int k = 0; k < b->n; k++) {
        if (b->bucket[k].read) clReleaseEvent(b->bucket[k].read); /* a failed step's */
        b->bucket[k].read = NULL;
        b->bucket[k].state = WAITING;
    }
}

/* The bucket's share of the batch gradient into the step's, then its copy to
 * the host, behind the backward work already queued. */
static clae_status start_reading(clae_buckets *b, clae_bucket *k)
{
    size_t n = k->hi - k->lo;
    clae_status s = b->grads ? clae__add_inplace(b->dev, n, b->grads, k->lo, b->sum, k->lo, b->weight)
                             : CLAE_OK;
    if (s == CLAE_OK) s = clae__buf_read_async(b->dev, b->sum, k->lo, n, b->host + k->lo, &k->read);
    if (s == CLAE_OK) k->state = READING;
    return s;
}

/* Starts the sums whose copies have arrived, in order, and moves the sums
 * in flight along, in order; *moved says whether anything changed. */
static clae_status progress(clae_buckets *b, int *moved)
{
    clae_ctx *ctx = b->dev->ctx;
    double t0 = now_seconds();
    clae_status status = CLAE_OK;
    *moved = 0;
    for (int i = 0; i < b->n && status == CLAE_OK; i++) {
        clae_bucket *k = &b->bucket[i];
        if (k->state != READING) {
            if (k->state == WAITING) break;
            continue;
        }
        cl_int copied = CL_QUEUED;
        CL_TRY(ctx, clGetEventInfo(k->read, CL_EVENT_COMMAND_EXECUTION_STATUS, sizeof copied,
                                   &copied, NULL));
        if (copied < 0)
            status = clae__fail(ctx, CLAE_EDEVICE,
                                "the device failed copying the gradient (error %d)", (int)copied);
        if (copied != CL_COMPLETE) break;
        clReleaseEvent(k->read);
        k->read = NULL;
        status = clae_dist_sum_start(ctx, k->sum, b->host + k->lo);
        k->state = SUMMING;
        *moved = 1;
    }
    for (int i = 0; i < b->n && status == CLAE_OK; i++) {
        clae_bucket *k = &b->bucket[i];
        if (k->state == DONE) continue;
        if (k->state != SUMMING) break;
        int done = 0;
        status = clae_dist_sum_poll(ctx, k->sum, &done);
        if (!done) break;
        k->state = DONE;
        *moved = 1;
    }
fail:
    b->mpi_seconds += now_seconds() - t0;
    return status;
}

clae_status clae__buckets_layer_done(void *buckets, int layer)
{
    clae_buckets *b = buckets;
    for (int i = 0; i < b->n; i++)
        if (b->bucket[i].layer == layer) {
            int moved;
            clae_status s = start_reading(b, &b->bucket[i]);
            return s == CLAE_OK ? progress(b, &moved) : s;
        }
    return CLAE_OK;
}

/* Waits for what the first unfinished bucket waits for: its copy (when no
 * sum is in flight, nothing else can move), its sum (when every copy is in),
 * or, with both kinds pending, a moment between polls. */
static clae_status wait_a_little(clae_buckets *b, int first)
{
    clae_ctx *ctx = b->dev->ctx;
    clae_status status = CLAE_OK;
    clae_bucket *k = &b->bucket[first];
    if (k->state == READING) {
        CL_TRY(ctx, clWaitForEvents(1, &k->read));
        return CLAE_OK;
    }
    if (b->bucket[b->n - 1].state == SUMMING) {
        double t0 = now_seconds();
        status = clae_dist_sum_wait(ctx, k->sum);
        b->mpi_seconds += now_seconds() - t0;
        if (status == CLAE_OK) k->state = DONE;
        return status;
    }
    struct timespec pause = {0, 20000};
    nanosleep(&pause, NULL);
fail:
    return status;
}

clae_status clae__buckets_finish(clae_buckets *b)
{
    clae_status s = CLAE_OK;
    for (int i = 0; i < b->n && s == CLAE_OK; i++) /* an empty share: nothing came from backward */
        if (b->bucket[i].state == WAITING) s = start_reading(b, &b->bucket[i]);
    double backward_done = 0;
    while (s == CLAE_OK) {
        int moved, first = 0;
        s = progress(b, &moved);
        if (!backward_done && b->bucket[b->n - 1].state >= SUMMING) backward_done = now_seconds();
        while (first < b->n && b->bucket[first].state == DONE) first++;
        if (s != CLAE_OK || first == b->n) break;
        if (!moved) s = wait_a_little(b, first);
    }
    size_t n = b->model->n_params;
    if (s == CLAE_OK) s = clae__buf_write(b->dev, b->sum, 0, n, b->host);
    if (s == CLAE_OK) b->wait_seconds += now_seconds() - backward_done;
    return s;
}
