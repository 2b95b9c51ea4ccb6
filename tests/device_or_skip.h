/* Opens the default OpenCL device for a test, or skips the test (exit 77)
 * when there is none, unless CLAE_REQUIRE_DEVICE is set: then CI fails
 * instead of silently skipping everything on a broken driver. */
#ifndef CLAE_TESTS_DEVICE_OR_SKIP_H
#define CLAE_TESTS_DEVICE_OR_SKIP_H

#include <stdio.h>
#include <stdlib.h>

#include "clae/device.h"

static clae_device *open_device_or_skip(clae_ctx *ctx)
{
    int index = 0;
    clae_device *dev = NULL;
    clae_status s = clae_device_choose(ctx, NULL, &index);
    if (s == CLAE_OK) s = clae_device_open(ctx, index, &dev);
    if (s == CLAE_OK) return dev;
    fprintf(stderr, "no usable OpenCL device: %s\n", clae_ctx_message(ctx));
    if (getenv("CLAE_REQUIRE_DEVICE")) exit(1);
    exit(77);
}

#endif
