/* Output sizes of convolutions, shared by conv, deconv and the model's mirroring. */
#ifndef CLAE_CONV_GEOM_H
#define CLAE_CONV_GEOM_H

/* A convolution's output size along one axis; < 1 when the kernel does not fit. */
static inline int clae__conv_out(int in, int k, int stride, int pad)
{
    return in + 2 * pad < k ? 0 : (in + 2 * pad - k) / stride + 1;
}

/* A transposed convolution's output size (PyTorch's ConvTranspose2d). */
static inline int clae__deconv_out(int in, int k, int stride, int pad, int output_padding)
{
    return (in - 1) * stride - 2 * pad + k + output_padding;
}

#endif
