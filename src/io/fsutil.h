/* Small file-system helpers: output directories and atomic text files. */
#ifndef CLAE_FSUTIL_H
#define CLAE_FSUTIL_H

#include <stddef.h>
#include <stdio.h>

#include "clae/status.h"

/* Creates dir and its missing parents; an existing directory is fine. */
clae_status clae__mkdir_p(clae_ctx *ctx, const char *dir);
/* Writes a temporary file beside path, fsyncs it and renames it over path. */
clae_status clae__write_file_atomic(clae_ctx *ctx, const char *path, const void *data, size_t size);
/* "PATH: cannot open: REASON" for a file that could not be opened for reading,
 * given the errno. A path that names nothing (or a folder where a file is
 * wanted) is the user's to fix, exit 2 like any bad input; other failures
 * (permissions, the system's limits) are I/O errors. */
clae_status clae__fail_open(clae_ctx *ctx, const char *path, int err);
/* Reads a whole file (NUL-terminated, malloc'd). */
clae_status clae__read_file(clae_ctx *ctx, const char *path, char **text, size_t *size);
/* fopen(path, "rb") of a regular file only: a FIFO, a device or a folder in
 * its place is refused at once (a folder as clae__fail_open's EISDIR, the
 * others as "not a regular file", bad data), never read or waited on. NULL
 * with *status set on failure. */
FILE *clae__open_regular(clae_ctx *ctx, const char *path, clae_status *status);

/* Locks dir for one run: an exclusive lock on dir/.lock (created), held while
 * *fd stays open (the process's end releases it). A run already holding it
 * is refused as a usage conflict, naming its pid. */
clae_status clae__lock_run_dir(clae_ctx *ctx, const char *dir, int *fd);
/* Releases the lock (fd < 0: nothing held). With remove_if_empty, a dir that
 * holds nothing but its .lock goes too: a run refused before it wrote
 * anything (bad data, no device) leaves no empty folder behind. */
void clae__unlock_run_dir(const char *dir, int fd, int remove_if_empty);
/* Removes the files NAME.tmp.PID in dir and dir/snapshots that a killed
 * process left (PID no longer running), logging each at info level. */
clae_status clae__remove_stale_tmp(clae_ctx *ctx, const char *dir);

#endif
