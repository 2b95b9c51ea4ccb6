/* Building a model from its spec: the layer stack with each layer's shape
 * inferred from the one before (a dense layer flattens; [reshape] only changes
 * the shape the next layer sees), the mirrored or explicit decoder, and the
 * parameter and statistics arenas, filled with the tensors the layers ask for.
 *
 * decoder = mirror walks the encoder backwards: each encoder section becomes a
 * layer from its output shape back to its input shape (conv -> transposed conv
 * with the same kernel, stride and padding; maxpool -> upsample; deconv ->
 * conv; upsample -> maxpool; batchnorm and dense stay; dropout is not
 * mirrored), activated as the layer that produced that input was, and the
 * last one with [model] output. The code's own mirror is a dense layer back to
 * the encoder's last shape. */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "layers/conv_geom.h"
#include "model/build.h"

struct clae_builder {
    clae_model *m;
    const clae_spec *spec;
    int ordinal;      /* layers that own parameters so far: their draws' streams */
    int has_ordinal;  /* the layer being built has taken its ordinal */
    int slot;         /* its tensors so far */
    int tie_to;       /* the layer whose weight it uses transposed, or -1 */
};

clae_device *clae__builder_device(const clae_builder *b) { return b->m->dev; }
size_t clae__builder_batch(const clae_builder *b) { return b->m->batch_max; }
const clae_spec *clae__builder_spec(const clae_builder *b) { return b->spec; }

/* The tensor's draws use stream 2·(the layer's ordinal) + its slot, so that a
 * dense stack draws as it always has. */
static clae_tensor_info *new_tensor(clae_builder *b, clae_layer *l, const char *suffix)
{
    clae_model *m = b->m;
    if (!b->has_ordinal) {
        b->has_ordinal = 1;
        b->ordinal++;
    }
    uint32_t stream = (uint32_t)(2 * (b->ordinal - 1) + b->slot++);
    if (m->n_tensors >= CLAE_MODEL_MAX_TENSORS) return NULL;
    clae_tensor_info *t = &m->tensors[m->n_tensors++];
    memset(t, 0, sizeof *t);
    snprintf(t->name, sizeof t->name, "%s.%s", l->name, suffix);
    t->stream = stream;
    return t;
}

size_t clae__builder_param(clae_builder *b, clae_layer *l, const char *suffix, int ndim,
                           const size_t *shape, size_t fan_in, clae_init init)
{
    clae_tensor_info *t = new_tensor(b, l, suffix);
    size_t off = b->m->n_params, count = 1;
    for (int d = 0; d < ndim; d++) count *= shape[d];
    if (t) {
        t->offset = off;
        t->count = count;
        t->ndim = ndim;
        memcpy(t->shape, shape, (size_t)ndim * sizeof *shape);
        t->fan_in = fan_in;
        t->init = init;
    }
    b->m->n_params += count;
    return off;
}

size_t clae__builder_stat(clae_builder *b, clae_layer *l, const char *suffix, size_t n, float value)
{
    clae_tensor_info *t = new_tensor(b, l, suffix);
    size_t off = b->m->n_stats;
    if (t) {
        t->offset = off;
        t->count = n;
        t->ndim = 1;
        t->shape[0] = n;
        t->value = value;
        t->stats = 1;
    }
    b->m->n_stats += n;
    return off;
}

size_t clae__builder_tied_weight(clae_builder *b, clae_layer *l)
{
    if (b->tie_to < 0) return SIZE_MAX;
    clae_layer *mirror = b->m->layers[b->tie_to];
    if (!b->has_ordinal) {
        b->has_ordinal = 1;
        b->ordinal++;
    }
    b->slot++;               /* the weight's slot: the bias draws as an untied layer's */
    mirror->accumulate_w = 1; /* backward visits the decoder first: the encoder's gradient adds */
    return mirror->w_off;
}

clae_status clae__builder_fail(clae_builder *b, const clae_layer *l, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    const char *kind = l->spec.kind == CLAE_LAYER_DENSE && !l->spec.line ? "code"
                                                                         : l->vt->kind;
    if (l->spec.line > 0)
        return clae__fail(b->m->dev->ctx, CLAE_ESPEC, "%s:%d: [%s] %s", b->spec->path,
                          l->spec.line, kind, msg);
    return clae__fail(b->m->dev->ctx, CLAE_ESPEC, "%s: %s (%s): %s", b->spec->path, l->name, kind,
                      msg);
}

static const clae_layer_vt *vt_of(clae_layer_kind kind)
{
    switch (kind) {
    case CLAE_LAYER_DENSE: return &clae_dense_vt;
    case CLAE_LAYER_CONV: return &clae_conv_vt;
    case CLAE_LAYER_DECONV: return &clae_deconv_vt;
    case CLAE_LAYER_MAXPOOL: return &clae_maxpool_vt;
    case CLAE_LAYER_UPSAMPLE: return &clae_upsample_vt;
    case CLAE_LAYER_BATCHNORM: return &clae_batchnorm_vt;
    case CLAE_LAYER_DROPOUT: return &clae_dropout_vt;
    default: return NULL;
    }
}

static int has_activation(clae_layer_kind kind)
{
    return kind == CLAE_LAYER_DENSE || kind == CLAE_LAYER_CONV || kind == CLAE_LAYER_DECONV ||
           kind == CLAE_LAYER_BATCHNORM;
}

/* Adds a layer of vt on the shape *cur, named "part.index" (or part alone for
 * index < 0); out, when its c is set, is the shape a dense layer gives its output. */
static clae_status add_layer(clae_builder *b, const clae_layer_vt *vt, const clae_layer_spec *ls,
                             const char *part, int index, clae_shape out, clae_shape *cur)
{
    clae_model *m = b->m;
    if (m->n_layers >= CLAE_MODEL_MAX_LAYERS)
        return clae__fail(m->dev->ctx, CLAE_ESPEC, "%s: too many layers", b->spec->path);
    clae_layer *l = calloc(1, sizeof *l);
    if (!l) return clae__fail(m->dev->ctx, CLAE_ENOMEM, "out of memory building the model");
    m->param_start[m->n_layers] = m->n_params;
    m->layers[m->n_layers++] = l;
    l->vt = vt;
    l->spec = *ls;
    l->activation = ls->activation;
    l->in = *cur;
    l->out = out;
    if (index >= 0) snprintf(l->name, sizeof l->name, "%s.%d", part, index);
    else snprintf(l->name, sizeof l->name, "%s", part);
    b->has_ordinal = 0;
    b->slot = 0;
    clae_status s = vt->build(l, b);
    b->tie_to = -1;
    if (s == CLAE_OK && m->n_tensors >= CLAE_MODEL_MAX_TENSORS)
        s = clae__fail(m->dev->ctx, CLAE_ESPEC, "%s: too many parameter tensors", b->spec->path);
    if (s == CLAE_OK && (l->out.c < 1 || l->out.h < 1 || l->out.w < 1 ||
                         clae_shape_size(l->out) > (size_t)CLAE_SPEC_MAX_COUNT))
        s = clae__builder_fail(b, l, "output shape %dx%dx%d is out of range", l->out.c, l->out.h,
                               l->out.w);
    *cur = l->out;
    return s;
}

static clae_status reshape(clae_builder *b, const clae_layer_spec *ls, clae_shape to,
                           clae_shape *cur)
{
    if (clae_shape_size(to) != clae_shape_size(*cur))
        return clae__fail(b->m->dev->ctx, CLAE_ESPEC,
                          "%s:%d: [reshape] shape: %dx%dx%d has %zu values but its input "
                          "%dx%dx%d has %zu", b->spec->path, ls->line, to.c, to.h, to.w,
                          clae_shape_size(to), cur->c, cur->h, cur->w, clae_shape_size(*cur));
    *cur = to;
    return CLAE_OK;
}

/* A spec section: a layer, or (reshape) a new shape for the next one. */
static clae_status add_section(clae_builder *b, const clae_layer_spec *ls, const char *part,
                               int index, clae_shape *cur)
{
    if (ls->kind == CLAE_LAYER_RESHAPE)
        return reshape(b, ls, (clae_shape){ls->shape[0], ls->shape[1], ls->shape[2]}, cur);
    const clae_layer_vt *vt = vt_of(ls->kind);
    if (!vt) return clae__fail(b->m->dev->ctx, CLAE_EINTERNAL, "layer kind %d", (int)ls->kind);
    return add_layer(b, vt, ls, part, index, (clae_shape){0, 0, 0}, cur);
}

static int same_shape(clae_shape a, clae_shape b) { return a.c == b.c && a.h == b.h && a.w == b.w; }

static clae_status shape_mismatch(clae_builder *b, const char *what, clae_shape got,
                                  clae_shape want)
{
    return clae__fail(b->m->dev->ctx, CLAE_ESPEC,
                      "%s: %s ends at %dx%dx%d but the input is %dx%dx%d", b->spec->path, what,
                      got.c, got.h, got.w, want.c, want.h, want.w);
}

/* What the encoder pass records for the mirror. */
typedef struct {
    clae_shape in[CLAE_MAX_LAYERS], out[CLAE_MAX_LAYERS], code_in;
    clae_activation made_input[CLAE_MAX_LAYERS], made_code_input;
    int layer[CLAE_MAX_LAYERS]; /* its index in the model, or -1 (reshape) */
} encoder_trace;

/* The mirror of encoder section i: from its output shape back to its input. */
static clae_status mirror_section(clae_builder *b, const encoder_trace *tr, int i, int index,
                                  clae_shape *cur)
{
    const clae_layer_spec *e = &b->spec->encoder[i];
    clae_shape want = tr->in[i], got = tr->out[i];
    clae_layer_spec ls = *e;
    ls.activation = tr->made_input[i];
    ls.line = e->line;
    int k = e->size, s = e->stride;
    int pad = e->padding == CLAE_PADDING_SAME ? (k - 1) / 2 : e->padding;
    switch (e->kind) {
    case CLAE_LAYER_RESHAPE: *cur = want; return CLAE_OK;
    case CLAE_LAYER_DROPOUT: return CLAE_OK;
    case CLAE_LAYER_DENSE:
        ls.units = (int)clae_shape_size(want);
        if (b->spec->model.tied) b->tie_to = tr->layer[i];
        return add_layer(b, &clae_dense_vt, &ls, "decoder", index, want, cur);
    case CLAE_LAYER_CONV: {
        int op = want.h - clae__deconv_out(got.h, k, s, pad, 0);
        int op_w = want.w - clae__deconv_out(got.w, k, s, pad, 0);
        if (op != op_w || op < 0 || op >= s)
            return clae__fail(b->m->dev->ctx, CLAE_ESPEC,
                              "%s:%d: [conv]: no transposed convolution maps its %dx%d output "
                              "back to %dx%d; use decoder = explicit", b->spec->path, e->line,
                              got.h, got.w, want.h, want.w);
        ls.kind = CLAE_LAYER_DECONV;
        ls.units = want.c;
        ls.padding = pad;
        ls.output_padding = op;
        return add_layer(b, &clae_deconv_vt, &ls, "decoder", index, (clae_shape){0, 0, 0}, cur);
    }
    case CLAE_LAYER_DECONV:
        ls.kind = CLAE_LAYER_CONV;
        ls.units = want.c;
        ls.padding = pad;
        break;
    case CLAE_LAYER_MAXPOOL:
        ls.kind = CLAE_LAYER_UPSAMPLE;
        ls.factor = s ? s : k;
        break;
    case CLAE_LAYER_UPSAMPLE:
        ls.kind = CLAE_LAYER_MAXPOOL;
        ls.size = ls.stride = e->factor;
        break;
    default: break; /* batchnorm stays */
    }
    clae_status st = add_section(b, &ls, "decoder", index, cur);
    if (st == CLAE_OK && !same_shape(*cur, want))
        return clae__fail(b->m->dev->ctx, CLAE_ESPEC,
                          "%s:%d: [%s]: its mirror maps %dx%dx%d to %dx%dx%d, not back to "
                          "%dx%dx%d; use decoder = explicit", b->spec->path, e->line,
                          clae_layer_kind_name(e->kind), got.c, got.h, got.w, cur->c, cur->h,
                          cur->w, want.c, want.h, want.w);
    return st;
}

static clae_status build_encoder(clae_builder *b, encoder_trace *tr, clae_shape *cur)
{
    const clae_spec *spec = b->spec;
    clae_activation made = spec->model.output; /* the input is what the output reproduces */
    clae_status s = CLAE_OK;
    if (spec->noise.gaussian > 0 || spec->noise.mask > 0) {
        clae_layer_spec ls = clae_layer_spec_default(CLAE_LAYER_DROPOUT, 0);
        s = add_layer(b, &clae_noise_vt, &ls, "noise", -1, (clae_shape){0, 0, 0}, cur);
    }
    for (int i = 0; i < spec->n_encoder && s == CLAE_OK; i++) {
        const clae_layer_spec *ls = &spec->encoder[i];
        tr->in[i] = *cur;
        tr->made_input[i] = made;
        s = add_section(b, ls, "encoder", i, cur);
        tr->out[i] = *cur;
        tr->layer[i] = ls->kind == CLAE_LAYER_RESHAPE ? -1 : b->m->n_layers - 1;
        if (has_activation(ls->kind)) made = ls->activation;
    }
    tr->code_in = *cur;
    tr->made_code_input = made;
    return s;
}

/* [code], then the VAE's sampler or winner-take-all's selection. */
static clae_status build_code(clae_builder *b, clae_shape *cur)
{
    const clae_spec *spec = b->spec;
    clae_model *m = b->m;
    clae_layer_spec ls = clae_layer_spec_default(CLAE_LAYER_DENSE, 0);
    ls.units = spec->model.code * (spec->model.variational ? 2 : 1);
    ls.activation = spec->code_activation;
    clae_status s = add_layer(b, &clae_dense_vt, &ls, "encoder", spec->n_encoder,
                              (clae_shape){0, 0, 0}, cur);
    m->code_layer = m->n_layers - 1;
    if (s == CLAE_OK && spec->model.variational)
        s = add_layer(b, &clae_sampler_vt, &ls, "sampler", -1, (clae_shape){0, 0, 0}, cur);
    if (s == CLAE_OK && spec->loss.winner_take_all > 0)
        s = add_layer(b, &clae_wta_vt, &ls, "wta", -1, (clae_shape){0, 0, 0}, cur);
    m->code_point = m->n_layers - 1;
    m->code = (int)clae_shape_size(*cur);
    m->first_decoder = m->n_layers;
    return s;
}

static clae_status build_mirror(clae_builder *b, const encoder_trace *tr, clae_shape *cur)
{
    const clae_spec *spec = b->spec;
    clae_layer_spec ls = clae_layer_spec_default(CLAE_LAYER_DENSE, 0);
    ls.units = (int)clae_shape_size(tr->code_in);
    ls.activation = tr->made_code_input;
    if (spec->model.tied) b->tie_to = b->m->code_layer;
    clae_status s = add_layer(b, &clae_dense_vt, &ls, "decoder", 0, tr->code_in, cur);
    int index = 1;
    for (int i = spec->n_encoder - 1; i >= 0 && s == CLAE_OK; i--) {
        int before = b->m->n_layers;
        s = mirror_section(b, tr, i, index, cur);
        index += b->m->n_layers > before;
    }
    if (s == CLAE_OK && !same_shape(*cur, b->m->input))
        return shape_mismatch(b, "the mirrored decoder", *cur, b->m->input);
    clae_layer *last = b->m->layers[b->m->n_layers - 1];
    if (s == CLAE_OK && !has_activation(last->spec.kind))
        return clae__fail(b->m->dev->ctx, CLAE_ESPEC,
                          "%s: the mirrored decoder would end with [%s], which has no activation "
                          "for [model] output; begin the encoder with a dense or conv layer",
                          spec->path, last->vt->kind);
    return s;
}

/* The sections after [code] as written; a final dense layer to the input's
 * size when they end on a dense layer (or there are none). */
static clae_status build_explicit(clae_builder *b, clae_shape *cur)
{
    const clae_spec *spec = b->spec;
    clae_model *m = b->m;
    clae_status s = CLAE_OK;
    int index = 0;
    for (int j = 0; j < spec->n_decoder && s == CLAE_OK; j++, index++)
        s = add_section(b, &spec->decoder[j], "decoder", j, cur);
    if (s != CLAE_OK) return s;
    clae_layer *last = m->layers[m->n_layers - 1];
    if (m->n_layers == m->first_decoder || last->spec.kind == CLAE_LAYER_DENSE) {
        clae_layer_spec ls = clae_layer_spec_default(CLAE_LAYER_DENSE, 0);
        ls.units = m->input_dim;
        s = add_layer(b, &clae_dense_vt, &ls, "decoder", index, m->input, cur);
        last = m->layers[m->n_layers - 1];
    }
    if (s == CLAE_OK && !same_shape(*cur, m->input))
        return shape_mismatch(b, "the decoder", *cur, m->input);
    if (s == CLAE_OK && !has_activation(last->spec.kind))
        return clae__fail(m->dev->ctx, CLAE_ESPEC,
                          "%s:%d: [%s]: the decoder's last section needs an activation for "
                          "[model] output (end with a conv, deconv or dense section)", spec->path,
                          last->spec.line, last->vt->kind);
    return s;
}

clae_status clae__model_build(clae_model *m, const clae_spec *spec)
{
    clae_builder b = {m, spec, 0, 0, 0, -1};
    encoder_trace tr;
    memset(&tr, 0, sizeof tr);
    clae_shape cur = m->input;
    clae_status s = build_encoder(&b, &tr, &cur);
    if (s == CLAE_OK) s = build_code(&b, &cur);
    if (s == CLAE_OK)
        s = spec->model.decoder_explicit ? build_explicit(&b, &cur) : build_mirror(&b, &tr, &cur);
    if (s != CLAE_OK) return s;
    /* the reconstruction's activation; BCE takes logits and applies the sigmoid itself */
    clae_layer *last = m->layers[m->n_layers - 1];
    last->activation = spec->loss.reconstruction == CLAE_RECON_BCE ? CLAE_ACT_LINEAR
                                                                    : spec->model.output;
    return CLAE_OK;
}
