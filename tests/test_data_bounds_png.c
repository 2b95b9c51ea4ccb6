/* Bounded reading of PNG folders: only the first `take` images of the load
 * order are opened, their headers give the shape and the budget is checked
 * before any pixel is decoded; a PNG header asking for a huge image is
 * refused from the header alone. PNGs are built byte by byte here, so that
 * headers can lie and every colour type can be tried. */
#if !defined(_GNU_SOURCE) && !defined(_POSIX_C_SOURCE)
#define _POSIX_C_SOURCE 200809L
#endif
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#include "check.h"
#include "clae/data.h"
#include "clae/image.h"

static char tmpdir[64];

static const char *at(const char *name)
{
    static char path[32][512];
    static int next;
    char *p = path[next++ % 32];
    snprintf(p, sizeof path[0], "%s/%s", tmpdir, name);
    return p;
}

static void put_file(const char *path, const void *bytes, size_t n)
{
    FILE *f = fopen(path, "wb");
    if (!f || (n && fwrite(bytes, 1, n, f) != n)) fprintf(stderr, "cannot write %s\n", path);
    if (f) fclose(f);
}

static void put_dir(const char *path)
{
    if (mkdir(path, 0755) != 0) perror(path);
}

/* ---------------------------------------------------------- PNG by hand */

typedef struct {
    unsigned char b[16384];
    size_t n;
} png_buf;

static void put_u32(unsigned char *p, uint32_t v)
{
    for (int i = 0; i < 4; i++) p[i] = (unsigned char)(v >> (24 - 8 * i));
}

static void chunk(png_buf *o, const char *type, const void *data, size_t n)
{
    if (o->n + n + 12 > sizeof o->b) {
        fprintf(stderr, "test PNG too large\n");
        exit(1);
    }
    unsigned char *p = o->b + o->n;
    put_u32(p, (uint32_t)n);
    memcpy(p + 4, type, 4);
    if (n) memcpy(p + 8, data, n);
    put_u32(p + 8 + n, (uint32_t)crc32(0, p + 4, (uInt)(n + 4)));
    o->n += n + 12;
}

/* Signature and IHDR of a w x h image of the given PNG colour type and depth. */
static void png_start(png_buf *o, uint32_t w, uint32_t h, int depth, int type)
{
    memcpy(o->b, "\x89PNG\r\n\x1a\n", 8);
    o->n = 8;
    unsigned char ihdr[13] = {0};
    put_u32(ihdr, w);
    put_u32(ihdr + 4, h);
    ihdr[8] = (unsigned char)depth;
    ihdr[9] = (unsigned char)type;
    chunk(o, "IHDR", ihdr, sizeof ihdr);
}

/* IDAT holding h rows of row_bytes bytes (filter 0), byte k of row y being
 * base + y * row_bytes + k (mod 256), and IEND. */
static void png_finish(png_buf *o, size_t row_bytes, size_t h, int base)
{
    unsigned char raw[4096], z[8192];
    size_t n = 0;
    if ((row_bytes + 1) * h > sizeof raw) {
        fprintf(stderr, "test PNG too large\n");
        exit(1);
    }
    for (size_t y = 0; y < h; y++) {
        raw[n++] = 0;
        for (size_t k = 0; k < row_bytes; k++) raw[n++] = (unsigned char)(base + y * row_bytes + k);
    }
    uLongf zn = sizeof z;
    if (compress(z, &zn, raw, (uLong)n) != Z_OK) exit(1);
    chunk(o, "IDAT", z, zn);
    chunk(o, "IEND", NULL, 0);
}

/* A grey 8-bit w x h PNG at path whose pixel p is base + p. */
static void put_grey(const char *path, int w, int h, int base)
{
    png_buf o;
    png_start(&o, (uint32_t)w, (uint32_t)h, 8, 0);
    png_finish(&o, (size_t)w, (size_t)h, base);
    put_file(path, o.b, o.n);
}

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

/* ------------------------------------------------------------- headers */

/* clae_png_read_info gives the channels clae_png_read gives, for every colour
 * type: grey loses alpha and tRNS, colour turns tRNS into alpha. */
static void test_header_channels(clae_ctx *ctx)
{
    static const struct {
        const char *name;
        int type, depth, bytes_per_px, trns, want;
    } cases[] = {
        {"grey", 0, 8, 1, 0, 1},         {"grey_alpha", 4, 8, 2, 0, 1},
        {"grey_trns", 0, 8, 1, 1, 1},    {"grey16", 0, 16, 2, 0, 1},
        {"rgb", 2, 8, 3, 0, 3},          {"rgb_trns", 2, 8, 3, 1, 4},
        {"rgba", 6, 8, 4, 0, 4},         {"rgb16", 2, 16, 6, 0, 3},
        {"palette", 3, 8, 1, 0, 3},      {"palette_trns", 3, 8, 1, 1, 4},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        png_buf o;
        png_start(&o, 3, 2, cases[i].depth, cases[i].type);
        if (cases[i].type == 3) {
            unsigned char plte[256 * 3];
            for (int k = 0; k < 256 * 3; k++) plte[k] = (unsigned char)k;
            chunk(&o, "PLTE", plte, sizeof plte);
        }
        if (cases[i].trns) {
            unsigned char trns[6] = {0, 1, 0, 2, 0, 3};
            chunk(&o, "tRNS", trns, cases[i].type == 0 ? 2 : cases[i].type == 2 ? 6 : 4);
        }
        png_finish(&o, 3 * (size_t)cases[i].bytes_per_px, 2, 0);
        char name[64];
        snprintf(name, sizeof name, "%s.png", cases[i].name);
        const char *path = at(name);
        put_file(path, o.b, o.n);
        int w = 0, h = 0, c = 0, dw = 0, dh = 0, dc = 0;
        unsigned char *px = NULL;
        CHECK(clae_png_read_info(ctx, path, &w, &h, &c) == CLAE_OK);
        CHECK(clae_png_read(ctx, path, &px, &dw, &dh, &dc) == CLAE_OK);
        if (c != cases[i].want || dc != cases[i].want)
            fprintf(stderr, "%s: header says %d channels, decode %d, want %d\n", cases[i].name, c,
                    dc, cases[i].want);
        CHECK(w == 3 && h == 2 && c == cases[i].want);
        CHECK(dw == 3 && dh == 2 && dc == cases[i].want);
        free(px);
    }
}

/* A header asking for 65535 x 65535 in a file of under 100 bytes is refused
 * from the header, fast and with nothing allocated for the pixels. */
static void test_huge_header(clae_ctx *ctx)
{
    png_buf o;
    png_start(&o, 65535, 65535, 8, 0);
    png_finish(&o, 4, 1, 0); /* a token IDAT: the header is what matters */
    CHECK(o.n < 100);
    put_dir(at("huge"));
    const char *path = at("huge/a.png");
    put_file(path, o.b, o.n);
    char want[1024];
    snprintf(want, sizeof want,
             "%s: a 65535x65535 image with 1 channel is too large (at most 1073741824 pixel bytes)",
             path);
    int w = 7, h = 7, c = 7;
    unsigned char *px = (unsigned char *)1;
    double t0 = now();
    CHECK(clae_png_read_info(ctx, path, &w, &h, &c) == CLAE_EDATA);
    CHECK_STR(clae_ctx_message(ctx), want);
    CHECK(w == 0 && h == 0 && c == 0);
    CHECK(clae_png_read(ctx, path, &px, &w, &h, &c) == CLAE_EDATA);
    CHECK_STR(clae_ctx_message(ctx), want);
    CHECK(px == NULL);
    clae_dataset ds;
    CHECK(clae_png_dir_read(ctx, at("huge"), NULL, &ds) == CLAE_EDATA);
    CHECK_STR(clae_ctx_message(ctx), want);
    CHECK(ds.x == NULL);
    /* shown, not asserted: decoding 4 GiB of pixels would take seconds at least */
    fprintf(stderr, "three refusals of a huge header took %.3f s\n", now() - t0);

    /* RGBA: 20000 x 20000 x 4 bytes is over the limit though each side is fine. */
    png_start(&o, 20000, 20000, 8, 6);
    png_finish(&o, 4, 1, 0);
    path = at("huge_rgba.png");
    put_file(path, o.b, o.n);
    snprintf(want, sizeof want,
             "%s: a 20000x20000 image with 4 channels is too large (at most 1073741824 pixel bytes)",
             path);
    CHECK(clae_png_read_info(ctx, path, &w, &h, &c) == CLAE_EDATA);
    CHECK_STR(clae_ctx_message(ctx), want);

    /* 16384 x 16384 grey is exactly the limit: its header passes, and a
     * folder of it is then refused by the data budget before any decoding
     * (the decode would fail: the file holds 4 bytes of pixels). */
    png_start(&o, 16384, 16384, 8, 0);
    png_finish(&o, 4, 1, 0);
    put_dir(at("big"));
    path = at("big/a.png");
    put_file(path, o.b, o.n);
    CHECK(clae_png_read_info(ctx, path, &w, &h, &c) == CLAE_OK);
    CHECK(w == 16384 && h == 16384 && c == 1);
    clae_data_bounds small = {0, 1u << 20};
    CHECK(clae_png_dir_read(ctx, at("big"), &small, &ds) == CLAE_EDATA);
    CHECK(strstr(clae_ctx_message(ctx), "more than the data budget of 1.0 MiB") != NULL);
    CHECK(ds.x == NULL);
    clae_data_bounds roomy = {0, (uint64_t)2 << 30};
    CHECK(clae_png_dir_read(ctx, at("big"), &roomy, &ds) == CLAE_EDATA);
    snprintf(want, sizeof want, "%s: bad PNG: ", path);
    CHECK(strncmp(clae_ctx_message(ctx), want, strlen(want)) == 0);
}

/* --------------------------------------------------------------- take */

static int same_rows(const clae_dataset *a, const clae_dataset *b, size_t n)
{
    return a->dim == b->dim && memcmp(a->x, b->x, n * a->dim * sizeof *a->x) == 0;
}

/* A flat folder: sorted names; take keeps the first N, does not open the
 * rest, and a labels file must hold the folder's count. */
static void test_take_flat(clae_ctx *ctx)
{
    const char *dir = at("flat");
    put_dir(dir);
    const char *names[6] = {"a.png", "b.png", "c.png", "d.png", "e.png", "f.png"};
    for (int i = 0; i < 6; i++) {
        char p[600];
        snprintf(p, sizeof p, "%s/%s", dir, names[i]);
        put_grey(p, 3, 2, 20 * i);
    }
    clae_dataset full, ds;
    REQUIRE(clae_png_dir_read(ctx, dir, NULL, &full) == CLAE_OK);
    CHECK(full.count == 6 && full.file_count == 6 && full.dim == 6 && full.labels == NULL);
    CHECK(full.x[5 * 6 + 5] == (100 + 5) / 255.0f);

    clae_data_bounds b = {4, 0};
    REQUIRE(clae_png_dir_read(ctx, dir, &b, &ds) == CLAE_OK);
    CHECK(ds.count == 4 && ds.file_count == 6 && ds.channels == 1 && ds.height == 2 &&
          ds.width == 3);
    CHECK(same_rows(&ds, &full, 4));

    /* Labels: the file holds one per image of the folder, the first 4 are kept. */
    const char *labels = at("flat_labels.txt");
    put_file(labels, "5\n4\n3\n2\n1\n0\n", 12);
    REQUIRE(clae_dataset_read_labels(ctx, labels, &ds) == CLAE_OK);
    REQUIRE(ds.labels != NULL);
    CHECK(ds.labels[0] == 5 && ds.labels[1] == 4 && ds.labels[2] == 3 && ds.labels[3] == 2);
    const char *short_labels = at("flat_labels4.txt");
    put_file(short_labels, "5\n4\n3\n2\n", 8);
    CHECK(clae_dataset_read_labels(ctx, short_labels, &ds) == CLAE_EDATA);
    char want[1024];
    snprintf(want, sizeof want, "%s: 4 labels for 6 images", short_labels);
    CHECK_STR(clae_ctx_message(ctx), want);
    clae_dataset_free(&ds);

    /* More than the folder holds is all of it; through clae_dataset_read too. */
    b.take = 100;
    REQUIRE(clae_dataset_read(ctx, dir, 0, &b, &ds) == CLAE_OK);
    CHECK(ds.count == 6 && ds.file_count == 6 && same_rows(&ds, &full, 6));
    clae_dataset_free(&ds);
    b.take = 2;
    REQUIRE(clae_dataset_read(ctx, dir, 0, &b, &ds) == CLAE_OK);
    CHECK(ds.count == 2 && ds.file_count == 6 && same_rows(&ds, &full, 2));
    clae_dataset_free(&ds);

    /* After the first 6: a file that is no PNG and one of another size. Only
     * a read that reaches them sees them. */
    char junk[600], odd[600];
    snprintf(junk, sizeof junk, "%s/g.png", dir);
    put_file(junk, "not a png", 9);
    snprintf(odd, sizeof odd, "%s/h.png", dir);
    put_grey(odd, 5, 5, 0);
    b.take = 6;
    REQUIRE(clae_png_dir_read(ctx, dir, &b, &ds) == CLAE_OK);
    CHECK(ds.count == 6 && ds.file_count == 8 && same_rows(&ds, &full, 6));
    clae_dataset_free(&ds);
    CHECK(clae_png_dir_read(ctx, dir, NULL, &ds) == CLAE_EDATA);
    snprintf(want, sizeof want, "%s: not a PNG file", junk);
    CHECK_STR(clae_ctx_message(ctx), want);
    CHECK(ds.x == NULL);
    remove(junk);
    b.take = 0;
    CHECK(clae_png_dir_read(ctx, dir, &b, &ds) == CLAE_EDATA);
    snprintf(want, sizeof want, "%s: 5x5 pixels, but %s/a.png is 3x2", odd, dir);
    CHECK_STR(clae_ctx_message(ctx), want);
    clae_dataset_free(&full);
}

/* Class folders: take keeps the first N of the interleaved order with their
 * labels, and grey or colour is decided by the images kept. */
static void test_take_classes(clae_ctx *ctx)
{
    const char *dir = at("cls");
    put_dir(dir);
    static const int per_class[3] = {3, 2, 1};
    for (int c = 0; c < 3; c++) {
        char sub[600];
        snprintf(sub, sizeof sub, "%s/%d", dir, c);
        put_dir(sub);
        for (int r = 0; r < per_class[c]; r++) {
            char p[700];
            snprintf(p, sizeof p, "%s/%d.png", sub, r);
            put_grey(p, 2, 2, 50 * c + 10 * r);
        }
    }
    clae_dataset full, ds;
    REQUIRE(clae_png_dir_read(ctx, dir, NULL, &full) == CLAE_OK);
    REQUIRE(full.count == 6 && full.file_count == 6 && full.labels != NULL);
    /* Interleaved: class 0 file 0, class 1 file 0, class 0 file 1, class 2, ... */
    static const int want_labels[6] = {0, 1, 0, 2, 1, 0};
    CHECK(memcmp(full.labels, want_labels, sizeof want_labels) == 0);
    for (size_t take = 1; take <= 6; take++) {
        clae_data_bounds b = {take, 0};
        REQUIRE(clae_png_dir_read(ctx, dir, &b, &ds) == CLAE_OK);
        CHECK(ds.count == take && ds.file_count == 6 && ds.labels != NULL);
        CHECK(same_rows(&ds, &full, take));
        CHECK(memcmp(ds.labels, full.labels, take * sizeof *ds.labels) == 0);
        clae_dataset_free(&ds);
    }

    /* The last image of the order in colour: the first 5 stay grey. */
    char last[700];
    snprintf(last, sizeof last, "%s/0/2.png", dir);
    png_buf o;
    png_start(&o, 2, 2, 8, 2);
    png_finish(&o, 6, 2, 0);
    put_file(last, o.b, o.n);
    clae_data_bounds b = {5, 0};
    REQUIRE(clae_png_dir_read(ctx, dir, &b, &ds) == CLAE_OK);
    CHECK(ds.count == 5 && ds.channels == 1 && ds.dim == 4 && same_rows(&ds, &full, 5));
    clae_dataset_free(&ds);
    REQUIRE(clae_png_dir_read(ctx, dir, NULL, &ds) == CLAE_OK);
    CHECK(ds.count == 6 && ds.channels == 3 && ds.dim == 12);
    clae_dataset_free(&ds);
    clae_dataset_free(&full);
}

/* The budget is checked from the headers, before any pixel is decoded: every
 * image here has a good header and broken pixel data. */
static void test_budget_before_decoding(clae_ctx *ctx)
{
    const char *dir = at("broken");
    put_dir(dir);
    png_buf o;
    png_start(&o, 512, 512, 8, 0);
    png_finish(&o, 4, 1, 1); /* far too little image data */
    for (int i = 0; i < 3; i++) {
        char p[600];
        snprintf(p, sizeof p, "%s/%d.png", dir, i);
        put_file(p, o.b, o.n);
    }
    clae_dataset ds;
    /* 3 images of 512 x 512 floats are 3 MiB; 2 are 2 MiB. */
    clae_data_bounds b = {0, 5 << 19};
    CHECK(clae_png_dir_read(ctx, dir, &b, &ds) == CLAE_EDATA);
    char want[1024];
    snprintf(want, sizeof want,
             "%s: 3 samples of 262144 values need 3.0 MiB, more than the data budget of 2.5 MiB "
             "(raise [data] max_memory, or read fewer with [data] limit)",
             dir);
    CHECK_STR(clae_ctx_message(ctx), want);
    CHECK(ds.x == NULL && ds.count == 0);
    /* Within the budget the decode is reached, and fails. */
    b.take = 2;
    CHECK(clae_png_dir_read(ctx, dir, &b, &ds) == CLAE_EDATA);
    snprintf(want, sizeof want, "%s/0.png: bad PNG: ", dir);
    CHECK(strncmp(clae_ctx_message(ctx), want, strlen(want)) == 0);
}

int main(void)
{
    if (!check_make_tree(tmpdir, sizeof tmpdir, "bounds-png")) return 1;
    clae_ctx *ctx = clae_ctx_create();
    test_header_channels(ctx);
    test_huge_header(ctx);
    test_take_flat(ctx);
    test_take_classes(ctx);
    test_budget_before_decoding(ctx);
    clae_ctx_destroy(ctx);
    check_remove_tree(tmpdir);
    return check_finish();
}
