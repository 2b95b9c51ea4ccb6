#include <math.h>
/* Data loading: IDX parsing (plain and gzipped, every element type), the
 * bundled digits, every rejected input with its exact message, splitting,
 * limiting and shuffling. The other formats: test_data_formats.c. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "check.h"
#include "test_files.h"
#include "clae/data.h"

static char tmpdir[64];

/* Writes bytes to tmpdir/name; path receives the full path. */
static int write_tmp(const char *name, const unsigned char *bytes, size_t size, char *path,
                     size_t path_size)
{
    snprintf(path, path_size, "%s/%s", tmpdir, name);
    return write_bytes(path, bytes, size);
}

static void test_bundled_mnist(void)
{
    clae_ctx *ctx = clae_ctx_create();
    clae_dataset ds;
    REQUIRE(clae_dataset_load_mnist(ctx, NULL, &ds) == CLAE_OK);
    CHECK_STR(ds.name, "mnist");
    CHECK(ds.count == 10000);
    CHECK(ds.channels == 1 && ds.height == 28 && ds.width == 28 && ds.dim == 784);
    REQUIRE(ds.x && ds.labels);
    int in_range = 1, seen[10] = {0};
    for (size_t i = 0; i < ds.count; i++) {
        if (ds.labels[i] < 0 || ds.labels[i] > 9) in_range = 0;
        else seen[ds.labels[i]] = 1;
    }
    CHECK(in_range);
    for (int d = 0; d < 10; d++) CHECK(seen[d]);
    float lo = 1, hi = 0;
    double sum = 0;
    for (size_t i = 0; i < ds.count * ds.dim; i++) {
        if (ds.x[i] < lo) lo = ds.x[i];
        if (ds.x[i] > hi) hi = ds.x[i];
        sum += ds.x[i];
    }
    CHECK(lo == 0.0f && hi == 1.0f);
    CHECK(sum > 0);
    clae_dataset_free(&ds);
    clae_ctx_destroy(ctx);
}

static void test_parse_shapes(void)
{
    clae_ctx *ctx = clae_ctx_create();
    clae_dataset ds;
    /* 2-D: 2 samples of 3 values, a flat 1 x 1 x 3 vector each. */
    const unsigned char flat[] = {0, 0, 8, 2, 0, 0, 0, 2, 0, 0, 0, 3, 0, 51, 255, 102, 204, 0};
    REQUIRE(clae_idx_parse_images(ctx, "flat.idx", flat, sizeof flat, NULL, &ds) == CLAE_OK);
    CHECK_STR(ds.name, "flat.idx");
    CHECK(ds.count == 2 && ds.channels == 1 && ds.height == 1 && ds.width == 3 && ds.dim == 3);
    CHECK(ds.labels == NULL);
    const float want_flat[] = {0, 0.2f, 1, 0.4f, 0.8f, 0};
    for (int i = 0; i < 6; i++) CHECK_NEAR(ds.x[i], want_flat[i], 1e-7);
    clae_dataset_free(&ds);

    /* 3-D: 1 sample of 2 x 3. */
    const unsigned char img[] = {0, 0, 8, 3, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3, 1, 2, 3, 4, 5, 6};
    REQUIRE(clae_idx_parse_images(ctx, "img.idx", img, sizeof img, NULL, &ds) == CLAE_OK);
    CHECK(ds.count == 1 && ds.channels == 1 && ds.height == 2 && ds.width == 3 && ds.dim == 6);
    for (int i = 0; i < 6; i++) CHECK_NEAR(ds.x[i], (i + 1) / 255.0, 1e-7);
    clae_dataset_free(&ds);

    /* 4-D: 2 samples of 1 x 2 pixels x 3 channels, interleaved RGB in the file. */
    const unsigned char rgb[] = {0, 0, 8, 4, 0, 0, 0, 2, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3,
                                 10, 20, 30, 11, 21, 31, /* sample 0: pixel 0 RGB, pixel 1 RGB */
                                 40, 50, 60, 41, 51, 61};
    REQUIRE(clae_idx_parse_images(ctx, "rgb.idx", rgb, sizeof rgb, NULL, &ds) == CLAE_OK);
    CHECK(ds.count == 2 && ds.channels == 3 && ds.height == 1 && ds.width == 2 && ds.dim == 6);
    const int want_rgb[] = {10, 11, 20, 21, 30, 31, 40, 41, 50, 51, 60, 61};
    int planar = 1;
    for (int i = 0; i < 12; i++)
        if (ds.x[i] != (float)want_rgb[i] / 255.0f) planar = 0;
    CHECK(planar);
    clae_dataset_free(&ds);

    /* The same 3-D file gzipped, and as two concatenated gzip members. */
    size_t gz_n, a_n, b_n;
    unsigned char *gz = gzip_bytes(img, sizeof img, &gz_n);
    unsigned char *a = gzip_bytes(img, 10, &a_n), *b = gzip_bytes(img + 10, sizeof img - 10, &b_n);
    REQUIRE(gz && a && b);
    REQUIRE(clae_idx_parse_images(ctx, "img.idx.gz", gz, gz_n, NULL, &ds) == CLAE_OK);
    CHECK(ds.count == 1 && ds.height == 2 && ds.width == 3);
    CHECK_NEAR(ds.x[5], 6 / 255.0, 1e-7);
    clae_dataset_free(&ds);
    unsigned char *ab = malloc(a_n + b_n);
    REQUIRE(ab);
    memcpy(ab, a, a_n);
    memcpy(ab + a_n, b, b_n);
    CHECK(clae_idx_parse_images(ctx, "ab.idx.gz", ab, a_n + b_n, NULL, &ds) == CLAE_OK);
    CHECK(ds.count == 1 && ds.dim == 6 && ds.x && ds.x[5] == 6 / 255.0f);
    clae_dataset_free(&ds);

    /* Labels, plain and gzipped; a second parse replaces the first. */
    const unsigned char lab[] = {0, 0, 8, 1, 0, 0, 0, 1, 7};
    REQUIRE(clae_idx_parse_images(ctx, "img.idx", img, sizeof img, NULL, &ds) == CLAE_OK);
    REQUIRE(clae_idx_parse_labels(ctx, "lab.idx", lab, sizeof lab, &ds) == CLAE_OK);
    CHECK(ds.labels && ds.labels[0] == 7);
    size_t lgz_n;
    unsigned char *lgz = gzip_bytes(lab, sizeof lab, &lgz_n);
    REQUIRE(lgz);
    CHECK(clae_idx_parse_labels(ctx, "lab.idx.gz", lgz, lgz_n, &ds) == CLAE_OK);
    CHECK(ds.labels && ds.labels[0] == 7);
    clae_dataset_free(&ds);
    free(gz), free(a), free(b), free(ab), free(lgz);
    clae_ctx_destroy(ctx);
}

/* Parses bytes as images and checks the status and the exact message. */
#define CHECK_IMAGES_FAIL(name, bytes, size, status, message)                          \
    do {                                                                               \
        clae_dataset d_;                                                               \
        CHECK(clae_idx_parse_images(ctx, name, bytes, size, NULL, &d_) == (status));        \
        CHECK_STR(clae_ctx_message(ctx), message);                                     \
        CHECK(d_.x == NULL && d_.count == 0);                                          \
        clae_dataset_free(&d_);                                                        \
    } while (0)

static void test_bad_memory(void)
{
    clae_ctx *ctx = clae_ctx_create();
    const unsigned char magic[] = {0x12, 0x34, 0x56, 0x78, 0, 0, 0, 1, 0};
    CHECK_IMAGES_FAIL("x.idx", magic, sizeof magic, CLAE_EDATA,
                      "x.idx: bad IDX magic 0x12345678 (expected bytes 0x00 0x00, an element type "
                      "0x08, 0x09 or 0x0B to 0x0E, and a rank of 2 to 4)");
    const unsigned char type[] = {0, 0, 0x0A, 3, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 0};
    CHECK_IMAGES_FAIL("x.idx", type, sizeof type, CLAE_EDATA,
                      "x.idx: unsupported IDX element type 0x0A (expected 0x08, 0x09, 0x0B, 0x0C, "
                      "0x0D or 0x0E)");
    const unsigned char rank1[] = {0, 0, 8, 1, 0, 0, 0, 1, 5};
    CHECK_IMAGES_FAIL("x.idx", rank1, sizeof rank1, CLAE_EDATA,
                      "x.idx: IDX file has rank 1, images need rank 2 to 4");
    CHECK_IMAGES_FAIL("x.idx", rank1, 2, CLAE_EDATA, "x.idx: truncated at byte 2 of 4");
    CHECK_IMAGES_FAIL("x.idx", NULL, 0, CLAE_EDATA, "x.idx: truncated at byte 0 of 4");
    const unsigned char img[] = {0, 0, 8, 3, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3, 1, 2, 3, 4, 5, 6, 9};
    CHECK_IMAGES_FAIL("x.idx", img, 10, CLAE_EDATA, "x.idx: truncated at byte 10 of 16");
    CHECK_IMAGES_FAIL("x.idx", img, 20, CLAE_EDATA, "x.idx: truncated at byte 20 of 22");
    CHECK_IMAGES_FAIL("x.idx", img, 23, CLAE_EDATA, "x.idx: 1 trailing bytes after byte 22");
    const unsigned char zero_count[] = {0, 0, 8, 3, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 3};
    CHECK_IMAGES_FAIL("x.idx", zero_count, sizeof zero_count, CLAE_EDATA,
                      "x.idx: empty dataset (count 0 at byte 4)");
    const unsigned char zero_h[] = {0, 0, 8, 3, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 3};
    CHECK_IMAGES_FAIL("x.idx", zero_h, sizeof zero_h, CLAE_EDATA,
                      "x.idx: IDX dimension 2 is zero (byte 8)");
    const unsigned char huge[] = {0, 0, 8, 4, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0};
    CHECK_IMAGES_FAIL("x.idx", huge, sizeof huge, CLAE_EDATA,
                      "x.idx: IDX dimensions 65536 x 65536 x 65536 x 65536 overflow size_t");
    const unsigned char wide[] = {0, 0, 8, 2, 0, 0, 0, 1, 0x80, 0, 0, 0};
    CHECK_IMAGES_FAIL("x.idx", wide, sizeof wide, CLAE_EDATA,
                      "x.idx: IDX dimension 2 is too large: 2147483648 (byte 8)");

    /* Labels: wrong magic, wrong rank, wrong count; the dataset keeps no labels. */
    clae_dataset ds;
    REQUIRE(clae_idx_parse_images(ctx, "x.idx", img, 22, NULL, &ds) == CLAE_OK);
    const unsigned char lmagic[] = {1, 0, 8, 1, 0, 0, 0, 1, 0};
    CHECK(clae_idx_parse_labels(ctx, "l.idx", lmagic, sizeof lmagic, &ds) == CLAE_EDATA);
    CHECK_STR(clae_ctx_message(ctx), "l.idx: bad IDX magic 0x01000801 (expected bytes 0x00 0x00, "
                                    "an element type 0x08, 0x09 or 0x0B to 0x0E, and rank 1)");
    CHECK(clae_idx_parse_labels(ctx, "l.idx", img, 22, &ds) == CLAE_EDATA);
    CHECK_STR(clae_ctx_message(ctx), "l.idx: IDX file has rank 3, labels need rank 1");
    const unsigned char two[] = {0, 0, 8, 1, 0, 0, 0, 2, 3, 4};
    CHECK(clae_idx_parse_labels(ctx, "labels.idx", two, sizeof two, &ds) == CLAE_EDATA);
    CHECK_STR(clae_ctx_message(ctx), "labels.idx: 2 labels for 1 images");
    CHECK(ds.labels == NULL);
    clae_dataset_free(&ds);

    /* gzip: damaged header, damaged checksum, garbage after the stream. */
    size_t gz_n;
    unsigned char *gz = gzip_bytes(img, 22, &gz_n);
    REQUIRE(gz && gz_n > 20);
    gz[2] = 7;
    CHECK_IMAGES_FAIL("x.idx.gz", gz, gz_n, CLAE_EDATA,
                      "x.idx.gz: corrupt gzip stream at compressed byte 4: unknown compression "
                      "method");
    gz[2] = 8;
    gz[gz_n - 6] ^= 0xFF;
    char want[256];
    snprintf(want, sizeof want,
             "x.idx.gz: corrupt gzip stream at compressed byte %zu: incorrect data check", gz_n - 4);
    CHECK_IMAGES_FAIL("x.idx.gz", gz, gz_n, CLAE_EDATA, want);
    gz[gz_n - 6] ^= 0xFF;
    unsigned char *more = malloc(gz_n + 3);
    REQUIRE(more);
    memcpy(more, gz, gz_n);
    memset(more + gz_n, 0, 3);
    snprintf(want, sizeof want,
             "x.idx.gz: 3 trailing bytes after gzip stream at compressed byte %zu", gz_n);
    CHECK_IMAGES_FAIL("x.idx.gz", more, gz_n + 3, CLAE_EDATA, want);
    free(more);
    free(gz);
    clae_ctx_destroy(ctx);
}

static void test_bad_files(void)
{
    clae_ctx *ctx = clae_ctx_create();
    char path[512], want[1024];
    clae_dataset ds;

    snprintf(path, sizeof path, "%s/nope.idx", tmpdir);
    CHECK(clae_idx_read_images(ctx, path, NULL, &ds) == CLAE_EUSAGE); /* the user named nothing */
    snprintf(want, sizeof want, "%s: cannot open: No such file or directory", path);
    CHECK_STR(clae_ctx_message(ctx), want);
    CHECK(clae_idx_read_labels(ctx, path, &ds) == CLAE_EUSAGE);
    CHECK_STR(clae_ctx_message(ctx), want);

    /* A 100 x 28 x 28 file, loaded whole, then truncated plainly and gzipped. */
    size_t n = 16 + 100 * 784;
    unsigned char *idx = malloc(n);
    REQUIRE(idx);
    const unsigned char head[] = {0, 0, 8, 3, 0, 0, 0, 100, 0, 0, 0, 28, 0, 0, 0, 28};
    memcpy(idx, head, sizeof head);
    for (size_t i = 16; i < n; i++) idx[i] = (unsigned char)(i * 7 % 251);
    REQUIRE(write_tmp("ok.idx", idx, n, path, sizeof path));
    REQUIRE(clae_idx_read_images(ctx, path, NULL, &ds) == CLAE_OK);
    CHECK(ds.count == 100 && ds.height == 28 && ds.width == 28);
    CHECK_STR(ds.name, path);
    CHECK_NEAR(ds.x[784 * 99 + 783], (double)idx[n - 1] / 255.0, 1e-7);
    const unsigned char lab[] = {0, 0, 8, 1, 0, 0, 0, 100};
    unsigned char labels[108];
    memcpy(labels, lab, 8);
    for (int i = 0; i < 100; i++) labels[8 + i] = (unsigned char)(i % 10);
    REQUIRE(write_tmp("ok-labels.idx", labels, sizeof labels, path, sizeof path));
    CHECK(clae_idx_read_labels(ctx, path, &ds) == CLAE_OK);
    CHECK(ds.labels && ds.labels[99] == 9);
    /* 99 labels for 100 images */
    labels[7] = 99;
    REQUIRE(write_tmp("labels.idx", labels, sizeof labels - 1, path, sizeof path));
    CHECK(clae_idx_read_labels(ctx, path, &ds) == CLAE_EDATA);
    snprintf(want, sizeof want, "%s: 99 labels for 100 images", path);
    CHECK_STR(clae_ctx_message(ctx), want);
    clae_dataset_free(&ds);

    REQUIRE(write_tmp("short.idx", idx, 4096, path, sizeof path));
    CHECK(clae_idx_read_images(ctx, path, NULL, &ds) == CLAE_EDATA);
    snprintf(want, sizeof want, "%s: truncated at byte 4096 of 78416", path);
    CHECK_STR(clae_ctx_message(ctx), want);

    /* gzip of a short IDX: the offsets are those of the decompressed stream. */
    size_t gz_n;
    unsigned char *gz = gzip_bytes(idx, 4096, &gz_n);
    REQUIRE(gz);
    REQUIRE(write_tmp("short.idx.gz", gz, gz_n, path, sizeof path));
    CHECK(clae_idx_read_images(ctx, path, NULL, &ds) == CLAE_EDATA);
    snprintf(want, sizeof want, "%s: truncated at byte 4096 of 78416", path);
    CHECK_STR(clae_ctx_message(ctx), want);
    free(gz);

    /* A gzip stream cut short inside its trailer: all data is out, the stream is not. */
    gz = gzip_bytes(idx, n, &gz_n);
    REQUIRE(gz);
    REQUIRE(write_tmp("cut.idx.gz", gz, gz_n - 4, path, sizeof path));
    CHECK(clae_idx_read_images(ctx, path, NULL, &ds) == CLAE_EDATA);
    snprintf(want, sizeof want,
             "%s: truncated gzip stream (ends at compressed byte %zu after 78416 decompressed "
             "bytes)",
             path, gz_n - 4);
    CHECK_STR(clae_ctx_message(ctx), want);
    /* ... and cut in half: still an error naming the file, whatever came out. */
    REQUIRE(write_tmp("half.idx.gz", gz, gz_n / 2, path, sizeof path));
    CHECK(clae_idx_read_images(ctx, path, NULL, &ds) == CLAE_EDATA);
    snprintf(want, sizeof want, "%s: truncated gzip stream (ends at compressed byte %zu after ",
             path, gz_n / 2);
    CHECK(strncmp(clae_ctx_message(ctx), want, strlen(want)) == 0);
    /* ... and the whole thing loads. */
    REQUIRE(write_tmp("ok.idx.gz", gz, gz_n, path, sizeof path));
    CHECK(clae_idx_read_images(ctx, path, NULL, &ds) == CLAE_OK);
    CHECK(ds.count == 100 && ds.x && ds.x[17] == (float)idx[16 + 17] / 255.0f);
    clae_dataset_free(&ds);
    free(gz);

    /* A directory is no data file: the user's to fix, as a missing file is. */
    CHECK(clae_idx_read_images(ctx, tmpdir, NULL, &ds) == CLAE_EUSAGE);
    snprintf(want, sizeof want, "%s: cannot open: Is a directory", tmpdir);
    CHECK_STR(clae_ctx_message(ctx), want);

    const char *names[] = {"ok.idx",   "ok-labels.idx", "labels.idx", "short.idx",
                           "short.idx.gz", "cut.idx.gz", "half.idx.gz", "ok.idx.gz"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        snprintf(path, sizeof path, "%s/%s", tmpdir, names[i]);
        CHECK(remove(path) == 0);
    }
    free(idx);
    clae_ctx_destroy(ctx);
}

/* A dataset of n samples of 2 values: sample i holds (i, -i), label i % 10. */
static int make_dataset(clae_dataset *ds, size_t n)
{
    memset(ds, 0, sizeof *ds);
    snprintf(ds->name, sizeof ds->name, "toy");
    ds->count = n;
    ds->channels = 1, ds->height = 1, ds->width = 2, ds->dim = 2;
    ds->x = malloc(n * 2 * sizeof *ds->x);
    ds->labels = malloc(n * sizeof *ds->labels);
    if (!ds->x || !ds->labels) return 0;
    for (size_t i = 0; i < n; i++) {
        ds->x[2 * i] = (float)i;
        ds->x[2 * i + 1] = -(float)i;
        ds->labels[i] = (int)(i % 10);
    }
    return 1;
}

static void test_split_limit_free(void)
{
    clae_ctx *ctx = clae_ctx_create();
    clae_dataset all, test;
    REQUIRE(make_dataset(&all, 100));
    REQUIRE(clae_dataset_split(ctx, &all, 0.25, &test) == CLAE_OK);
    CHECK(all.count == 75 && test.count == 25);
    CHECK_STR(test.name, "toy");
    CHECK(test.channels == 1 && test.height == 1 && test.width == 2 && test.dim == 2);
    REQUIRE(test.x && test.labels);
    CHECK(all.x[2 * 74] == 74.0f && all.labels[74] == 4);
    CHECK(test.x[0] == 75.0f && test.x[1] == -75.0f && test.labels[0] == 5);
    CHECK(test.x[2 * 24] == 99.0f && test.labels[24] == 9);
    clae_dataset_free(&test);

    /* round(0.125 * 75) = 9; unlabelled data splits too */
    free(all.labels);
    all.labels = NULL;
    REQUIRE(clae_dataset_split(ctx, &all, 0.125, &test) == CLAE_OK);
    CHECK(all.count == 66 && test.count == 9 && test.labels == NULL && test.x[0] == 66.0f);
    clae_dataset_free(&test);

    CHECK(clae_dataset_split(ctx, &all, 0.0, &test) == CLAE_OK);
    CHECK(all.count == 66 && test.count == 0 && test.x == NULL && test.dim == 2);
    CHECK(clae_dataset_split(ctx, &all, 0.001, &test) == CLAE_EDATA);
    CHECK_STR(clae_ctx_message(ctx), "toy: holdout 0.001 of 66 samples leaves no test samples");
    CHECK(clae_dataset_split(ctx, &all, 0.999, &test) == CLAE_EDATA);
    CHECK_STR(clae_ctx_message(ctx), "toy: holdout 0.999 of 66 samples leaves no training samples");
    CHECK(clae_dataset_split(ctx, &all, 1.0, &test) == CLAE_EUSAGE);
    CHECK_STR(clae_ctx_message(ctx), "toy: holdout 1 is not in [0, 1)");
    CHECK(clae_dataset_split(ctx, &all, -0.5, &test) == CLAE_EUSAGE);
    CHECK(all.count == 66 && test.count == 0 && test.x == NULL);

    clae_dataset_limit(&all, 0);
    CHECK(all.count == 66);
    clae_dataset_limit(&all, 1000);
    CHECK(all.count == 66);
    clae_dataset_limit(&all, 10);
    CHECK(all.count == 10 && all.x[2 * 9] == 9.0f && all.x[2 * 9 + 1] == -9.0f);
    clae_dataset_free(&all);
    CHECK(all.x == NULL && all.labels == NULL && all.count == 0);
    clae_dataset_free(&all); /* zeroed: a no-op */
    clae_dataset_free(NULL);
    clae_ctx_destroy(ctx);
}

static int is_permutation(const uint32_t *p, size_t n)
{
    unsigned char *seen = calloc(n, 1);
    int ok = seen != NULL;
    for (size_t i = 0; ok && i < n; i++) {
        if (p[i] >= n || seen[p[i]]) ok = 0;
        else seen[p[i]] = 1;
    }
    free(seen);
    return ok;
}

static void test_shuffle(void)
{
    enum { N = 1000 };
    static uint32_t a[N], b[N], c[N], d[N];
    clae_shuffle(a, N, 42, 0);
    clae_shuffle(b, N, 42, 0);
    clae_shuffle(c, N, 42, 1);
    clae_shuffle(d, N, 43, 0);
    CHECK(is_permutation(a, N) && is_permutation(c, N) && is_permutation(d, N));
    CHECK(memcmp(a, b, sizeof a) == 0);
    CHECK(memcmp(a, c, sizeof a) != 0);
    CHECK(memcmp(a, d, sizeof a) != 0);
    size_t fixed = 0;
    for (size_t i = 0; i < N; i++) fixed += a[i] == i;
    CHECK(fixed < 20); /* about 1 expected; the identity would be 1000 */

    /* Pinned, so that every machine and build keeps giving the same order. */
    uint32_t p[10];
    clae_shuffle(p, 10, 1, 2);
    const uint32_t want[10] = {3, 6, 5, 7, 9, 1, 4, 8, 0, 2};
    CHECK(memcmp(p, want, sizeof p) == 0);
    uint32_t one = 7;
    clae_shuffle(&one, 1, 5, 5);
    CHECK(one == 0);
    clae_shuffle(NULL, 0, 0, 0);
}

/* Bilinear resizing as PyTorch's interpolate(align_corners=False), and padding. */
static void test_resize_pad(void)
{
    clae_ctx *ctx = clae_ctx_create();
    clae_dataset ds;
    memset(&ds, 0, sizeof ds);
    static const float img[] = {0.0f, 1.0f, 2.0f, 3.0f}; /* one 1 x 2 x 2 image */
    ds.count = 1;
    ds.channels = 1;
    ds.height = ds.width = 2;
    ds.dim = 4;
    ds.x = malloc(sizeof img);
    REQUIRE(ds.x);
    memcpy(ds.x, img, sizeof img);
    REQUIRE(clae_dataset_resize(ctx, &ds, 4, 4) == CLAE_OK);
    CHECK(ds.height == 4 && ds.width == 4 && ds.dim == 16);
    /* torch.nn.functional.interpolate([[0, 1], [2, 3]], size=4, mode="bilinear"):
     * rows [0, .25, .75, 1], [.5, .75, 1.25, 1.5], [1.5, 1.75, 2.25, 2.5], [2, 2.25, 2.75, 3] */
    static const float want[] = {0.0f, 0.25f, 0.75f, 1.0f, 0.5f, 0.75f, 1.25f, 1.5f,
                                 1.5f, 1.75f, 2.25f, 2.5f, 2.0f, 2.25f, 2.75f, 3.0f};
    for (int i = 0; i < 16; i++) CHECK(fabsf(ds.x[i] - want[i]) < 1e-6f);
    REQUIRE(clae_dataset_resize(ctx, &ds, 2, 2) == CLAE_OK); /* and back down */
    CHECK(fabsf(ds.x[0] - 0.375f) < 1e-6f && fabsf(ds.x[3] - 2.625f) < 1e-6f);
    REQUIRE(clae_dataset_pad(ctx, &ds, 1) == CLAE_OK);
    CHECK(ds.height == 4 && ds.width == 4 && ds.dim == 16);
    CHECK(ds.x[0] == 0.0f && ds.x[3] == 0.0f && ds.x[15] == 0.0f);
    CHECK(fabsf(ds.x[5] - 0.375f) < 1e-6f && fabsf(ds.x[10] - 2.625f) < 1e-6f);
    clae_dataset_free(&ds);
    clae_ctx_destroy(ctx);
}

static void test_idx_types(void)
{
    clae_ctx *ctx = clae_ctx_create();
    clae_dataset ds;
    /* One sample of two values per type: sbyte, short, int, float, double. */
    const unsigned char sb[] = {0, 0, 0x09, 2, 0, 0, 0, 1, 0, 0, 0, 2, 0xFF, 5};
    const unsigned char sh[] = {0, 0, 0x0B, 2, 0, 0, 0, 1, 0, 0, 0, 2, 0xFF, 0xFE, 1, 0};
    const unsigned char in[] = {0, 0, 0x0C, 2, 0, 0, 0, 1, 0, 0, 0, 2, 0, 1, 0, 0, 0xFF, 0xFF, 0xFF, 0xFF};
    const unsigned char fl[] = {0, 0, 0x0D, 2, 0, 0, 0, 1, 0, 0, 0, 2, 0x3F, 0x80, 0, 0, 0xC0, 0, 0, 0};
    const unsigned char db[] = {0, 0, 0x0E, 2, 0, 0, 0, 1, 0, 0, 0, 2, 0x3F, 0xF8, 0, 0, 0, 0, 0, 0,
                                0xC0, 0x24, 0, 0, 0, 0, 0, 0};
    const struct { const unsigned char *b; size_t n; float v0, v1; } cases[] = {
        {sb, sizeof sb, -1, 5}, {sh, sizeof sh, -2, 256}, {in, sizeof in, 65536, -1},
        {fl, sizeof fl, 1, -2}, {db, sizeof db, 1.5f, -10}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        REQUIRE(clae_idx_parse_images(ctx, "t.idx", cases[i].b, cases[i].n, NULL, &ds) == CLAE_OK);
        CHECK(ds.count == 1 && ds.dim == 2 && ds.x[0] == cases[i].v0 && ds.x[1] == cases[i].v1);
        clae_dataset_free(&ds);
    }
    CHECK_IMAGES_FAIL("x.idx", sh, sizeof sh - 1, CLAE_EDATA, "x.idx: truncated at byte 15 of 16");
    const unsigned char nan[] = {0, 0, 0x0D, 2, 0, 0, 0, 1, 0, 0, 0, 1, 0x7F, 0xC0, 0, 0};
    CHECK_IMAGES_FAIL("x.idx", nan, sizeof nan, CLAE_EDATA,
                      "x.idx: value 0 (byte 12) is not a finite float");

    /* Labels of integer types; floats and negative labels are refused. */
    REQUIRE(clae_idx_parse_images(ctx, "t.idx", sh, sizeof sh, NULL, &ds) == CLAE_OK);
    const unsigned char l16[] = {0, 0, 0x0B, 1, 0, 0, 0, 1, 0, 200};
    CHECK(clae_idx_parse_labels(ctx, "l.idx", l16, sizeof l16, &ds) == CLAE_OK);
    CHECK(ds.labels && ds.labels[0] == 200);
    const unsigned char l32[] = {0, 0, 0x0C, 1, 0, 0, 0, 1, 0, 0, 0, 9};
    CHECK(clae_idx_parse_labels(ctx, "l.idx", l32, sizeof l32, &ds) == CLAE_OK);
    CHECK(ds.labels && ds.labels[0] == 9);
    const unsigned char lf[] = {0, 0, 0x0D, 1, 0, 0, 0, 1, 0x3F, 0x80, 0, 0};
    CHECK(clae_idx_parse_labels(ctx, "l.idx", lf, sizeof lf, &ds) == CLAE_EDATA);
    CHECK_STR(clae_ctx_message(ctx),
              "l.idx: labels need an integer IDX type (0x08, 0x09, 0x0B or 0x0C), got 0x0D");
    const unsigned char lneg[] = {0, 0, 0x09, 1, 0, 0, 0, 1, 0xFF};
    CHECK(clae_idx_parse_labels(ctx, "l.idx", lneg, sizeof lneg, &ds) == CLAE_EDATA);
    CHECK_STR(clae_ctx_message(ctx), "l.idx: label 0 (byte 8) is -1, expected 0 to 255");
    CHECK(ds.labels && ds.labels[0] == 9); /* a refused file leaves the labels as they were */
    clae_dataset_free(&ds);
    clae_ctx_destroy(ctx);
}

int main(void)
{
    if (!check_make_tree(tmpdir, sizeof tmpdir, "data")) return 1;
    test_bundled_mnist();
    test_parse_shapes();
    test_bad_memory();
    test_bad_files();
    test_split_limit_free();
    test_shuffle();
    test_resize_pad();
    test_idx_types();
    if (rmdir(tmpdir) != 0) perror(tmpdir);
    return check_finish();
}
