/* Max pooling (k x k windows at stride, no padding) and nearest-neighbour
 * upsampling on NCHW data; one work item per output element, the backward
 * passes in gather form (one work item per input element, no atomics). */

/* y = the window's max; arg = its index within the input plane (i*w + j), the
 * first in row-major window order on ties. */
__kernel void maxpool_fwd(uint batch, uint channels, uint h, uint w, uint k, uint stride,
                          uint oh, uint ow, __global const float *x, uint x_off,
                          __global float *y, uint y_off, __global uint *arg)
{
    uint i = get_global_id(0);
    if (i >= batch * channels * oh * ow) return;
    uint ox = i % ow, t = i / ow;
    uint oy = t % oh, nc = t / oh;
    uint base = x_off + nc * h * w;
    uint best_at = oy * stride * w + ox * stride;
    float best = x[base + best_at];
    for (uint ki = 0; ki < k; ki++) {
        uint row = (oy * stride + ki) * w + ox * stride;
        for (uint kj = 0; kj < k; kj++) {
            float v = x[base + row + kj];
            if (v > best) {
                best = v;
                best_at = row + kj;
            }
        }
    }
    y[y_off + i] = best;
    arg[i] = best_at;
}

/* dx[n][c][i][j] = the sum of dy over the windows containing (i, j) whose arg
 * is i*w + j; 0 elsewhere. */
__kernel void maxpool_bwd(uint batch, uint channels, uint h, uint w, uint k, uint stride,
                          uint oh, uint ow, __global const float *dy, uint dy_off,
                          __global const uint *arg, __global float *dx, uint dx_off)
{
    uint i = get_global_id(0);
    if (i >= batch * channels * h * w) return;
    uint j = i % w, t = i / w;
    uint y = t % h, nc = t / h;
    uint at = y * w + j;
    float sum = 0.0f;
    if (oh > 0u && ow > 0u) {
        /* windows oy with oy*stride <= y < oy*stride + k */
        uint oy0 = y + 1u > k ? (y + 1u - k + stride - 1u) / stride : 0u;
        uint oy1 = min(y / stride, oh - 1u);
        uint ox0 = j + 1u > k ? (j + 1u - k + stride - 1u) / stride : 0u;
        uint ox1 = min(j / stride, ow - 1u);
        uint base = nc * oh * ow;
        for (uint oy = oy0; oy <= oy1; oy++)
            for (uint ox = ox0; ox <= ox1; ox++) {
                uint o = base + oy * ow + ox;
                if (arg[o] == at) sum += dy[dy_off + o];
            }
    }
    dx[dx_off + i] = sum;
}

/* y (h*f x w*f) [i][j] = x[i/f][j/f]. */
__kernel void upsample_fwd(uint batch, uint channels, uint h, uint w, uint f,
                           __global const float *x, uint x_off, __global float *y, uint y_off)
{
    uint i = get_global_id(0);
    uint wf = w * f, hf = h * f;
    if (i >= batch * channels * hf * wf) return;
    uint j = i % wf, t = i / wf;
    uint r = t % hf, nc = t / hf;
    y[y_off + i] = x[x_off + (nc * h + r / f) * w + j / f];
}

/* dx[i][j] = the sum of dy over its f x f block. */
__kernel void upsample_bwd(uint batch, uint channels, uint h, uint w, uint f,
                           __global const float *dy, uint dy_off, __global float *dx, uint dx_off)
{
    uint i = get_global_id(0);
    if (i >= batch * channels * h * w) return;
    uint j = i % w, t = i / w;
    uint r = t % h, nc = t / h;
    uint wf = w * f;
    uint base = dy_off + (nc * h * f + r * f) * wf + j * f;
    float sum = 0.0f;
    for (uint a = 0; a < f; a++)
        for (uint b = 0; b < f; b++) sum += dy[base + a * wf + b];
    dx[dx_off + i] = sum;
}
