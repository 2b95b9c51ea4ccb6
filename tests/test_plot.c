/* Pictures: each plot kind drawn into a temporary folder and read back (size,
 * a title that is not blank, the palette's colours where points and curves
 * are), an unwritable path's one-line error, the first layer's tiles of a
 * dense and a convolutional model, and the pictures two short training runs
 * write (a dense autoencoder with --snapshot, a 2-D VAE). */
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
