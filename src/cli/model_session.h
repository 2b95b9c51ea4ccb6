/* The frame of a command that runs a trained model over its input (reconstruct,
 * encode, score, interpolate, features, probe, inpaint): a context, the device,
 * then the model with its data, opened in that order and closed in reverse. */
#ifndef CLAE_CLI_MODEL_SESSION_H
#define CLAE_CLI_MODEL_SESSION_H

#include "use/use.h"

typedef struct {
    clae_ctx *ctx;
    clae_device *dev;
    clae_use use;
} cli_model_session;

/* Opens all three; on failure what was opened stays for cli_model_close. */
clae_status cli_model_open(cli_model_session *m, const char *device, const clae_use_options *opts);
/* Prints the failure of s (if any), closes everything and returns the exit code. */
int cli_model_close(cli_model_session *m, clae_status s);

#endif
