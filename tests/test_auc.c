/* The anomaly score's AUC (clae__auc, behind `clae score --anomaly`) against
 * values worked out by hand as the share of (anomaly, normal) pairs the
 * score orders right, a tie counting half; and its refusals: one kind of
 * sample only, a score that is not finite (NaN once hung the tie grouping),
 * and clae__anomaly_rows' checks of the labels before any scoring. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "use/commands.h"

static clae_ctx *ctx;

/* The AUC, or -1 with the message kept when clae__auc refuses. */
static double auc_of(const double *score, const unsigned char *positive, size_t n,
                     clae_status *status)
{
    double auc = -1.0;
    *status = clae__auc(ctx, score, positive, n, &auc);
    return *status == CLAE_OK ? auc : -1.0;
}

static void hand_computed(void)
{
    clae_status s;
    const double sep[] = {0.1, 0.2, 0.8, 0.9};
    const unsigned char high[] = {0, 0, 1, 1}, low[] = {1, 1, 0, 0};
    CHECK_NEAR(auc_of(sep, high, 4, &s), 1.0, 1e-12); /* every anomaly above every normal */
    CHECK_NEAR(auc_of(sep, low, 4, &s), 0.0, 1e-12);  /* every anomaly below */

    /* anomalies 0.5 and 0.9 against normals 0.1 and 0.5: pairs 1 + 0.5 (tie) + 1 + 1 of 4 */
    const double tied[] = {0.1, 0.5, 0.5, 0.9};
    const unsigned char tied_pos[] = {0, 1, 0, 1};
    CHECK_NEAR(auc_of(tied, tied_pos, 4, &s), 3.5 / 4.0, 1e-12);

    /* all scores equal: every pair a tie */
    const double flat[] = {2.0, 2.0, 2.0, 2.0, 2.0};
    const unsigned char flat_pos[] = {1, 0, 0, 1, 0};
    CHECK_NEAR(auc_of(flat, flat_pos, 5, &s), 0.5, 1e-12);

    /* anomalies 2, 4, 5 against normals 1, 3, out of input order: 1 + 2 + 2 of 6 */
    const double mixed[] = {5.0, 1.0, 4.0, 3.0, 2.0};
    const unsigned char mixed_pos[] = {1, 0, 1, 0, 1};
    CHECK_NEAR(auc_of(mixed, mixed_pos, 5, &s), 5.0 / 6.0, 1e-12);

    /* runs of ties among both kinds: anomalies {1, 2, 2, 3}, normals {1, 1, 2}:
     * 1 -> 1 (ties with two 1s); 2 -> 2 + 0.5 each; 3 -> 3; sum 1 + 2.5 + 2.5 + 3 of 12 */
    const double runs[] = {2.0, 1.0, 3.0, 1.0, 2.0, 1.0, 2.0};
    const unsigned char runs_pos[] = {1, 1, 1, 0, 1, 0, 0};
    CHECK_NEAR(auc_of(runs, runs_pos, 7, &s), 9.0 / 12.0, 1e-12);
}

static void refusals(void)
{
    clae_status s;
    const double score[] = {0.3, 0.1, 0.2};
    const unsigned char none[] = {0, 0, 0}, all[] = {1, 1, 1}, some[] = {0, 1, 0};
    auc_of(score, none, 3, &s);
    CHECK(s == CLAE_EDATA);
    CHECK_STR(clae_ctx_message(ctx), "the AUC needs anomalies and normal samples: the 3 scored "
                                     "samples hold 0 anomalies");
    auc_of(score, all, 3, &s);
    CHECK(s == CLAE_EDATA);

    /* a diverged model's NaN (and an infinity) is refused, not ranked */
    const double nan_score[] = {0.3, NAN, 0.2};
    auc_of(nan_score, some, 3, &s);
    CHECK(s == CLAE_EDATA);
    CHECK_STR(clae_ctx_message(ctx), "score of sample 1 is not finite: is the model diverged?");
    const double inf_score[] = {0.3, 0.1, INFINITY};
    auc_of(inf_score, some, 3, &s);
    CHECK(s == CLAE_EDATA);
    CHECK_STR(clae_ctx_message(ctx), "score of sample 2 is not finite: is the model diverged?");
}

static void anomaly_rows(void)
{
    unsigned char nine[CLAE_MAX_CLASSES] = {0};
    nine[9] = 1;
    int labels[] = {9, 1, 9, 3};
    clae_dataset d;
    memset(&d, 0, sizeof d);
    strcpy(d.name, "digits");
    d.count = 4;
    unsigned char *positive = NULL;
    size_t n = 0;

    CHECK(clae__anomaly_rows(ctx, &d, nine, &positive, &n) == CLAE_EUSAGE);
    CHECK_STR(clae_ctx_message(ctx), "--anomaly needs labels, and digits has none (give "
                                     "--labels FILE)");
    CHECK(positive == NULL);

    d.labels = labels;
    CHECK(clae__anomaly_rows(ctx, &d, nine, &positive, &n) == CLAE_OK);
    CHECK(n == 2);
    CHECK(positive && positive[0] && !positive[1] && positive[2] && !positive[3]);
    free(positive);

    unsigned char seven[CLAE_MAX_CLASSES] = {0};
    seven[7] = 1;
    CHECK(clae__anomaly_rows(ctx, &d, seven, &positive, &n) == CLAE_EDATA);
    CHECK_STR(clae_ctx_message(ctx), "--anomaly: none of the 4 samples of digits has those "
                                     "labels: the AUC needs anomalies and normal samples");
    CHECK(positive == NULL);

    unsigned char every[CLAE_MAX_CLASSES];
    memset(every, 1, sizeof every);
    CHECK(clae__anomaly_rows(ctx, &d, every, &positive, &n) == CLAE_EDATA);
    CHECK_STR(clae_ctx_message(ctx), "--anomaly: all of the 4 samples of digits have those "
                                     "labels: the AUC needs anomalies and normal samples");
    CHECK(positive == NULL);
}

int main(void)
{
    ctx = clae_ctx_create();
    if (!ctx) return 1;
    hand_computed();
    refusals();
    anomaly_rows();
    clae_ctx_destroy(ctx);
    return check_finish();
}
