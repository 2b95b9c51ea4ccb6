/* Max pooling (k x k windows at stride, no padding) and nearest-neighbour
 * upsampling on NCHW data; the backward passes in gather form (each work item
 * computes its own input elements, no atomics). Upsampling has one work item
 * per element; pooling takes its indices from a 2-D range (see cl/conv.cl). */

/* y = the window's max; arg = its index within the input plane (i*w + j), the
 * first in row-major window order on ties. Range: (ceil(ow / run),
 * ceil(batch*channels*oh / rows)); a work item writes `run` outputs of each
 * of `rows` output rows (the host's choice: 1 and 1 on GPUs, runs of rows on
 * CPUs), carrying its indices from row to row. */
__kernel void maxpool_fwd(uint batch, uint channels, uint h, uint w, uint k, uint stride,
                          uint oh, uint ow, __global const float *x, uint x_off,
                          __global float *y, uint y_off, __global uint *arg, uint run,
                          uint rows)
{
    uint ox0 = get_global_id(0) * run, r0 = get_global_id(1) * rows;
    uint nrows = batch * channels * oh;
    if (ox0 >= ow || r0 >= nrows) return;
    uint ox1 = min(ox0 + run, ow), r1 = min(r0 + rows, nrows);
    uint nc = r0 / oh, oy = r0 - nc * oh;
    __global const float *in = x + x_off + nc * h * w;
    for (uint r = r0; r < r1; r++) {
        for (uint ox = ox0; ox < ox1; ox++) {
            uint best_at = oy * stride * w + ox * stride;
            float best = in[best_at];
            for (uint ki = 0; ki < k; ki++) {
                uint row = (oy * stride + ki) * w + ox * stride;
                for (uint kj = 0; kj < k; kj++) {
                    float v = in[row + kj];
                    best_at = v > best ? row + kj : best_at;
                    best = v > best ? v : best;
                }
            }
            y[y_off + r * ow + ox] = best;
            arg[r * ow + ox] = best_at;
        }
        if (++oy == oh) {
            oy = 0;
            in += h * w;
        }
    }
}

/* dx[n][c][i][j] = the sum of dy over the windows containing (i, j) whose arg
 * is i*w + j; 0 elsewhere. Range: (ceil(w / run), ceil(batch*channels*h / rows));
 * a work item computes `run` elements [j0, j1) of each of `rows` input rows:
 * it zeroes them, then adds the dy of each window that overlaps them (rows
 * oy = i / stride, one less, ... while i - oy*stride < k; columns ox from
 * ceil((j0 + 1 - k) / stride) below j1 / stride) and whose arg lies among
 * them. No other work item writes them, and nothing is read back that another
 * wrote: the gather form, without a division per element. */
__kernel void maxpool_bwd(uint batch, uint channels, uint h, uint w, uint k, uint stride,
                          uint oh, uint ow, __global const float *dy, uint dy_off,
                          __global const uint *arg, __global float *dx, uint dx_off, uint run,
                          uint rows)
{
    uint j0 = get_global_id(0) * run, r0 = get_global_id(1) * rows;
    uint nrows = batch * channels * h;
    if (j0 >= w || r0 >= nrows) return;
    uint j1 = min(j0 + run, w), r1 = min(r0 + rows, nrows);
    uint nc = r0 / h, i = r0 - nc * h;
    uint base = nc * oh * ow;
    uint qy = i / stride, ry = i - qy * stride;
    uint ox0 = j0 + 1u > k ? (j0 + 1u - k + stride - 1u) / stride : 0u;
    uint ox1 = min((j1 + stride - 1u) / stride, ow);
    __global float *dst = dx + dx_off + r0 * w;
    for (uint r = r0; r < r1; r++, dst += w) {
        for (uint j = j0; j < j1; j++) dst[j] = 0.0f;
        /* oy counts down from qy and wraps past 0 to values >= oh: skipped */
        for (uint ki = ry, oy = qy; ki < k; ki += stride, oy--) {
            if (oy >= oh) continue;
            __global const uint *a = arg + base + oy * ow;
            __global const float *g = dy + dy_off + base + oy * ow;
            for (uint ox = ox0; ox < ox1; ox++) {
                uint t = a[ox] - i * w; /* the column of the arg when in row i */
                if (t - j0 < j1 - j0) dst[t] += g[ox];
            }
        }
        if (++ry == stride) {
            ry = 0;
            qy++;
        }
        if (++i == h) {
            i = 0;
            qy = 0;
            ry = 0;
            base += oh * ow;
        }
    }
}

/* y = x repeated f times along each axis (nearest-neighbour upsampling).
 * Range: (ceil(w*f / run), ceil(batch*channels*h*f / per)); rows are output
 * rows (n, c, oy). A work item steps through its run without a division per
 * value. */
__kernel void upsample_fwd(uint batch, uint channels, uint h, uint w, uint f,
                           __global const float *x, uint x_off, __global float *y, uint y_off,
                           uint run, uint per)
{
    uint wf = w * f, hf = h * f, rows = batch * channels * hf;
    uint c0 = get_global_id(0) * run, r0 = get_global_id(1) * per;
    if (c0 >= wf || r0 >= rows) return;
    uint c1 = min(c0 + run, wf), r1 = min(r0 + per, rows);
    for (uint r = r0; r < r1; r++) {
        uint nc = r / hf, oy = r - nc * hf;
        __global const float *src = x + x_off + (nc * h + oy / f) * w;
        __global float *dst = y + y_off + r * wf;
        uint q = c0 / f, k = c0 - q * f;
        for (uint j = c0; j < c1; j++) {
            dst[j] = src[q];
            if (++k == f) {
                k = 0;
                q++;
            }
        }
    }
}

/* dx[i][j] = the sum of dy over its f x f block. */
__kernel void upsample_bwd(uint batch, uint channels, uint h, uint w, uint f,
                           __global const float *dy, uint dy_off, __global float *dx, uint dx_off,
                           uint run, uint per)
{
    uint rows = batch * channels * h, wf = w * f;
    uint c0 = get_global_id(0) * run, r0 = get_global_id(1) * per;
    if (c0 >= w || r0 >= rows) return;
    uint c1 = min(c0 + run, w), r1 = min(r0 + per, rows);
    for (uint r = r0; r < r1; r++) { /* r = (n, c, y): its block rows are r*f .. r*f + f - 1 */
        __global float *dst = dx + dx_off + r * w;
        for (uint j = c0; j < c1; j++) dst[j] = 0.0f;
        for (uint a = 0; a < f; a++) {
            __global const float *src = dy + dy_off + (r * f + a) * wf;
            for (uint j = c0; j < c1; j++) {
                float sum = 0.0f;
                for (uint b = 0; b < f; b++) sum += src[j * f + b];
                dst[j] += sum;
            }
        }
    }
}
