/* OpenCL devices: listing, choosing and opening one.
 * Devices of every platform share one flat index, the one --device takes. */
#ifndef CLAE_DEVICE_H
#define CLAE_DEVICE_H

#include <stddef.h>

#include "clae/status.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct {
    int index;
    char platform[128];
    char name[128];
    char type[8]; /* "GPU", "CPU", "ACCEL" or "OTHER" */
    unsigned compute_units;
    unsigned long long global_mem_bytes;
    unsigned long long max_alloc_bytes; /* the largest single buffer (CL_DEVICE_MAX_MEM_ALLOC_SIZE) */
    size_t max_work_group_size;
    char opencl_c_version[64];
    char driver_version[64];
} clae_device_info;

/* All devices of all platforms; *infos is malloc'd (free it). Zero devices is
 * not an error here. */
clae_status clae_device_list(clae_ctx *ctx, clae_device_info **infos, int *count);
/* Why no device may have been found, for the "no OpenCL device found (...)"
 * message: an unwritable cache folder, else a missing driver. */
const char *clae_device_none_hint(void);

/* Resolves the device to use: `choice` (the --device argument, may be NULL),
 * else $CLAE_DEVICE, else the first GPU, else the first device. */
clae_status clae_device_choose(clae_ctx *ctx, const char *choice, int *index);

typedef struct clae_device clae_device;

/* Opens device `index`: context, queue, kernels built (or loaded from the
 * binary cache) and the GEMM provider chosen. */
clae_status clae_device_open(clae_ctx *ctx, int index, clae_device **out);
/* Options of clae_device_open_with. */
#define CLAE_DEVICE_PROFILE 1 /* time every command (clae bench --profile) */
clae_status clae_device_open_with(clae_ctx *ctx, int index, int flags, clae_device **out);
void clae_device_close(clae_device *dev);
const clae_device_info *clae_device_get_info(const clae_device *dev);
/* "clblast" or "host-blas": who does the matrix products on this device. */
const char *clae_device_gemm_provider(const clae_device *dev);
/* Waits for all queued work. */
clae_status clae_device_finish(clae_device *dev);

#ifdef __cplusplus
}
#endif
#endif
