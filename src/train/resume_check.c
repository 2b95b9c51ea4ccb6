/* What a resumed run may change of the spec it was trained under. */
#include "train/resume_check.h"

#include <string.h>

/* Layer sections without their line numbers (comments may move them). */
static int same_layers(const clae_layer_spec *a, const clae_layer_spec *b, int n)
{
    for (int i = 0; i < n; i++) {
        clae_layer_spec x = a[i], y = b[i];
        x.line = y.line = 0;
        if (memcmp(&x, &y, sizeof x) != 0) return 0;
    }
    return 1;
}

/* The first difference that a resume must not make, or NULL. Both specs come
 * from the parser, which zeroes them first, so whole structs compare. */
static const char *first_change(const clae_spec *was, const clae_spec *now)
{
    if (memcmp(&was->model, &now->model, sizeof was->model) != 0 ||
        was->code_activation != now->code_activation || was->n_encoder != now->n_encoder ||
        was->n_decoder != now->n_decoder ||
        !same_layers(was->encoder, now->encoder, was->n_encoder) ||
        !same_layers(was->decoder, now->decoder, was->n_decoder))
        return "model (its [model], layer or [code] sections)";
    /* max_memory, stream and device_memory say where the samples are held, not
     * which: the same run */
    struct clae_data_spec data_was = was->data, data_now = now->data;
    data_was.max_memory = data_now.max_memory = 0;
    data_was.stream = data_now.stream = CLAE_STREAM_AUTO;
    data_was.device_memory = data_now.device_memory = 0;
    if (memcmp(&data_was, &data_now, sizeof data_was) != 0) return "data or split ([data])";
    if (memcmp(&was->noise, &now->noise, sizeof was->noise) != 0) return "input noise ([noise])";
    if (memcmp(&was->loss, &now->loss, sizeof was->loss) != 0) return "loss ([loss])";
#define CHANGED(field) (was->train.field != now->train.field)
    if (CHANGED(optimizer)) return "optimiser ([train] optimizer)";
    if (CHANGED(momentum) || CHANGED(beta1) || CHANGED(beta2) || CHANGED(rho) || CHANGED(epsilon))
        return "optimiser constant ([train] momentum, beta1, beta2, rho or epsilon)";
    if (CHANGED(seed)) return "seed ([train] seed)";
    if (CHANGED(pretrain_greedy)) return "pretraining ([train] pretrain)";
#undef CHANGED
    return NULL;
}

clae_status clae__check_resume_spec(clae_ctx *ctx, const char *path, const char *stored,
                                    const clae_spec *now)
{
    if (!stored || !*stored) return CLAE_OK;
    clae_spec was;
    clae_ctx *scratch = clae_ctx_create(); /* a stored text of another version is not an error */
    clae_status s = scratch ? clae_spec_parse_text(scratch, "checkpoint", stored, &was) : CLAE_ENOMEM;
    clae_ctx_destroy(scratch);
    if (s != CLAE_OK) return CLAE_OK;
    const char *change = first_change(&was, now);
    clae_spec_free(&was);
    if (!change) return CLAE_OK;
    return clae__fail(ctx, CLAE_EUSAGE,
                      "%s: the run was trained with another %s; resume it under its own spec "
                      "(without --spec, or with the same file), or start over with --force",
                      path, change);
}
