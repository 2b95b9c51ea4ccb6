/* clae train's progress display: see train_progress.h. */
#include "cli/train_progress.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "cli/cli.h"


/* "45s", "1m20s", "2h05m" */
static void format_duration(double s, char *out, size_t size)
{
    long t = s > 0 && s < 1e7 ? (long)(s + 0.5) : 0;
    if (t >= 3600) snprintf(out, size, "%ldh%02ldm", t / 3600, t / 60 % 60);
    else if (t >= 60) snprintf(out, size, "%ldm%02lds", t / 60, t % 60);
    else snprintf(out, size, "%lds", t);
}

/* Columns of the terminal on stderr, else $COLUMNS, else 80. */
static int terminal_width(void)
{
    struct winsize ws;
    if (ioctl(STDERR_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0) return ws.ws_col;
    const char *env = getenv("COLUMNS");
    long n = 0;
    if (env && cli_parse_long(env, 1, 10000, &n) == 0) return (int)n;
    return 80;
}

/* The live line's fields, in display order. drop: while the line is too wide
 * the field of the highest rank goes (0: always kept): samples/s, a constant
 * learning rate, the bar, the batch count, the loss terms from the last, a
 * scheduled learning rate among them, the ETA; epoch and loss stay. */
enum { MAX_FIELDS = 12, BAR_MAX = 20, BAR_MIN = 10 };
typedef struct {
    char text[64];
    int drop, kept, bar;
} field;

static void add_field(field *f, int *n, int drop, const char *fmt, ...) CLAE__PRINTF(4, 5);
static void add_field(field *f, int *n, int drop, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(f[*n].text, sizeof f[*n].text, fmt, ap);
    va_end(ap);
    f[*n].drop = drop;
    f[*n].kept = 1;
    f[*n].bar = 0;
    ++*n;
}

static size_t line_width(const field *f, int n, int bar_width)
{
    size_t w = 0;
    for (int i = 0, shown = 0; i < n; i++) {
        if (!f[i].kept) continue;
        w += (shown++ ? 2 : 0) + (f[i].bar ? (size_t)bar_width + 2 : strlen(f[i].text));
    }
    return w;
}

/* The live line, fitted into width - 1 columns (the last one left empty so
 * that no terminal wraps): the bar narrows, then fields go in their order. */
static void draw_live(const clae_progress *p, int width, int scheduled)
{
    field f[MAX_FIELDS];
    int n = 0;
    char eta[32];
    add_field(f, &n, 0, "epoch %d/%d", p->epoch, p->epochs);
    add_field(f, &n, 9, "%s", "");
    f[n - 1].bar = 1;
    add_field(f, &n, 8, "%zu/%zu", p->batch, p->batches);
    if (p->batch > 0) {
        add_field(f, &n, 0, "loss %.5f", p->train_loss);
        for (int t = 0; p->n_terms > 1 && t < p->n_terms && t < 4; t++)
            add_field(f, &n, 3 + t, "%s %.4g", p->term_names[t], p->terms[t]);
        add_field(f, &n, scheduled ? 5 : 15, "lr %.3g", p->learning_rate);
        add_field(f, &n, 20, "%.0f samples/s", p->samples_per_second);
        format_duration(p->eta_seconds, eta, sizeof eta);
        add_field(f, &n, 2, "run ETA %s", eta);
    }
    size_t limit = width > 1 ? (size_t)width - 1 : 1;
    for (;;) { /* drop fields at the bar's narrowest, then widen the bar into what is left */
        if (line_width(f, n, BAR_MIN) <= limit) break;
        int worst = -1;
        for (int i = 0; i < n; i++)
            if (f[i].kept && f[i].drop && (worst < 0 || f[i].drop > f[worst].drop)) worst = i;
        if (worst < 0) break; /* only the essentials left: cut below */
        f[worst].kept = 0;
    }
    size_t w = line_width(f, n, BAR_MIN);
    int bar_width = BAR_MIN + (w < limit ? (int)(limit - w) : 0);
    if (bar_width > BAR_MAX) bar_width = BAR_MAX;
    char line[512];
    size_t len = 0;
    for (int i = 0, shown = 0; i < n && len + 1 < sizeof line; i++) {
        if (!f[i].kept) continue;
        if (shown++) len += (size_t)snprintf(line + len, sizeof line - len, "  ");
        if (f[i].bar) {
            size_t filled = p->batches ? (size_t)bar_width * p->batch / p->batches : 0;
            line[len++] = '[';
            for (int k = 0; k < bar_width && len + 2 < sizeof line; k++)
                line[len++] = (size_t)k < filled ? '#' : '.';
            line[len++] = ']';
            line[len] = '\0';
        } else {
            len += (size_t)snprintf(line + len, sizeof line - len, "%s", f[i].text);
        }
        if (len >= sizeof line) len = sizeof line - 1;
    }
    if (len > limit) len = limit;
    line[len] = '\0';
    fprintf(stderr, "\r\033[K%s", line);
}

static void show_progress_lines(progress_view *view, const clae_progress *p);

/* Progress is optional output: when stderr's reader goes away (`2>&1 | head`),
 * training goes on and writes its files, and progress stops being written.
 * Nothing can say so on a stderr that is gone; loss.csv has every epoch. */
void cli_show_progress(void *user, const clae_progress *p)
{
    progress_view *view = user;
    if (view->on_report) view->on_report();
    if (view->muted) return;
    show_progress_lines(view, p);
    if (ferror(stderr)) view->muted = 1;
}

static void show_progress_lines(progress_view *view, const clae_progress *p)
{
    if (!view->started) {
        /* printed here, not earlier, so that a failing setup prints one line */
        view->started = 1;
        fprintf(stderr, "training %s on device %d (%s, GEMM by %s) into %s\n", view->what,
                view->device->index, view->device->name, view->gemm, view->dir);
    }
    if (p->started) {
        fprintf(stderr, "model: %s\ndata: %s\n", p->model, p->data);
        return;
    }
    if (p->stage) {
        if (view->tty) fprintf(stderr, "\r\033[K");
        fprintf(stderr, "pretrain stage %d/%d epoch %d/%d  loss %.5f  %.0f samples/s  %.1f s\n",
                p->stage, p->stages, p->epoch, p->epochs, p->train_loss, p->samples_per_second,
                p->epoch_seconds);
        return;
    }
    if (p->epoch_done) {
        char lr[32] = "", wait[64] = "";
        if (view->show_lr) snprintf(lr, sizeof lr, "  lr %.3g", p->learning_rate);
        if (view->patience && p->best_epoch && p->best_epoch < p->epoch)
            snprintf(wait, sizeof wait, "  no better for %d/%d", p->epoch - p->best_epoch,
                     view->patience);
        if (view->tty) fprintf(stderr, "\r\033[K");
        fprintf(stderr,
                "epoch %d/%d  train_loss %.5f  test_loss %.5f  test_mse %.5f  %.0f samples/s  "
                "%.1f s%s%s\n",
                p->epoch, p->epochs, p->train_loss, p->test_loss, p->test_mse,
                p->samples_per_second, p->epoch_seconds, lr, wait);
        return;
    }
    if (view->tty) draw_live(p, terminal_width(), view->show_lr);
}
