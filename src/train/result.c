/* The run's metrics as a list of names and values. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "clae/train.h"

static const clae_metric *find(const clae_train_result *r, const char *name)
{
    for (int i = 0; i < r->n_metrics; i++)
        if (strcmp(r->metrics[i].name, name) == 0) return &r->metrics[i];
    return NULL;
}

double clae_result_get(const clae_train_result *r, const char *name)
{
    const clae_metric *m = find(r, name);
    return m ? m->value : NAN;
}

int clae_result_has(const clae_train_result *r, const char *name) { return find(r, name) != NULL; }

void clae_result_set(clae_train_result *r, const char *name, double value)
{
    clae_metric *m = (clae_metric *)find(r, name);
    if (!m && r->n_metrics < CLAE_MAX_METRICS) {
        m = &r->metrics[r->n_metrics++];
        snprintf(m->name, sizeof m->name, "%s", name);
    }
    if (m) m->value = value;
}
