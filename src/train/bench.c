/* The training benchmark: steps on a real batch, timed in steady state, then
 * the same step's GEMMs replayed alone through each provider. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "clae/bench.h"
#include "data/source.h"
#include "device/gemm.h"
#include "train/step.h"

#define MAX_LOGGED_GEMMS 256
#define WARMUP_STEPS 3
#define COPY_REPS 5
/* Profiling times under this (ms) per command mean the driver gives none
 * (Mesa's rusticl reports 0 or 1 ns for everything). */
#define MIN_COMMAND_MS 1e-3

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* Replays the recorded GEMMs `reps` times; returns seconds per replay. */
static clae_status replay(clae_device *dev, clae_gemm_provider provider, const clae_gemm_args *log,
                          int n, int reps, double *seconds)
{
    clae_status s = clae_device_finish(dev);
    double t0 = now_seconds();
    for (int r = 0; r < reps && s == CLAE_OK; r++)
        for (int i = 0; i < n && s == CLAE_OK; i++) s = clae__gemm_with(dev, provider, &log[i]);
    if (s == CLAE_OK) s = clae_device_finish(dev);
    *seconds = (now_seconds() - t0) / reps;
    return s;
}

static int busiest_first(const void *a, const void *b)
{
    double x = ((const clae_bench_item *)a)->ms_per_step, y = ((const clae_bench_item *)b)->ms_per_step;
    return (x < y) - (x > y);
}

/* Device time of a profiled command, in ms (0 where the driver gives none). */
static double event_ms(cl_event e)
{
    cl_ulong start = 0, end = 0;
    if (!e || clGetEventProfilingInfo(e, CL_PROFILING_COMMAND_START, sizeof start, &start, NULL) !=
                  CL_SUCCESS ||
        clGetEventProfilingInfo(e, CL_PROFILING_COMMAND_END, sizeof end, &end, NULL) != CL_SUCCESS ||
        end < start)
        return 0.0;
    return (double)(end - start) * 1e-6;
}

/* The copy bandwidth measured nearest a command's size: a fair yardstick for
 * a kernel whose data stays in cache as much as for one that streams. */
static double copy_gbps_at(const clae_bench_result *out, double bytes)
{
    int best = 0;
    for (int i = 1; i < CLAE_BENCH_COPY_SIZES; i++)
        if (fabs(log(bytes / (double)out->copy_bytes[i])) <
            fabs(log(bytes / (double)out->copy_bytes[best])))
            best = i;
    return out->copy_gbps[best];
}

/* Device time and bytes per kind of command, from the events of the timed steps. */
static clae_status summarise_profile(clae_device *dev, int steps, clae_bench_result *out)
{
    double ms[CLAE_PROFILE_KINDS] = {0}, bytes[CLAE_PROFILE_KINDS] = {0};
    int calls[CLAE_PROFILE_KINDS] = {0};
    clae_status s = clae_device_finish(dev);
    for (int i = 0; i < dev->profile_len && s == CLAE_OK; i++) {
        int what = dev->profile[i].what;
        if (!dev->profile[i].event) continue;
        ms[what] += event_ms(dev->profile[i].event);
        bytes[what] += (double)dev->profile[i].bytes;
        calls[what]++;
    }
    clae__profile_clear(dev);
    out->n_items = 0;
    out->device_busy_ms = 0.0;
    for (int k = 0; k < CLAE_PROFILE_KINDS && out->n_items < CLAE_BENCH_MAX_ITEMS; k++) {
        if (!calls[k]) continue;
        clae_bench_item *it = &out->items[out->n_items++];
        snprintf(it->name, sizeof it->name, "%s", clae__kernel_name(k));
        it->calls_per_step = (double)calls[k] / steps;
        it->ms_per_step = ms[k] / steps;
        it->mb_per_step = bytes[k] / steps * 1e-6;
        if (it->mb_per_step > 0 && it->ms_per_step > 0) {
            it->gb_per_second = it->mb_per_step / it->ms_per_step;
            double per_call = bytes[k] / calls[k], copy = copy_gbps_at(out, per_call);
            it->copy_share = copy > 0 ? it->gb_per_second / copy : 0.0;
        }
        out->device_busy_ms += it->ms_per_step;
    }
    double commands = 0.0;
    for (int i = 0; i < out->n_items; i++) commands += out->items[i].calls_per_step;
    out->profile_times = out->device_busy_ms >= MIN_COMMAND_MS * commands;
    qsort(out->items, (size_t)out->n_items, sizeof out->items[0], busiest_first);
    return s;
}

/* Copy bandwidth at sizes from 256 KiB to 64 MiB: the best of a few copies
 * each, in bytes read + written per second of device time. */
static clae_status measure_copy_bandwidth(clae_device *dev, clae_bench_result *out)
{
    clae_buf a = {0}, b = {0};
    size_t largest = (size_t)256 << 10 << 2 * (CLAE_BENCH_COPY_SIZES - 1);
    clae_status s = clae__buf_create(dev, largest / 4, &a);
    if (s == CLAE_OK) s = clae__buf_create(dev, largest / 4, &b);
    for (int i = 0; i < CLAE_BENCH_COPY_SIZES && s == CLAE_OK; i++) {
        size_t bytes = (size_t)256 << 10 << 2 * i;
        out->copy_bytes[i] = bytes;
        double best = 0.0;
        for (int rep = 0; rep < COPY_REPS && s == CLAE_OK; rep++) {
            clae__profile_clear(dev);
            dev->profiling = 1;
            s = clae__buf_copy(dev, &a, 0, &b, 0, bytes / 4);
            dev->profiling = 0;
            if (s == CLAE_OK) s = clae_device_finish(dev);
            double ms = dev->profile_len ? event_ms(dev->profile[0].event) : 0.0;
            /* under 1 µs for 256 KiB and more is a driver without real times */
            if (ms >= MIN_COMMAND_MS && 2.0 * (double)bytes / ms * 1e-6 > best)
                best = 2.0 * (double)bytes / ms * 1e-6;
        }
        out->copy_gbps[i] = best;
    }
    clae__profile_clear(dev);
    clae__buf_release(&a);
    clae__buf_release(&b);
    return s;
}

/* Training steps for about `seconds` (at least 10), synchronised every 10. */
static clae_status timed_steps(clae_device *dev, clae_model *m, clae_optimizer *opt, clae_buf *x,
                               size_t rows, clae_buf *losses, double seconds, int *steps,
                               double *elapsed)
{
    clae_status s = clae_device_finish(dev);
    double t0 = now_seconds();
    *steps = 0;
    *elapsed = 0.0;
    while (s == CLAE_OK && (*elapsed < seconds || *steps < 10)) {
        s = clae__train_step(m, opt, x, x, rows, losses, 0);
        if (++*steps % 10 == 0 && s == CLAE_OK) {
            s = clae_device_finish(dev);
            *elapsed = now_seconds() - t0;
        }
    }
    return s;
}

static clae_status measure(clae_device *dev, clae_model *m, clae_optimizer *opt, clae_buf *x,
                           size_t rows, clae_buf *losses, double seconds, clae_bench_result *out)
{
    clae_gemm_args log[MAX_LOGGED_GEMMS];
    clae_status s = CLAE_OK;
    for (int i = 0; i < WARMUP_STEPS && s == CLAE_OK; i++)
        s = clae__train_step(m, opt, x, x, rows, losses, 0);
    /* One step recorded: its GEMM shapes and operands, for the replays. */
    dev->gemm_log = log;
    dev->gemm_log_cap = MAX_LOGGED_GEMMS;
    dev->gemm_log_len = 0;
    if (s == CLAE_OK) s = clae__train_step(m, opt, x, x, rows, losses, 0);
    dev->gemm_log = NULL;
    if (s == CLAE_OK) s = clae_device_finish(dev);
    int n = dev->gemm_log_len;
    out->n_gemms = n;

    if (s == CLAE_OK && dev->profile_queue) s = measure_copy_bandwidth(dev, out);
    dev->wait_seconds = 0.0;
    long launches = dev->launches, waits = dev->waits;
    clae__profile_clear(dev);
    dev->profiling = dev->profile_queue;
    double elapsed = 0.0;
    int steps = 0;
    if (s == CLAE_OK) s = timed_steps(dev, m, opt, x, rows, losses, seconds, &steps, &elapsed);
    dev->profiling = 0;
    out->commands_per_step = (double)(dev->launches - launches) / (steps ? steps : 1);
    out->waits_per_step = (double)(dev->waits - waits) / (steps ? steps : 1);
    if (s == CLAE_OK) s = summarise_profile(dev, steps, out);
    if (s != CLAE_OK) return s;
    out->steps = steps;
    out->batch = rows;
    out->step_ms = 1e3 * elapsed / steps;
    out->samples_per_second = (double)rows * steps / elapsed;
    out->wait_ms = 1e3 * dev->wait_seconds / steps;

    /* Host BLAS has two orderings on devices that run native kernels: measure
     * the other one too, so the choice stays an informed one. */
    out->native_in_use = dev->native_kernels;
    if (dev->gemm == CLAE_GEMM_HOST && dev->native_capable) {
        int other_steps = 0;
        double other_elapsed = 0.0;
        dev->native_kernels = !dev->native_kernels;
        s = timed_steps(dev, m, opt, x, rows, losses, seconds / 2, &other_steps, &other_elapsed);
        dev->native_kernels = !dev->native_kernels;
        if (s != CLAE_OK) return s;
        out->samples_per_second_other = (double)rows * other_steps / other_elapsed;
    }

    double flop = 0.0;
    for (int i = 0; i < n; i++) flop += 2.0 * (double)log[i].m * (double)log[i].n * (double)log[i].k;
    out->gemm_gflop = flop * 1e-9;
    int reps = steps < 20 ? steps : 20;
    double t = 0.0;
    s = replay(dev, dev->gemm, log, n, reps, &t);
    out->gemm_ms = 1e3 * t;
    for (int p = CLAE_GEMM_CLBLAST; p <= CLAE_GEMM_HOST && s == CLAE_OK; p++) {
        if (!clae__gemm_provider_available(dev, (clae_gemm_provider)p)) continue;
        s = replay(dev, (clae_gemm_provider)p, log, n, 1, &t); /* warm: CLBlast compiles */
        if (s == CLAE_OK) s = replay(dev, (clae_gemm_provider)p, log, n, reps, &t);
        double gflops = t > 0 ? out->gemm_gflop / t : 0.0;
        if (p == CLAE_GEMM_HOST) out->gflops_host = gflops;
        else out->gflops_clblast = gflops;
    }
    return s;
}

clae_status clae_bench(clae_ctx *ctx, clae_device *dev, const clae_spec *spec, double seconds,
                       clae_bench_result *out)
{
    memset(out, 0, sizeof *out);
    clae_dataset train, test;
    clae_status s = clae__load_datasets(ctx, spec, &train, &test);
    if (s != CLAE_OK) return s;
    size_t rows = (size_t)spec->train.batch < train.count ? (size_t)spec->train.batch : train.count;
    clae_model *m = NULL;
    clae_optimizer opt;
    memset(&opt, 0, sizeof opt);
    clae_buf x = {0}, losses = {0};
    s = clae__model_create(dev, spec, (clae_shape){train.channels, train.height, train.width},
                              rows, &m);
    if (s == CLAE_OK) s = clae__optimizer_create(dev, spec, m->n_params, &opt);
    if (s == CLAE_OK) s = clae__model_init(m, spec->train.seed);
    if (s == CLAE_OK) s = clae__buf_create(dev, rows * train.dim, &x);
    if (s == CLAE_OK) s = clae__buf_write(dev, &x, 0, rows * train.dim, train.x);
    if (s == CLAE_OK) s = clae__buf_create(dev, CLAE_MAX_TERMS, &losses);
    if (s == CLAE_OK) s = measure(dev, m, &opt, &x, rows, &losses, seconds, out);
    clae__buf_release(&x);
    clae__buf_release(&losses);
    clae__optimizer_release(&opt);
    clae__model_destroy(m);
    clae_dataset_free(&train);
    clae_dataset_free(&test);
    return s;
}
