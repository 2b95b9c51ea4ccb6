/* The pieces the conformance checks share (src/conformance/). */
#ifndef CLAE_CONFORMANCE_HARNESS_H
#define CLAE_CONFORMANCE_HARNESS_H

#include <stdint.h>

#include "device/buffer.h"
#include "clae/conformance.h"

typedef struct {
    clae_device *dev;
    clae_check_report_fn report;
    void *user;
    int failures;
    uint64_t rng;
} harness;

/* Awkward sizes: 1, just under a work group, not a multiple of anything, and
 * large enough for many work groups and several runs of a CPU work item. */
static const size_t sizes[] = {1, 63, 1000, 4097, 50001};
#define N_SIZES (sizeof sizes / sizeof sizes[0])
#define MAX_N 50001

/* Reproducible uniform values in [lo, hi). */
void clae__check_fill(harness *h, float *x, size_t n, float lo, float hi);
/* Reports one check: each value passes when |got - want| <= tol_abs + tol_rel |want|. */
void clae__check_compare(harness *h, const char *name, const float *got, const float *want,
                         size_t n, double tol_abs, double tol_rel);
/* What the output buffers of a check start full of, so that "overwrites" is checked too. */
#define CLAE_CHECK_GARBAGE 1234.5f
/* A buffer of off + n floats, garbage everywhere, then data (if any) at off. */
clae_status clae__check_garbage_buf(harness *h, clae_buf *b, size_t off, const void *data,
                                    size_t n);
/* Reads n floats at off into got and compares them with want. */
clae_status clae__check_expect(harness *h, const char *name, const clae_buf *b, size_t off,
                               size_t n, float *got, const float *want, double tol_abs,
                               double tol_rel);
void clae__check_release(clae_buf *bufs, size_t n);
/* A new device buffer holding a copy of data. */
clae_status clae__check_upload(harness *h, clae_buf *buf, const float *data, size_t count);

clae_status clae__check_noise(harness *h);
clae_status clae__check_penalties(harness *h);
clae_status clae__check_wta(harness *h);
clae_status clae__check_vae(harness *h);
clae_status clae__check_contractive(harness *h);
clae_status clae__check_conv(harness *h);
clae_status clae__check_channel(harness *h);
clae_status clae__check_batchnorm(harness *h);
clae_status clae__check_pool(harness *h);
clae_status clae__check_dropout(harness *h);

#define TRY(expr)                                                                      \
    do {                                                                               \
        status = (expr);                                                               \
        if (status != CLAE_OK) goto done;                                              \
    } while (0)

#endif
