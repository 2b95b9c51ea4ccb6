/* Convolution helpers: im2col and its adjoint col2im, the moves between
 * channel-major (channels x batch*plane, what a GEMM with the weights gives)
 * and NCHW with the bias and activation fused in, and per-channel sums in two
 * stages (work-group partial sums, then a combine).
 * Each output element is computed by one work item (gather form, no atomics).
 *
 * The kernels take their indices from a 2-D or 3-D range, so that no work
 * item divides a flat index per element: dimension 0 runs along the fastest
 * axis of the output (a row), dimension 1 over rows. A work item writes `run`
 * consecutive outputs of each of `rows` consecutive rows, carrying its indices
 * from row to row. The host (clae__run_shape) picks runs of 1 on GPUs, so
 * adjacent work items write adjacent addresses, and runs of rows on CPUs,
 * whose compilers vectorise the loop along a run (with the activation's
 * switch outside it) and pay a work item's index arithmetic once per run. */

/* for (uint P = P0; P < P1; P++) OUT = act(VALUE); one loop per activation, so
 * act_apply of a constant folds to its expression and the loop vectorises
 * (ACT_SPECIALISE in common.cl, written out because its body takes arguments).
 * cl/batchnorm.cl uses it too. */
#define ACT_LOOP_(A, P, P0, P1, VALUE, OUT) \
    for (uint P = (P0); P < (P1); P++) OUT = act_apply(A, (VALUE));
#define ACT_RUN(act, P, P0, P1, VALUE, OUT)                                          \
    switch (act) {                                                                   \
    case ACT_RELU: ACT_LOOP_(ACT_RELU, P, P0, P1, VALUE, OUT) break;                 \
    case ACT_LEAKY_RELU: ACT_LOOP_(ACT_LEAKY_RELU, P, P0, P1, VALUE, OUT) break;     \
    case ACT_ELU: ACT_LOOP_(ACT_ELU, P, P0, P1, VALUE, OUT) break;                   \
    case ACT_SIGMOID: ACT_LOOP_(ACT_SIGMOID, P, P0, P1, VALUE, OUT) break;           \
    case ACT_TANH: ACT_LOOP_(ACT_TANH, P, P0, P1, VALUE, OUT) break;                 \
    default: ACT_LOOP_(ACT_LINEAR, P, P0, P1, VALUE, OUT) break;                     \
    }

/* for (uint P = P0; P < P1; P++) OUT = DY * act_grad_from_output(act, Y); likewise. */
#define ACT_GRAD_LOOP_(A, P, P0, P1, DY, Y, OUT) \
    for (uint P = (P0); P < (P1); P++) OUT = (DY) * act_grad_from_output(A, (Y));
#define ACT_GRAD_RUN(act, P, P0, P1, DY, Y, OUT)                                     \
    switch (act) {                                                                   \
    case ACT_RELU: ACT_GRAD_LOOP_(ACT_RELU, P, P0, P1, DY, Y, OUT) break;            \
    case ACT_LEAKY_RELU: ACT_GRAD_LOOP_(ACT_LEAKY_RELU, P, P0, P1, DY, Y, OUT) break; \
    case ACT_ELU: ACT_GRAD_LOOP_(ACT_ELU, P, P0, P1, DY, Y, OUT) break;              \
    case ACT_SIGMOID: ACT_GRAD_LOOP_(ACT_SIGMOID, P, P0, P1, DY, Y, OUT) break;      \
    case ACT_TANH: ACT_GRAD_LOOP_(ACT_TANH, P, P0, P1, DY, Y, OUT) break;            \
    default: ACT_GRAD_LOOP_(ACT_LINEAR, P, P0, P1, DY, Y, OUT) break;                \
    }

/* col row (c*k*k + ki*k + kj), column (n*oh*ow + oy*ow + ox) =
 * x[n][c][oy*stride - pad + ki][ox*stride - pad + kj], 0 outside the image.
 * Range: (ceil(ow / run), ceil(batch*oh / rows), channels*k*k); rows are
 * (n, oy) pairs of one column row. */
__kernel void im2col(uint batch, uint channels, uint h, uint w, uint k, uint stride, uint pad,
                     uint oh, uint ow, __global const float *x, uint x_off,
                     __global float *col, uint run, uint rows)
{
    uint ox0 = get_global_id(0) * run, y0 = get_global_id(1) * rows, r = get_global_id(2);
    uint ys = batch * oh;
    if (ox0 >= ow || y0 >= ys || r >= channels * k * k) return;
    uint ox1 = min(ox0 + run, ow), y1 = min(y0 + rows, ys);
    uint n = y0 / oh, oy = y0 - n * oh;
    uint c = r / (k * k), kk = r - c * (k * k);
    uint ki = kk / k, kj = kk - ki * k;
    /* ix = ox*stride + kj - pad is inside the image for ox in [lo, hi) */
    uint lo = ox0, hi = ox1;
    while (lo < hi && lo * stride + kj < pad) lo++;
    while (hi > lo && (hi - 1u) * stride + kj >= w + pad) hi--;
    __global float *dst = col + (r * ys + y0) * ow;
    __global const float *img = x + x_off + (n * channels + c) * h * w;
    int iy = (int)(oy * stride + ki) - (int)pad;
    for (uint y = y0; y < y1; y++, dst += ow) {
        uint ox = ox0;
        if (iy >= 0 && iy < (int)h) {
            __global const float *src = img + (uint)iy * w;
            for (; ox < lo; ox++) dst[ox] = 0.0f;
            if (stride == 1u)
                for (; ox < hi; ox++) dst[ox] = src[ox + kj - pad];
            else
                for (; ox < hi; ox++) dst[ox] = src[ox * stride + kj - pad];
        }
        for (; ox < ox1; ox++) dst[ox] = 0.0f;
        iy += (int)stride;
        if (++oy == oh) {
            oy = 0;
            img += channels * h * w;
            iy = (int)ki - (int)pad;
        }
    }
}

/* x[n][c][i][j] = the sum of the col entries im2col reads from (i, j): the
 * offsets ki = (i + pad) mod stride, + stride, ... below k, at row
 * oy = (i + pad - ki) / stride when below oh (likewise kj, ox), summed in
 * (ki, kj) order. Range: (ceil(w / run), ceil(channels*batch*h / rows));
 * rows are image rows taken in (c, n, i) order, so that work items in turn
 * read adjacent parts of col, and a work item carries (i + pad) / stride and
 * its remainder from row to row. With run 1 (GPUs) a work item gathers
 * its element's terms; with longer runs (CPUs) it makes one pass per (ki, kj)
 * over the run, adding into x in the same order, which vectorises. */
__kernel void col2im(uint batch, uint channels, uint h, uint w, uint k, uint stride, uint pad,
                     uint oh, uint ow, __global const float *col, __global float *x,
                     uint x_off, uint run, uint rows)
{
    uint j0 = get_global_id(0) * run, r0 = get_global_id(1) * rows;
    uint nrows = batch * channels * h;
    if (j0 >= w || r0 >= nrows) return;
    uint j1 = min(j0 + run, w), r1 = min(r0 + rows, nrows);
    uint cn = r0 / h, i = r0 - cn * h;
    uint c = cn / batch, n = cn - c * batch;
    uint plane = oh * ow, cols = batch * plane;
    __global const float *base = col + c * k * k * cols + n * plane;
    __global float *dst = x + x_off + ((n * channels + c) * h + i) * w;
    uint qy = (i + pad) / stride, ry = (i + pad) - qy * stride;
    /* (j0 + pad) = qx*stride + rx; ceil((j0 + pad)/stride) = qa, qa*stride - (j0 + pad) = ra,
     * and likewise qb, rb for j1 */
    uint qx = (j0 + pad) / stride, rx = (j0 + pad) - qx * stride;
    int qa = (int)(qx + (rx != 0u)), qb = (int)((j1 + pad + stride - 1u) / stride);
    uint ra = (uint)qa * stride - (j0 + pad), rb = (uint)qb * stride - (j1 + pad);
    for (uint r = r0; r < r1; r++) {
        if (run == 1u) {
            float sum = 0.0f;
            /* oy counts down from qy and wraps past 0 to values >= oh: skipped */
            for (uint ki = ry, oy = qy; ki < k; ki += stride, oy--) {
                if (oy >= oh) continue;
                __global const float *src = base + ki * k * cols + oy * ow;
                for (uint kj = rx, ox = qx; kj < k; kj += stride, ox--)
                    if (ox < ow) sum += src[kj * cols + ox];
            }
            dst[j0] = sum;
        } else {
            for (uint j = j0; j < j1; j++) dst[j] = 0.0f;
            for (uint ki = ry, oy = qy; ki < k; ki += stride, oy--) {
                if (oy >= oh) continue;
                __global const float *src = base + ki * k * cols + oy * ow;
                /* the run's j = ox*stride + kj - pad: ox from ceil((j0 + pad - kj)/stride)
                 * (a, carried as kj grows) to ceil((j1 + pad - kj)/stride) (b) */
                int a = qa, b = qb;
                uint ar = ra, br = rb;
                for (uint kj = 0; kj < k; kj++, src += cols) {
                    uint lo = (uint)max(a, 0), hi = (uint)clamp(b, 0, (int)ow);
                    if (stride == 1u)
                        for (uint ox = lo; ox < hi; ox++) dst[ox + kj - pad] += src[ox];
                    else
                        for (uint ox = lo; ox < hi; ox++) dst[ox * stride + kj - pad] += src[ox];
                    if (++ar == stride) {
                        ar = 0;
                        a--;
                    }
                    if (++br == stride) {
                        br = 0;
                        b--;
                    }
                }
            }
        }
        if (++ry == stride) {
            ry = 0;
            qy++;
        }
        dst += w;
        if (++i == h) { /* the next image plane */
            i = 0;
            qy = pad / stride;
            ry = pad - qy * stride;
            if (++n == batch) {
                n = 0;
                c++;
            }
            base = col + c * k * k * cols + n * plane;
            dst = x + x_off + (n * channels + c) * h * w;
        }
    }
}

/* y[n][c][p] = act(src[c][n*plane + p] + b[c]); b may be NULL.
 * Range: (ceil(plane / run), ceil(batch*channels / rows)); rows are (n, c) pairs. */
__kernel void cnhw_bias_act(uint batch, uint channels, uint plane, uint act,
                            __global const float *src, __global const float *b, uint b_off,
                            __global float *y, uint y_off, uint run, uint rows)
{
    uint p0 = get_global_id(0) * run, r0 = get_global_id(1) * rows;
    if (p0 >= plane || r0 >= batch * channels) return;
    uint p1 = min(p0 + run, plane), r1 = min(r0 + rows, batch * channels);
    uint n = r0 / channels, c = r0 - n * channels;
    __global float *d = y + y_off + r0 * plane;
    for (uint r = r0; r < r1; r++, d += plane) {
        __global const float *s = src + (c * batch + n) * plane;
        float bias = b ? b[b_off + c] : 0.0f;
        ACT_RUN(act, p, p0, p1, s[p] + bias, d[p])
        if (++c == channels) {
            c = 0;
            n++;
        }
    }
}

/* dz[c][n*plane + p] = dy[n][c][p] * act'(y[n][c][p]).
 * Range: (ceil(plane / run), ceil(channels*batch / rows)); rows are (c, n) pairs. */
__kernel void act_bwd_to_cnhw(uint batch, uint channels, uint plane, uint act,
                              __global const float *dy, uint dy_off, __global const float *y,
                              uint y_off, __global float *dz, uint run, uint rows)
{
    uint p0 = get_global_id(0) * run, r0 = get_global_id(1) * rows;
    if (p0 >= plane || r0 >= batch * channels) return;
    uint p1 = min(p0 + run, plane), r1 = min(r0 + rows, batch * channels);
    uint c = r0 / batch, n = r0 - c * batch;
    __global float *d = dz + r0 * plane;
    for (uint r = r0; r < r1; r++, d += plane) {
        uint at = (n * channels + c) * plane;
        __global const float *g = dy + dy_off + at;
        __global const float *v = y + y_off + at;
        ACT_GRAD_RUN(act, p, p0, p1, g[p], v[p], d[p])
        if (++n == batch) {
            n = 0;
            c++;
        }
    }
}

/* In place on NCHW: y[n][c][p] = act(y[n][c][p] + b[c]); b may be NULL.
 * Range: (ceil(plane / run), ceil(batch*channels / rows)); rows are (n, c) pairs. */
__kernel void channel_bias_act(uint batch, uint channels, uint plane, uint act,
                               __global float *y, uint y_off, __global const float *b,
                               uint b_off, uint run, uint rows)
{
    uint p0 = get_global_id(0) * run, r0 = get_global_id(1) * rows;
    if (p0 >= plane || r0 >= batch * channels) return;
    uint p1 = min(p0 + run, plane), r1 = min(r0 + rows, batch * channels);
    uint c = r0 % channels;
    __global float *d = y + y_off + r0 * plane;
    for (uint r = r0; r < r1; r++, d += plane) {
        float bias = b ? b[b_off + c] : 0.0f;
        ACT_RUN(act, p, p0, p1, d[p] + bias, d[p])
        if (++c == channels) c = 0;
    }
}

/* Sums value over the work items whose local ids agree modulo tile (a power of
 * two dividing the group size); the sum for residue r is valid in local id r.
 * scratch holds get_local_size(0) floats. */
inline float tile_sum(float value, uint tile, __local float *scratch)
{
    if (tile == 1u) return group_sum(value, scratch);
    uint lid = get_local_id(0);
    scratch[lid] = value;
    barrier(CLK_LOCAL_MEM_FENCE);
    for (uint stride = get_local_size(0) / 2; stride >= tile; stride >>= 1) {
        if (lid < stride) scratch[lid] += scratch[lid + stride];
        barrier(CLK_LOCAL_MEM_FENCE);
    }
    return scratch[lid % tile];
}

/* First stage of the per-channel sums of NCHW data x over batch x plane.
 * Work group g' = t*groups + g serves the `tile` channels t*tile .. and the
 * g-th of `groups` interleaved slices of their batch*plane values: local id
 * l takes channel t*tile + l % tile and the blocks of `run` values (in
 * (n, p) order) l / tile, l / tile + rows, ... (rows = local size / tile) of
 * the slice. With run 1 (GPUs) adjacent work items read adjacent addresses:
 * along the plane when tile is 1, across channels when the plane is small;
 * CPUs take one long block per work item, read in 8-wide pieces.
 * partial[(c*comps + 0)*groups + g] = the slice's sum of x; with comps 2,
 * partial[(c*comps + 1)*groups + g] = its sum of x*y (y NULL: x*x).
 * scratch holds 2 * local size floats. */
__kernel void channel_sums(uint batch, uint channels, uint plane, uint tile, uint groups,
                           uint comps, __global const float *x, uint x_off,
                           __global const float *y, uint y_off, __global float *partial,
                           __local float *scratch, uint run)
{
    uint lid = get_local_id(0), size = get_local_size(0);
    uint rows = size / tile;
    uint t = get_group_id(0) / groups, g = get_group_id(0) % groups;
    uint c = t * tile + lid % tile;
    float s0 = 0.0f, s1 = 0.0f;
    if (c < channels && plane > 0u) {
        __global const float *xc = x + x_off + c * plane;
        __global const float *yc = (y ? y + y_off : x + x_off) + c * plane;
        uint image = channels * plane;
        /* the block's first value (n, p), and the step to the next block */
        uint m = (g * rows + lid / tile) * run, step = groups * rows * run;
        uint n = m / plane, p = m - n * plane;
        uint dn = step / plane, dp = step - dn * plane;
        float8 v0 = 0.0f, v1 = 0.0f;
        while (n < batch) {
            uint bn = n, bp = p, left = run;
            while (left > 0u && bn < batch) { /* the block's piece in image bn */
                uint len = min(left, plane - bp);
                __global const float *xs = xc + bn * image + bp, *ys = yc + bn * image + bp;
                uint q = 0;
                for (; q + 8u <= len; q += 8u) {
                    float8 a = vload8(0, xs + q);
                    v0 += a;
                    v1 += a * vload8(0, ys + q);
                }
                for (; q < len; q++) {
                    s0 += xs[q];
                    s1 += xs[q] * ys[q];
                }
                left -= len;
                bp = 0;
                bn++;
            }
            n += dn;
            p += dp;
            if (p >= plane) {
                p -= plane;
                n++;
            }
        }
        float4 h0 = v0.lo + v0.hi, h1 = v1.lo + v1.hi;
        s0 += (h0.x + h0.y) + (h0.z + h0.w);
        s1 += (h1.x + h1.y) + (h1.z + h1.w);
    }
    s0 = tile_sum(s0, tile, scratch);
    if (comps > 1u) s1 = tile_sum(s1, tile, scratch + size);
    if (lid < tile && c < channels) {
        partial[c * comps * groups + g] = s0;
        if (comps > 1u) partial[(c * comps + 1u) * groups + g] = s1;
    }
}

/* Second stage: out[out_off + r] = sum of partial[r*groups .. r*groups + groups),
 * one work group per row r; scratch holds the local size in floats. */
__kernel void channel_combine(uint rows, uint groups, __global const float *partial,
                              __global float *out, uint out_off, __local float *scratch)
{
    uint r = get_group_id(0);
    float value = 0.0f;
    if (r < rows)
        for (uint g = get_local_id(0); g < groups; g += get_local_size(0))
            value += partial[r * groups + g];
    float sum = group_sum(value, scratch);
    if (r < rows && get_local_id(0) == 0) out[out_off + r] = sum;
}
