/* Host wrappers of cl/conv.cl. */
#include <stdint.h>

#include "kernels/ops.h"

/* The kernels index with 32-bit uints. */
static clae_status check_fits(clae_device *dev, const char *kernel, size_t n)
{
    if (n > UINT32_MAX)
        return clae__fail(dev->ctx, CLAE_EUSAGE, "%s: %zu elements exceed 32-bit indexing",
                          kernel, n);
    return CLAE_OK;
}

static clae_status check_geom(clae_device *dev, const char *kernel, const clae_conv_geom *g)
{
    if (g->k == 0 || g->stride == 0)
        return clae__fail(dev->ctx, CLAE_EUSAGE, "%s: kernel size %zu and stride %zu must be positive",
                          kernel, g->k, g->stride);
    clae_status s = check_fits(dev, kernel, g->channels * g->k * g->k * g->batch * g->oh * g->ow);
    if (s == CLAE_OK) s = check_fits(dev, kernel, g->batch * g->channels * g->h * g->w);
    return s;
}

/* For the profile's byte counts, along one axis of `size` with `n` windows of
 * k at stride from -pad: the positions inside [0, size) that some window
 * covers, each counted once. */
static size_t axis_covered(size_t size, size_t k, size_t stride, size_t pad, size_t n)
{
    size_t total = 0, end = 0; /* coordinates shifted by pad; end: covered so far */
    for (size_t o = 0; o < n; o++) {
        size_t lo = o * stride, hi = lo + k;
        if (lo < end) lo = end;
        if (lo < pad) lo = pad;
        if (hi > pad + size) hi = pad + size;
        if (hi > lo) total += hi - lo;
        if (o * stride + k > end) end = o * stride + k;
    }
    return total;
}

/* Likewise: the (window, tap) pairs that land inside [0, size). */
static size_t axis_taps_inside(size_t size, size_t k, size_t stride, size_t pad, size_t n)
{
    size_t total = 0;
    for (size_t o = 0; o < n; o++) {
        size_t lo = o * stride < pad ? pad : o * stride, hi = o * stride + k;
        if (hi > pad + size) hi = pad + size;
        if (hi > lo) total += hi - lo;
    }
    return total;
}

clae_status clae__im2col(clae_device *dev, const clae_conv_geom *g, const clae_buf *x,
                         size_t x_off, clae_buf *col)
{
    clae_status s = check_geom(dev, "im2col", g);
    if (s != CLAE_OK) return s;
    size_t run, per, rows = g->batch * g->oh, col_rows = g->channels * g->k * g->k;
    size_t global[3];
    clae__run_shape(dev, g->ow, rows, col_rows, &run, &per, global);
    global[2] = col_rows;
    /* the distinct input values some tap reads (each is read by up to k*k taps), and col */
    size_t covered = g->batch * g->channels * axis_covered(g->h, g->k, g->stride, g->pad, g->oh) *
                     axis_covered(g->w, g->k, g->stride, g->pad, g->ow);
    clae__launch_bytes(dev, 4 * (covered + col_rows * rows * g->ow));
    return CLAE_LAUNCH_ND(dev, CLAE_K_im2col, 3, global, KU(g->batch), KU(g->channels), KU(g->h),
                          KU(g->w), KU(g->k), KU(g->stride), KU(g->pad), KU(g->oh), KU(g->ow),
                          KM(x), KU(x_off), KM(col), KU(run), KU(per));
}

clae_status clae__col2im(clae_device *dev, const clae_conv_geom *g, const clae_buf *col,
                         clae_buf *x, size_t x_off)
{
    clae_status s = check_geom(dev, "col2im", g);
    if (s != CLAE_OK) return s;
    size_t run, per, rows = g->batch * g->channels * g->h;
    size_t global[2];
    clae__run_shape(dev, g->w, rows, 1, &run, &per, global);
    /* the col entries whose tap lands inside the image (those on the padding are not
     * read), and x */
    size_t inside = g->batch * g->channels *
                    axis_taps_inside(g->h, g->k, g->stride, g->pad, g->oh) *
                    axis_taps_inside(g->w, g->k, g->stride, g->pad, g->ow);
    clae__launch_bytes(dev, 4 * (inside + rows * g->w));
    return CLAE_LAUNCH_ND(dev, CLAE_K_col2im, 2, global, KU(g->batch), KU(g->channels), KU(g->h),
                          KU(g->w), KU(g->k), KU(g->stride), KU(g->pad), KU(g->oh), KU(g->ow),
                          KM(col), KM(x), KU(x_off), KU(run), KU(per));
}

clae_status clae__cnhw_bias_act(clae_device *dev, size_t batch, size_t channels, size_t plane,
                                int act, const clae_buf *src, const clae_buf *b, size_t b_off,
                                clae_buf *y, size_t y_off)
{
    size_t n = batch * channels * plane;
    clae_status s = check_fits(dev, "cnhw_bias_act", n);
    if (s != CLAE_OK) return s;
    size_t run, per;
    size_t global[2];
    clae__run_shape(dev, plane, batch * channels, 1, &run, &per, global);
    clae__launch_bytes(dev, 4 * (2 * n + (b ? channels : 0)));
    return CLAE_LAUNCH_ND(dev, CLAE_K_cnhw_bias_act, 2, global, KU(batch), KU(channels),
                          KU(plane), KU(act), KM(src), b ? KM(b) : KNULL, KU(b_off), KM(y),
                          KU(y_off), KU(run), KU(per));
}

clae_status clae__act_bwd_to_cnhw(clae_device *dev, size_t batch, size_t channels, size_t plane,
                                  int act, const clae_buf *dy, size_t dy_off, const clae_buf *y,
                                  size_t y_off, clae_buf *dz)
{
    size_t n = batch * channels * plane;
    clae_status s = check_fits(dev, "act_bwd_to_cnhw", n);
    if (s != CLAE_OK) return s;
    size_t run, per;
    size_t global[2];
    clae__run_shape(dev, plane, batch * channels, 1, &run, &per, global);
    clae__launch_bytes(dev, 12 * n);
    return CLAE_LAUNCH_ND(dev, CLAE_K_act_bwd_to_cnhw, 2, global, KU(batch), KU(channels),
                          KU(plane), KU(act), KM(dy), KU(dy_off), KM(y), KU(y_off), KM(dz),
                          KU(run), KU(per));
}

clae_status clae__channel_bias_act(clae_device *dev, size_t batch, size_t channels, size_t plane,
                                   int act, clae_buf *y, size_t y_off, const clae_buf *b,
                                   size_t b_off)
{
    size_t n = batch * channels * plane;
    clae_status s = check_fits(dev, "channel_bias_act", n);
    if (s != CLAE_OK) return s;
    size_t run, per;
    size_t global[2];
    clae__run_shape(dev, plane, batch * channels, 1, &run, &per, global);
    clae__launch_bytes(dev, 4 * (2 * n + (b ? channels : 0))); /* in place: y read and written */
    return CLAE_LAUNCH_ND(dev, CLAE_K_channel_bias_act, 2, global, KU(batch), KU(channels),
                          KU(plane), KU(act), KM(y), KU(y_off), b ? KM(b) : KNULL, KU(b_off),
                          KU(run), KU(per));
}

/* --- per-channel sums in two stages ---------------------------------------
 * Stage 1 (channel_sums) runs tiles x groups work groups: a tile is `tile`
 * adjacent channels (1 when the plane is long enough to read along it, more
 * when it is short, so adjacent work items still read adjacent addresses), and
 * each tile's values are split among `groups` work groups, enough to fill the
 * device. Stage 2 (channel_combine) adds each channel's `groups` partial sums
 * with one work group per sum (a few hundred at most).
 * On a CPU the work groups are single work items, each summing one long block
 * of one channel: no tiles, and no tree of barriers to pay for. */

#define TILE_MAX 32u /* channels per work group when the plane is short */

static size_t pow2_at_least(size_t n)
{
    size_t p = 1;
    while (p < n) p *= 2;
    return p;
}

/* Work groups wanted in all: a few per compute unit. */
static size_t target_groups(const clae_device *dev)
{
    size_t fill = 4 * (size_t)(dev->info.compute_units ? dev->info.compute_units : 1);
    return fill < 8 ? 8 : fill;
}

/* The most slices a channel is split into: tiles are at most TILE_MAX channels. */
static size_t max_groups(const clae_device *dev, size_t channels)
{
    size_t tiles = (channels + TILE_MAX - 1) / TILE_MAX;
    if (tiles == 0) tiles = 1;
    return (target_groups(dev) + tiles - 1) / tiles;
}

size_t clae__channel_scratch(const clae_device *dev, size_t channels)
{
    return 2 * channels * max_groups(dev, channels);
}

/* The work-group size of both stages. */
static size_t sums_local(const clae_device *dev)
{
    return clae__prefers_runs(dev) ? 1 : dev->work_group;
}

typedef struct {
    size_t tile, tiles, groups, run;
} sums_plan;

static sums_plan plan_sums(const clae_device *dev, size_t batch, size_t channels, size_t plane)
{
    sums_plan p;
    size_t wg = sums_local(dev);
    p.tile = plane == 0 || plane >= TILE_MAX ? 1 : pow2_at_least((TILE_MAX + plane - 1) / plane);
    if (p.tile > pow2_at_least(channels)) p.tile = pow2_at_least(channels);
    if (p.tile > wg) p.tile = wg;
    p.tiles = (channels + p.tile - 1) / p.tile;
    size_t rows = wg / p.tile, count = batch * plane;
    size_t need = (count + rows - 1) / rows;
    p.groups = (target_groups(dev) + p.tiles - 1) / p.tiles;
    if (p.groups > need) p.groups = need;
    if (p.groups == 0) p.groups = 1;
    /* GPUs: blocks of one value, so adjacent work items read adjacent values;
     * CPUs: one block per work item */
    p.run = wg == 1 ? (count + p.groups - 1) / p.groups : 1;
    if (p.run == 0) p.run = 1;
    return p;
}

static clae_status launch_sums(clae_device *dev, const char *name, size_t batch, size_t channels,
                               size_t plane, size_t comps, const clae_buf *x, size_t x_off,
                               const clae_buf *y, size_t y_off, clae_buf *scratch,
                               sums_plan *plan)
{
    clae_status s = check_fits(dev, name, batch * channels * plane);
    if (s != CLAE_OK) return s;
    if (scratch->count < clae__channel_scratch(dev, channels))
        return clae__fail(dev->ctx, CLAE_EUSAGE, "%s: scratch holds %zu floats, needs %zu", name,
                          scratch->count, clae__channel_scratch(dev, channels));
    *plan = plan_sums(dev, batch, channels, plane);
    size_t wg = sums_local(dev);
    /* x, and y when given (comps 2 with y NULL squares x), then the partial sums */
    size_t n = batch * channels * plane;
    clae__launch_bytes(dev, 4 * ((y ? 2 : 1) * n + comps * channels * plan->groups));
    return CLAE_LAUNCH(dev, CLAE_K_channel_sums, plan->tiles * plan->groups * wg, wg, KU(batch),
                       KU(channels), KU(plane), KU(plan->tile), KU(plan->groups), KU(comps),
                       KM(x), KU(x_off), y ? KM(y) : KNULL, KU(y_off), KM(scratch),
                       KLOCAL(2 * wg * sizeof(float)), KU(plan->run));
}

clae_status clae__channel_combine(clae_device *dev, size_t rows, size_t groups,
                                  const clae_buf *partial, clae_buf *out, size_t out_off)
{
    /* one local size for every launch: PoCL compiles a kernel once per size */
    size_t local = sums_local(dev);
    clae__launch_bytes(dev, 4 * (rows * groups + rows));
    return CLAE_LAUNCH(dev, CLAE_K_channel_combine, rows * local, local, KU(rows), KU(groups),
                       KM(partial), KM(out), KU(out_off), KLOCAL(local * sizeof(float)));
}

clae_status clae__channel_sums(clae_device *dev, size_t batch, size_t channels, size_t plane,
                               const clae_buf *x, size_t x_off, const clae_buf *y, size_t y_off,
                               clae_buf *scratch, clae_buf *sums, size_t sums_off)
{
    sums_plan plan;
    clae_status s = launch_sums(dev, "channel_sums", batch, channels, plane, 2, x, x_off, y, y_off,
                                scratch, &plan);
    if (s != CLAE_OK) return s;
    return clae__channel_combine(dev, 2 * channels, plan.groups, scratch, sums, sums_off);
}

clae_status clae__channel_bias_grad(clae_device *dev, size_t batch, size_t channels, size_t plane,
                                    const clae_buf *dz, size_t dz_off, clae_buf *scratch,
                                    clae_buf *db, size_t db_off)
{
    sums_plan plan;
    clae_status s = launch_sums(dev, "channel_bias_grad", batch, channels, plane, 1, dz, dz_off,
                                NULL, 0, scratch, &plan);
    if (s != CLAE_OK) return s;
    return clae__channel_combine(dev, channels, plan.groups, scratch, db, db_off);
}
