/* The built-in default spec as fields, and the whole-spec checks: the rules that tie
 * fields together, and every field's range again, since callers change fields
 * after parsing (command-line overrides) and the trainer must never see a
 * value the parser would refuse. */
#include "clae/spec.h"

#include <math.h>
#include <string.h>

void clae_spec_defaults(clae_spec *s)
{
    clae__spec_key_defaults(s);
    strcpy(s->path, CLAE_SPEC_DEFAULT_NAME);
    s->model.code = 64;
    /* the line of the text's [dense] header, as parsing it would record */
    int line = 1;
    const char *text = clae_spec_default_text();
    for (const char *c = text, *end = strstr(text, "\n[dense]"); c <= end; c++)
        line += *c == '\n';
    s->encoder[0] = clae_layer_spec_default(CLAE_LAYER_DENSE, line);
    s->encoder[0].units = 256;
    s->n_encoder = 1;
    s->code_activation = CLAE_ACT_LINEAR;
    s->loss.reconstruction = CLAE_RECON_BCE;
    s->train.epochs = 25;
    strcpy(s->output.dir, "runs/default");
}

#define FAIL(...) clae__fail(ctx, CLAE_ESPEC, __VA_ARGS__)

static int bad_count(long x) { return x <= 0 || x > CLAE_SPEC_MAX_COUNT; }
static int bad_fraction(double x) { return !(x >= 0 && x < 1); } /* also NaN */
static int bad_positive(double x) { return !(x > 0 && isfinite(x)); }
static int bad_activation(clae_activation a) { return (unsigned)a >= CLAE_ACT_COUNT; }

/* Each layer's own ranges (the parser's; shapes are checked when the model is built). */
static clae_status check_layers(clae_ctx *ctx, const char *f, const clae_layer_spec *l, int n,
                                const char *part)
{
    if (n < 0 || n > CLAE_MAX_LAYERS)
        return FAIL("%s: %s: %d layers (at most %d)", f, part, n, CLAE_MAX_LAYERS);
    for (int i = 0; i < n; i++) {
        const char *kind = clae_layer_kind_name(l[i].kind);
        int has_units = l[i].kind == CLAE_LAYER_DENSE || l[i].kind == CLAE_LAYER_CONV ||
                        l[i].kind == CLAE_LAYER_DECONV;
        if ((unsigned)l[i].kind >= CLAE_LAYER_KIND_COUNT || bad_activation(l[i].activation))
            return FAIL("%s: %s layer %d: invalid layer", f, part, i + 1);
        if (has_units && bad_count(l[i].units))
            return FAIL("%s: [%s] %s: %s layer %d has %d (expected 1 to %d)", f, kind,
                        l[i].kind == CLAE_LAYER_DENSE ? "units" : "filters", part, i + 1,
                        l[i].units, CLAE_SPEC_MAX_COUNT);
        if (l[i].size < 1 || l[i].stride < 0 || l[i].factor < 1 || l[i].output_padding < 0 ||
            l[i].padding < CLAE_PADDING_SAME || bad_fraction(l[i].rate) ||
            !(l[i].momentum > 0 && l[i].momentum < 1) || bad_positive(l[i].epsilon))
            return FAIL("%s: [%s]: %s layer %d has a value out of range", f, kind, part, i + 1);
    }
    return CLAE_OK;
}

/* The families' own keys, and the combinations that make no sense. */
static clae_status check_families(clae_ctx *ctx, const char *f, const clae_spec *s)
{
    if (!(s->noise.gaussian >= 0 && s->noise.gaussian <= 10))
        return FAIL("%s: [noise] gaussian: expected a standard deviation in [0, 10], got %g", f,
                    s->noise.gaussian);
    if (bad_fraction(s->noise.mask))
        return FAIL("%s: [noise] mask: expected a number in [0, 1), got %g", f, s->noise.mask);
    if ((unsigned)s->loss.sparsity > CLAE_SPARSITY_KL)
        return FAIL("%s: [loss] sparsity: invalid value", f);
    if (!(s->loss.sparsity_weight >= 0 && isfinite(s->loss.sparsity_weight)))
        return FAIL("%s: [loss] sparsity_weight: expected a number >= 0, got %g", f,
                    s->loss.sparsity_weight);
    if (!(s->loss.sparsity_target > 0 && s->loss.sparsity_target < 1))
        return FAIL("%s: [loss] sparsity_target: expected a number in (0, 1), got %g", f,
                    s->loss.sparsity_target);
    if (!(s->loss.winner_take_all >= 0 && s->loss.winner_take_all < 100))
        return FAIL("%s: [loss] winner_take_all: expected a percentage in [0, 100), got %g", f,
                    s->loss.winner_take_all);
    if (!(s->loss.kl_weight >= 0 && isfinite(s->loss.kl_weight)))
        return FAIL("%s: [loss] kl_weight: expected a number >= 0, got %g", f, s->loss.kl_weight);
    if (!(s->loss.contractive >= 0 && isfinite(s->loss.contractive)))
        return FAIL("%s: [loss] contractive: expected a number >= 0, got %g", f, s->loss.contractive);
    /* the penalty is exact in closed form for these two, on the code layer */
    if (s->loss.contractive > 0 && s->code_activation != CLAE_ACT_SIGMOID &&
        s->code_activation != CLAE_ACT_TANH)
        return FAIL("%s: [loss] contractive needs [code] activation = sigmoid or tanh (the "
                    "Jacobian penalty is computed in closed form for those)", f);
    if (s->model.variational) {
        /* the code is a sample of N(mean, exp(log-variance)): the heads are linear,
         * and a penalty or selection on the sample has no meaning */
        if (s->code_activation != CLAE_ACT_LINEAR)
            return FAIL("%s: [model] variational = yes needs [code] activation = linear (the "
                        "mean and log-variance heads are linear)", f);
        if (s->model.tied)
            return FAIL("%s: [model] variational = yes cannot be tied: the mean and "
                        "log-variance heads have no transpose that fits the decoder", f);
        if (s->loss.sparsity != CLAE_SPARSITY_NONE)
            return FAIL("%s: [loss] sparsity does not combine with variational = yes (the KL "
                        "term already shapes the code)", f);
        if (s->loss.winner_take_all > 0)
            return FAIL("%s: [loss] winner_take_all does not combine with variational = yes", f);
        if (s->loss.contractive > 0)
            return FAIL("%s: [loss] contractive does not combine with variational = yes", f);
    }
    if (s->train.pretrain_greedy) {
        if (bad_count(s->train.pretrain_epochs))
            return FAIL("%s: [train] pretrain_epochs: expected 1 to %d, got %d", f,
                        CLAE_SPEC_MAX_COUNT, s->train.pretrain_epochs);
        /* each stage trains an encoder layer with its mirror decoder layer */
        if (s->model.decoder_explicit)
            return FAIL("%s: [train] pretrain = greedy needs [model] decoder = mirror (each "
                        "stage trains an encoder layer with its mirror)", f);
        if (s->model.variational)
            return FAIL("%s: [train] pretrain = greedy does not combine with variational = yes",
                        f);
        for (int i = 0; i < s->n_encoder; i++)
            if (s->encoder[i].kind != CLAE_LAYER_DENSE)
                return FAIL("%s:%d: [%s]: [train] pretrain = greedy trains stacks of dense layers",
                            f, s->encoder[i].line, clae_layer_kind_name(s->encoder[i].kind));
        if (s->loss.winner_take_all > 0 || s->loss.sparsity != CLAE_SPARSITY_NONE ||
            s->loss.contractive > 0)
            return FAIL("%s: [train] pretrain = greedy trains plain or denoising stages; drop "
                        "the code penalties or the pretraining", f);
    }
    /* KL to a target mean activation compares probabilities: the code must be one. */
    if (s->loss.sparsity == CLAE_SPARSITY_KL && s->code_activation != CLAE_ACT_SIGMOID)
        return FAIL("%s: [loss] sparsity = kl needs [code] activation = sigmoid (a mean "
                    "activation in (0, 1) to compare with sparsity_target)", f);
    return CLAE_OK;
}

clae_status clae_spec_validate(clae_ctx *ctx, const clae_spec *s)
{
    const char *f = s->path[0] ? s->path : "<spec>";
    clae_status st;

    /* Ranges, in the parser's words. */
    if (!s->data.train[0]) return FAIL("%s: [data] train: expected a path, got \"\"", f);
    if (bad_fraction(s->data.holdout))
        return FAIL("%s: [data] holdout: expected a number in [0, 1), got %g", f, s->data.holdout);
    if (s->data.limit < 0)
        return FAIL("%s: [data] limit: expected a non-negative integer, got %ld", f, s->data.limit);
    if (s->data.resize_h < 0 || s->data.resize_w < 0 || (s->data.resize_h > 0) != (s->data.resize_w > 0) ||
        (long)s->data.resize_h * s->data.resize_w > CLAE_SPEC_MAX_COUNT)
        return FAIL("%s: [data] resize: expected HxW with positive sizes", f);
    if (s->data.pad < 0 || s->data.pad > 1024)
        return FAIL("%s: [data] pad: expected 0 to 1024, got %d", f, s->data.pad);
    if (bad_count(s->model.code))
        return FAIL("%s: [model] code: expected 1 to %d, got %d", f, CLAE_SPEC_MAX_COUNT, s->model.code);
    if (bad_activation(s->model.output) || bad_activation(s->code_activation) ||
        (unsigned)s->loss.reconstruction > CLAE_RECON_BCE || (unsigned)s->train.optimizer > CLAE_OPT_SGD)
        return FAIL("%s: invalid activation, loss or optimizer", f);
    if ((st = check_layers(ctx, f, s->encoder, s->n_encoder, "encoder")) != CLAE_OK) return st;
    if ((st = check_layers(ctx, f, s->decoder, s->n_decoder, "decoder")) != CLAE_OK) return st;
    if (bad_count(s->train.epochs))
        return FAIL("%s: [train] epochs: expected 1 to %d, got %d", f, CLAE_SPEC_MAX_COUNT, s->train.epochs);
    if (bad_count(s->train.batch))
        return FAIL("%s: [train] batch: expected 1 to %d, got %d", f, CLAE_SPEC_MAX_COUNT, s->train.batch);
    if (bad_count(s->train.accumulate))
        return FAIL("%s: [train] accumulate: expected 1 to %d, got %d", f, CLAE_SPEC_MAX_COUNT,
                    s->train.accumulate);
    if (!((s->train.bucket_mb >= 0 && s->train.bucket_mb <= 4096) ||
          s->train.bucket_mb == CLAE_SPEC_BUCKET_AUTO))
        return FAIL("%s: [train] bucket_mb: expected auto or 0 to 4096, got %g", f,
                    s->train.bucket_mb);
    if (bad_positive(s->train.learning_rate))
        return FAIL("%s: [train] learning_rate: expected a positive number, got %g", f,
                    s->train.learning_rate);
    if (s->train.patience < 0 || s->train.patience > 1024)
        return FAIL("%s: [train] patience: expected an integer from 0 to 1024, got %d", f,
                    s->train.patience);
    if ((unsigned)s->train.schedule > CLAE_SCHEDULE_COSINE)
        return FAIL("%s: [train] schedule: expected one of constant, step, cosine", f);
    if (s->train.schedule_step < 0 || s->train.schedule_step > 1024)
        return FAIL("%s: [train] schedule_step: expected an integer from 0 to 1024, got %d", f,
                    s->train.schedule_step);
    if (!(s->train.schedule_gamma > 0 && s->train.schedule_gamma < 1))
        return FAIL("%s: [train] schedule_gamma: expected a number in (0, 1), got %g", f,
                    s->train.schedule_gamma);
    if (s->data.label_column < CLAE_LABEL_COLUMN_LAST || s->data.label_column > CLAE_SPEC_MAX_COUNT)
        return FAIL("%s: [data] label_column: expected none, first, last or a column number, got %d",
                    f, s->data.label_column);
    if (bad_positive(s->train.epsilon))
        return FAIL("%s: [train] epsilon: expected a positive number, got %g", f, s->train.epsilon);
    if (bad_fraction(s->train.momentum) || bad_fraction(s->train.beta1) ||
        bad_fraction(s->train.beta2) || bad_fraction(s->train.rho))
        return FAIL("%s: [train] momentum, beta1, beta2 and rho must lie in [0, 1)", f);
    if (!s->output.dir[0]) return FAIL("%s: [output] dir: expected a path, got \"\"", f);
    if (bad_count(s->output.samples))
        return FAIL("%s: [output] samples: expected 1 to %d, got %d", f, CLAE_SPEC_MAX_COUNT,
                    s->output.samples);

    /* Rules across fields. */
    if (s->n_decoder && !s->model.decoder_explicit && s->decoder[0].line > 0)
        return FAIL("%s:%d: [%s]: a layer after [code] needs [model] decoder = explicit", f,
                    s->decoder[0].line, clae_layer_kind_name(s->decoder[0].kind));
    if (s->n_decoder && !s->model.decoder_explicit)
        return FAIL("%s: [%s]: a layer after [code] needs [model] decoder = explicit", f,
                    clae_layer_kind_name(s->decoder[0].kind));
    if (s->model.tied && s->model.decoder_explicit)
        return FAIL("%s: [model] tied = yes needs decoder = mirror", f);
    if (s->loss.reconstruction == CLAE_RECON_BCE && s->model.output != CLAE_ACT_SIGMOID)
        return FAIL("%s: [loss] reconstruction = bce needs [model] output = sigmoid", f);
    if (s->data.test_labels[0] && !s->data.test[0])
        return FAIL("%s: [data] test_labels needs [data] test", f);
    return check_families(ctx, f, s);
}
