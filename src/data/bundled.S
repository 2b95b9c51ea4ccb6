/* The bundled MNIST digits, embedded into the binary so that `clae train`
 * works wherever the binary runs. CMake sets the two file paths. */
#define STR2(x) #x
#define STR(x) STR2(x)
    .section .rodata
    .balign 16
    .global clae__mnist_images_gz
clae__mnist_images_gz:
    .incbin STR(CLAE_MNIST_IMAGES)
clae__mnist_images_gz_end:
    .balign 8
    .global clae__mnist_images_gz_size
clae__mnist_images_gz_size:
    .quad clae__mnist_images_gz_end - clae__mnist_images_gz

    .balign 16
    .global clae__mnist_labels_gz
clae__mnist_labels_gz:
    .incbin STR(CLAE_MNIST_LABELS)
clae__mnist_labels_gz_end:
    .balign 8
    .global clae__mnist_labels_gz_size
clae__mnist_labels_gz_size:
    .quad clae__mnist_labels_gz_end - clae__mnist_labels_gz
    .section .note.GNU-stack,"",@progbits
