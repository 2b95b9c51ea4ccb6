/* See model_session.h. */
#include <string.h>

#include "cli/cli.h"
#include "cli/model_session.h"

clae_status cli_model_open(cli_model_session *m, const char *device, const clae_use_options *opts)
{
    memset(m, 0, sizeof *m);
    m->ctx = cli_context(0);
    clae_status s = cli_open_device(m->ctx, device, &m->dev);
    if (s == CLAE_OK) s = clae__use_open(m->ctx, m->dev, opts, &m->use);
    return s;
}

int cli_model_close(cli_model_session *m, clae_status s)
{
    int code = s == CLAE_OK ? 0 : cli_fail(m->ctx, s);
    clae__use_close(&m->use);
    clae_device_close(m->dev);
    clae_ctx_destroy(m->ctx);
    return code;
}
