/* PNG: grids with exact pixel values, reading foreign PNG formats, errors, atomic writes. */
#if !defined(_GNU_SOURCE) && !defined(_POSIX_C_SOURCE)
#define _POSIX_C_SOURCE 200809L
#endif
#include "clae/image.h"

#include <dirent.h>
#include <png.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "check.h"

static char dir[64];
static char path[512];
static char want[1024];

static const char *at(const char *name)
{
    snprintf(path, sizeof path, "%s/%s", dir, name);
    return path;
}

static int count_entries(int *temps)
{
    DIR *d = opendir(dir);
    int n = 0;
    *temps = 0;
    struct dirent *e;
    while (d && (e = readdir(d))) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) continue;
        n++;
        if (strstr(e->d_name, ".tmp.")) (*temps)++;
    }
    if (d) closedir(d);
    return n;
}

static unsigned char *get_file(const char *p, size_t *n)
{
    FILE *f = fopen(p, "rb");
    if (!f) return NULL;
    unsigned char *b = malloc(1 << 22);
    *n = b ? fread(b, 1, 1 << 22, f) : 0;
    fclose(f);
    return b;
}

static void put_file(const char *p, const void *bytes, size_t n)
{
    FILE *f = fopen(p, "wb");
    if (!f) return;
    fwrite(bytes, 1, n, f);
    fclose(f);
}

typedef struct {
    int depth, type, interlace;
    int n_palette, n_trans;
    png_color palette[4];
    png_byte trans[4];
} raw_fmt;

/* Writes a PNG straight with libpng; rows are in libpng's packed format. */
static int raw_png(const char *p, int w, int h, const raw_fmt *fmt, const unsigned char *data, size_t stride)
{
    FILE *f = fopen(p, "wb");
    if (!f) return 0;
    png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
    png_infop info = png_create_info_struct(png);
    if (setjmp(png_jmpbuf(png))) {
        png_destroy_write_struct(&png, &info);
        fclose(f);
        return 0;
    }
    png_init_io(png, f);
    png_set_IHDR(png, info, (png_uint_32)w, (png_uint_32)h, fmt->depth, fmt->type, fmt->interlace,
                 PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
    if (fmt->n_palette) png_set_PLTE(png, info, fmt->palette, fmt->n_palette);
    if (fmt->n_trans) png_set_tRNS(png, info, fmt->trans, fmt->n_trans, NULL);
    png_write_info(png, info);
    int passes = png_set_interlace_handling(png);
    for (int pass = 0; pass < passes; pass++)
        for (int y = 0; y < h; y++) png_write_row(png, data + (size_t)y * stride);
    png_write_end(png, info);
    png_destroy_write_struct(&png, &info);
    fclose(f);
    return 1;
}

static unsigned char px[4096];
static int pw, ph, pc;

static int read_back(clae_ctx *ctx, const char *p)
{
    unsigned char *pix = NULL;
    clae_status s = clae_png_read(ctx, p, &pix, &pw, &ph, &pc);
    if (s != CLAE_OK || (size_t)pw * ph * pc > sizeof px) {
        free(pix);
        return 0;
    }
    memcpy(px, pix, (size_t)pw * ph * pc);
    free(pix);
    return 1;
}

static unsigned char grey_at(int x, int y) { return px[(size_t)y * pw + x]; }

static void test_grey_grid(clae_ctx *ctx)
{
    /* 2 x 3 tiles of 2 x 3, pad 1: tiles at x 1..3, 5..7, 9..11 and y 1..2, 4..5. */
    float img[6][6];
    for (int t = 0; t < 6; t++)
        for (int i = 0; i < 6; i++) img[t][i] = (float)(t * 6 + i + 40) / 255.0f;
    const float special[6] = {0.0f, 0.5f, 1.0f, -1.0f, 2.0f, NAN};
    memcpy(img[0], special, sizeof special);
    img[5][5] = 0.999f;
    REQUIRE(clae_image_write_grid(ctx, at("grid.png"), &img[0][0], 2, 3, 1, 2, 3, 1) == CLAE_OK);
    REQUIRE(read_back(ctx, path));
    CHECK(pw == 13 && ph == 7 && pc == 1);
    const unsigned char want0[6] = {0, 128, 255, 0, 255, 0};
    int tiles_ok = 1, pad_ok = 1;
    for (int y = 0; y < 7; y++)
        for (int x = 0; x < 13; x++) {
            int is_pad = x % 4 == 0 || y % 3 == 0;
            if (is_pad) {
                pad_ok &= grey_at(x, y) == 128;
                continue;
            }
            int t = (y / 3) * 3 + x / 4, i = (y % 3 - 1) * 3 + (x % 4 - 1);
            int v = t == 0 ? want0[i] : t == 5 && i == 5 ? 255 : t * 6 + i + 40;
            tiles_ok &= grey_at(x, y) == v;
        }
    CHECK(tiles_ok);
    CHECK(pad_ok);
    CHECK(grey_at(1, 1) == 0 && grey_at(2, 1) == 128 && grey_at(3, 1) == 255);
    CHECK(grey_at(1, 2) == 0 && grey_at(2, 2) == 255 && grey_at(3, 2) == 0);
    CHECK(grey_at(5, 1) == 46 && grey_at(11, 5) == 255 && grey_at(10, 5) == 74);
    CHECK(grey_at(0, 0) == 128 && grey_at(4, 1) == 128 && grey_at(12, 6) == 128);

    /* No padding: tiles touch. */
    REQUIRE(clae_image_write_grid(ctx, at("grid0.png"), &img[0][0], 2, 3, 1, 2, 3, 0) == CLAE_OK);
    REQUIRE(read_back(ctx, path));
    CHECK(pw == 9 && ph == 4 && pc == 1);
    CHECK(grey_at(0, 0) == 0 && grey_at(3, 0) == 46 && grey_at(8, 3) == 255);
}

static void test_rgb_grid(clae_ctx *ctx)
{
    /* 1 x 2 tiles of 3 x 2x2 planar floats, pad 2: 10 x 6 pixels. */
    float img[2][3][4];
    for (int t = 0; t < 2; t++)
        for (int c = 0; c < 3; c++)
            for (int i = 0; i < 4; i++) img[t][c][i] = (float)(100 * t + 10 * c + i) / 255.0f;
    REQUIRE(clae_image_write_grid(ctx, at("rgb.png"), &img[0][0][0], 1, 2, 3, 2, 2, 2) == CLAE_OK);
    REQUIRE(read_back(ctx, path));
    CHECK(pw == 10 && ph == 6 && pc == 3);
    int ok = 1;
    for (int t = 0; t < 2; t++)
        for (int i = 0; i < 4; i++)
            for (int c = 0; c < 3; c++) {
                int x = 2 + t * 4 + i % 2, y = 2 + i / 2;
                ok &= px[(y * 10 + x) * 3 + c] == 100 * t + 10 * c + i;
            }
    CHECK(ok);
    CHECK(px[0] == 128 && px[1] == 128 && px[2] == 128);
    CHECK(px[(2 * 10 + 4) * 3] == 128 && px[(5 * 10 + 9) * 3 + 2] == 128);
}

static void test_png_round_trip(clae_ctx *ctx)
{
    unsigned char rgba[2 * 3 * 4];
    for (int i = 0; i < 24; i++) rgba[i] = (unsigned char)(i * 11);
    REQUIRE(clae_png_write(ctx, at("rgba.png"), rgba, 3, 2, 4) == CLAE_OK);
    REQUIRE(read_back(ctx, path));
    CHECK(pw == 3 && ph == 2 && pc == 4 && memcmp(px, rgba, 24) == 0);
    REQUIRE(clae_png_write(ctx, at("grey.png"), rgba, 6, 4, 1) == CLAE_OK);
    REQUIRE(read_back(ctx, path));
    CHECK(pw == 6 && ph == 4 && pc == 1 && memcmp(px, rgba, 24) == 0);
    int temps;
    count_entries(&temps);
    CHECK(temps == 0);
}

static void test_foreign_formats(clae_ctx *ctx)
{
    /* Grey + alpha: the alpha is dropped. */
    const unsigned char ga[2][4] = {{10, 255, 20, 0}, {30, 128, 40, 7}};
    raw_fmt f = {8, PNG_COLOR_TYPE_GRAY_ALPHA, PNG_INTERLACE_NONE, 0, 0, {{0}}, {0}};
    REQUIRE(raw_png(at("ga.png"), 2, 2, &f, &ga[0][0], 4));
    REQUIRE(read_back(ctx, path));
    CHECK(pw == 2 && ph == 2 && pc == 1);
    CHECK(px[0] == 10 && px[1] == 20 && px[2] == 30 && px[3] == 40);

    /* 16-bit RGB, big-endian samples k * 257, interlaced: read as 8-bit k. */
    unsigned char rgb16[3][3 * 6];
    for (int y = 0; y < 3; y++)
        for (int i = 0; i < 9; i++) {
            unsigned v = (unsigned)(y * 9 + i) * 9u * 257u;
            rgb16[y][2 * i] = (unsigned char)(v >> 8);
            rgb16[y][2 * i + 1] = (unsigned char)v;
        }
    f = (raw_fmt){16, PNG_COLOR_TYPE_RGB, PNG_INTERLACE_ADAM7, 0, 0, {{0}}, {0}};
    REQUIRE(raw_png(at("rgb16.png"), 3, 3, &f, &rgb16[0][0], sizeof rgb16[0]));
    REQUIRE(read_back(ctx, path));
    CHECK(pw == 3 && ph == 3 && pc == 3);
    int ok = 1;
    for (int i = 0; i < 27; i++) ok &= px[i] == i * 9;
    CHECK(ok);

    /* 16-bit grey + alpha. */
    const unsigned char ga16[1][8] = {{0xff, 0xff, 0x00, 0x00, 0x80, 0x80, 0x12, 0x34}};
    f = (raw_fmt){16, PNG_COLOR_TYPE_GRAY_ALPHA, PNG_INTERLACE_NONE, 0, 0, {{0}}, {0}};
    REQUIRE(raw_png(at("ga16.png"), 2, 1, &f, &ga16[0][0], 8));
    REQUIRE(read_back(ctx, path));
    CHECK(pw == 2 && ph == 1 && pc == 1 && px[0] == 255 && px[1] == 128);

    /* 2-bit palette with transparency -> RGBA; without -> RGB. */
    const unsigned char pal[1] = {0x1b}; /* indices 0 1 2 3 */
    f = (raw_fmt){2,
                  PNG_COLOR_TYPE_PALETTE,
                  PNG_INTERLACE_NONE,
                  4,
                  2,
                  {{1, 2, 3}, {4, 5, 6}, {7, 8, 9}, {250, 251, 252}},
                  {0, 99}};
    REQUIRE(raw_png(at("pal.png"), 4, 1, &f, pal, 1));
    REQUIRE(read_back(ctx, path));
    CHECK(pw == 4 && ph == 1 && pc == 4);
    const unsigned char want_pal[16] = {1, 2, 3, 0, 4, 5, 6, 99, 7, 8, 9, 255, 250, 251, 252, 255};
    CHECK(memcmp(px, want_pal, 16) == 0);
    f.n_trans = 0;
    REQUIRE(raw_png(at("pal3.png"), 4, 1, &f, pal, 1));
    REQUIRE(read_back(ctx, path));
    CHECK(pw == 4 && ph == 1 && pc == 3 && px[3] == 4 && px[11] == 252);

    /* 1-bit grey expands to 0 / 255. */
    const unsigned char bits[2] = {0xa0, 0x40}; /* 1 0 1 / 0 1 0 */
    f = (raw_fmt){1, PNG_COLOR_TYPE_GRAY, PNG_INTERLACE_NONE, 0, 0, {{0}}, {0}};
    REQUIRE(raw_png(at("bits.png"), 3, 2, &f, bits, 1));
    REQUIRE(read_back(ctx, path));
    CHECK(pw == 3 && ph == 2 && pc == 1);
    CHECK(px[0] == 255 && px[1] == 0 && px[2] == 255 && px[3] == 0 && px[4] == 255 && px[5] == 0);
}

static void expect(clae_ctx *ctx, clae_status got, clae_status s, const char *p, const char *tail)
{
    CHECK(got == s);
    CHECK(clae_ctx_status(ctx) == s);
    snprintf(want, sizeof want, "%s: %s", p, tail);
    CHECK_STR(clae_ctx_message(ctx), want);
}

static void put_u32(unsigned char *b, uint32_t v)
{
    for (int i = 0; i < 4; i++) b[i] = (unsigned char)(v >> (24 - 8 * i));
}

static void test_bad_reads(clae_ctx *ctx)
{
    unsigned char *pix = (unsigned char *)1;
    int w, h, c;
    expect(ctx, clae_png_read(ctx, at("missing.png"), &pix, &w, &h, &c), CLAE_EUSAGE, path,
           "cannot open: No such file or directory");
    CHECK(pix == NULL);
    put_file(at("text.png"), "hello, world\n", 13);
    expect(ctx, clae_png_read(ctx, path, &pix, &w, &h, &c), CLAE_EDATA, path, "not a PNG file");
    put_file(at("empty.png"), "", 0);
    expect(ctx, clae_png_read(ctx, path, &pix, &w, &h, &c), CLAE_EDATA, path, "not a PNG file");

    unsigned char grey[64 * 64];
    for (int i = 0; i < 64 * 64; i++) grey[i] = (unsigned char)(i * 7);
    REQUIRE(clae_png_write(ctx, at("good.png"), grey, 64, 64, 1) == CLAE_OK);
    size_t n = 0;
    unsigned char *good = get_file(path, &n);
    REQUIRE(good && n > 100);
    put_file(at("trunc.png"), good, 40);
    expect(ctx, clae_png_read(ctx, path, &pix, &w, &h, &c), CLAE_EDATA, path,
           "bad PNG: unexpected end of file");
    put_file(at("trunc2.png"), good, n - 20); /* cut inside the image data */
    expect(ctx, clae_png_read(ctx, path, &pix, &w, &h, &c), CLAE_EDATA, path,
           "bad PNG: unexpected end of file");
    CHECK(pix == NULL);

    /* IHDR (at byte 8: length, "IHDR", width, height, ...). */
    good[19] ^= 1;
    put_file(at("crc.png"), good, n);
    expect(ctx, clae_png_read(ctx, path, &pix, &w, &h, &c), CLAE_EDATA, path, "bad PNG: IHDR: CRC error");
    put_u32(good + 16, 70000);
    put_u32(good + 29, (uint32_t)crc32(0, good + 12, 17));
    put_file(at("wide.png"), good, n);
    expect(ctx, clae_png_read(ctx, path, &pix, &w, &h, &c), CLAE_EDATA, path, "bad PNG: Invalid IHDR data");
    free(good);
    CHECK(clae_png_read(ctx, path, NULL, &w, &h, &c) == CLAE_EUSAGE);
}

static void test_bad_writes(clae_ctx *ctx)
{
    unsigned char pix[12] = {0};
    float img[12] = {0};
    const char *p = at("bad.png");
    expect(ctx, clae_png_write(ctx, p, pix, 2, 2, 2), CLAE_EUSAGE, p,
           "invalid channel count 2 (want 1, 3 or 4)");
    expect(ctx, clae_png_write(ctx, p, pix, 0, 5, 1), CLAE_EUSAGE, p, "invalid image size 0x5");
    expect(ctx, clae_png_write(ctx, p, pix, 100000, 1, 1), CLAE_EUSAGE, p, "invalid image size 100000x1");
    expect(ctx, clae_png_write(ctx, p, NULL, 2, 2, 1), CLAE_EUSAGE, p, "no pixel data");
    expect(ctx, clae_image_write_grid(ctx, p, img, 0, 3, 1, 2, 2, 1), CLAE_EUSAGE, p, "invalid grid 0x3");
    expect(ctx, clae_image_write_grid(ctx, p, img, 1, 1, 4, 2, 2, 1), CLAE_EUSAGE, p,
           "invalid channel count 4 (want 1 or 3)");
    expect(ctx, clae_image_write_grid(ctx, p, img, 1, 1, 1, 2, -2, 1), CLAE_EUSAGE, p,
           "invalid tile size 2x-2");
    expect(ctx, clae_image_write_grid(ctx, p, img, 1, 1, 1, 2, 2, -1), CLAE_EUSAGE, p, "invalid padding -1");
    expect(ctx, clae_image_write_grid(ctx, p, img, 1, 40000, 1, 2, 2, 1), CLAE_EUSAGE, p,
           "grid image 120001x4 is too large");
    expect(ctx, clae_image_write_grid(ctx, p, NULL, 1, 1, 1, 2, 2, 1), CLAE_EUSAGE, p, "no image data");

    int temps, entries = count_entries(&temps);
    p = at("nope/x.png");
    expect(ctx, clae_png_write(ctx, p, pix, 2, 2, 1), CLAE_EIO, p,
           "cannot open for writing: No such file or directory");
    expect(ctx, clae_image_write_grid(ctx, p, img, 1, 1, 1, 2, 2, 1), CLAE_EIO, p,
           "cannot open for writing: No such file or directory");
    if (geteuid() != 0) { /* root ignores permissions */
        mkdir(at("ro"), 0500);
        p = at("ro/x.png");
        expect(ctx, clae_png_write(ctx, p, pix, 2, 2, 1), CLAE_EIO, p,
               "cannot open for writing: Permission denied");
        rmdir(at("ro"));
    }

    /* A write that fails half way keeps the old file. */
    REQUIRE(clae_png_write(ctx, at("keep.png"), pix, 2, 2, 1) == CLAE_OK);
    size_t n0 = 0, n1 = 0;
    unsigned char *before = get_file(path, &n0);
    entries = count_entries(&temps);
    static unsigned char noise[256 * 256 * 3];
    uint32_t r = 12345;
    for (size_t i = 0; i < sizeof noise; i++)
        noise[i] = (unsigned char)((r = r * 1664525u + 1013904223u) >> 24);
    struct rlimit old_lim, lim;
    void (*old_sig)(int) = signal(SIGXFSZ, SIG_IGN);
    REQUIRE(getrlimit(RLIMIT_FSIZE, &old_lim) == 0);
    lim = old_lim;
    lim.rlim_cur = 4096;
    REQUIRE(setrlimit(RLIMIT_FSIZE, &lim) == 0);
    clae_status s = clae_png_write(ctx, path, noise, 256, 256, 3);
    setrlimit(RLIMIT_FSIZE, &old_lim);
    signal(SIGXFSZ, old_sig);
    expect(ctx, s, CLAE_EIO, path, "write failed: File too large");

    mkdir(at("adir.png"), 0700);
    expect(ctx, clae_png_write(ctx, path, pix, 2, 2, 1), CLAE_EIO, path, "rename failed: Is a directory");
    rmdir(path);

    unsigned char *after = get_file(at("keep.png"), &n1);
    CHECK(before && after && n0 == n1 && memcmp(before, after, n0) == 0);
    CHECK(count_entries(&temps) == entries);
    CHECK(temps == 0);
    free(before);
    free(after);
}

static void cleanup(void)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    while (d && (e = readdir(d))) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) continue;
        remove(at(e->d_name));
    }
    if (d) closedir(d);
    rmdir(dir);
}

int main(void)
{
    snprintf(dir, sizeof dir, "/tmp/clae_img_XXXXXX");
    if (!mkdtemp(dir)) return 1;
    clae_ctx *ctx = clae_ctx_create();
    if (!ctx) return 1;
    test_grey_grid(ctx);
    test_rgb_grid(ctx);
    test_png_round_trip(ctx);
    test_foreign_formats(ctx);
    test_bad_reads(ctx);
    test_bad_writes(ctx);
    clae_ctx_destroy(ctx);
    cleanup();
    return check_finish();
}
