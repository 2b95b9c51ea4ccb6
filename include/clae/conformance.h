/* `clae conformance`: every kernel and every GEMM provider against the plain-C
 * references, on random inputs of awkward sizes. */
#ifndef CLAE_CONFORMANCE_H
#define CLAE_CONFORMANCE_H

#include <stddef.h>

#include "clae/device.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct {
    char name[96];      /* e.g. "act_fwd sigmoid n=4097" */
    double max_abs;     /* largest |got - want| */
    double max_rel;     /* largest |got - want| / |want| where want != 0 */
    double tol_abs;     /* a value passes when |got - want| <= tol_abs + tol_rel |want| */
    double tol_rel;
    int passed;
    size_t first_bad;   /* index of the first failing value, when !passed */
    float got, want;    /* at first_bad */
} clae_check_result;

typedef void (*clae_check_report_fn)(void *user, const clae_check_result *r);

/* Runs every check, reporting each through `report`; *failures counts FAILs.
 * Returns a status other than CLAE_OK only when the device itself fails. */
clae_status clae_conformance_run(clae_device *dev, clae_check_report_fn report, void *user,
                                 int *failures);

#ifdef __cplusplus
}
#endif
#endif
