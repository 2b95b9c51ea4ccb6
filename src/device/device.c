/* Platforms and devices: the flat device list, the choice of a device, and
 * opening one (context, queue, kernels, GEMM provider). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "device/device_internal.h"
#include "device/gemm.h"

#define MAX_PLATFORMS 16
#define MAX_DEVICES_PER_PLATFORM 32
#define WORK_GROUP 256

typedef struct {
    cl_platform_id platform;
    cl_device_id device;
} device_handle;

static void copy_info_string(cl_device_id d, cl_device_info what, char *out, size_t size)
{
    out[0] = '\0';
    if (clGetDeviceInfo(d, what, size, out, NULL) != CL_SUCCESS) snprintf(out, size, "?");
    out[size - 1] = '\0';
}

static void fill_info(int index, cl_platform_id p, cl_device_id d, clae_device_info *info)
{
    memset(info, 0, sizeof *info);
    info->index = index;
    if (clGetPlatformInfo(p, CL_PLATFORM_NAME, sizeof info->platform, info->platform, NULL) !=
        CL_SUCCESS)
        snprintf(info->platform, sizeof info->platform, "?");
    info->platform[sizeof info->platform - 1] = '\0';
    copy_info_string(d, CL_DEVICE_NAME, info->name, sizeof info->name);
    copy_info_string(d, CL_DEVICE_OPENCL_C_VERSION, info->opencl_c_version,
                     sizeof info->opencl_c_version);
    copy_info_string(d, CL_DRIVER_VERSION, info->driver_version, sizeof info->driver_version);
    cl_device_type type = 0;
    clGetDeviceInfo(d, CL_DEVICE_TYPE, sizeof type, &type, NULL);
    snprintf(info->type, sizeof info->type, "%s",
             (type & CL_DEVICE_TYPE_GPU)           ? "GPU"
             : (type & CL_DEVICE_TYPE_CPU)         ? "CPU"
             : (type & CL_DEVICE_TYPE_ACCELERATOR) ? "ACCEL"
                                                   : "OTHER");
    cl_uint units = 0;
    clGetDeviceInfo(d, CL_DEVICE_MAX_COMPUTE_UNITS, sizeof units, &units, NULL);
    info->compute_units = units;
    cl_ulong mem = 0;
    clGetDeviceInfo(d, CL_DEVICE_GLOBAL_MEM_SIZE, sizeof mem, &mem, NULL);
    info->global_mem_bytes = mem;
    cl_ulong max_alloc = 0;
    clGetDeviceInfo(d, CL_DEVICE_MAX_MEM_ALLOC_SIZE, sizeof max_alloc, &max_alloc, NULL);
    info->max_alloc_bytes = max_alloc;
    size_t wg = 0;
    clGetDeviceInfo(d, CL_DEVICE_MAX_WORK_GROUP_SIZE, sizeof wg, &wg, NULL);
    info->max_work_group_size = wg;
}

/* Walks every device of every platform in index order. A missing ICD or a
 * platform without devices is not an error: it just contributes nothing. */
static int enumerate(device_handle *handles, int max)
{
    cl_platform_id platforms[MAX_PLATFORMS];
    cl_uint n_platforms = 0;
    if (clGetPlatformIDs(MAX_PLATFORMS, platforms, &n_platforms) != CL_SUCCESS) return 0;
    if (n_platforms > MAX_PLATFORMS) n_platforms = MAX_PLATFORMS;
    int count = 0;
    for (cl_uint p = 0; p < n_platforms; p++) {
        cl_device_id devices[MAX_DEVICES_PER_PLATFORM];
        cl_uint n = 0;
        if (clGetDeviceIDs(platforms[p], CL_DEVICE_TYPE_ALL, MAX_DEVICES_PER_PLATFORM, devices,
                           &n) != CL_SUCCESS)
            continue;
        if (n > MAX_DEVICES_PER_PLATFORM) n = MAX_DEVICES_PER_PLATFORM;
        for (cl_uint i = 0; i < n && count < max; i++)
            handles[count++] = (device_handle){platforms[p], devices[i]};
    }
    return count;
}

clae_status clae_device_list(clae_ctx *ctx, clae_device_info **infos, int *count)
{
    device_handle handles[MAX_PLATFORMS * 4];
    int n = enumerate(handles, (int)(sizeof handles / sizeof handles[0]));
    *count = n;
    *infos = calloc(n > 0 ? (size_t)n : 1, sizeof **infos);
    if (!*infos) return clae__fail(ctx, CLAE_ENOMEM, "out of memory listing devices");
    for (int i = 0; i < n; i++) fill_info(i, handles[i].platform, handles[i].device, &(*infos)[i]);
    return CLAE_OK;
}

static clae_status parse_index(clae_ctx *ctx, const char *text, const char *origin, int count,
                               int *index)
{
    char *end = NULL;
    long v = strtol(text, &end, 10);
    if (end == text || *end != '\0' || v < 0 || v > 1000000)
        return clae__fail(ctx, CLAE_EUSAGE, "%s: expected a device index, got \"%s\"", origin,
                          text);
    if (v >= count)
        return clae__fail(ctx, CLAE_ENODEVICE,
                          "device %ld does not exist (%d device%s; see clae list-devices)", v,
                          count, count == 1 ? "" : "s");
    *index = (int)v;
    return CLAE_OK;
}

/* The folder where drivers and clae cache compiled kernels, if it can be
 * neither written nor created: PoCL then offers no device at all, which
 * would otherwise read as a missing driver. */
static int cache_unwritable(char *dir, size_t size)
{
    const char *xdg = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");
    if (xdg && *xdg)
        snprintf(dir, size, "%s", xdg);
    else if (home && *home)
        snprintf(dir, size, "%s/.cache", home);
    else
        return 0;
    char probe[4096];
    snprintf(probe, sizeof probe, "%s", dir);
    while (access(probe, F_OK) != 0) { /* the nearest folder that exists must take a new one */
        char *slash = strrchr(probe, '/');
        if (!slash) return 0;
        if (slash == probe) {
            probe[1] = '\0';
            break;
        }
        *slash = '\0';
    }
    /* try it: access() says yes to root even where nothing can be created */
    char trial[4200];
    snprintf(trial, sizeof trial, "%s/.clae-probe-XXXXXX", strcmp(probe, "/") ? probe : "");
    if (!mkdtemp(trial)) return 1;
    rmdir(trial);
    return 0;
}

const char *clae_device_none_hint(void)
{
    static char hint[4300];
    char dir[4096];
    if (cache_unwritable(dir, sizeof dir))
        snprintf(hint, sizeof hint,
                 "the cache folder %s cannot be written, and drivers such as PoCL keep their "
                 "compiled kernels there: set XDG_CACHE_HOME to a writable folder",
                 dir);
    else
        snprintf(hint, sizeof hint, "install a driver, e.g. pocl-opencl-icd");
    return hint;
}

clae_status clae_device_choose(clae_ctx *ctx, const char *choice, int *index)
{
    clae_device_info *infos = NULL;
    int count = 0;
    clae_status status = clae_device_list(ctx, &infos, &count);
    if (status != CLAE_OK) return status;
    const char *env = getenv("CLAE_DEVICE");
    if (count == 0) {
        status = clae__fail(ctx, CLAE_ENODEVICE, "no OpenCL device found (%s; see clae list-devices)",
                            clae_device_none_hint());
    } else if (choice) {
        status = parse_index(ctx, choice, "--device", count, index);
    } else if (env && *env) {
        status = parse_index(ctx, env, "CLAE_DEVICE", count, index);
    } else {
        *index = 0;
        for (int i = 0; i < count; i++)
            if (strcmp(infos[i].type, "GPU") == 0) {
                *index = i;
                break;
            }
    }
    free(infos);
    return status;
}

/* Buffers can be used in place by the host when the device is the CPU itself
 * and shares its memory (PoCL): then host BLAS can work on them directly. */
static void probe_host_sharing(clae_device *dev)
{
    cl_bool unified = CL_FALSE;
    clGetDeviceInfo(dev->id, CL_DEVICE_HOST_UNIFIED_MEMORY, sizeof unified, &unified, NULL);
    cl_uint align_bits = 1024;
    clGetDeviceInfo(dev->id, CL_DEVICE_MEM_BASE_ADDR_ALIGN, sizeof align_bits, &align_bits, NULL);
    dev->host_align = align_bits / 8 < 128 ? 128 : align_bits / 8;
    dev->host_shared = unified && strcmp(dev->info.type, "CPU") == 0;
    cl_device_exec_capabilities caps = 0;
    clGetDeviceInfo(dev->id, CL_DEVICE_EXECUTION_CAPABILITIES, sizeof caps, &caps, NULL);
    dev->native_capable = dev->host_shared && (caps & CL_EXEC_NATIVE_KERNEL) != 0;
    /* Measured with clae bench on PoCL 3.1 (2 cores): waiting for the queue and
     * multiplying on the calling thread is 16-28 % faster per training step than
     * a native kernel on the bench, VAE and default models; only on the tiny
     * 784-30-784 is the native kernel ahead (9 %). Timing both at the start of
     * a run chose wrongly under the machine's noise, so waiting is the default;
     * CLAE_HOST_GEMM=native chooses the native kernel. */
    const char *mode = getenv("CLAE_HOST_GEMM");
    dev->native_kernels = dev->native_capable && mode && strcmp(mode, "native") == 0;
}

clae_status clae_device_open(clae_ctx *ctx, int index, clae_device **out)
{
    return clae_device_open_with(ctx, index, 0, out);
}

clae_status clae_device_open_with(clae_ctx *ctx, int index, int flags, clae_device **out)
{
    clae_status status = CLAE_OK;
    *out = NULL;
    device_handle handles[MAX_PLATFORMS * 4];
    int count = enumerate(handles, (int)(sizeof handles / sizeof handles[0]));
    if (index < 0 || index >= count)
        return clae__fail(ctx, CLAE_ENODEVICE,
                          "device %d does not exist (%d device%s; see clae list-devices)", index,
                          count, count == 1 ? "" : "s");
    clae_device *dev = calloc(1, sizeof *dev);
    if (!dev) return clae__fail(ctx, CLAE_ENOMEM, "out of memory opening device %d", index);
    dev->ctx = ctx;
    dev->platform = handles[index].platform;
    dev->id = handles[index].device;
    fill_info(index, dev->platform, dev->id, &dev->info);
    clae__log(ctx, CLAE_LOG_INFO, "device %d: %s on %s (%s, driver %s, %u compute units)", index,
              dev->info.name, dev->info.platform, dev->info.opencl_c_version,
              dev->info.driver_version, dev->info.compute_units);

    cl_int err = CL_SUCCESS;
    cl_context_properties props[] = {CL_CONTEXT_PLATFORM, (cl_context_properties)dev->platform,
                                     0};
    dev->context = clCreateContext(props, 1, &dev->id, NULL, NULL, &err);
    CL_TRY(ctx, err);
    dev->profile_queue = (flags & CLAE_DEVICE_PROFILE) != 0;
    dev->queue = clCreateCommandQueue(dev->context, dev->id,
                                      dev->profile_queue ? CL_QUEUE_PROFILING_ENABLE : 0, &err);
    CL_TRY(ctx, err);

    status = clae__program_load(dev, "-cl-std=CL1.2", &dev->program);
    if (status != CLAE_OK) goto fail;
#define CLAE__CREATE_KERNEL(name)                                                   \
    dev->kernels[CLAE_K_##name] = clCreateKernel(dev->program, #name, &err);        \
    CL_TRY(ctx, err);
    CLAE_KERNEL_TABLE(CLAE__CREATE_KERNEL)
#undef CLAE__CREATE_KERNEL

    dev->work_group = WORK_GROUP;
    while (dev->work_group > dev->info.max_work_group_size && dev->work_group > 1)
        dev->work_group /= 2;
    probe_host_sharing(dev);
    status = clae__gemm_choose_provider(dev);
    if (status != CLAE_OK) goto fail;
    clae__log(ctx, CLAE_LOG_INFO, "work-group size %zu, GEMM by %s", dev->work_group,
              clae_device_gemm_provider(dev));
    *out = dev;
    return CLAE_OK;
fail:
    clae_device_close(dev);
    return status;
}

void clae_device_close(clae_device *dev)
{
    if (!dev) return;
    if (dev->queue) clFinish(dev->queue);
    clae__profile_clear(dev);
    free(dev->profile);
    clae__scratch_release(dev);
    for (int k = 0; k < CLAE_K_COUNT; k++)
        if (dev->kernels[k]) clReleaseKernel(dev->kernels[k]);
    if (dev->program) clReleaseProgram(dev->program);
    if (dev->queue) clReleaseCommandQueue(dev->queue);
    clae__gemm_release(dev);
    if (dev->context) clReleaseContext(dev->context);
    free(dev);
}

const clae_device_info *clae_device_get_info(const clae_device *dev) { return &dev->info; }

const char *clae_device_gemm_provider(const clae_device *dev)
{
    return dev->gemm == CLAE_GEMM_HOST ? "host-blas" : "clblast";
}

clae_status clae_device_finish(clae_device *dev)
{
    clae_status status = CLAE_OK;
    CL_TRY(dev->ctx, clFinish(dev->queue));
fail:
    return status;
}

cl_event *clae__profile_slot(clae_device *dev, int what)
{
    size_t bytes = dev->next_bytes;
    dev->next_bytes = 0;
    if (!dev->profiling) return NULL;
    if (dev->profile_len == dev->profile_cap) {
        int cap = dev->profile_cap ? 2 * dev->profile_cap : 1024;
        clae_profile_entry *grown = realloc(dev->profile, (size_t)cap * sizeof *grown);
        if (!grown) return NULL; /* profiling is best effort */
        dev->profile = grown;
        dev->profile_cap = cap;
    }
    clae_profile_entry *e = &dev->profile[dev->profile_len++];
    e->what = what;
    e->bytes = bytes;
    e->event = NULL;
    return &e->event;
}

void clae__profile_clear(clae_device *dev)
{
    for (int i = 0; i < dev->profile_len; i++)
        if (dev->profile[i].event) clReleaseEvent(dev->profile[i].event);
    dev->profile_len = 0;
}
