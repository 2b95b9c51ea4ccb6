/* The spec file: INI text -> clae_spec, every error one line
 * "file:line: [section] key: what is wrong".
 *
 * libinih tokenises, but its handler sees neither line numbers nor section
 * headers (so it cannot tell an empty or repeated section). We therefore feed
 * it through our own line reader (read_line): it counts lines, spots section
 * headers with inih's own rules, and ends the parse at our first error. It
 * also lifts inih's line length (200 in Debian's build): a longer key = value
 * line reaches inih as "key = \x01" and its value is kept aside (long_value).
 *
 * Decisions worth knowing:
 * - [code] is optional (the code activation defaults to sigmoid), but
 *   decoder = explicit needs it: it is what splits encoder from decoder.
 * - decoder[] holds only the hidden layers of an explicit decoder; the
 *   reconstruction layer (input size, [model] output activation) is implicit,
 *   and a mirror decoder leaves decoder[] empty.
 * - Keys of features this version lacks are accepted only at their "off"
 *   value, so no setting is ever silently ignored. */
#include "clae/spec.h"
#include "model/spec_values.h"

#include <ctype.h>
#include <errno.h>
#include <float.h>
#include <ini.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define MAX_SPEC_BYTES (1 << 20)  /* a spec is a few hundred bytes */
#define MAX_KEYS 24 /* keys of the largest section; asserted below */
#define SPEC_MAX_LINE 4096 /* a path of CLAE_PATH_MAX and a comment fit */

/* ---- names ---------------------------------------------------------- */

int clae__spec_same_word(const char *a, const char *b) /* ASCII, case-insensitive */
{
    for (; *a && *b; a++, b++)
        if (tolower((unsigned char)*a) != tolower((unsigned char)*b)) return 0;
    return *a == *b;
}

static const char *const act_names[] = {
#define CLAE__ACT_NAME(e, name) name,
    CLAE_ACTIVATION_TABLE(CLAE__ACT_NAME)
#undef CLAE__ACT_NAME
};

const char *clae_activation_name(clae_activation a)
{
    return (unsigned)a < CLAE_ACT_COUNT ? act_names[a] : "unknown";
}

int clae_activation_parse(const char *name, clae_activation *out)
{
    for (int i = 0; name && i < CLAE_ACT_COUNT; i++)
        if (clae__spec_same_word(name, act_names[i])) {
            *out = (clae_activation)i;
            return 0;
        }
    return -1;
}

/* ---- sections and keys ---------------------------------------------- */

enum { SEC_DATA, SEC_MODEL, SEC_DENSE, SEC_CONV, SEC_DECONV, SEC_MAXPOOL, SEC_UPSAMPLE,
       SEC_BATCHNORM, SEC_DROPOUT, SEC_RESHAPE, SEC_CODE, SEC_NOISE, SEC_LOSS, SEC_TRAIN,
       SEC_OUTPUT, SEC_COUNT };
/* The layer sections, in the order of clae_layer_kind; they may repeat. */
#define IS_LAYER_SECTION(k) ((k) >= SEC_DENSE && (k) <= SEC_RESHAPE)

static const char *const data_keys[] = {"train",   "labels", "test", "test_labels",
                                        "holdout", "limit",  "resize", "pad", "classes",
                                        "label_column", "max_memory", "stream",
                                        "device_memory", NULL};
enum { D_TRAIN, D_LABELS, D_TEST, D_TEST_LABELS, D_HOLDOUT, D_LIMIT, D_RESIZE, D_PAD, D_CLASSES,
       D_LABEL_COLUMN, D_MAX_MEMORY,
       D_STREAM, D_DEVICE_MEMORY };
static const char *const model_keys[] = {"code", "tied", "decoder", "output", "variational", NULL};
enum { M_CODE, M_TIED, M_DECODER, M_OUTPUT, M_VARIATIONAL };
/* Every layer key, and which sections take it. */
static const char *const dense_keys[] = {"units", "activation", NULL};
static const char *const conv_keys[] = {"filters", "size", "stride", "padding", "bias",
                                        "activation", NULL};
static const char *const deconv_keys[] = {"filters", "size", "stride", "padding",
                                          "output_padding", "bias", "activation", NULL};
static const char *const maxpool_keys[] = {"size", "stride", NULL};
static const char *const upsample_keys[] = {"factor", NULL};
static const char *const batchnorm_keys[] = {"momentum", "epsilon", "activation", NULL};
static const char *const dropout_keys[] = {"rate", NULL};
static const char *const reshape_keys[] = {"shape", NULL};
static const char *const code_keys[] = {"activation", NULL};
static const char *const noise_keys[] = {"gaussian", "mask", NULL};
enum { N_GAUSSIAN, N_MASK };
static const char *const loss_keys[] = {"reconstruction", "sparsity", "sparsity_weight",
                                        "sparsity_target", "contractive", "kl_weight",
                                        "winner_take_all", NULL};
enum { LO_RECON, LO_SPARSITY, LO_SPARSITY_WEIGHT, LO_SPARSITY_TARGET, LO_CONTRACTIVE,
       LO_KL_WEIGHT, LO_WTA };
static const char *const train_keys[] = {"epochs", "batch", "optimizer", "learning_rate",
                                         "momentum", "beta1", "beta2", "rho", "epsilon",
                                         "seed", "pretrain", "pretrain_epochs", "patience",
                                         "schedule", "schedule_step", "schedule_gamma",
                                         "accumulate", "bucket_mb", NULL};
enum { T_EPOCHS, T_BATCH, T_OPTIMIZER, T_LR, T_MOMENTUM, T_BETA1, T_BETA2, T_RHO, T_EPSILON,
       T_SEED, T_PRETRAIN, T_PRETRAIN_EPOCHS, T_PATIENCE, T_SCHEDULE, T_SCHEDULE_STEP,
       T_SCHEDULE_GAMMA, T_ACCUMULATE, T_BUCKET_MB };
_Static_assert(sizeof train_keys / sizeof *train_keys - 1 <= MAX_KEYS, "raise MAX_KEYS");
_Static_assert(sizeof data_keys / sizeof *data_keys - 1 <= MAX_KEYS, "raise MAX_KEYS");
static const char *const output_keys[] = {"dir", "samples", NULL};
enum { O_DIR, O_SAMPLES };

typedef int (*setter)(parser *p, int key, const char *value);
static int set_data(parser *, int, const char *), set_model(parser *, int, const char *),
    set_layer(parser *, int, const char *), set_code(parser *, int, const char *),
    set_noise(parser *, int, const char *), set_loss(parser *, int, const char *),
    set_train(parser *, int, const char *),
    set_output(parser *, int, const char *);

static const struct {
    const char *name;
    const char *const *keys;
    setter set;
} sections[SEC_COUNT] = {
    [SEC_DATA] = {"data", data_keys, set_data},       [SEC_MODEL] = {"model", model_keys, set_model},
    [SEC_DENSE] = {"dense", dense_keys, set_layer},   [SEC_CONV] = {"conv", conv_keys, set_layer},
    [SEC_DECONV] = {"deconv", deconv_keys, set_layer},
    [SEC_MAXPOOL] = {"maxpool", maxpool_keys, set_layer},
    [SEC_UPSAMPLE] = {"upsample", upsample_keys, set_layer},
    [SEC_BATCHNORM] = {"batchnorm", batchnorm_keys, set_layer},
    [SEC_DROPOUT] = {"dropout", dropout_keys, set_layer},
    [SEC_RESHAPE] = {"reshape", reshape_keys, set_layer},
    [SEC_CODE] = {"code", code_keys, set_code},
    [SEC_NOISE] = {"noise", noise_keys, set_noise},
    [SEC_LOSS] = {"loss", loss_keys, set_loss},       [SEC_TRAIN] = {"train", train_keys, set_train},
    [SEC_OUTPUT] = {"output", output_keys, set_output},
};

const char *clae__spec_section(int i, const char *const **keys, int *is_layer)
{
    if (i < 0 || i >= SEC_COUNT) return NULL;
    if (keys) *keys = sections[i].keys;
    if (is_layer) *is_layer = IS_LAYER_SECTION(i);
    return sections[i].name;
}

const char *clae_layer_kind_name(clae_layer_kind k)
{
    return (unsigned)k < CLAE_LAYER_KIND_COUNT ? sections[SEC_DENSE + k].name : "unknown";
}

clae_layer_spec clae_layer_spec_default(clae_layer_kind kind, int line)
{
    clae_layer_spec l;
    memset(&l, 0, sizeof l);
    l.kind = kind;
    l.line = line;
    l.activation = kind == CLAE_LAYER_BATCHNORM ? CLAE_ACT_LINEAR : CLAE_ACT_RELU;
    l.size = kind == CLAE_LAYER_MAXPOOL ? 2 : 3;
    l.stride = kind == CLAE_LAYER_MAXPOOL ? 0 : 1; /* maxpool: 0 = the size */
    l.padding = kind == CLAE_LAYER_CONV ? CLAE_PADDING_SAME : 0;
    l.bias = 1;
    l.factor = 2;
    l.momentum = 0.1;
    l.epsilon = 1e-5;
    return l;
}

/* ---- the parser state and its errors -------------------------------- */

struct parser {
    clae_ctx *ctx;
    clae_spec *spec;
    const char *name;   /* the spec's name, for messages */
    const char *pos;    /* next unread byte of the text */
    const char *raw;    /* the line being parsed, as in the text */
    int line;           /* its number, from 1 */
    int fail_line;      /* line of the first error (0: none yet) */
    clae_status status;
    int had_key;        /* a key since the last header: inih then reads an indented line as a continuation */
    int sec;            /* current section, -1 before any */
    int sec_line;       /* its header's line */
    int key;            /* key being set, for messages */
    int key_line[MAX_KEYS];
    char long_value[SPEC_MAX_LINE + 1]; /* the value of a line too long for inih */
    int has_long_value;
    int seen_line[SEC_COUNT]; /* header line of each section seen (the first, for [dense]) */
    clae_layer_spec *layer;   /* the layer section being filled */
};

/* "name:line: msg"; line 0 gives "name: msg" (errors about the whole file). */
static int fail_at(parser *p, int line, const char *fmt, ...) CLAE__PRINTF(3, 4);
static int fail_at(parser *p, int line, const char *fmt, ...)
{
    char msg[768];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    p->status = CLAE_ESPEC;
    p->fail_line = line > 0 ? line : INT_MAX;
    if (line > 0)
        clae__fail(p->ctx, CLAE_ESPEC, "%s:%d: %s", p->name, line, msg);
    else
        clae__fail(p->ctx, CLAE_ESPEC, "%s: %s", p->name, msg);
    return -1;
}

/* "name:line: [section] key: msg" for the key being set. */
int clae__spec_key_fail(parser *p, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return fail_at(p, p->line, "[%s] %s: %s", sections[p->sec].name,
                   sections[p->sec].keys[p->key], msg);
}

/* ---- the setters, one per section ------------------------------------ */

static int set_data(parser *p, int key, const char *v)
{
    clae_spec *s = p->spec;
    switch (key) {
    case D_TRAIN: return clae__spec_get_path(p, v, s->data.train);
    case D_LABELS: return clae__spec_get_path(p, v, s->data.labels);
    case D_TEST: return clae__spec_get_path(p, v, s->data.test);
    case D_TEST_LABELS: return clae__spec_get_path(p, v, s->data.test_labels);
    case D_HOLDOUT: return clae__spec_get_fraction(p, v, &s->data.holdout);
    case D_LIMIT: {
        long x;
        if (clae__spec_parse_long(v, &x) || x < 0 || x == LONG_MAX)
            return clae__spec_key_fail(p, "expected a non-negative integer, got \"%s\"", v);
        s->data.limit = x;
        return 0;
    }
    case D_RESIZE: {
        int hw[2];
        if (clae__spec_get_dims(p, v, 2, hw)) return -1;
        s->data.resize_h = hw[0];
        s->data.resize_w = hw[1];
        return 0;
    }
    case D_CLASSES: return clae__spec_get_classes(p, v, s->data.classes, &s->data.has_classes);
    case D_LABEL_COLUMN: return clae__spec_get_label_column(p, v, &s->data.label_column);
    case D_MAX_MEMORY: return clae__spec_get_bytes(p, v, &s->data.max_memory);
    case D_STREAM: {
        static const char *const modes[] = {"auto", "no", "yes", NULL};
        int m;
        if (clae__spec_get_enum(p, v, modes, &m)) return -1;
        s->data.stream = (clae_stream_mode)m;
        return 0;
    }
    case D_DEVICE_MEMORY: return clae__spec_get_bytes(p, v, &s->data.device_memory);
    default: return clae__spec_get_small_count(p, v, &s->data.pad, 0);
    }
}

static int set_model(parser *p, int key, const char *v)
{
    static const char *const decoders[] = {"mirror", "explicit", NULL};
    static const char *const outputs[] = {"sigmoid", "tanh", "linear", NULL};
    static const clae_activation output_acts[] = {CLAE_ACT_SIGMOID, CLAE_ACT_TANH, CLAE_ACT_LINEAR};
    clae_spec *s = p->spec;
    int i = 0;
    switch (key) {
    case M_CODE: return clae__spec_get_count(p, v, &s->model.code);
    case M_TIED: return clae__spec_get_bool(p, v, &s->model.tied);
    case M_DECODER: return clae__spec_get_enum(p, v, decoders, &s->model.decoder_explicit);
    case M_OUTPUT:
        if (clae__spec_get_enum(p, v, outputs, &i)) return -1;
        s->model.output = output_acts[i];
        return 0;
    default: return clae__spec_get_bool(p, v, &s->model.variational);
    }
}

/* Every layer section: the key's name says what it sets. */
static int set_layer(parser *p, int key, const char *v)
{
    clae_layer_spec *l = p->layer;
    const char *name = sections[p->sec].keys[key];
    if (!strcmp(name, "units") || !strcmp(name, "filters")) return clae__spec_get_count(p, v, &l->units);
    if (!strcmp(name, "activation")) return clae__spec_get_activation(p, v, &l->activation);
    if (!strcmp(name, "size")) return clae__spec_get_small_count(p, v, &l->size, 1);
    if (!strcmp(name, "stride")) return clae__spec_get_small_count(p, v, &l->stride, 1);
    if (!strcmp(name, "padding")) return clae__spec_get_padding(p, v, &l->padding);
    if (!strcmp(name, "output_padding")) return clae__spec_get_small_count(p, v, &l->output_padding, 0);
    if (!strcmp(name, "bias")) return clae__spec_get_bool(p, v, &l->bias);
    if (!strcmp(name, "factor")) return clae__spec_get_small_count(p, v, &l->factor, 1);
    if (!strcmp(name, "rate")) return clae__spec_get_fraction(p, v, &l->rate);
    if (!strcmp(name, "momentum")) return clae__spec_get_open_fraction(p, v, &l->momentum);
    if (!strcmp(name, "epsilon")) return clae__spec_get_positive(p, v, &l->epsilon);
    return clae__spec_get_dims(p, v, 3, l->shape);
}

static int set_code(parser *p, int key, const char *v)
{
    (void)key;
    return clae__spec_get_activation(p, v, &p->spec->code_activation);
}

static int set_noise(parser *p, int key, const char *v)
{
    if (key == N_GAUSSIAN) return clae__spec_get_nonnegative(p, v, &p->spec->noise.gaussian);
    return clae__spec_get_fraction(p, v, &p->spec->noise.mask);
}

static int set_loss(parser *p, int key, const char *v)
{
    static const char *const recons[] = {"mse", "bce", NULL};
    static const char *const sparsities[] = {"none", "l1", "kl", NULL};
    static const clae_sparsity sparsity_kinds[] = {CLAE_SPARSITY_NONE, CLAE_SPARSITY_L1,
                                                    CLAE_SPARSITY_KL};
    clae_spec *s = p->spec;
    int i = 0;
    switch (key) {
    case LO_RECON:
        if (clae__spec_get_enum(p, v, recons, &i)) return -1;
        s->loss.reconstruction = i ? CLAE_RECON_BCE : CLAE_RECON_MSE;
        return 0;
    case LO_SPARSITY:
        if (clae__spec_get_enum(p, v, sparsities, &i)) return -1;
        s->loss.sparsity = sparsity_kinds[i];
        return 0;
    case LO_SPARSITY_WEIGHT: return clae__spec_get_nonnegative(p, v, &s->loss.sparsity_weight);
    case LO_SPARSITY_TARGET: return clae__spec_get_open_fraction(p, v, &s->loss.sparsity_target);
    case LO_WTA: {
        double x;
        if (clae__spec_parse_double(v, &x) || !(x >= 0 && x < 100))
            return clae__spec_key_fail(p, "expected a percentage in [0, 100), got \"%s\"", v);
        s->loss.winner_take_all = x;
        return 0;
    }
    case LO_KL_WEIGHT: return clae__spec_get_nonnegative(p, v, &s->loss.kl_weight);
    default: return clae__spec_get_nonnegative(p, v, &s->loss.contractive);
    }
}

static int set_train(parser *p, int key, const char *v)
{
    static const char *const optimizers[] = {"adam", "rmsprop", "sgd", NULL};
    static const clae_optimizer_kind opt_kinds[] = {CLAE_OPT_ADAM, CLAE_OPT_RMSPROP, CLAE_OPT_SGD};
    static const char *const pretrains[] = {"none", "greedy", NULL};
    static const char *const schedules[] = {"constant", "step", "cosine", NULL};
    struct clae_spec *s = p->spec;
    int i = 0;
    switch (key) {
    case T_EPOCHS: return clae__spec_get_count(p, v, &s->train.epochs);
    case T_BATCH: return clae__spec_get_count(p, v, &s->train.batch);
    case T_ACCUMULATE: return clae__spec_get_count(p, v, &s->train.accumulate);
    case T_BUCKET_MB: {
        double mb;
        if (strcmp(v, "auto") == 0) mb = CLAE_SPEC_BUCKET_AUTO;
        else if (clae__spec_parse_double(v, &mb) || !(mb >= 0))
            return clae__spec_key_fail(p, "expected auto or a number of MiB >= 0, got \"%s\"", v);
        s->train.bucket_mb = mb;
        return 0;
    }
    case T_OPTIMIZER:
        if (clae__spec_get_enum(p, v, optimizers, &i)) return -1;
        s->train.optimizer = opt_kinds[i];
        return 0;
    case T_LR: return clae__spec_get_positive(p, v, &s->train.learning_rate);
    case T_MOMENTUM: return clae__spec_get_fraction(p, v, &s->train.momentum);
    case T_BETA1: return clae__spec_get_fraction(p, v, &s->train.beta1);
    case T_BETA2: return clae__spec_get_fraction(p, v, &s->train.beta2);
    case T_RHO: return clae__spec_get_fraction(p, v, &s->train.rho);
    case T_EPSILON: return clae__spec_get_positive(p, v, &s->train.epsilon);
    case T_SEED: {
        char *end;
        errno = 0;
        unsigned long long x = isdigit((unsigned char)v[0]) ? strtoull(v, &end, 10) : 0;
        if (!isdigit((unsigned char)v[0]) || *end || errno == ERANGE || x > UINT64_MAX)
            return clae__spec_key_fail(p, "expected an unsigned 64-bit integer, got \"%s\"", v);
        s->train.seed = (uint64_t)x;
        return 0;
    }
    case T_PRETRAIN: return clae__spec_get_enum(p, v, pretrains, &s->train.pretrain_greedy);
    case T_PATIENCE: return clae__spec_get_small_count(p, v, &s->train.patience, 0);
    case T_SCHEDULE:
        if (clae__spec_get_enum(p, v, schedules, &i)) return -1;
        s->train.schedule = (clae_schedule)i;
        return 0;
    case T_SCHEDULE_STEP: return clae__spec_get_small_count(p, v, &s->train.schedule_step, 0);
    case T_SCHEDULE_GAMMA: return clae__spec_get_open_fraction(p, v, &s->train.schedule_gamma);
    default: return clae__spec_get_count(p, v, &s->train.pretrain_epochs);
    }
}

static int set_output(parser *p, int key, const char *v)
{
    if (key == O_DIR) return clae__spec_get_path(p, v, p->spec->output.dir);
    return clae__spec_get_count(p, v, &p->spec->output.samples);
}

/* ---- section headers ------------------------------------------------- */

/* The keys a layer section cannot do without (the first of its key list). */
static int close_section(parser *p)
{
    static const int required[] = {SEC_DENSE, SEC_CONV, SEC_DECONV, SEC_RESHAPE};
    for (size_t i = 0; i < sizeof required / sizeof required[0]; i++)
        if (p->sec == required[i] && !p->key_line[0])
            return fail_at(p, p->sec_line, "[%s] %s: missing", sections[p->sec].name,
                           sections[p->sec].keys[0]);
    return 0;
}

static int open_section(parser *p, const char *name, int len)
{
    if (close_section(p)) return -1;
    p->sec = -1;
    p->had_key = 0;
    p->layer = NULL;
    memset(p->key_line, 0, sizeof p->key_line);

    int k = 0;
    while (k < SEC_COUNT && !(strncmp(sections[k].name, name, len) == 0 && !sections[k].name[len])) k++;
    if (k == SEC_COUNT) return fail_at(p, p->line, "[%.*s]: unknown section", len, name);
    if (!IS_LAYER_SECTION(k) && p->seen_line[k])
        return fail_at(p, p->line, "[%s]: duplicate section (first at line %d)", sections[k].name,
                       p->seen_line[k]);
    if (!p->seen_line[k]) p->seen_line[k] = p->line;

    if (IS_LAYER_SECTION(k)) { /* before [code]: encoder; after it: decoder */
        clae_spec *s = p->spec;
        int in_decoder = p->seen_line[SEC_CODE] != 0;
        int *n = in_decoder ? &s->n_decoder : &s->n_encoder;
        if (*n >= CLAE_MAX_LAYERS)
            return fail_at(p, p->line, "[%s]: too many layers (at most %d in the %s)",
                           sections[k].name, CLAE_MAX_LAYERS, in_decoder ? "decoder" : "encoder");
        p->layer = (in_decoder ? s->decoder : s->encoder) + (*n)++;
        *p->layer = clae_layer_spec_default((clae_layer_kind)(k - SEC_DENSE), p->line);
    }
    p->sec = k;
    p->sec_line = p->line;
    return 0;
}

/* Is line (one line of text, BOM already skipped) a section header as inih
 * reads it? Same rules: comments and blank lines first, then an indented line
 * after a key is a continuation, then '[' up to ']' (an inline " ;" comment
 * before the ']' makes it a syntax error, which inih reports). */
static int header_name(const parser *p, const char *line, const char **name, const char **after)
{
    const char *s = line;
    while (isspace((unsigned char)*s)) s++;
    if (*s != '[' || (s > line && p->had_key)) return -1;
    int was_space = 0;
    for (const char *e = s + 1; *e; e++) {
        if (*e == ']') {
            *name = s + 1;
            for (*after = e + 1; isspace((unsigned char)**after);) ++*after;
            return (int)(e - s - 1);
        }
        if (*e == ';' && was_space) break;
        was_space = isspace((unsigned char)*e);
    }
    return -1;
}

/* A line longer than inih takes: a comment (inih gets an empty line), or
 * key = value with the value kept in p->long_value and "key = \x01" for
 * inih, split where inih splits (the first '=' or ':'). */
static char *long_line(parser *p, const char *s, size_t content, char *str, size_t num)
{
    const char *t = s, *end = s + content;
    if (p->line == 1 && content >= 3 && strncmp(s, "\xEF\xBB\xBF", 3) == 0) t += 3; /* a BOM */
    while (t < end && isspace((unsigned char)*t)) t++;
    if (t == end || *t == ';' || *t == '#') {
        strcpy(str, "\n");
        return str;
    }
    const char *eq = t;
    while (eq < end && *eq != '=' && *eq != ':') eq++;
    size_t key_len = (size_t)(eq - s) + 1;
    if (eq == end || *t == '[' || key_len + 4 > num) {
        fail_at(p, p->line, "line too long (at most %zu characters but for a key's value)",
                num - 3);
        return NULL;
    }
    memcpy(str, s, key_len);
    strcpy(str + key_len, " \x01\n");
    /* inih's treatment of a value: leading blanks go; on_key strips comments and trailing blanks */
    const char *v = eq + 1;
    while (v < end && isspace((unsigned char)*v)) v++;
    memcpy(p->long_value, v, (size_t)(end - v));
    p->long_value[end - v] = '\0';
    p->has_long_value = 1;
    return str;
}

/* The ini_reader: hands inih one line of the text at a time. */
static char *read_line(char *str, int num, void *stream)
{
    parser *p = stream;
    if (p->fail_line || !*p->pos) return NULL; /* stop at our first error */
    const char *s = p->pos, *nl = strchr(s, '\n');
    size_t len = nl ? (size_t)(nl - s) + 1 : strlen(s);
    size_t content = nl ? (size_t)(nl - s) : len;
    if (content && s[content - 1] == '\r') content--;
    p->line++;
    p->raw = s;
    p->has_long_value = 0;
    if (content > SPEC_MAX_LINE) {
        fail_at(p, p->line, "line too long (at most %d characters)", SPEC_MAX_LINE);
        return NULL;
    }
    /* inih needs room for "\r\n\0"; a longer line would be split silently. */
    if (num >= 8 && content > (size_t)num - 3) {
        p->pos = s + len;
        return long_line(p, s, content, str, (size_t)num);
    }
    if (num < 8) { /* inih passes its line length (200 in Debian's build) */
        fail_at(p, p->line, "line too long (at most %d characters)", num > 3 ? num - 3 : 0);
        return NULL;
    }
    memcpy(str, s, len);
    str[len] = '\0';
    p->pos = s + len;

    const char *line = str, *name, *after;
    /* strncmp, not memcmp: the line may be shorter than a BOM. */
    if (p->line == 1 && strncmp(line, "\xEF\xBB\xBF", 3) == 0) line += 3; /* inih skips a BOM */
    int n = header_name(p, line, &name, &after);
    if (n >= 0 && open_section(p, name, n)) return NULL;
    if (n >= 0 && *after && *after != ';' && *after != '#') { /* inih would drop it unseen */
        fail_at(p, p->line, "[%.*s]: unexpected text after the section header", n, name);
        return NULL;
    }
    return str;
}

/* The ini_handler: one key = value. */
static int on_key(void *user, const char *section, const char *name, const char *value)
{
    parser *p = user;
    if (p->fail_line) return 0;
    const char *raw = p->raw;
    if (p->line == 1 && strncmp(raw, "\xEF\xBB\xBF", 3) == 0) raw += 3;
    if (p->had_key && isspace((unsigned char)*raw))
        return !fail_at(p, p->line, "indented line: multi-line values are not supported "
                                    "(remove the indentation)");
    p->had_key = 1;
    if (p->sec < 0) return !fail_at(p, p->line, "%s: not inside a [section]", name);
    if (strcmp(section, sections[p->sec].name) != 0) /* we and inih disagree: play safe */
        return !fail_at(p, p->line, "syntax error");

    const char *const *keys = sections[p->sec].keys;
    int k = 0;
    while (keys[k] && strcmp(keys[k], name) != 0) k++;
    if (!keys[k]) return !fail_at(p, p->line, "[%s] %s: unknown key", sections[p->sec].name, name);
    p->key = k;
    if (p->key_line[k]) return !clae__spec_key_fail(p, "duplicate key (first at line %d)", p->key_line[k]);
    p->key_line[k] = p->line;

    /* inih strips " ; comment" (in its default build) but never " # comment";
     * strip both here so the spec means the same whatever the build. */
    if (p->has_long_value && strcmp(value, "\x01") == 0) value = p->long_value;
    char v[SPEC_MAX_LINE + 1];
    snprintf(v, sizeof v, "%s", value);
    for (char *c = v; *c; c++)
        if ((*c == ';' || *c == '#') && (c == v || isspace((unsigned char)c[-1]))) {
            *c = '\0';
            break;
        }
    for (size_t n = strlen(v); n && isspace((unsigned char)v[n - 1]); n--) v[n - 1] = '\0';
    return sections[p->sec].set(p, k, v) == 0;
}

/* ---- defaults, whole-spec checks, entry points ------------------------ */

/* Per-key defaults for a spec file (the contract's), before parsing; the
 * built-in model's (clae_spec_defaults) start from these and differ in the
 * layers, code, loss and epochs. */
void clae__spec_key_defaults(clae_spec *s)
{
    memset(s, 0, sizeof *s);
    strcpy(s->data.train, "mnist");
    s->data.holdout = 0.1;
    s->model.code = 32;
    s->model.output = CLAE_ACT_SIGMOID;
    s->code_activation = CLAE_ACT_SIGMOID;
    s->loss.reconstruction = CLAE_RECON_MSE;
    s->loss.sparsity_weight = 0.1;
    s->loss.sparsity_target = 0.05;
    s->loss.kl_weight = 1.0;
    s->train.epochs = 20;
    s->train.pretrain_epochs = 5;
    s->train.schedule_gamma = 0.1;
    s->train.batch = 128;
    s->train.accumulate = 1;
    s->train.bucket_mb = CLAE_SPEC_BUCKET_AUTO;
    s->train.optimizer = CLAE_OPT_ADAM;
    s->train.learning_rate = 0.001;
    s->train.momentum = 0.9;
    s->train.beta1 = 0.9;
    s->train.beta2 = 0.999;
    s->train.rho = 0.9;
    s->train.epsilon = 1e-8;
    s->train.seed = 1;
    s->output.samples = 16;
}

/* runs/ + the spec's base name without its extension; runs/default for the built-in. */
static int default_dir(parser *p)
{
    const char *base = strrchr(p->name, '/');
    base = base ? base + 1 : p->name;
    int n = (int)strlen(base);
    const char *dot = strrchr(base, '.');
    if (dot && dot > base) n = (int)(dot - base);
    if (strcmp(p->name, CLAE_SPEC_DEFAULT_NAME) == 0) base = "default", n = 7;
    if (n == 0 || (n <= 2 && strncmp(base, "..", n) == 0)) base = "spec", n = 4;
    int w = snprintf(p->spec->output.dir, CLAE_PATH_MAX, "runs/%.*s", n, base);
    if (w >= CLAE_PATH_MAX) return fail_at(p, 0, "[output] dir: the default runs/NAME is too long; set dir");
    return 0;
}

clae_status clae_spec_parse_text(clae_ctx *ctx, const char *name, const char *text, clae_spec *spec)
{
    if (!name) name = "<spec>";
    if (!text) text = "";
    clae__spec_key_defaults(spec);
    if (strlen(name) >= CLAE_PATH_MAX)
        return clae__fail(ctx, CLAE_ESPEC, "%.64s...: spec file name too long", name);
    memcpy(spec->path, name, strlen(name) + 1);
    size_t size = strlen(text) + 1;
    spec->text = malloc(size);
    if (!spec->text) return clae__fail(ctx, CLAE_ENOMEM, "%s: out of memory", name);
    memcpy(spec->text, text, size);

    parser p = {.ctx = ctx, .spec = spec, .name = spec->path, .pos = spec->text, .sec = -1};
    int ret = ini_parse_stream(read_line, &p, on_key, &p);
    if (!p.fail_line) close_section(&p); /* the last section ends at the end of the text */
    if (ret > 0 && (!p.fail_line || ret < p.fail_line))
        fail_at(&p, ret, "syntax error");
    else if (ret < 0 && !p.fail_line) {
        p.fail_line = INT_MAX;
        p.status = clae__fail(ctx, CLAE_ENOMEM, "%s: out of memory", name);
    }
    /* Only the parser knows whether [code] was there. */
    if (!p.fail_line && spec->model.decoder_explicit && !p.seen_line[SEC_CODE])
        fail_at(&p, 0, "[model] decoder = explicit needs a [code] section between the encoder and "
                       "decoder layers");
    if (!p.fail_line && !spec->output.dir[0]) default_dir(&p);
    clae_status st = p.fail_line ? p.status : clae_spec_validate(ctx, spec);
    if (st != CLAE_OK) clae_spec_free(spec);
    return st;
}

clae_status clae_spec_parse(clae_ctx *ctx, const char *path, clae_spec *spec)
{
    memset(spec, 0, sizeof *spec);
    if (!path) return clae__fail(ctx, CLAE_ESPEC, "no spec file given");
    struct stat sb; /* a FIFO or a device is refused, never read or waited on */
    if (stat(path, &sb) == 0 && !S_ISREG(sb.st_mode) && !S_ISDIR(sb.st_mode))
        return clae__fail(ctx, CLAE_ESPEC, "%s: not a regular file", path);
    FILE *f = fopen(path, "rb");
    if (!f) return clae__fail(ctx, CLAE_ESPEC, "%s: cannot open: %s", path, strerror(errno));
    size_t cap = 4096, n = 0, got;
    char *text = NULL;
    clae_status st = CLAE_OK;
    do { /* read it all, growing the buffer, up to MAX_SPEC_BYTES */
        if (!text || n + 1 == cap) {
            char *t = realloc(text, text ? cap *= 2 : cap);
            if (!t) {
                st = clae__fail(ctx, CLAE_ENOMEM, "%s: out of memory", path);
                break;
            }
            text = t;
        }
        got = fread(text + n, 1, cap - 1 - n, f);
        n += got;
        if (!got && ferror(f)) st = clae__fail(ctx, CLAE_ESPEC, "%s: cannot read: %s", path, strerror(errno));
        if (n > MAX_SPEC_BYTES)
            st = clae__fail(ctx, CLAE_ESPEC, "%s: too large for a spec (over %d bytes)", path, MAX_SPEC_BYTES);
    } while (got && st == CLAE_OK);
    fclose(f);
    if (st == CLAE_OK) {
        text[n] = '\0';
        size_t nul = strlen(text);
        if (nul < n) { /* the parser would stop there: say so instead */
            int line = 1;
            for (size_t i = 0; i < nul; i++) line += text[i] == '\n';
            st = clae__fail(ctx, CLAE_ESPEC, "%s:%d: NUL byte (not a text file?)", path, line);
        } else {
            st = clae_spec_parse_text(ctx, path, text, spec);
        }
    }
    free(text);
    return st;
}

void clae_spec_free(clae_spec *spec)
{
    if (!spec) return;
    free(spec->text);
    memset(spec, 0, sizeof *spec);
}
