/* PNG reading and writing with libpng; image grids of float tiles. */
#if !defined(_GNU_SOURCE) && !defined(_POSIX_C_SOURCE)
#define _POSIX_C_SOURCE 200809L
#endif
#include "clae/image.h"
#include "io/fsutil.h"

#include <errno.h>
#include <math.h>
#include <png.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define IMG_MAX_SIDE 65536 /* far beyond any grid we draw; keeps sizes well inside int */
#define IMG_MAX_PIXELS (1u << 28)

/* Shared by the libpng callbacks and the function that called setjmp. It
 * lives in the caller's frame, so longjmp leaves it intact. */
typedef struct {
    FILE *f;
    int io_errno; /* errno of a failed read/write, 0 for a libpng complaint */
    int oom;
    int too_large; /* the header's size is over IMG_MAX_PIXELS */
    char msg[200];
    unsigned char *pixels;
    png_bytep *rows;
    int width, height, channels;
} png_state;

static void on_error(png_structp png, png_const_charp msg)
{
    png_state *s = png_get_error_ptr(png);
    snprintf(s->msg, sizeof s->msg, "%s", msg);
    png_longjmp(png, 1);
}

static void on_warning(png_structp png, png_const_charp msg)
{
    (void)png;
    (void)msg; /* warnings (unknown chunks, sRGB profile quirks) are harmless */
}

static void on_write(png_structp png, png_bytep data, size_t n)
{
    png_state *s = png_get_io_ptr(png);
    errno = 0;
    if (fwrite(data, 1, n, s->f) != n) {
        s->io_errno = errno ? errno : EIO;
        png_error(png, strerror(s->io_errno));
    }
}

static void on_flush(png_structp png) { (void)png; }

static void on_read(png_structp png, png_bytep data, size_t n)
{
    png_state *s = png_get_io_ptr(png);
    errno = 0;
    if (fread(data, 1, n, s->f) != n) {
        if (ferror(s->f)) {
            s->io_errno = errno ? errno : EIO;
            png_error(png, strerror(s->io_errno));
        }
        png_error(png, "unexpected end of file");
    }
}

static int valid_size(int width, int height, int channels)
{
    return width > 0 && height > 0 && width <= IMG_MAX_SIDE && height <= IMG_MAX_SIDE &&
           (uint64_t)width * (uint64_t)height * (uint64_t)channels <= IMG_MAX_PIXELS * 4ull;
}

/* ------------------------------------------------------------------ write */

/* Everything libpng does, under setjmp. Locals changed after setjmp are not
 * read after a longjmp; the only result is the return value. */
static int write_body(png_structp png, png_infop info, const png_state *s, const unsigned char *pixels)
{
    if (setjmp(png_jmpbuf(png))) return 0;
    static const int types[5] = {0, PNG_COLOR_TYPE_GRAY, 0, PNG_COLOR_TYPE_RGB, PNG_COLOR_TYPE_RGB_ALPHA};
    png_set_IHDR(png, info, (png_uint_32)s->width, (png_uint_32)s->height, 8, types[s->channels],
                 PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
    png_write_info(png, info);
    size_t stride = (size_t)s->width * (size_t)s->channels;
    for (int y = 0; y < s->height; y++) png_write_row(png, pixels + (size_t)y * stride);
    png_write_end(png, info);
    return 1;
}

clae_status clae_png_write(clae_ctx *ctx, const char *path, const unsigned char *pixels, int width,
                           int height, int channels)
{
    if (!path || !path[0]) return clae__fail(ctx, CLAE_EUSAGE, "png: no output path");
    if (channels != 1 && channels != 3 && channels != 4)
        return clae__fail(ctx, CLAE_EUSAGE, "%s: invalid channel count %d (want 1, 3 or 4)", path, channels);
    if (!valid_size(width, height, channels))
        return clae__fail(ctx, CLAE_EUSAGE, "%s: invalid image size %dx%d", path, width, height);
    if (!pixels) return clae__fail(ctx, CLAE_EUSAGE, "%s: no pixel data", path);

    size_t tmp_len = strlen(path) + 32;
    char *tmp = malloc(tmp_len);
    if (!tmp) return clae__fail(ctx, CLAE_ENOMEM, "%s: out of memory", path);
    snprintf(tmp, tmp_len, "%s.tmp.%ld", path, (long)getpid());
    png_state s = {0};
    s.width = width;
    s.height = height;
    s.channels = channels;
    s.f = fopen(tmp, "wb");
    if (!s.f) {
        int e = errno;
        free(tmp);
        return clae__fail(ctx, CLAE_EIO, "%s: cannot open for writing: %s", path, strerror(e));
    }
    png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, &s, on_error, on_warning);
    png_infop info = png ? png_create_info_struct(png) : NULL;
    clae_status st = CLAE_OK;
    if (!info) {
        st = clae__fail(ctx, CLAE_ENOMEM, "%s: out of memory", path);
    } else {
        png_set_write_fn(png, &s, on_write, on_flush);
        if (!write_body(png, info, &s, pixels))
            st = clae__fail(ctx, CLAE_EIO, "%s: write failed: %s", path, s.msg);
    }
    png_destroy_write_struct(&png, &info);
    errno = 0;
    if (st == CLAE_OK && fflush(s.f) != 0)
        st = clae__fail(ctx, CLAE_EIO, "%s: write failed: %s", path, strerror(errno));
    if (fclose(s.f) != 0 && st == CLAE_OK)
        st = clae__fail(ctx, CLAE_EIO, "%s: write failed: %s", path, strerror(errno));
    if (st == CLAE_OK && rename(tmp, path) != 0)
        st = clae__fail(ctx, CLAE_EIO, "%s: rename failed: %s", path, strerror(errno));
    if (st != CLAE_OK) remove(tmp);
    free(tmp);
    return st;
}

static unsigned char to_byte(float v)
{
    if (!(v > 0.0f)) return 0; /* NaN too */
    if (v >= 1.0f) return 255;
    return (unsigned char)(v * 255.0f + 0.5f);
}

clae_status clae_image_write_grid(clae_ctx *ctx, const char *path, const float *images, int rows, int cols,
                                  int channels, int height, int width, int pad)
{
    const char *p = path ? path : "png";
    if (rows <= 0 || cols <= 0 || rows > IMG_MAX_SIDE || cols > IMG_MAX_SIDE)
        return clae__fail(ctx, CLAE_EUSAGE, "%s: invalid grid %dx%d", p, rows, cols);
    if (channels != 1 && channels != 3)
        return clae__fail(ctx, CLAE_EUSAGE, "%s: invalid channel count %d (want 1 or 3)", p, channels);
    if (height <= 0 || width <= 0 || height > IMG_MAX_SIDE || width > IMG_MAX_SIDE)
        return clae__fail(ctx, CLAE_EUSAGE, "%s: invalid tile size %dx%d", p, height, width);
    if (pad < 0 || pad > IMG_MAX_SIDE) return clae__fail(ctx, CLAE_EUSAGE, "%s: invalid padding %d", p, pad);
    int64_t gw = (int64_t)cols * width + (int64_t)(cols + 1) * pad;
    int64_t gh = (int64_t)rows * height + (int64_t)(rows + 1) * pad;
    if (gw > IMG_MAX_SIDE || gh > IMG_MAX_SIDE || !valid_size((int)gw, (int)gh, channels))
        return clae__fail(ctx, CLAE_EUSAGE, "%s: grid image %lldx%lld is too large", p, (long long)gw,
                          (long long)gh);
    if (!images) return clae__fail(ctx, CLAE_EUSAGE, "%s: no image data", p);

    size_t W = (size_t)gw, H = (size_t)gh, C = (size_t)channels;
    unsigned char *buf = malloc(W * H * C);
    if (!buf) return clae__fail(ctx, CLAE_ENOMEM, "%s: out of memory for a %zux%zu image", p, W, H);
    memset(buf, 128, W * H * C);
    size_t plane = (size_t)height * (size_t)width;
    for (size_t r = 0; r < (size_t)rows; r++)
        for (size_t c = 0; c < (size_t)cols; c++) {
            const float *tile = images + (r * (size_t)cols + c) * C * plane;
            size_t x0 = (size_t)pad + c * (size_t)(width + pad),
                   y0 = (size_t)pad + r * (size_t)(height + pad);
            for (size_t y = 0; y < (size_t)height; y++)
                for (size_t x = 0; x < (size_t)width; x++)
                    for (size_t k = 0; k < C; k++) /* planar CHW -> interleaved */
                        buf[((y0 + y) * W + x0 + x) * C + k] =
                            to_byte(tile[k * plane + y * (size_t)width + x]);
        }
    clae_status s = clae_png_write(ctx, path, buf, (int)W, (int)H, channels);
    free(buf);
    return s;
}

/* ------------------------------------------------------------------- read */

/* The header (png_read_info reads every chunk before IDAT, so tRNS is known)
 * and the transforms to 8-bit grey, RGB or RGBA. The size is checked here,
 * before libpng or we allocate anything for the pixels: a header may ask for
 * 65535 x 65535 in a file of 100 bytes. */
static void read_header(png_structp png, png_infop info, png_state *s)
{
    png_set_sig_bytes(png, 8);
    png_set_user_limits(png, IMG_MAX_SIDE, IMG_MAX_SIDE);
    png_read_info(png, info);
    int type = png_get_color_type(png, info);
    int alpha = (type & PNG_COLOR_MASK_ALPHA) || png_get_valid(png, info, PNG_INFO_tRNS);
    s->width = (int)png_get_image_width(png, info);
    s->height = (int)png_get_image_height(png, info);
    /* What the transforms below give: grey drops its alpha, colour keeps it. */
    s->channels = !(type & PNG_COLOR_MASK_COLOR) ? 1 : alpha ? 4 : 3;
    if (!valid_size(s->width, s->height, s->channels)) {
        s->too_large = 1;
        png_error(png, "image too large");
    }
    png_set_expand(png); /* palette -> RGB, low bit depths -> 8, tRNS -> alpha */
#ifdef PNG_READ_SCALE_16_TO_8_SUPPORTED
    png_set_scale_16(png); /* rounds, where strip_16 truncates */
#else
    png_set_strip_16(png);
#endif
    if (!(type & PNG_COLOR_MASK_COLOR) && alpha) png_set_strip_alpha(png); /* grey + alpha -> grey */
}

/* The header alone. */
static int info_body(png_structp png, png_infop info, png_state *s)
{
    if (setjmp(png_jmpbuf(png))) return 0;
    read_header(png, info, s);
    return 1;
}

/* Everything libpng does, under setjmp (see write_body). */
static int read_body(png_structp png, png_infop info, png_state *s)
{
    if (setjmp(png_jmpbuf(png))) return 0;
    read_header(png, info, s);
    png_set_interlace_handling(png);
    png_read_update_info(png, info);
    size_t stride = (size_t)s->width * (size_t)s->channels;
    if (png_get_channels(png, info) != s->channels || png_get_rowbytes(png, info) != stride)
        png_error(png, "unsupported pixel layout");
    s->pixels = malloc(stride * (size_t)s->height);
    s->rows = malloc((size_t)s->height * sizeof *s->rows);
    if (!s->pixels || !s->rows) {
        s->oom = 1;
        png_error(png, "out of memory");
    }
    for (int y = 0; y < s->height; y++) s->rows[y] = s->pixels + (size_t)y * stride;
    png_read_image(png, s->rows);
    png_read_end(png, NULL);
    return 1;
}

/* Opens path, checks the signature and reads the header alone (decode 0) or
 * the whole image (s->pixels, malloc'd); the results are in *s. */
static clae_status read_png(clae_ctx *ctx, const char *path, int decode, png_state *s)
{
    if (!path || !path[0]) return clae__fail(ctx, CLAE_EUSAGE, "png: no input path");
    clae_status opened = CLAE_OK;
    s->f = clae__open_regular(ctx, path, &opened);
    if (!s->f) return opened;
    unsigned char sig[8];
    errno = 0;
    size_t got = fread(sig, 1, 8, s->f);
    if (got != 8 || png_sig_cmp(sig, 0, 8) != 0) {
        int e = ferror(s->f) ? errno : 0;
        fclose(s->f);
        if (e) return clae__fail(ctx, CLAE_EIO, "%s: read failed: %s", path, strerror(e));
        return clae__fail(ctx, CLAE_EDATA, "%s: not a PNG file", path);
    }
    png_structp png = png_create_read_struct(PNG_LIBPNG_VER_STRING, s, on_error, on_warning);
    png_infop info = png ? png_create_info_struct(png) : NULL;
    clae_status st = CLAE_OK;
    if (!info) {
        st = clae__fail(ctx, CLAE_ENOMEM, "%s: out of memory", path);
    } else {
        png_set_read_fn(png, s, on_read);
        if (!(decode ? read_body(png, info, s) : info_body(png, info, s))) {
            if (s->too_large)
                st = clae__fail(ctx, CLAE_EDATA,
                                "%s: a %dx%d image with %d channel%s is too large (at most %llu "
                                "pixel bytes)",
                                path, s->width, s->height, s->channels, s->channels > 1 ? "s" : "",
                                (unsigned long long)IMG_MAX_PIXELS * 4ull);
            else if (s->oom)
                st = clae__fail(ctx, CLAE_ENOMEM, "%s: out of memory", path);
            else if (s->io_errno)
                st = clae__fail(ctx, CLAE_EIO, "%s: read failed: %s", path, s->msg);
            else
                st = clae__fail(ctx, CLAE_EDATA, "%s: bad PNG: %s", path, s->msg);
        }
    }
    png_destroy_read_struct(&png, &info, NULL);
    fclose(s->f);
    free(s->rows);
    s->rows = NULL;
    if (st != CLAE_OK) {
        free(s->pixels);
        s->pixels = NULL;
    }
    return st;
}

clae_status clae_png_read_info(clae_ctx *ctx, const char *path, int *width, int *height,
                               int *channels)
{
    if (!width || !height || !channels)
        return clae__fail(ctx, CLAE_EUSAGE, "%s: no result pointers", path ? path : "png");
    *width = *height = *channels = 0;
    png_state s = {0};
    clae_status st = read_png(ctx, path, 0, &s);
    if (st != CLAE_OK) return st;
    *width = s.width;
    *height = s.height;
    *channels = s.channels;
    return CLAE_OK;
}

clae_status clae_png_read(clae_ctx *ctx, const char *path, unsigned char **pixels, int *width, int *height,
                          int *channels)
{
    if (!pixels || !width || !height || !channels)
        return clae__fail(ctx, CLAE_EUSAGE, "%s: no result pointers", path ? path : "png");
    *pixels = NULL;
    *width = *height = *channels = 0;
    png_state s = {0};
    clae_status st = read_png(ctx, path, 1, &s);
    if (st != CLAE_OK) return st;
    *pixels = s.pixels;
    *width = s.width;
    *height = s.height;
    *channels = s.channels;
    return CLAE_OK;
}
