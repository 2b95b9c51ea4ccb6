/* The device struct and the helpers that every OpenCL-touching module uses.
 * Only device.c, program_cache.c, buffer.c, launch.c, gemm.c and the kernel
 * wrappers include this. */
#ifndef CLAE_DEVICE_INTERNAL_H
#define CLAE_DEVICE_INTERNAL_H

#include <CL/cl.h>

#include "clae/device.h"
#include "kernels/kernels.h"

typedef enum { CLAE_GEMM_CLBLAST, CLAE_GEMM_HOST } clae_gemm_provider;

/* What a profiled command was: a kernel id, or one of these. */
#define CLAE_PROFILE_GEMM CLAE_K_COUNT
#define CLAE_PROFILE_COPY (CLAE_K_COUNT + 1)
#define CLAE_PROFILE_KINDS (CLAE_K_COUNT + 2)

struct clae_device {
    clae_ctx *ctx;
    clae_device_info info;
    cl_platform_id platform;
    cl_device_id id;
    cl_context context;
    cl_command_queue queue;
    cl_program program;
    cl_kernel kernels[CLAE_K_COUNT];
    size_t work_group;   /* local size for 1-D launches, a power of two */
    int host_shared;     /* buffers live in host memory the host may use in place */
    int native_capable;  /* a CPU device that can run host functions in its queue */
    int native_kernels;  /* host BLAS runs as native kernels (else: waits, then runs in place) */
    size_t host_align;   /* alignment for host-backed buffers */
    clae_gemm_provider gemm;
    cl_mem gemm_temp;    /* CLBlast's temporary buffer, shared by every GEMM (gemm.c) */
    size_t gemm_temp_bytes;
    int queue_busy;      /* work was enqueued since the host last waited */
    /* Instruments for clae bench: when gemm_log is set, every GEMM's arguments
     * are recorded (up to gemm_log_cap); wait_seconds accumulates the time the
     * host BLAS path spends waiting for queued kernels. */
    struct clae_gemm_args *gemm_log;
    int gemm_log_len, gemm_log_cap;
    double wait_seconds;
    /* With CLAE_DEVICE_PROFILE and `profiling` set, every command's event is
     * kept here (name index: a kernel id or CLAE_PROFILE_GEMM / _COPY). */
    int profile_queue, profiling;
    struct clae_profile_entry *profile;
    int profile_len, profile_cap;
    /* Counters for clae bench: commands enqueued, host waits for the queue,
     * and the bytes the next launch moves (set by its wrapper, 0: unknown). */
    long launches, waits;
    size_t next_bytes;
    /* Partial sums between the two stages of a reduction (clae__scratch). */
    struct clae_scratch *scratch;
};

typedef struct clae_profile_entry {
    int what;
    size_t bytes; /* what the command reads and writes, 0 where unknown */
    cl_event event;
} clae_profile_entry;
/* The event pointer to hand to an enqueue call: where to record it, or NULL. */
cl_event *clae__profile_slot(clae_device *dev, int what);
void clae__profile_clear(clae_device *dev);

const char *clae__cl_error_name(cl_int err);

/* `CL_TRY(dev->ctx, clFoo(...))`: on failure records "clFoo failed: CL_ERROR_NAME"
 * and jumps to the function's `fail:` label with `status` set. */
#define CL_TRY(ctx, call)                                                              \
    do {                                                                               \
        cl_int cl_try_err_ = (call);                                                   \
        if (cl_try_err_ != CL_SUCCESS) {                                               \
            status = clae__cl_fail((ctx), #call, cl_try_err_);                         \
            goto fail;                                                                 \
        }                                                                              \
    } while (0)

clae_status clae__cl_fail(clae_ctx *ctx, const char *call, cl_int err);

/* Builds the program from the embedded sources, or loads it from the binary
 * cache (keyed by device, driver, options and source hash). */
clae_status clae__program_load(clae_device *dev, const char *options, cl_program *out);

#endif
