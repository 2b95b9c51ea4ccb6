/* A term of the objective, attached to a point of the stack (the output of
 * one layer: the code for every term here). value writes the weighted term to
 * out[out_off] and, when grad is not NULL, adds its gradient with respect to
 * the point's output into grad (batch x the point's width); the model adds
 * that gradient when the backward pass reaches the point. A term may also
 * measure an unweighted metric for summaries (the KL in nats, the code's
 * Jacobian norm), and act after the point layer's backward (the contractive
 * penalty's part through the weights). */
#ifndef CLAE_TERM_H
#define CLAE_TERM_H

#include "model/model.h"

typedef struct {
    const char *name;   /* in loss.csv, summary.json and the progress line */
    const char *metric; /* the measure's name in summary.json, or NULL */
    clae_status (*value)(clae_term *t, clae_model *m, const clae_exec *e, clae_buf *grad,
                         clae_buf *out, size_t out_off);
    /* the metric, mean per sample of the last forward, to out[out_off]; may be NULL */
    clae_status (*measure)(clae_term *t, clae_model *m, const clae_exec *e, clae_buf *out,
                           size_t out_off);
    clae_status (*after_backward)(clae_term *t, clae_model *m, const clae_exec *e); /* may be NULL */
} clae_term_vt;

struct clae_term {
    const clae_term_vt *vt;
    int point;       /* the layer whose output the term reads */
    float weight;    /* 0: a monitor, outside the objective */
    float target;    /* sparsity: rho */
    int l1;          /* sparsity: 1 = L1, 0 = KL */
    clae_buf scratch, scratch2; /* partial sums, per-unit values */
};

extern const clae_term_vt clae_sparsity_term, clae_contractive_term, clae_kl_term;

/* A term of a kind at a point, with its scratch for batches up to batch_max. */
clae_status clae__term_create(clae_model *m, const clae_term_vt *vt, int point, float weight,
                              clae_term **out);
void clae__term_destroy(clae_term *t);

#endif
