/* What the harnesses share: one error context, and the fuzz input written to
 * a file for the readers that take a path. Each process writes into its own
 * folder (libFuzzer's -jobs runs several), removed at exit. */
#ifndef CLAE_FUZZ_INPUT_H
#define CLAE_FUZZ_INPUT_H

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "clae/data.h"
#include "clae/status.h"

static inline clae_ctx *fuzz_ctx(void)
{
    static clae_ctx *ctx;
    if (!ctx && !(ctx = clae_ctx_create())) abort();
    return ctx;
}

/* Bounds for a second read of the input, told by its last byte: the first 1
 * to 4 samples, and half the time a 4 KiB budget, so that stopping early,
 * partial labels and the budget's refusals are fuzzed too. */
static inline clae_data_bounds fuzz_bounds(const uint8_t *data, size_t size)
{
    unsigned b = size ? data[size - 1] : 0;
    clae_data_bounds bounds = {1 + b % 4, b & 0x80 ? 4096 : 0};
    return bounds;
}

static char fuzz_dir_path[512];
static char fuzz_file_path[600];

static inline void fuzz_remove_files(void)
{
    if (fuzz_file_path[0]) remove(fuzz_file_path);
    char *slash = strrchr(fuzz_file_path, '/');
    if (slash > fuzz_file_path + strlen(fuzz_dir_path)) { /* its sub-folder */
        *slash = '\0';
        rmdir(fuzz_file_path);
    }
    rmdir(fuzz_dir_path);
}

/* $TMPDIR/clae-fuzz-PID/name (name may hold one sub-folder, "dir/file"):
 * the input written there; the path it has. Aborts when it cannot be written,
 * since every later run would test nothing. */
static inline const char *fuzz_write(const char *name, const uint8_t *data, size_t size)
{
    if (!fuzz_dir_path[0]) {
        const char *tmp = getenv("TMPDIR");
        snprintf(fuzz_dir_path, sizeof fuzz_dir_path, "%s/clae-fuzz-%ld",
                 tmp && *tmp ? tmp : "/tmp", (long)getpid());
        if (mkdir(fuzz_dir_path, 0700) != 0 && errno != EEXIST) { /* EEXIST: a crashed run left it */
            perror(fuzz_dir_path);
            abort();
        }
        atexit(fuzz_remove_files);
    }
    snprintf(fuzz_file_path, sizeof fuzz_file_path, "%s/%s", fuzz_dir_path, name);
    char *slash = strrchr(fuzz_file_path, '/');
    if (slash > fuzz_file_path + strlen(fuzz_dir_path)) { /* a sub-folder: make it */
        *slash = '\0';
        mkdir(fuzz_file_path, 0700);
        *slash = '/';
    }
    FILE *f = fopen(fuzz_file_path, "wb");
    if (!f || fwrite(data, 1, size, f) != size || fclose(f) != 0) {
        perror(fuzz_file_path);
        abort();
    }
    return fuzz_file_path;
}

#endif
