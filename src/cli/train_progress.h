/* clae train's progress on stderr: the banner, the model and data lines, a
 * line per epoch (and per pretraining epoch), and on a terminal a live line
 * fitted to its width. */
#ifndef CLAE_CLI_TRAIN_PROGRESS_H
#define CLAE_CLI_TRAIN_PROGRESS_H

#include "clae/device.h"
#include "clae/train.h"

typedef struct {
    int tty;
    int started;       /* the banner is printed once training has begun */
    const char *what;  /* the spec being trained, for the banner */
    const char *dir;
    const clae_device_info *device;
    const char *gemm;
    int show_lr;       /* a schedule changes the rate: show it per epoch too */
    int patience;      /* early stopping: show the epochs without a better test loss */
    int muted;         /* stderr failed (a closed pipe): no more progress */
    void (*on_report)(void); /* called first with every report (may be NULL) */
} progress_view;

/* A clae_train_options.progress callback; user is a progress_view. */
void cli_show_progress(void *user, const clae_progress *p);

#endif
