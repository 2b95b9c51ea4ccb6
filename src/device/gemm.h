/* Matrix products: the only module that calls CLBlast or a host BLAS.
 *
 * C = alpha · op(A) · op(B) + beta · C, all row-major, op(X) = X or Xᵀ by the
 * trans flags (the transposes are the BLAS's, never copies). op(A) is m x k,
 * op(B) is k x n, C is m x n; lda/ldb/ldc are the row strides of the stored
 * matrices, offsets are in elements. */
#ifndef CLAE_GEMM_H
#define CLAE_GEMM_H

#include "device/buffer.h"

typedef struct clae_gemm_args {
    int trans_a, trans_b;
    size_t m, n, k;
    float alpha, beta;
    const clae_buf *a;
    size_t a_off, lda;
    const clae_buf *b;
    size_t b_off, ldb;
    clae_buf *c;
    size_t c_off, ldc;
} clae_gemm_args;

/* With the device's provider. */
clae_status clae__gemm(clae_device *dev, const clae_gemm_args *g);
/* With a named provider (conformance and bench compare both). CLAE_GEMM_HOST
 * needs a host-shared device. */
clae_status clae__gemm_with(clae_device *dev, clae_gemm_provider provider,
                            const clae_gemm_args *g);
int clae__gemm_provider_available(const clae_device *dev, clae_gemm_provider provider);

/* Picks the provider at device open: host BLAS where buffers live in host
 * memory (PoCL on the CPU: OpenBLAS is an order of magnitude faster there
 * than CLBlast's kernels), CLBlast everywhere else. $CLAE_GEMM=clblast|host
 * overrides. */
clae_status clae__gemm_choose_provider(clae_device *dev);
void clae__gemm_release(clae_device *dev);

#endif
