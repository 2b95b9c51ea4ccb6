/* The values of spec keys: numbers, sizes, names, paths, label sets. */
#include "model/spec_values.h"

#include <ctype.h>
#include <errno.h>
#include <float.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* strtol with the whole string consumed; out of range clamps to LONG_MIN/MAX
 * so that the caller's range check reports it. */
int clae__spec_parse_long(const char *v, long *out)
{
    char *end;
    errno = 0;
    long x = strtol(v, &end, 10);
    if (end == v || *end) return -1;
    *out = x;
    return 0;
}

int clae__spec_parse_double(const char *v, double *out)
{
    char *end;
    errno = 0;
    double x = strtod(v, &end);
    if (end == v || *end || errno == ERANGE || !isfinite(x)) return -1;
    *out = x;
    return 0;
}

int clae__spec_get_count(parser *p, const char *v, int *out) /* 1 .. CLAE_SPEC_MAX_COUNT */
{
    long x;
    if (clae__spec_parse_long(v, &x) || x <= 0) return clae__spec_key_fail(p, "expected a positive integer, got \"%s\"", v);
    if (x > CLAE_SPEC_MAX_COUNT) return clae__spec_key_fail(p, "must be at most %d, got \"%s\"", CLAE_SPEC_MAX_COUNT, v);
    *out = (int)x;
    return 0;
}

/* A size in bytes: a whole number with an optional K, M, G or T (binary
 * multiples, as in 512M), 0 included. */
int clae__spec_get_bytes(parser *p, const char *v, uint64_t *out)
{
    char *end;
    errno = 0;
    unsigned long long x = strtoull(v, &end, 10);
    unsigned shift = 0;
    const char *units = "KMGT";
    const char *u = *end ? strchr(units, toupper((unsigned char)*end)) : NULL;
    if (u && *u) {
        shift = 10u * (unsigned)(u - units + 1);
        end++;
    }
    if (end == v || *end || !isdigit((unsigned char)v[0]) || errno == ERANGE ||
        x > (UINT64_MAX >> shift))
        return clae__spec_key_fail(p, "expected a size in bytes such as 512M or 2G, got \"%s\"", v);
    *out = (uint64_t)x << shift;
    return 0;
}

int clae__spec_get_positive(parser *p, const char *v, double *out)
{
    double x;
    if (clae__spec_parse_double(v, &x) || !(x > 0)) return clae__spec_key_fail(p, "expected a positive number, got \"%s\"", v);
    /* the device computes in float: 1e-300 would become 0 there, 1e308 infinity */
    if (x < FLT_MIN || x > FLT_MAX)
        return clae__spec_key_fail(p, "expected a positive number a float can hold (%.1e to %.1e), got \"%s\"",
                        (double)FLT_MIN, (double)FLT_MAX, v);
    *out = x;
    return 0;
}

int clae__spec_get_fraction(parser *p, const char *v, double *out) /* [0, 1) */
{
    double x;
    if (clae__spec_parse_double(v, &x) || x < 0 || x >= 1)
        return clae__spec_key_fail(p, "expected a number in [0, 1), got \"%s\"", v);
    *out = x;
    return 0;
}

/* A key of a feature this version lacks: only 0 (off) is accepted. */
int clae__spec_get_nonnegative(parser *p, const char *v, double *out)
{
    double x;
    if (clae__spec_parse_double(v, &x) || !(x >= 0)) return clae__spec_key_fail(p, "expected a number >= 0, got \"%s\"", v);
    *out = x;
    return 0;
}

/* In (0, 1): a probability that is neither impossible nor certain. */
int clae__spec_get_open_fraction(parser *p, const char *v, double *out)
{
    double x;
    if (clae__spec_parse_double(v, &x) || !(x > 0 && x < 1))
        return clae__spec_key_fail(p, "expected a number in (0, 1), got \"%s\"", v);
    *out = x;
    return 0;
}

int clae__spec_get_enum(parser *p, const char *v, const char *const *names, int *out)
{
    char list[256] = "";
    for (int i = 0; names[i]; i++) {
        if (clae__spec_same_word(v, names[i])) {
            *out = i;
            return 0;
        }
        size_t n = strlen(list);
        snprintf(list + n, sizeof list - n, "%s%s", i ? ", " : "", names[i]);
    }
    return clae__spec_key_fail(p, "expected one of %s, got \"%s\"", list, v);
}

int clae__spec_get_bool(parser *p, const char *v, int *out)
{
    static const char *const words[] = {"no", "yes", "false", "true", "0", "1", NULL};
    for (int i = 0; words[i]; i++)
        if (clae__spec_same_word(v, words[i])) {
            *out = i % 2;
            return 0;
        }
    return clae__spec_key_fail(p, "expected yes or no, got \"%s\"", v);
}

int clae__spec_get_activation(parser *p, const char *v, clae_activation *out)
{
    if (clae_activation_parse(v, out) == 0) return 0;
    return clae__spec_key_fail(p, "expected one of relu, sigmoid, tanh, linear, leaky_relu, elu, got \"%s\"", v);
}

int clae__spec_get_path(parser *p, const char *v, char out[CLAE_PATH_MAX])
{
    if (!*v) return clae__spec_key_fail(p, "expected a path, got \"\"");
    if (strlen(v) >= CLAE_PATH_MAX) return clae__spec_key_fail(p, "longer than %d characters", CLAE_PATH_MAX - 1);
    memcpy(out, v, strlen(v) + 1);
    return 0;
}


/* A list of labels and label ranges: "0-8", "3", "1,3,5-7". */
int clae_parse_label_set(const char *text, unsigned char *mask)
{
    unsigned char m[CLAE_MAX_CLASSES] = {0};
    const char *c = text;
    for (;;) {
        char *end;
        while (*c == ' ') c++;
        if (!isdigit((unsigned char)*c)) return -1;
        long lo = strtol(c, &end, 10), hi = lo;
        c = end;
        while (*c == ' ') c++;
        if (*c == '-') {
            c++;
            while (*c == ' ') c++;
            if (!isdigit((unsigned char)*c)) return -1;
            hi = strtol(c, &end, 10);
            c = end;
            while (*c == ' ') c++;
        }
        if (lo > hi || hi >= CLAE_MAX_CLASSES) return -2;
        for (long k = lo; k <= hi; k++) m[k] = 1;
        if (*c == '\0') {
            memcpy(mask, m, sizeof m);
            return 0;
        }
        if (*c != ',') return -1;
        c++;
    }
}

int clae__spec_get_classes(parser *p, const char *v, unsigned char *mask, int *has)
{
    int r = clae_parse_label_set(v, mask);
    if (r == -2)
        return clae__spec_key_fail(p, "expected labels from 0 to %d in increasing ranges, got \"%s\"",
                        CLAE_MAX_CLASSES - 1, v);
    if (r != 0) return clae__spec_key_fail(p, "expected a label list such as 0-8 or 1,3,5-7, got \"%s\"", v);
    *has = 1;
    return 0;
}

/* none | first | last | a 1-based column number */
int clae__spec_get_label_column(parser *p, const char *v, int *out)
{
    long x;
    if (clae__spec_same_word(v, "none")) *out = 0;
    else if (clae__spec_same_word(v, "first")) *out = 1;
    else if (clae__spec_same_word(v, "last")) *out = CLAE_LABEL_COLUMN_LAST;
    else if (clae__spec_parse_long(v, &x) == 0 && x >= 1 && x <= CLAE_SPEC_MAX_COUNT) *out = (int)x;
    else return clae__spec_key_fail(p, "expected none, first, last or a column number from 1, got \"%s\"", v);
    return 0;
}

/* "CxHxW" (reshape) or "HxW" (resize): n positive counts separated by 'x'. */
int clae__spec_get_dims(parser *p, const char *v, int n, int *out)
{
    const char *c = v;
    for (int i = 0; i < n; i++) {
        char *end;
        errno = 0;
        long x = isdigit((unsigned char)*c) ? strtol(c, &end, 10) : 0;
        if (x <= 0 || x > CLAE_SPEC_MAX_COUNT || (i + 1 < n ? *end != 'x' : *end != '\0'))
            return clae__spec_key_fail(p, "expected %s with positive sizes, got \"%s\"",
                            n == 3 ? "CxHxW" : "HxW", v);
        out[i] = (int)x;
        c = end + 1;
    }
    return 0;
}

int clae__spec_get_padding(parser *p, const char *v, int *out)
{
    long x;
    if (clae__spec_same_word(v, "same")) *out = CLAE_PADDING_SAME;
    else if (clae__spec_same_word(v, "valid")) *out = 0;
    else if (clae__spec_parse_long(v, &x) == 0 && x >= 0 && x <= 1024) *out = (int)x;
    else return clae__spec_key_fail(p, "expected same, valid or a number of zeros 0 to 1024, got \"%s\"", v);
    return 0;
}

int clae__spec_get_small_count(parser *p, const char *v, int *out, int lo)
{
    long x;
    if (clae__spec_parse_long(v, &x) || x < lo || x > 1024)
        return clae__spec_key_fail(p, "expected an integer from %d to 1024, got \"%s\"", lo, v);
    *out = (int)x;
    return 0;
}

