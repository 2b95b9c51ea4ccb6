/* Tiny assertion macros for the CTest executables.
 *
 * CHECK(cond) records a failure and goes on; REQUIRE(cond) returns from the
 * test function. A test file's main ends with `return check_finish();`, which
 * prints "N passed, N failed" and returns 0 or 1. Exit 77 means skipped. */
#ifndef CLAE_TESTS_CHECK_H
#define CLAE_TESTS_CHECK_H

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int check__passed, check__failed;

#define CHECK(cond)                                                                    \
    do {                                                                               \
        if (cond) {                                                                    \
            check__passed++;                                                           \
        } else {                                                                       \
            check__failed++;                                                           \
            fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond);   \
        }                                                                              \
    } while (0)

#define REQUIRE(cond)                                                                  \
    do {                                                                               \
        if (!(cond)) {                                                                 \
            check__failed++;                                                           \
            fprintf(stderr, "%s:%d: REQUIRE failed: %s\n", __FILE__, __LINE__, #cond); \
            return;                                                                    \
        }                                                                              \
        check__passed++;                                                               \
    } while (0)

#define CHECK_STR(got, want)                                                           \
    do {                                                                               \
        const char *check__g = (got), *check__w = (want);                              \
        if (check__g && check__w && strcmp(check__g, check__w) == 0) {                 \
            check__passed++;                                                           \
        } else {                                                                       \
            check__failed++;                                                           \
            fprintf(stderr, "%s:%d: CHECK_STR failed:\n  got:  %s\n  want: %s\n",      \
                    __FILE__, __LINE__, check__g ? check__g : "(null)",                \
                    check__w ? check__w : "(null)");                                   \
        }                                                                              \
    } while (0)

#define CHECK_NEAR(got, want, tol)                                                     \
    do {                                                                               \
        double check__g = (got), check__w = (want), check__t = (tol);                  \
        if (fabs(check__g - check__w) <= check__t) {                                   \
            check__passed++;                                                           \
        } else {                                                                       \
            check__failed++;                                                           \
            fprintf(stderr, "%s:%d: CHECK_NEAR failed: %s = %.9g, want %.9g +- %.3g\n",\
                    __FILE__, __LINE__, #got, check__g, check__w, check__t);           \
        }                                                                              \
    } while (0)

/* A test's temporary directory, /tmp/clae-test-NAME-XXXXXX, made into dir
 * (cap bytes); 0 (with the reason on stderr) when it cannot be made. */
static inline int check_make_tree(char *dir, size_t cap, const char *name)
{
    snprintf(dir, cap, "/tmp/clae-test-%s-XXXXXX", name);
    if (mkdtemp(dir)) return 1;
    perror("mkdtemp");
    return 0;
}

/* Removes a test's temporary directory tree (a mkdtemp path: no quoting needed). */
static inline void check_remove_tree(const char *dir)
{
    char cmd[1100];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    if (system(cmd) != 0) fprintf(stderr, "could not remove %s\n", dir);
}

static inline int check_finish(void)
{
    printf("%d passed, %d failed\n", check__passed, check__failed);
    return check__failed ? 1 : 0;
}

/* A run's named metric (NaN when it has none). */
#define METRIC(result, name) clae_result_get(&(result), #name)

#endif
