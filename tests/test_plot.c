/* Pictures: each plot kind drawn into a temporary folder and read back (size,
 * a title that is not blank, the palette's colours where points and curves
 * are), an unwritable path's one-line error, degenerate input (constant, NaN,
 * one point, no points, values finer than their own rounding, 256 labels,
 * 1xN and oversize tiles) that must still give a valid picture, the first
 * layer's tiles of a dense and a convolutional model, and the pictures two
 * short training runs write (a dense autoencoder with --snapshot, a 2-D VAE). */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "clae/image.h"
#include "clae/spec.h"
#include "clae/train.h"
#include "device_or_skip.h"
#include "io/plot.h"
#include "model/model.h"
#include "train/pictures.h"

static char dir[] = "/tmp/clae_test_plot_XXXXXX";

static const char *at(const char *name)
{
    static char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    return path;
}

typedef struct {
    unsigned char *px;
    int w, h, c;
} picture;

static int load(clae_ctx *ctx, const char *path, picture *p)
{
    memset(p, 0, sizeof *p);
    if (clae_png_read(ctx, path, &p->px, &p->w, &p->h, &p->c) == CLAE_OK) return 1;
    fprintf(stderr, "%s: %s\n", path, clae_ctx_message(ctx));
    return 0;
}

/* Pixels of rows [y0, y1) darker than light grey: text, lines, points. */
static long dark_pixels(const picture *p, int y0, int y1)
{
    long n = 0;
    for (int y = y0; y < y1 && y < p->h; y++)
        for (int x = 0; x < p->w; x++) {
            const unsigned char *q = p->px + ((size_t)y * (size_t)p->w + (size_t)x) * (size_t)p->c;
            n += q[0] < 128;
        }
    return n;
}

/* Pixels within tol of the colour (r, g, b). */
static long colour_pixels(const picture *p, int r, int g, int b, int tol)
{
    long n = 0;
    for (size_t i = 0; i < (size_t)p->w * (size_t)p->h; i++) {
        const unsigned char *q = p->px + i * (size_t)p->c;
        int qr = q[0], qg = p->c >= 3 ? q[1] : q[0], qb = p->c >= 3 ? q[2] : q[0];
        n += abs(qr - r) <= tol && abs(qg - g) <= tol && abs(qb - b) <= tol;
    }
    return n;
}

/* Pixels within tol of (r, g, b) in the box [x0, x1) x [y0, y1). */
static long colour_pixels_in(const picture *p, int x0, int x1, int y0, int y1, int r, int g,
                             int b, int tol)
{
    long n = 0;
    for (int y = y0 < 0 ? 0 : y0; y < y1 && y < p->h; y++)
        for (int x = x0 < 0 ? 0 : x0; x < x1 && x < p->w; x++) {
            const unsigned char *q = p->px + ((size_t)y * (size_t)p->w + (size_t)x) * (size_t)p->c;
            int qr = q[0], qg = p->c >= 3 ? q[1] : q[0], qb = p->c >= 3 ? q[2] : q[0];
            n += abs(qr - r) <= tol && abs(qg - g) <= tol && abs(qb - b) <= tol;
        }
    return n;
}

/* The file starts with the PNG signature and decodes to a picture of at least
 * min_w x min_h and at most the plot's 16000 pixels a side; on success *p
 * holds it (free p->px). A check: failing counts. */
static int png_ok(clae_ctx *ctx, const char *path, int min_w, int min_h, picture *p)
{
    static const unsigned char SIGNATURE[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    unsigned char head[8] = {0};
    FILE *f = fopen(path, "rb");
    size_t got = f ? fread(head, 1, sizeof head, f) : 0;
    if (f) fclose(f);
    if (got != sizeof head || memcmp(head, SIGNATURE, sizeof head) != 0) {
        fprintf(stderr, "%s: not a PNG file\n", path);
        return 0;
    }
    if (!load(ctx, path, p)) return 0;
    if (p->w >= min_w && p->h >= min_h && p->w <= 16000 && p->h <= 16000) return 1;
    fprintf(stderr, "%s: %dx%d pixels, want at least %dx%d\n", path, p->w, p->h, min_w, min_h);
    free(p->px);
    p->px = NULL;
    return 0;
}

static int valid_png(clae_ctx *ctx, const char *path, int min_w, int min_h, picture *p)
{
    int ok = png_ok(ctx, path, min_w, min_h, p);
    CHECK(ok);
    return ok;
}

static const int BLUE[3] = {31, 119, 180}, ORANGE[3] = {255, 127, 14}, GREEN[3] = {44, 160, 44};

static void test_tiles(clae_ctx *ctx)
{
    enum { R = 2, C = 8, H = 28, W = 28 };
    float *tiles = malloc((size_t)R * C * H * W * sizeof *tiles);
    REQUIRE(tiles);
    for (int t = 0; t < R * C; t++)
        for (int i = 0; i < H * W; i++) tiles[t * H * W + i] = (float)((i % W) / (W - 1.0));
    const char *rows[R] = {"original", "reconstructed"};
    clae_tile_figure f = {.title = "reconstructions — a test", .caption = "a caption",
                          .rows = R, .cols = C, .channels = 1, .height = H, .width = W,
                          .tiles = tiles, .row_labels = rows, .scaling = CLAE_TILES_CLAMP};
    CHECK(clae__plot_tiles(ctx, at("tiles.png"), &f) == CLAE_OK);
    picture p;
    if (load(ctx, at("tiles.png"), &p)) {
        CHECK(p.w >= 600);
        CHECK(dark_pixels(&p, 0, 36) > 100); /* the title */
        CHECK(colour_pixels(&p, 0, 0, 0, 0) > 1000);       /* the tiles' dark ends */
        CHECK(colour_pixels(&p, 255, 255, 255, 0) > 1000); /* background and bright ends */
        free(p.px);
    }

    /* RGB tiles and symmetric scaling: +v white, -v black, 0 mid-grey */
    for (int t = 0; t < 3; t++)
        for (int i = 0; i < H * W; i++) {
            tiles[t * 3 * H * W + i] = t == 0 ? 1.0f : 0.0f;          /* red */
            tiles[t * 3 * H * W + H * W + i] = 0.0f;                  /* green */
            tiles[t * 3 * H * W + 2 * H * W + i] = t == 2 ? 1.0f : 0.0f; /* blue */
        }
    const char *labels[3] = {"red", "black", "blue"};
    clae_tile_figure rgb = {.title = "RGB", .rows = 1, .cols = 3, .channels = 3, .height = H,
                            .width = W, .tiles = tiles, .tile_labels = labels,
                            .scaling = CLAE_TILES_CLAMP};
    CHECK(clae__plot_tiles(ctx, at("rgb.png"), &rgb) == CLAE_OK);
    if (load(ctx, at("rgb.png"), &p)) {
        CHECK(p.w >= 600);
        CHECK(colour_pixels(&p, 255, 0, 0, 0) >= 4 * H * W); /* scaled up at least 2x */
        CHECK(colour_pixels(&p, 0, 0, 255, 0) >= 4 * H * W);
        free(p.px);
    }
    for (int i = 0; i < H * W; i++) tiles[i] = i < H * W / 2 ? -0.3f : i == H * W / 2 ? 0.0f : 0.1f;
    clae_tile_figure sym = {.title = "weights", .rows = 1, .cols = 1, .channels = 1, .height = H,
                            .width = W, .tiles = tiles, .scaling = CLAE_TILES_SYMMETRIC};
    CHECK(clae__plot_tiles(ctx, at("sym.png"), &sym) == CLAE_OK);
    if (load(ctx, at("sym.png"), &p)) {
        CHECK(colour_pixels(&p, 0, 0, 0, 0) >= 4 * H * W / 2);        /* -max: black */
        CHECK(colour_pixels(&p, 170, 170, 170, 1) >= 4 * (H * W / 2 - 1)); /* 0.1 of 0.3 */
        CHECK(colour_pixels(&p, 128, 128, 128, 1) >= 4);              /* 0: mid-grey */
        free(p.px);
    }
    free(tiles);
}

static void test_lines(clae_ctx *ctx)
{
    double x[5] = {1, 2, 3, 4, 5}, train[5] = {0.5, 0.1, 0.05, 0.03, 0.02},
           test[5] = {0.6, 0.12, 0.06, 0.04, 0.03}, kl[5] = {2, 3, 3.5, 3.6, 3.7};
    clae_series s[3] = {{"train recon", x, train, 5, 0, 0},
                        {"test recon", x, test, 5, 1, 0},
                        {"train kl", x, kl, 5, 0, 1}};
    clae_line_plot plot = {"loss per epoch", "epoch", "loss", 1, s, 3};
    CHECK(clae__plot_lines(ctx, at("lines.png"), &plot) == CLAE_OK);
    picture p;
    if (load(ctx, at("lines.png"), &p)) {
        CHECK(p.w >= 600);
        CHECK(dark_pixels(&p, 0, 36) > 100);
        CHECK(colour_pixels(&p, BLUE[0], BLUE[1], BLUE[2], 2) > 50);
        CHECK(colour_pixels(&p, ORANGE[0], ORANGE[1], ORANGE[2], 2) > 50);
        CHECK(colour_pixels(&p, GREEN[0], GREEN[1], GREEN[2], 2) == 0);
        free(p.px);
    }
    plot.log_y = 0; /* a linear axis, and a single point that must still show */
    s[0].n = 1;
    plot.n_series = 1;
    CHECK(clae__plot_lines(ctx, at("line1.png"), &plot) == CLAE_OK);
    if (load(ctx, at("line1.png"), &p)) {
        CHECK(colour_pixels(&p, BLUE[0], BLUE[1], BLUE[2], 2) > 10);
        free(p.px);
    }
}

static void test_scatter(clae_ctx *ctx)
{
    enum { N = 300 };
    float x[N], y[N];
    int labels[N];
    for (int i = 0; i < N; i++) {
        labels[i] = i % 3;
        x[i] = (float)(labels[i] * 5 + (i * 37 % 11) / 10.0);
        y[i] = (float)((i * 53 % 13) / 6.0 - labels[i]);
    }
    const char *names[3] = {"zero", "one", "two"};
    clae_scatter_plot plot = {"latent codes", "code 1", "code 2", x, y, N, labels, names};
    CHECK(clae__plot_scatter(ctx, at("scatter.png"), &plot) == CLAE_OK);
    picture p;
    if (load(ctx, at("scatter.png"), &p)) {
        CHECK(p.w >= 600);
        CHECK(dark_pixels(&p, 0, 36) > 100);
        CHECK(colour_pixels(&p, BLUE[0], BLUE[1], BLUE[2], 2) > 20);
        CHECK(colour_pixels(&p, ORANGE[0], ORANGE[1], ORANGE[2], 2) > 20);
        CHECK(colour_pixels(&p, GREEN[0], GREEN[1], GREEN[2], 2) > 20);
        free(p.px);
    }
    plot.labels = NULL; /* one colour, no legend */
    CHECK(clae__plot_scatter(ctx, at("scatter1.png"), &plot) == CLAE_OK);
    if (load(ctx, at("scatter1.png"), &p)) {
        CHECK(colour_pixels(&p, 65, 139, 191, 6) > 100); /* blue over white, translucent */
        CHECK(colour_pixels(&p, ORANGE[0], ORANGE[1], ORANGE[2], 30) == 0);
        free(p.px);
    }
}

static void test_unwritable(clae_ctx *ctx)
{
    const char *path = "/nonexistent-clae-dir/x.png";
    float tile[4] = {0, 1, 0, 1};
    clae_tile_figure f = {.title = "t", .rows = 1, .cols = 1, .channels = 1, .height = 2,
                          .width = 2, .tiles = tile};
    CHECK(clae__plot_tiles(ctx, path, &f) == CLAE_EIO);
    const char *msg = clae_ctx_message(ctx);
    CHECK(strncmp(msg, path, strlen(path)) == 0 && msg[strlen(path)] == ':');
    CHECK(strchr(msg, '\n') == NULL);
    double x[1] = {1}, y[1] = {1};
    clae_series s = {"a", x, y, 1, 0, 0};
    clae_line_plot lines = {"t", "x", "y", 0, &s, 1};
    CHECK(clae__plot_lines(ctx, path, &lines) == CLAE_EIO);
    float fx[1] = {0}, fy[1] = {0};
    clae_scatter_plot sc = {"t", "x", "y", fx, fy, 1, NULL, NULL};
    CHECK(clae__plot_scatter(ctx, path, &sc) == CLAE_EIO);
    CHECK(strncmp(clae_ctx_message(ctx), path, strlen(path)) == 0);
    CHECK(access("/nonexistent-clae-dir", F_OK) != 0);
}

/* A grid of rows x cols tiles of c x h x w, every value v; drawn to name. */
static clae_status constant_tiles(clae_ctx *ctx, const char *name, int rows, int cols, int c,
                                  int h, int w, float v, int gap)
{
    size_t n = (size_t)rows * (size_t)cols * (size_t)c * (size_t)h * (size_t)w;
    float *tiles = malloc(n * sizeof *tiles);
    if (!tiles) return CLAE_ENOMEM;
    for (size_t i = 0; i < n; i++) tiles[i] = v;
    clae_tile_figure f = {.title = name, .rows = rows, .cols = cols, .channels = c, .height = h,
                          .width = w, .tiles = tiles, .scaling = CLAE_TILES_CLAMP, .gap = gap};
    clae_status s = clae__plot_tiles(ctx, at(name), &f);
    if (s != CLAE_OK) fprintf(stderr, "%s: %s\n", name, clae_ctx_message(ctx));
    free(tiles);
    return s;
}

/* Tiles that would not fit at the usual scale: a 1xN (and Nx1) sample folded
 * into a near-square tile, wide tiles drawn at scale 1, a grid too wide even
 * then wrapped into more rows, one too tall shrunk; only absurd sizes fail. */
static void test_big_tiles(clae_ctx *ctx)
{
    enum { N = 800 }; /* a CSV row whose width is not a square: 1x1x800 */
    float *ramp = malloc(2 * 16 * N * sizeof *ramp);
    REQUIRE(ramp);
    for (int t = 0; t < 2 * 16; t++)
        for (int i = 0; i < N; i++) ramp[t * N + i] = (float)i / (N - 1);
    const char *rows[2] = {"original", "reconstructed"};
    clae_tile_figure f = {.title = "reconstructions", .rows = 2, .cols = 16, .channels = 1,
                          .height = 1, .width = N, .tiles = ramp, .row_labels = rows,
                          .scaling = CLAE_TILES_CLAMP};
    CHECK(clae__plot_tiles(ctx, at("fold.png"), &f) == CLAE_OK);
    picture p;
    if (valid_png(ctx, at("fold.png"), 600, 2 * 28, &p)) {
        CHECK(p.w < 4000); /* 29 x 28 tiles, not 1 x 800 strips */
        free(p.px);
    }
    f.rows = f.cols = 1; /* one folded tile: about square, its first value black, the
                            12 pixels past 800 of its 29 x 28 blank (a pale blue) */
    f.row_labels = NULL;
    CHECK(clae__plot_tiles(ctx, at("fold1.png"), &f) == CLAE_OK);
    if (valid_png(ctx, at("fold1.png"), 500, 500, &p)) {
        CHECK(p.w < 2 * p.h);
        CHECK(colour_pixels(&p, 0, 0, 0, 0) >= 100);
        CHECK(colour_pixels(&p, 0xDB, 0xE6, 0xF5, 0) >= 12 * 100);
        free(p.px);
    }
    f.height = N; /* a column: folded alike */
    f.width = 1;
    CHECK(clae__plot_tiles(ctx, at("fold2.png"), &f) == CLAE_OK);
    if (valid_png(ctx, at("fold2.png"), 500, 500, &p)) {
        CHECK(p.h < 2 * p.w);
        free(p.px);
    }
    free(ramp);

    /* Wide tiles, 16 a row: 2x would pass the limit, so 1x; every pixel drawn. */
    CHECK(constant_tiles(ctx, "wide.png", 2, 16, 1, 20, 600, 0.0f, 0) == CLAE_OK);
    if (valid_png(ctx, at("wide.png"), 16 * 600, 2 * 20, &p)) {
        CHECK(colour_pixels(&p, 0, 0, 0, 0) >= 2 * 16 * 20 * 600);
        free(p.px);
    }
    /* 40 of them a row do not fit even at 1x: wrapped, still every pixel. */
    CHECK(constant_tiles(ctx, "wrap.png", 1, 40, 3, 20, 600, 0.0f, 0) == CLAE_OK);
    if (valid_png(ctx, at("wrap.png"), 8000, 2 * 20, &p)) {
        CHECK(colour_pixels(&p, 0, 0, 0, 0) >= 40 * 20 * 600);
        free(p.px);
    }
    /* 4096 rows of a mosaic are too tall even at 1x: drawn smaller as a whole. */
    CHECK(constant_tiles(ctx, "tall.png", 4096, 1, 1, 4, 4, 0.5f, -1) == CLAE_OK);
    if (valid_png(ctx, at("tall.png"), 1, 15000, &p)) {
        CHECK(colour_pixels(&p, 128, 128, 128, 1) > 15000); /* the column of tiles */
        free(p.px);
    }
    /* Big RGB images, 16 a row (512 x 512 each), as reconstructions draw them. */
    CHECK(constant_tiles(ctx, "big.png", 2, 16, 3, 512, 512, 0.25f, 0) == CLAE_OK);
    if (valid_png(ctx, at("big.png"), 16 * 512, 2 * 512, &p)) free(p.px);

    /* Absurd: 4096 x 4096 tiles of 8000 x 8000 pixels is refused before any is read. */
    float one = 0.0f;
    clae_tile_figure absurd = {.title = "absurd", .rows = 4096, .cols = 4096, .channels = 1,
                               .height = 8000, .width = 8000, .tiles = &one};
    CHECK(clae__plot_tiles(ctx, at("absurd.png"), &absurd) == CLAE_EUSAGE);
    CHECK(strstr(clae_ctx_message(ctx), "too large") != NULL);
    CHECK(access(at("absurd.png"), F_OK) != 0);
}

/* Lines and points that are constant, NaN, single, absent, or apart by less
 * than their values' rounding unit (ticks by a float step would never end). */
static void test_degenerate(clae_ctx *ctx)
{
    picture p;
    double x[5] = {1, 2, 3, 4, 5}, flat[5] = {0.5, 0.5, 0.5, 0.5, 0.5};
    double nan5[5] = {NAN, NAN, NAN, NAN, NAN}, some[5] = {0.4, NAN, 0.2, INFINITY, 0.1};
    double big[2] = {1e17, 1e17 + 16}, small[2] = {1, 2}, huge[2] = {-1e308, 1e308};
    struct {
        const char *name;
        const double *x, *y;
        int n, log_y;
    } lines[] = {
        {"flat.png", x, flat, 5, 0},   {"flat_log.png", x, flat, 5, 1},
        {"nan.png", x, nan5, 5, 0},    {"nan_log.png", x, nan5, 5, 1},
        {"some_nan.png", x, some, 5, 1}, {"one.png", x, flat, 1, 1},
        {"none.png", x, flat, 0, 0},   {"fine_y.png", small, big, 2, 0},
        {"fine_x.png", big, small, 2, 0}, {"fine_log.png", small, big, 2, 1},
        {"huge.png", small, huge, 2, 0}, {"huge_x.png", huge, small, 2, 0},
    };
    for (size_t i = 0; i < sizeof lines / sizeof lines[0]; i++) {
        clae_series s = {"series", lines[i].x, lines[i].y, lines[i].n, 0, 0};
        clae_line_plot plot = {lines[i].name, "x", "y", lines[i].log_y, &s, 1};
        CHECK(clae__plot_lines(ctx, at(lines[i].name), &plot) == CLAE_OK);
        if (valid_png(ctx, at(lines[i].name), 600, 400, &p)) free(p.px);
    }
    clae_line_plot empty = {"no series", "x", "y", 0, NULL, 0};
    CHECK(clae__plot_lines(ctx, at("empty.png"), &empty) == CLAE_OK);
    if (valid_png(ctx, at("empty.png"), 600, 400, &p)) free(p.px);

    float fx[4] = {3, 3, 3, 3}, fy[4] = {3, 3, 3, 3}, fnan[4] = {NAN, NAN, NAN, NAN};
    float fbig[2] = {1e30f, nextafterf(1e30f, INFINITY)}, fmax2[2] = {-3e38f, 3e38f};
    int labels[4] = {0, 1, 0, 1};
    struct {
        const char *name;
        const float *x, *y;
        size_t n;
    } scatters[] = {
        {"sc_flat.png", fx, fy, 4}, {"sc_nan.png", fnan, fy, 4}, {"sc_one.png", fx, fy, 1},
        {"sc_none.png", NULL, NULL, 0}, {"sc_fine.png", fbig, fbig, 2}, {"sc_max.png", fmax2, fmax2, 2},
    };
    for (size_t i = 0; i < sizeof scatters / sizeof scatters[0]; i++) {
        clae_scatter_plot plot = {scatters[i].name, "x", "y", scatters[i].x, scatters[i].y,
                                  scatters[i].n, scatters[i].n ? labels : NULL, NULL};
        CHECK(clae__plot_scatter(ctx, at(scatters[i].name), &plot) == CLAE_OK);
        if (valid_png(ctx, at(scatters[i].name), 600, 400, &p)) free(p.px);
    }

    /* Tiles: constant under every scaling, and NaN (drawn black, not garbage). */
    float tiles[2 * 9] = {0.5f, 0.5f, 0.5f, 0.5f, 0.5f, 0.5f, 0.5f, 0.5f, 0.5f};
    for (int i = 9; i < 18; i++) tiles[i] = NAN;
    for (int k = 0; k < 3; k++) {
        char name[32];
        snprintf(name, sizeof name, "tiles_degenerate%d.png", k);
        clae_tile_figure f = {.title = "degenerate", .rows = 1, .cols = 2, .channels = 1,
                              .height = 3, .width = 3, .tiles = tiles,
                              .scaling = (clae_tile_scaling)k};
        CHECK(clae__plot_tiles(ctx, at(name), &f) == CLAE_OK);
        if (valid_png(ctx, at(name), 100, 48, &p)) free(p.px);
    }
}

/* More labels than colours: 15 keep their own colour and legend entry, the rest
 * share one grey no label has, with one entry; no colour is used twice. */
static void test_many_labels(clae_ctx *ctx)
{
    enum { N = 512, LABELS = 256 };
    float x[N], y[N];
    int labels[N];
    for (int i = 0; i < N; i++) {
        labels[i] = i % LABELS;
        x[i] = (float)(i % 23);
        y[i] = (float)(i / 23);
    }
    clae_scatter_plot plot = {"256 labels", "x", "y", x, y, N, labels, NULL};
    CHECK(clae__plot_scatter(ctx, at("labels256.png"), &plot) == CLAE_OK);
    picture p;
    /* The legend's markers: left of the frame's right edge + 16, 10 px wide. */
    int mx0 = 638 + 16 + 8, mx1 = 638 + 16 + 28;
    if (valid_png(ctx, at("labels256.png"), 700, 500, &p)) {
        long blue = colour_pixels_in(&p, mx0, mx1, 0, p.h, BLUE[0], BLUE[1], BLUE[2], 2);
        long last = colour_pixels_in(&p, mx0, mx1, 0, p.h, 123, 65, 115, 2); /* colour 14 */
        long grey = colour_pixels_in(&p, mx0, mx1, 0, p.h, 184, 184, 184, 2);
        CHECK(blue > 20 && last > 20);
        CHECK(blue <= last + 4); /* one legend entry each: no later label reuses blue */
        CHECK(grey > 20);        /* the other labels' entry */
        /* and their points, translucent (0.6) over white inside the frame */
        CHECK(colour_pixels_in(&p, 78, 638, 46, 566, 212, 212, 212, 3) > 1000);
        free(p.px);
    }
    for (int i = 0; i < N; i++) labels[i] = i % 16; /* 16 labels: a colour each, no grey */
    CHECK(clae__plot_scatter(ctx, at("labels16.png"), &plot) == CLAE_OK);
    if (valid_png(ctx, at("labels16.png"), 700, 500, &p)) {
        CHECK(colour_pixels_in(&p, mx0, mx1, 0, p.h, 184, 184, 184, 2) == 0);
        CHECK(colour_pixels_in(&p, mx0, mx1, 0, p.h, 0, 0, 0, 2) > 20); /* colour 15 */
        free(p.px);
    }
}

/* The first layer's tiles of a freshly initialised model built from spec text. */
static void first_layer(clae_ctx *ctx, clae_device *dev, const char *text, int count, int c,
                        int h, int w)
{
    clae_spec spec;
    REQUIRE(clae_spec_parse_text(ctx, "first_layer.ini", text, &spec) == CLAE_OK);
    clae_model *m = NULL;
    clae_status s = clae__model_create(dev, &spec, (clae_shape){1, 28, 28}, 4, &m);
    if (s == CLAE_OK) s = clae__model_init(m, 1);
    float *tiles = NULL;
    int n = 0, tc = 0, th = 0, tw = 0;
    if (s == CLAE_OK) s = clae__first_layer_tiles(ctx, m, &tiles, &n, &tc, &th, &tw);
    CHECK(s == CLAE_OK);
    CHECK(n == count && tc == c && th == h && tw == w);
    int nonzero = 0;
    for (int i = 0; tiles && i < n * tc * th * tw; i++) nonzero += tiles[i] != 0.0f;
    CHECK(nonzero > n * tc * th * tw / 2); /* the initialised weights, not zeros */
    free(tiles);
    clae__model_destroy(m);
    clae_spec_free(&spec);
}

static const char *SMALL_DATA = "[data]\ntrain = mnist\nlimit = 1000\nholdout = 0.2\n";

static void test_first_layer(clae_ctx *ctx, clae_device *dev)
{
    char text[1024];
    snprintf(text, sizeof text, "%s[model]\ncode = 8\n[dense]\nunits = 100\n[code]\n", SMALL_DATA);
    first_layer(ctx, dev, text, 64, 1, 28, 28);
    snprintf(text, sizeof text,
             "%s[model]\ncode = 8\n[conv]\nfilters = 6\nsize = 5\nstride = 2\n[code]\n",
             SMALL_DATA);
    first_layer(ctx, dev, text, 6, 1, 5, 5);
}

static int exists(const char *run, const char *file)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s/%s", dir, run, file);
    struct stat st;
    int ok = stat(path, &st) == 0 && st.st_size > 1000;
    if (!ok) fprintf(stderr, "%s: missing\n", path);
    return ok;
}

static void train_run(clae_ctx *ctx, clae_device *dev, const char *run, const char *model,
                      int snapshot)
{
    char text[2048];
    snprintf(text, sizeof text, "%s%s[train]\nepochs = 2\nbatch = 64\n[output]\ndir = %s/%s\n",
             SMALL_DATA, model, dir, run);
    clae_spec spec;
    REQUIRE(clae_spec_parse_text(ctx, run, text, &spec) == CLAE_OK);
    clae_train_options opts = {.spec = &spec, .snapshot = snapshot};
    clae_train_result r;
    clae_status s = clae_train(ctx, dev, &opts, &r);
    if (s != CLAE_OK) fprintf(stderr, "%s: %s\n", run, clae_ctx_message(ctx));
    CHECK(s == CLAE_OK);
    clae_spec_free(&spec);
}

static void test_training(clae_ctx *ctx, clae_device *dev)
{
    train_run(ctx, dev, "dense", "[model]\ncode = 8\n[dense]\nunits = 64\n[code]\n", 1);
    const char *files[] = {"reconstructions.png", "loss.png", "latent.png", "features.png",
                           "snapshots/epoch-001.png", "snapshots/epoch-002.png"};
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) CHECK(exists("dense", files[i]));
    picture p;
    char path[512];
    snprintf(path, sizeof path, "%s/dense/manifold.png", dir);
    CHECK(access(path, F_OK) != 0); /* a manifold is a VAE's */
    snprintf(path, sizeof path, "%s/dense/latent.png", dir);
    if (load(ctx, path, &p)) { /* the digits' labels colour the points */
        CHECK(colour_pixels(&p, BLUE[0], BLUE[1], BLUE[2], 2) > 10);
        CHECK(colour_pixels(&p, GREEN[0], GREEN[1], GREEN[2], 2) > 10);
        free(p.px);
    }
    train_run(ctx, dev, "vae",
              "[model]\ncode = 2\nvariational = yes\noutput = sigmoid\n[dense]\nunits = 32\n"
              "[code]\nactivation = linear\n[loss]\nreconstruction = bce\n",
              0);
    const char *vae_files[] = {"reconstructions.png", "samples.png", "manifold.png", "loss.png",
                               "latent.png", "features.png"};
    for (size_t i = 0; i < sizeof vae_files / sizeof vae_files[0]; i++)
        CHECK(exists("vae", vae_files[i]));
    snprintf(path, sizeof path, "%s/vae/manifold.png", dir);
    if (load(ctx, path, &p)) {
        CHECK(p.w >= 20 * 28 * 2);
        free(p.px);
    }
}

int main(void)
{
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        return 1;
    }
    clae_ctx *ctx = clae_ctx_create();
    test_tiles(ctx);
    test_lines(ctx);
    test_scatter(ctx);
    test_unwritable(ctx);
    test_big_tiles(ctx);
    test_degenerate(ctx);
    test_many_labels(ctx);
    clae_device *dev = open_device_or_skip(ctx);
    test_first_layer(ctx, dev);
    test_training(ctx, dev);
    clae_device_close(dev);
    clae_ctx_destroy(ctx);
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    if (!check__failed && system(cmd) != 0) fprintf(stderr, "could not remove %s\n", dir);
    return check_finish();
}
