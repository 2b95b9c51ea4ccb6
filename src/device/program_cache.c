/* Builds the kernel program from the embedded cl/ sources, caching the
 * device binary under $XDG_CACHE_HOME/clae (else ~/.cache/clae).
 *
 * The cache file name is a hash of everything that makes a binary valid:
 * platform, device, device and driver versions, build options and sources.
 * An entry carries its own length and checksum; one that fails either check,
 * or that the driver refuses, is rebuilt from source and rewritten. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "device/device_internal.h"

static const char cache_magic[8] = {'C', 'L', 'A', 'E', 'B', 'I', 'N', '1'};

static uint64_t fnv1a(uint64_t h, const void *data, size_t n)
{
    const unsigned char *p = data;
    for (size_t i = 0; i < n; i++) {
        h ^= p[i];
        h *= 0x100000001b3ULL;
    }
    return h;
}

static uint64_t fnv1a_str(uint64_t h, const char *s) { return fnv1a(h, s, strlen(s) + 1); }

static char *join_sources(void)
{
    size_t total = 1;
    for (int i = 0; i < clae__cl_source_count; i++) total += strlen(clae__cl_sources[i].source) + 1;
    char *all = malloc(total);
    if (!all) return NULL;
    char *p = all;
    for (int i = 0; i < clae__cl_source_count; i++) {
        size_t n = strlen(clae__cl_sources[i].source);
        memcpy(p, clae__cl_sources[i].source, n);
        p += n;
        *p++ = '\n';
    }
    *p = '\0';
    return all;
}

static int cache_path(const clae_device *dev, const char *options, const char *source, char *path,
                      size_t size)
{
    const char *xdg = getenv("XDG_CACHE_HOME");
    const char *home = getenv("HOME");
    char dir[900];
    if (xdg && *xdg)
        snprintf(dir, sizeof dir, "%s/clae", xdg);
    else if (home && *home)
        snprintf(dir, sizeof dir, "%s/.cache/clae", home);
    else
        return -1;
    /* Create the two levels; an existing directory is fine. */
    char parent[900];
    snprintf(parent, sizeof parent, "%s", dir);
    char *slash = strrchr(parent, '/');
    if (slash && slash != parent) {
        *slash = '\0';
        if (mkdir(parent, 0755) != 0 && errno != EEXIST) return -1;
    }
    if (mkdir(dir, 0755) != 0 && errno != EEXIST) return -1;

    char version[256] = "";
    clGetDeviceInfo(dev->id, CL_DEVICE_VERSION, sizeof version, version, NULL);
    version[sizeof version - 1] = '\0';
    uint64_t h = 0xcbf29ce484222325ULL;
    h = fnv1a_str(h, dev->info.platform);
    h = fnv1a_str(h, dev->info.name);
    h = fnv1a_str(h, version);
    h = fnv1a_str(h, dev->info.driver_version);
    h = fnv1a_str(h, options);
    h = fnv1a_str(h, source);
    snprintf(path, size, "%s/%016llx.clbin", dir, (unsigned long long)h);
    return 0;
}

/* Returns the cached binary (malloc'd) if the entry is whole, else NULL. */
static unsigned char *cache_read(const char *path, size_t *size)
{
    struct stat sb; /* a FIFO or device in an entry's place is a bad entry, never waited on */
    if (stat(path, &sb) != 0 || !S_ISREG(sb.st_mode)) return NULL;
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    char magic[8];
    uint64_t len = 0, sum = 0;
    unsigned char *bin = NULL;
    if (fread(magic, 1, 8, f) != 8 || memcmp(magic, cache_magic, 8) != 0) goto bad;
    if (fread(&len, sizeof len, 1, f) != 1 || fread(&sum, sizeof sum, 1, f) != 1) goto bad;
    if (len == 0 || len > (256u << 20)) goto bad;
    bin = malloc(len);
    if (!bin || fread(bin, 1, len, f) != len || fgetc(f) != EOF) goto bad;
    if (fnv1a(0xcbf29ce484222325ULL, bin, len) != sum) goto bad;
    fclose(f);
    *size = len;
    return bin;
bad:
    free(bin);
    fclose(f);
    return NULL;
}

/* Best effort: a cache that cannot be written only costs a rebuild next time. */
static void cache_write(clae_ctx *ctx, const char *path, const unsigned char *bin, size_t size)
{
    char tmp[1100];
    snprintf(tmp, sizeof tmp, "%s.tmp.%ld", path, (long)getpid());
    FILE *f = fopen(tmp, "wb");
    if (!f) return;
    uint64_t len = size, sum = fnv1a(0xcbf29ce484222325ULL, bin, size);
    int ok = fwrite(cache_magic, 1, 8, f) == 8 && fwrite(&len, sizeof len, 1, f) == 1 &&
             fwrite(&sum, sizeof sum, 1, f) == 1 && fwrite(bin, 1, size, f) == size;
    ok = (fclose(f) == 0) && ok;
    if (ok && rename(tmp, path) == 0) {
        clae__log(ctx, CLAE_LOG_INFO, "kernel cache: stored %s", path);
        return;
    }
    remove(tmp);
}

static clae_status build_log_failure(clae_device *dev, cl_program program, cl_int err)
{
    char log[4096] = "";
    clGetProgramBuildInfo(program, dev->id, CL_PROGRAM_BUILD_LOG, sizeof log, log, NULL);
    log[sizeof log - 1] = '\0';
    /* Keep the first line of the compiler's complaint: the message is one line. */
    log[strcspn(log, "\n")] = '\0';
    return clae__fail(dev->ctx, CLAE_EDEVICE, "clBuildProgram failed: %s (%d): %s",
                      clae__cl_error_name(err), (int)err, log[0] ? log : "no build log");
}

static cl_program try_cached(clae_device *dev, const char *path, const char *options)
{
    size_t size = 0;
    unsigned char *bin = cache_read(path, &size);
    if (!bin) return NULL;
    const unsigned char *bins[1] = {bin};
    cl_int bin_status = CL_SUCCESS, err = CL_SUCCESS;
    cl_program p =
        clCreateProgramWithBinary(dev->context, 1, &dev->id, &size, bins, &bin_status, &err);
    free(bin);
    if (err != CL_SUCCESS || bin_status != CL_SUCCESS) {
        if (p) clReleaseProgram(p);
        return NULL;
    }
    if (clBuildProgram(p, 1, &dev->id, options, NULL, NULL) != CL_SUCCESS) {
        clReleaseProgram(p);
        return NULL;
    }
    return p;
}

static void store_binary(clae_device *dev, cl_program p, const char *path)
{
    size_t size = 0;
    if (clGetProgramInfo(p, CL_PROGRAM_BINARY_SIZES, sizeof size, &size, NULL) != CL_SUCCESS ||
        size == 0)
        return;
    unsigned char *bin = malloc(size);
    unsigned char *bins[1] = {bin};
    if (bin && clGetProgramInfo(p, CL_PROGRAM_BINARIES, sizeof bins, bins, NULL) == CL_SUCCESS)
        cache_write(dev->ctx, path, bin, size);
    free(bin);
}

clae_status clae__program_load(clae_device *dev, const char *options, cl_program *out)
{
    clae_status status = CLAE_OK;
    cl_program p = NULL;
    char *source = join_sources();
    if (!source) return clae__fail(dev->ctx, CLAE_ENOMEM, "out of memory joining kernel sources");
    char path[1024];
    int cacheable = getenv("CLAE_NO_KERNEL_CACHE") == NULL &&
                    cache_path(dev, options, source, path, sizeof path) == 0;
    if (cacheable && (p = try_cached(dev, path, options)) != NULL) {
        clae__log(dev->ctx, CLAE_LOG_INFO, "kernel cache: hit %s", path);
        free(source);
        *out = p;
        return CLAE_OK;
    }
    if (cacheable) clae__log(dev->ctx, CLAE_LOG_INFO, "kernel cache: miss, building kernels");

    cl_int err = CL_SUCCESS;
    const char *sources[1] = {source};
    p = clCreateProgramWithSource(dev->context, 1, sources, NULL, &err);
    CL_TRY(dev->ctx, err);
    err = clBuildProgram(p, 1, &dev->id, options, NULL, NULL);
    if (err != CL_SUCCESS) {
        status = build_log_failure(dev, p, err);
        goto fail;
    }
    if (cacheable) store_binary(dev, p, path);
    free(source);
    *out = p;
    return CLAE_OK;
fail:
    if (p) clReleaseProgram(p);
    free(source);
    return status;
}
