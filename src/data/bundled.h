/* Symbols of the embedded MNIST files (see bundled.S). */
#ifndef CLAE_DATA_BUNDLED_H
#define CLAE_DATA_BUNDLED_H
#include <stdint.h>
extern const unsigned char clae__mnist_images_gz[];
extern const uint64_t clae__mnist_images_gz_size;
extern const unsigned char clae__mnist_labels_gz[];
extern const uint64_t clae__mnist_labels_gz_size;
#endif
