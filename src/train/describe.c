/* One-line descriptions of what a run trains and on what, for the start of
 * training: the layers as built (kinds, output shapes, activations) and the
 * data's splits and shape. The library never prints; the CLI shows them. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "train/train_run.h"

typedef struct {
    char *out;
    size_t size, len;
} writer;

static void put(writer *w, const char *fmt, ...) CLAE__PRINTF(2, 3);
static void put(writer *w, const char *fmt, ...)
{
    if (w->len >= w->size) return;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(w->out + w->len, w->size - w->len, fmt, ap);
    va_end(ap);
    if (n > 0) w->len += (size_t)n;
    if (w->len >= w->size) w->len = w->size; /* truncated: stays so */
}

/* "256" for a vector, "32×7×7" for a map. */
static void put_shape(writer *w, clae_shape s)
{
    if (s.h == 1 && s.w == 1) put(w, "%d", s.c);
    else put(w, "%d\u00d7%d\u00d7%d", s.c, s.h, s.w);
}

static int same_shape(clae_shape a, clae_shape b) { return a.c == b.c && a.h == b.h && a.w == b.w; }

/* 1234567 -> "1,234,567" */
static void put_count(writer *w, size_t n)
{
    char digits[32];
    int len = snprintf(digits, sizeof digits, "%zu", n);
    for (int i = 0; i < len; i++) {
        put(w, "%c", digits[i]);
        if ((len - 1 - i) % 3 == 0 && i + 1 < len) put(w, ",");
    }
}

void clae__describe_model(const clae_model *m, char *out, size_t size)
{
    writer w = {out, size, 0};
    out[0] = '\0';
    /* a first dense layer sees the input flattened; show it so */
    int first = m->n_layers > 1 && m->layers[0]->vt == &clae_noise_vt;
    int flat = m->n_layers > first && m->layers[first]->vt == &clae_dense_vt;
    clae_shape input = m->input;
    put_shape(&w, flat ? clae_shape_flat(clae_shape_size(input)) : input);
    clae_shape prev = input;
    for (int i = 0; i < m->n_layers; i++) {
        const clae_layer *l = m->layers[i];
        const char *kind = l->vt->kind;
        int last = i == m->n_layers - 1;
        if (!same_shape(l->in, prev) && l->vt != &clae_dense_vt) { /* a [reshape] */
            put(&w, " \u2192 reshape ");
            put_shape(&w, l->in);
        }
        prev = l->out;
        put(&w, " \u2192 ");
        if (l->vt == &clae_noise_vt) {
            put(&w, "noise");
            continue;
        }
        if (last) {
            put_shape(&w, flat && l->vt == &clae_dense_vt ? clae_shape_flat(clae_shape_size(l->out))
                                                          : l->out);
            put(&w, " %s", clae_activation_name(m->output_activation));
            continue;
        }
        if (i == m->code_layer) {
            int heads = clae__model_find(m, &clae_sampler_vt, 0) >= 0;
            put(&w, heads ? "code 2\u00d7%zu %s (mean, log-variance)" : "code %zu %s",
                clae_shape_size(l->out) / (heads ? 2 : 1), clae_activation_name(l->activation));
            continue;
        }
        if (l->vt == &clae_sampler_vt) {
            put(&w, "sample %zu", clae_shape_size(l->out));
            continue;
        }
        if (l->vt == &clae_wta_vt) {
            put(&w, "winner-take-all");
            continue;
        }
        put(&w, "%s ", kind);
        if (l->vt == &clae_dropout_vt) put(&w, "%g", l->spec.rate);
        else put_shape(&w, l->out);
        if (l->vt == &clae_dense_vt || l->vt == &clae_conv_vt || l->vt == &clae_deconv_vt ||
            (l->vt == &clae_batchnorm_vt && l->activation != CLAE_ACT_LINEAR))
            put(&w, " %s", clae_activation_name(l->activation));
    }
    put(&w, ", ");
    put_count(&w, m->n_params);
    put(&w, " parameters");
}

void clae__describe_data(const clae_run *r, char *out, size_t size)
{
    writer w = {out, size, 0};
    out[0] = '\0';
    put(&w, "%s, %zu train / ", r->train.name, r->train.count);
    if (r->test.count) put(&w, "%zu test", r->test.count);
    else put(&w, "no test split (test metrics on train)");
    put(&w, ", ");
    put_shape(&w, (clae_shape){r->train.channels, r->train.height, r->train.width});
}
