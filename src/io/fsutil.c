/* File-system helpers. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
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

FILE *clae__open_regular(clae_ctx *ctx, const char *path, clae_status *status)
{
    /* non-blocking, so that a FIFO in a file's place is refused, not waited on
     * (regular files ignore the flag) */
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) {
        *status = clae__fail_open(ctx, path, errno);
        return NULL;
    }
    struct stat sb;
    if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
        int is_dir = S_ISDIR(sb.st_mode);
        close(fd);
        *status = is_dir ? clae__fail_open(ctx, path, EISDIR)
                         : clae__fail(ctx, CLAE_EDATA, "%s: not a regular file", path);
        return NULL;
    }
    FILE *f = fdopen(fd, "rb");
    if (!f) {
        close(fd);
        *status = clae__fail(ctx, CLAE_ENOMEM, "%s: out of memory opening", path);
    }
    return f;
}

clae_status clae__read_file(clae_ctx *ctx, const char *path, char **text, size_t *size)
{
    clae_status status = CLAE_OK;
    FILE *f = clae__open_regular(ctx, path, &status);
    if (!f) return status;
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

/* A POSIX record lock (fcntl) rather than flock: it is in the standard this
 * code builds against, and F_GETLK names the process that holds it. */
clae_status clae__lock_run_dir(clae_ctx *ctx, const char *dir, int *fd)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/.lock", dir);
    *fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (*fd < 0)
        return clae__fail(ctx, CLAE_EIO, "%s: cannot open: %s", path, strerror(errno));
    struct flock lock = {.l_type = F_WRLCK, .l_whence = SEEK_SET};
    if (fcntl(*fd, F_SETLK, &lock) == 0) return CLAE_OK;
    int err = errno;
    struct flock holder = {.l_type = F_WRLCK, .l_whence = SEEK_SET};
    int known = (err == EACCES || err == EAGAIN) && fcntl(*fd, F_GETLK, &holder) == 0 &&
                holder.l_type != F_UNLCK;
    close(*fd);
    *fd = -1;
    if (err != EACCES && err != EAGAIN)
        return clae__fail(ctx, CLAE_EIO, "%s: cannot lock: %s", path, strerror(err));
    if (known)
        return clae__fail(ctx, CLAE_EUSAGE, "%s is in use by another clae train (pid %ld)", dir,
                          (long)holder.l_pid);
    return clae__fail(ctx, CLAE_EUSAGE, "%s is in use by another clae train", dir);
}

/* Whether dir holds no entry but .lock. */
static int only_lock(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d) return 0;
    int other = 0;
    for (struct dirent *e; !other && (e = readdir(d)) != NULL;)
        other = strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0 &&
                strcmp(e->d_name, ".lock") != 0;
    closedir(d);
    return !other;
}

void clae__unlock_run_dir(const char *dir, int fd, int remove_if_empty)
{
    if (fd < 0) return;
    /* Unlinked while still held, so no other run can lock the same file meanwhile. */
    if (remove_if_empty && only_lock(dir)) {
        char path[4200];
        snprintf(path, sizeof path, "%s/.lock", dir);
        if (unlink(path) == 0) rmdir(dir);
    }
    close(fd);
}

/* The pid of "NAME.tmp.PID" (NAME not empty), else 0. */
static long tmp_owner(const char *name)
{
    const char *tag = NULL;
    for (const char *p = strstr(name, ".tmp."); p; p = strstr(p + 1, ".tmp.")) tag = p;
    if (!tag || tag == name || !tag[5]) return 0;
    long pid = 0;
    for (const char *c = tag + 5; *c; c++) {
        if (*c < '0' || *c > '9' || pid > 99999999) return 0;
        pid = pid * 10 + (*c - '0');
    }
    return pid;
}

static clae_status remove_stale_in(clae_ctx *ctx, const char *dir)
{
    DIR *d = opendir(dir);
    if (!d) return CLAE_OK; /* no folder, nothing left over */
    clae_status s = CLAE_OK;
    char path[4200];
    for (struct dirent *e; s == CLAE_OK && (e = readdir(d)) != NULL;) {
        long pid = tmp_owner(e->d_name);
        /* ESRCH only: a live process of another user (EPERM) keeps its file */
        if (pid <= 0 || pid == (long)getpid() || kill((pid_t)pid, 0) == 0 || errno != ESRCH)
            continue;
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        if (unlink(path) == 0)
            clae__log(ctx, CLAE_LOG_INFO, "removed %s, left by process %ld that ended", path, pid);
        else if (errno != ENOENT) /* another run may have removed it first */
            s = clae__fail(ctx, CLAE_EIO, "%s: cannot remove: %s", path, strerror(errno));
    }
    closedir(d);
    return s;
}

clae_status clae__remove_stale_tmp(clae_ctx *ctx, const char *dir)
{
    char snapshots[4200];
    snprintf(snapshots, sizeof snapshots, "%s/snapshots", dir);
    clae_status s = remove_stale_in(ctx, dir);
    return s == CLAE_OK ? remove_stale_in(ctx, snapshots) : s;
}
