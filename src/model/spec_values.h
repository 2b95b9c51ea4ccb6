/* The values of spec keys: each reads one text into its field or reports
 * "file:line: [section] key: what is wrong" through clae__spec_key_fail
 * (spec.c, which knows the parser) and returns -1. */
#ifndef CLAE_SPEC_VALUES_H
#define CLAE_SPEC_VALUES_H

#include <stdint.h>

#include "clae/spec.h"

typedef struct parser parser;

/* "name:line: [section] key: msg" for the key being set; returns -1. */
int clae__spec_key_fail(parser *p, const char *fmt, ...) CLAE__PRINTF(2, 3);
/* ASCII, case-insensitive */
int clae__spec_same_word(const char *a, const char *b);

int clae__spec_parse_long(const char *v, long *out);
int clae__spec_parse_double(const char *v, double *out);
int clae__spec_get_count(parser *p, const char *v, int *out);
int clae__spec_get_bytes(parser *p, const char *v, uint64_t *out);
int clae__spec_get_positive(parser *p, const char *v, double *out);
int clae__spec_get_fraction(parser *p, const char *v, double *out);
int clae__spec_get_nonnegative(parser *p, const char *v, double *out);
int clae__spec_get_open_fraction(parser *p, const char *v, double *out);
int clae__spec_get_enum(parser *p, const char *v, const char *const *names, int *out);
int clae__spec_get_bool(parser *p, const char *v, int *out);
int clae__spec_get_activation(parser *p, const char *v, clae_activation *out);
int clae__spec_get_path(parser *p, const char *v, char out[CLAE_PATH_MAX]);
int clae__spec_get_classes(parser *p, const char *v, unsigned char *mask, int *has);
int clae__spec_get_label_column(parser *p, const char *v, int *out);
int clae__spec_get_dims(parser *p, const char *v, int n, int *out);
int clae__spec_get_padding(parser *p, const char *v, int *out);
int clae__spec_get_small_count(parser *p, const char *v, int *out, int lo);

#endif
