/* File-system helpers. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "io/fsutil.h"

clae_status clae__mkdir_p(clae_ctx *ctx, const char *dir)
{
    char path[4096];
    if (snprintf(path, sizeof path, "%s", dir) >= (int)sizeof path)
        return clae__fail(ctx, CLAE_EUSAGE, "%s: path too long", dir);
    for (char *p = path + 1;; p++) {
        int end = *p == '\0';
        if (*p == '/' || end) {
            *p = '\0';
            struct stat st;
            if (mkdir(path, 0755) != 0 && errno != EEXIST)
                return clae__fail(ctx, CLAE_EIO, "%s: cannot create directory: %s", path,
                                  strerror(errno));
            if (stat(path, &st) != 0 || !S_ISDIR(st.st_mode))
                return clae__fail(ctx, CLAE_EIO, "%s: not a directory", path);
            if (end) break;
            *p = '/';
        }
    }
    if (access(dir, W_OK) != 0)
        return clae__fail(ctx, CLAE_EIO, "%s: output directory is not writable: %s", dir,
                          strerror(errno));
    return CLAE_OK;
}

clae_status clae__write_file_atomic(clae_ctx *ctx, const char *path, const void *data, size_t size)
{
    char tmp[4200];
    snprintf(tmp, sizeof tmp, "%s.tmp.%ld", path, (long)getpid());
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0)
        return clae__fail(ctx, CLAE_EIO, "%s: cannot open for writing: %s", path, strerror(errno));
    const char *p = data;
    size_t left = size;
    while (left > 0) {
        ssize_t n = write(fd, p, left);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            int e = n < 0 ? errno : ENOSPC;
            close(fd);
            unlink(tmp);
            return clae__fail(ctx, CLAE_EIO, "%s: write failed: %s", path, strerror(e));
        }
        p += n;
        left -= (size_t)n;
    }
    if (fsync(fd) != 0 || close(fd) != 0) {
        int e = errno;
        unlink(tmp);
        return clae__fail(ctx, CLAE_EIO, "%s: write failed: %s", path, strerror(e));
    }
    if (rename(tmp, path) != 0) {
        int e = errno;
        unlink(tmp);
        return clae__fail(ctx, CLAE_EIO, "%s: rename failed: %s", path, strerror(e));
    }
    return CLAE_OK;
}

clae_status clae__fail_open(clae_ctx *ctx, const char *path, int err)
{
    int named_nothing = err == ENOENT || err == ENOTDIR || err == EISDIR;
    return clae__fail(ctx, named_nothing ? CLAE_EUSAGE : CLAE_EIO, "%s: cannot open: %s", path,
                      strerror(err));
}

clae_status clae__read_file(clae_ctx *ctx, const char *path, char **text, size_t *size)
{
    FILE *f = fopen(path, "rb");
    if (!f) return clae__fail_open(ctx, path, errno);
    char *buf = NULL;
    size_t len = 0, cap = 0;
    for (;;) {
        if (len + 4096 + 1 > cap) {
            cap = cap ? cap * 2 : 8192;
            char *grown = realloc(buf, cap);
            if (!grown) {
                free(buf);
                fclose(f);
                return clae__fail(ctx, CLAE_ENOMEM, "%s: out of memory reading", path);
            }
            buf = grown;
        }
        size_t n = fread(buf + len, 1, 4096, f);
        len += n;
        if (n < 4096) break;
    }
    int err = ferror(f);
    fclose(f);
    if (err) {
        free(buf);
        return clae__fail(ctx, CLAE_EIO, "%s: read failed", path);
    }
    buf[len] = '\0';
    *text = buf;
    if (size) *size = len;
    return CLAE_OK;
}
