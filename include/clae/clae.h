/* clae: the umbrella header of the library. */
#ifndef CLAE_CLAE_H
#define CLAE_CLAE_H

#include "clae/bench.h"
#include "clae/conformance.h"
#include "clae/data.h"
#include "clae/device.h"
#include "clae/image.h"
#include "clae/spec.h"
#include "clae/status.h"
#include "clae/train.h"

#endif
