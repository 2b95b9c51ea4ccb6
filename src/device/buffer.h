/* Device buffers of 4-byte elements (float or uint). On a device that shares
 * host memory the storage is an aligned host allocation the host may use in
 * place (`host`), which is what lets host BLAS work on it without copies. */
#ifndef CLAE_BUFFER_H
#define CLAE_BUFFER_H

#include <stddef.h>

#include "device/device_internal.h"

typedef struct {
    cl_mem mem;
    float *host;  /* the storage itself on host-shared devices, else NULL */
    size_t count; /* elements of 4 bytes */
    int owns_host; /* host storage not yet handed to the buffer's destructor */
} clae_buf;

/* A zero-filled buffer of count elements (count 0 gives an empty buffer). */
clae_status clae__buf_create(clae_device *dev, size_t count, clae_buf *out);
/* The same; `what` names the buffer in the error when it is larger than the
 * device allows ("the parameters"). */
clae_status clae__buf_create_for(clae_device *dev, size_t count, const char *what, clae_buf *out);
void clae__buf_release(clae_buf *buf);
clae_status clae__buf_write(clae_device *dev, clae_buf *buf, size_t offset, size_t count,
                            const void *src);
/* Blocking read after all queued work. */
clae_status clae__buf_read(clae_device *dev, const clae_buf *buf, size_t offset, size_t count,
                           void *dst);
/* The same without waiting: the read runs after the work queued before it
 * (the queue is flushed), and *done (released by the caller) completes when
 * dst holds the values; dst must stay until then. */
clae_status clae__buf_read_async(clae_device *dev, const clae_buf *buf, size_t offset,
                                 size_t count, void *dst, cl_event *done);
/* dst[dst_off ..] = src[src_off ..], count elements, in queue order. */
clae_status clae__buf_copy(clae_device *dev, const clae_buf *src, size_t src_off, clae_buf *dst,
                           size_t dst_off, size_t count);
clae_status clae__buf_fill(clae_device *dev, clae_buf *buf, size_t offset, size_t count,
                           float value);

/* The kernel's name; "gemm" or "copy" for CLAE_PROFILE_GEMM / _COPY. */
const char *clae__kernel_name(int k);

/* Kernel arguments: (size, pointer to value) pairs, built by these macros. */
typedef struct {
    size_t size;
    const void *value;
} clae_karg;

#define KU(x) ((clae_karg){sizeof(cl_uint), &(cl_uint){(cl_uint)(x)}})
#define KF(x) ((clae_karg){sizeof(cl_float), &(cl_float){(cl_float)(x)}})
#define KM(buf) ((clae_karg){sizeof(cl_mem), &(buf)->mem})
#define KNULL ((clae_karg){sizeof(cl_mem), NULL})
#define KLOCAL(bytes) ((clae_karg){(bytes), NULL})

/* Enqueues kernel k over `global` work items (rounded up to the work-group
 * size; the kernels check bounds). local = 0 uses the device's size. */
clae_status clae__launch(clae_device *dev, clae_kernel_id k, size_t global, size_t local,
                         const clae_karg *args, int nargs);

#define CLAE_LAUNCH(dev, k, global, local, ...)                                        \
    clae__launch((dev), (k), (global), (local), (const clae_karg[]){__VA_ARGS__},      \
                 (int)(sizeof((const clae_karg[]){__VA_ARGS__}) / sizeof(clae_karg)))

/* Enqueues kernel k over a dims-dimensional range (1 to 3) of global[d] work
 * items along dimension d, each rounded up to a multiple of the work group's
 * extent there (the kernels check bounds). The work group holds up to the
 * device's size, filled from dimension 0: a power of two at least global[0]
 * (so adjacent work items run along dimension 0), then dimension 1, then 2;
 * on a CPU, whose work items take runs (clae__run_shape), it is one item. */
clae_status clae__launch_nd(clae_device *dev, clae_kernel_id k, unsigned dims,
                            const size_t *global, const clae_karg *args, int nargs);

#define CLAE_LAUNCH_ND(dev, k, dims, global, ...)                                      \
    clae__launch_nd((dev), (k), (dims), (global), (const clae_karg[]){__VA_ARGS__},    \
                    (int)(sizeof((const clae_karg[]){__VA_ARGS__}) / sizeof(clae_karg)))

/* Whether work items should take runs of consecutive elements (CPUs, whose
 * compilers vectorise along them) rather than one element each (GPUs). */
int clae__prefers_runs(const clae_device *dev);

/* How a work item covers `rows` rows of `len` elements (with `other` work
 * items along a further dimension): *run consecutive elements of each of *per
 * consecutive rows. On a CPU a run of the row (its compiler vectorises the loop
 * along it) and enough rows to pay for the item's index arithmetic, while
 * leaving enough items to balance the load; elsewhere runs of 1, so adjacent
 * work items touch adjacent addresses, and 1 row (more only beyond 65535 rows).
 * global[0..1] gets the launch, ceil(len / run) x ceil(rows / per). */
void clae__run_shape(const clae_device *dev, size_t len, size_t rows, size_t other, size_t *run,
                     size_t *per, size_t global[2]);

/* A column reduction over a rows x cols row-major matrix, in two stages: the
 * first covers `run` columns of `per` rows per work item and writes one row of
 * partial sums per block of `per` rows (global[1] blocks); the second
 * (col_combine) adds the blocks up per column. GPUs take runs of 1 and blocks
 * of a few rows, so both stages have a work item per value or column block;
 * CPUs take long runs and a block per 16384 values, at most 16: a small
 * matrix is one block, whose sums need no second stage. */
void clae__col_shape(const clae_device *dev, size_t rows, size_t cols, size_t *run, size_t *per,
                     size_t global[2]);

/* A sum over n values in two stages: work items take `run` consecutive values
 * and each work group of `local` items writes one partial sum; reduce_sum adds
 * the partials. *groups = the partial sums written. */
void clae__flat_shape(const clae_device *dev, size_t n, size_t *run, size_t *local,
                      size_t *groups);

/* The device's scratch buffer, grown to at least count floats: partial sums
 * between the stages of one operation. The queue is in order, so the next
 * operation's first stage runs after this one's last. */
clae_status clae__scratch(clae_device *dev, size_t count, clae_buf **out);
void clae__scratch_release(clae_device *dev);

/* Elementwise work over n values, laid out as rows of up to CLAE_FLAT_ROW
 * values covered as clae__run_shape says (the kernel loops over r in its
 * rows and c in its run of each, stopping at n). The kernel's arguments are
 * (n, len, args..., run, per); at most 12 args. */
#define CLAE_FLAT_ROW 4096
clae_status clae__launch_flat(clae_device *dev, clae_kernel_id k, size_t n, const clae_karg *args,
                              int nargs);
#define CLAE_LAUNCH_FLAT(dev, k, n, ...)                                               \
    clae__launch_flat((dev), (k), (n), (const clae_karg[]){__VA_ARGS__},                \
                      (int)(sizeof((const clae_karg[]){__VA_ARGS__}) / sizeof(clae_karg)))

/* Records the bytes the next launch reads and writes, for the profile. */
static inline void clae__launch_bytes(clae_device *dev, size_t bytes) { dev->next_bytes = bytes; }

#endif
