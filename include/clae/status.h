/* Status codes, the error context and logging.
 *
 * Every fallible call returns a clae_status and leaves a one-line message on
 * the context that names what was wrong and where. The library never exits;
 * the CLI maps a status to the contract's exit code with clae_status_exit_code. */
#ifndef CLAE_STATUS_H
#define CLAE_STATUS_H

#include <stdarg.h>

#ifdef __cplusplus
extern "C" {
#endif

/* X(name, exit code of the CLI, default message) */
#define CLAE_STATUS_TABLE(X)                                   \
    X(CLAE_OK, 0, "success")                                   \
    X(CLAE_EUSAGE, 2, "bad usage")                             \
    X(CLAE_ESPEC, 2, "bad spec")                               \
    X(CLAE_EDATA, 2, "bad data file")                          \
    X(CLAE_EIO, 1, "I/O error")                                \
    X(CLAE_ENOMEM, 1, "out of memory")                         \
    X(CLAE_EDIVERGED, 1, "training diverged")                  \
    X(CLAE_EINTERRUPTED, 1, "interrupted")                     \
    X(CLAE_EFAILED, 1, "check failed")                         \
    X(CLAE_EINTERNAL, 1, "internal error (a bug in clae)")     \
    X(CLAE_EDEVICE, 3, "OpenCL device failure")                \
    X(CLAE_ENODEVICE, 3, "no usable OpenCL device")

typedef enum {
#define CLAE__STATUS_ENUM(name, code, msg) name,
    CLAE_STATUS_TABLE(CLAE__STATUS_ENUM)
#undef CLAE__STATUS_ENUM
} clae_status;

const char *clae_status_name(clae_status s);
const char *clae_status_message(clae_status s);
int clae_status_exit_code(clae_status s);

typedef enum { CLAE_LOG_ERROR, CLAE_LOG_WARN, CLAE_LOG_INFO, CLAE_LOG_DEBUG } clae_log_level;
typedef void (*clae_log_fn)(void *user, clae_log_level level, const char *line);

/* The error/log context. One per caller; never global. */
typedef struct clae_ctx clae_ctx;

clae_ctx *clae_ctx_create(void);
void clae_ctx_destroy(clae_ctx *ctx);
/* The message of the last failure (empty if none). */
const char *clae_ctx_message(const clae_ctx *ctx);
clae_status clae_ctx_status(const clae_ctx *ctx);
void clae_ctx_clear(clae_ctx *ctx);
/* Log lines at or above `level` go to fn; fn == NULL discards them. */
void clae_ctx_set_log(clae_ctx *ctx, clae_log_fn fn, void *user, clae_log_level level);

/* Internal helpers, shared by every module. */
#if defined(__GNUC__)
#define CLAE__PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define CLAE__PRINTF(a, b)
#endif
/* Records the message on ctx and returns s, so callers write `return clae__fail(...)`. */
clae_status clae__fail(clae_ctx *ctx, clae_status s, const char *fmt, ...) CLAE__PRINTF(3, 4);
void clae__log(clae_ctx *ctx, clae_log_level level, const char *fmt, ...) CLAE__PRINTF(3, 4);

#ifdef __cplusplus
}
#endif
#endif
