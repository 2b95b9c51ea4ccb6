/* Small file-system helpers: output directories and atomic text files. */
#ifndef CLAE_FSUTIL_H
#define CLAE_FSUTIL_H

#include <stddef.h>

#include "clae/status.h"

/* Creates dir and its missing parents; an existing directory is fine. */
clae_status clae__mkdir_p(clae_ctx *ctx, const char *dir);
/* Writes a temporary file beside path, fsyncs it and renames it over path. */
clae_status clae__write_file_atomic(clae_ctx *ctx, const char *path, const void *data, size_t size);
/* Reads a whole file (NUL-terminated, malloc'd). */
clae_status clae__read_file(clae_ctx *ctx, const char *path, char **text, size_t *size);

#endif
