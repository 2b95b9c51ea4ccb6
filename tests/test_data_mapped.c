/* Mapped datasets (clae_dataset_map): plain IDX files of bytes and floats and
 * .npy arrays of '|u1' and '<f4' are mapped, and their rows, gathered in a
 * shuffled order, are bit for bit those of clae_dataset_read (interleaved
 * H x W x C moved to planar too); bounds.take is kept; other files are left
 * to the readers; a non-finite float and a broken header fail as the
 * readers fail, with their messages; a holdout split of a mapped set holds
 * the same test rows as one of a read set, copied within the budget. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "clae/data.h"
#include "test_files.h"

static char tmpdir[64];

static const char *path_of(const char *name) { return test_path(tmpdir, name); }

static const char *put(const char *name, const void *bytes, size_t size)
{
    return test_put(tmpdir, name, bytes, size);
}

/* An IDX file: the header of type and dims, then n payload bytes. */
static const char *put_idx(const char *name, unsigned type, const uint32_t *dims, unsigned rank,
                           const unsigned char *payload, size_t n)
{
    unsigned char *buf = malloc(4 + 4 * rank + n);
    buf[0] = buf[1] = 0;
    buf[2] = (unsigned char)type;
    buf[3] = (unsigned char)rank;
    for (unsigned i = 0; i < rank; i++)
        for (int b = 0; b < 4; b++) buf[4 + 4 * i + b] = (unsigned char)(dims[i] >> (24 - 8 * b));
    memcpy(buf + 4 + 4 * rank, payload, n);
    const char *path = put(name, buf, 4 + 4 * rank + n);
    free(buf);
    return path;
}

/* A version 1.0 .npy of n data bytes. */
static const char *put_npy(const char *name, const char *descr, const char *shape,
                           const void *data, size_t n)
{
    unsigned char *buf = malloc(128 + n);
    const char *path = put(name, buf, npy_v1_bytes(buf, descr, shape, data, n));
    free(buf);
    return path;
}

/* Pseudo-random bytes, every value from 0 to 255 among the first 256. */
static void fill_bytes(unsigned char *b, size_t n, unsigned seed)
{
    for (size_t i = 0; i < n; i++)
        b[i] = (unsigned char)(i < 256 ? i * 97 + seed : (i * 2654435761u + seed) >> 13);
}

/* Floats of many kinds (negative, tiny, huge, -0, subnormal), stored in the
 * given byte order. */
static void fill_floats(unsigned char *b, size_t n, int big_endian)
{
    static const float kinds[] = {0.0f,  -0.0f,  1.0f, -2.5f,      1e-38f,
                                  1e-45f, 3.4e38f, 0.1f, 1.0f / 3.0f};
    for (size_t i = 0; i < n; i++) {
        float f = kinds[i % 9] / (float)(1 + i / 9) + (i % 5 ? 0.0f : (float)i * 1e-3f);
        uint32_t u;
        memcpy(&u, &f, 4);
        for (int k = 0; k < 4; k++)
            b[4 * i + k] = (unsigned char)(big_endian ? u >> (24 - 8 * k) : u >> (8 * k));
    }
}

/* map(path) is mapped and, with bounds, holds what read(path) holds: shape,
 * counts, and every row through a shuffled order, bit for bit. */
static void check_same(const char *path, size_t take, int want_channels)
{
    clae_ctx *ctx = clae_ctx_create();
    clae_data_bounds b = {take, 0};
    clae_dataset read, map;
    int mapped = -1;
    clae_status st = clae_dataset_read(ctx, path, 0, &b, &read);
    CHECK(st == CLAE_OK);
    clae_status sm = clae_dataset_map(ctx, path, &b, &map, &mapped);
    CHECK(sm == CLAE_OK && mapped == 1);
    if (st != CLAE_OK || sm != CLAE_OK || mapped != 1) {
        fprintf(stderr, "%s: %s\n", path, clae_ctx_message(ctx));
        clae_dataset_free(&read);
        clae_ctx_destroy(ctx);
        return;
    }
    CHECK(map.x == NULL && map.mapped != NULL && map.labels == NULL);
    CHECK_STR(map.name, read.name);
    CHECK(map.count == read.count && map.file_count == read.file_count);
    CHECK(map.channels == read.channels && map.height == read.height && map.width == read.width &&
          map.dim == read.dim && map.channels == want_channels);
    if (take) CHECK(map.count == take && map.file_count > take);
    size_t n = read.count, dim = read.dim;
    uint32_t *order = malloc(n * sizeof *order);
    float *got = malloc(n * dim * sizeof *got), *want = malloc(n * dim * sizeof *want);
    clae_shuffle(order, n, 7, 1);
    clae_dataset_rows(&map, order, 0, n, got);
    for (size_t i = 0; i < n; i++) memcpy(want + i * dim, read.x + order[i] * dim, dim * sizeof *want);
    CHECK(memcmp(got, want, n * dim * sizeof *got) == 0);
    /* in order, from the middle; and the in-memory set through the same call */
    clae_dataset_rows(&map, NULL, 1, n - 1, got);
    CHECK(memcmp(got, read.x + dim, (n - 1) * dim * sizeof *got) == 0);
    clae_dataset_rows(&read, order, 0, n, got);
    CHECK(memcmp(got, want, n * dim * sizeof *got) == 0);
    free(order);
    free(got);
    free(want);
    clae_dataset_free(&read);
    clae_dataset_free(&map);
    CHECK(map.mapped == NULL && map.count == 0);
    clae_ctx_destroy(ctx);
}

/* A byte b is (float)b / 255.0f when mapped, (float)(b / 255.0) in the IDX
 * reader: the same float for every byte. */
static void test_byte_scale(void)
{
    int same = 1;
    for (int b = 0; b < 256; b++) {
        float mapped = (float)b / 255.0f, idx = (float)(b / 255.0);
        same &= memcmp(&mapped, &idx, sizeof mapped) == 0;
    }
    CHECK(same);
}

static void test_idx(void)
{
    unsigned char bytes[9 * 5 * 4 * 3];
    fill_bytes(bytes, sizeof bytes, 11);
    uint32_t rank3[] = {9, 5, 4}, rank4[] = {9, 5, 4, 3}, rank2[] = {9, 20};
    check_same(put_idx("u8.idx", 0x08, rank3, 3, bytes, 9 * 20), 0, 1);
    check_same(put_idx("u8-4.idx", 0x08, rank4, 4, bytes, sizeof bytes), 0, 3);
    check_same(put_idx("u8-2-ubyte", 0x08, rank2, 2, bytes, 9 * 20), 0, 1);
    check_same(path_of("u8-4.idx"), 4, 3); /* bounds.take */
    unsigned char floats[9 * 20 * 4];
    fill_floats(floats, 9 * 20, 1);
    check_same(put_idx("f32.idx", 0x0D, rank3, 3, floats, sizeof floats), 0, 1);
    check_same(path_of("f32.idx"), 5, 1);
}

static void test_npy(void)
{
    unsigned char bytes[8 * 6 * 5 * 3];
    fill_bytes(bytes, sizeof bytes, 5);
    check_same(put_npy("hw.npy", "|u1", "(8, 6, 5)", bytes, 8 * 30), 0, 1);
    check_same(put_npy("nhwc.npy", "|u1", "(8, 6, 5, 3)", bytes, sizeof bytes), 0, 3);
    check_same(put_npy("nchw.npy", "|u1", "(8, 3, 6, 5)", bytes, sizeof bytes), 0, 3);
    check_same(path_of("nhwc.npy"), 3, 3);
    unsigned char floats[8 * 36 * 4];
    fill_floats(floats, 8 * 36, 0);
    check_same(put_npy("f4.npy", "<f4", "(8, 36)", floats, sizeof floats), 0, 1);
    check_same(put_npy("f4-nhwc.npy", "<f4", "(8, 6, 2, 3)", floats, sizeof floats), 0, 3);
}

/* Left to the readers: *mapped = 0, out empty, CLAE_OK. */
static void check_not_mapped(const char *path)
{
    clae_ctx *ctx = clae_ctx_create();
    clae_dataset ds;
    int mapped = -1;
    CHECK(clae_dataset_map(ctx, path, NULL, &ds, &mapped) == CLAE_OK);
    CHECK(mapped == 0 && ds.count == 0 && ds.mapped == NULL && ds.x == NULL);
    clae_dataset read;
    CHECK(clae_dataset_read(ctx, path, 0, NULL, &read) == CLAE_OK && read.count > 0);
    clae_dataset_free(&read);
    clae_ctx_destroy(ctx);
}

static void test_not_mapped(void)
{
    unsigned char bytes[4 + 12 + 3 * 16];
    uint32_t dims[] = {3, 4, 4};
    fill_bytes(bytes, sizeof bytes, 3);
    const char *plain = put_idx("plain.idx", 0x08, dims, 3, bytes, 48);
    FILE *f = fopen(plain, "rb");
    size_t n = fread(bytes, 1, sizeof bytes, f);
    fclose(f);
    size_t gz_n = 0;
    unsigned char *gz = gzip_bytes(bytes, n, &gz_n);
    if (!gz) return;
    check_not_mapped(put("gz.idx.gz", gz, gz_n));
    free(gz);
    int32_t ints[3 * 4] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 255};
    check_not_mapped(put_npy("i4.npy", "<i4", "(3, 4)", ints, sizeof ints));
    check_not_mapped(put("rows.csv", "1,2,3,4\n5,6,7,8\n", 16));
    unsigned char words[3 * 8];
    memset(words, 1, sizeof words);
    check_not_mapped(put_idx("short.idx", 0x0B, dims, 2, words, sizeof words));
    check_not_mapped("mnist");
}

/* Both the reader and mapping fail on path, with the same status and message. */
static void check_same_failure(const char *path, const char *part)
{
    clae_ctx *ctx = clae_ctx_create();
    clae_dataset ds;
    int mapped = -1;
    clae_status sr = clae_dataset_read(ctx, path, 0, NULL, &ds);
    char want[512];
    snprintf(want, sizeof want, "%s", clae_ctx_message(ctx));
    clae_status sm = clae_dataset_map(ctx, path, NULL, &ds, &mapped);
    CHECK(sr == CLAE_EDATA && sm == sr && mapped == 0 && ds.mapped == NULL);
    CHECK_STR(clae_ctx_message(ctx), want);
    CHECK(strstr(want, part) != NULL);
    clae_ctx_destroy(ctx);
}

static void test_failures(void)
{
    unsigned char floats[6 * 4 * 4];
    fill_floats(floats, 24, 1);
    float nan = NAN;
    uint32_t u;
    memcpy(&u, &nan, 4);
    for (int k = 0; k < 4; k++) floats[4 * 13 + k] = (unsigned char)(u >> (24 - 8 * k));
    uint32_t dims[] = {6, 2, 2};
    check_same_failure(put_idx("nan.idx", 0x0D, dims, 3, floats, sizeof floats),
                       "value 13 (byte 68) is not a finite float");
    fill_floats(floats, 24, 0);
    float inf = -INFINITY;
    memcpy(&u, &inf, 4);
    for (int k = 0; k < 4; k++) floats[4 * 17 + k] = (unsigned char)(u >> (8 * k));
    check_same_failure(put_npy("inf.npy", "<f4", "(6, 2, 2)", floats, sizeof floats),
                       "entry 17 is not a finite number");
    unsigned char bytes[6 * 4];
    fill_bytes(bytes, sizeof bytes, 1);
    check_same_failure(put_idx("cut.idx", 0x08, dims, 3, bytes, sizeof bytes - 5),
                       "truncated at byte 35 of 40");
    check_same_failure(put_npy("cut.npy", "|u1", "(6, 2, 2)", bytes, sizeof bytes - 1),
                       "truncated");
    uint32_t flat[] = {6};
    check_same_failure(put_idx("rank1.idx", 0x08, flat, 1, bytes, 6), "rank 1");
}

/* A 25% holdout of the mapped set: the same test rows as of the read set,
 * in memory; train stays mapped with the rest. The copy must fit the
 * budget, though the whole set need not. */
static void test_split(void)
{
    unsigned char bytes[20 * 6 * 6];
    fill_bytes(bytes, sizeof bytes, 9);
    uint32_t dims[] = {20, 6, 6};
    const char *path = put_idx("split.idx", 0x08, dims, 3, bytes, sizeof bytes);
    clae_ctx *ctx = clae_ctx_create();
    clae_data_bounds b = {0, 5 * 36 * 4}; /* room for the 5 test rows only */
    clae_dataset read, map, read_test, map_test;
    int mapped = 0;
    CHECK(clae_dataset_read(ctx, path, 0, &b, &read) == CLAE_EDATA); /* over the budget */
    CHECK(clae_dataset_read(ctx, path, 0, NULL, &read) == CLAE_OK);
    REQUIRE(clae_dataset_map(ctx, path, &b, &map, &mapped) == CLAE_OK && mapped == 1);
    CHECK(clae_dataset_split(ctx, &read, 0.25, &read_test) == CLAE_OK);
    CHECK(clae_dataset_split(ctx, &map, 0.25, &map_test) == CLAE_OK);
    CHECK(map_test.count == 5 && read_test.count == 5 && map_test.mapped == NULL && map_test.x);
    CHECK(map_test.x && memcmp(map_test.x, read_test.x, 5 * 36 * sizeof(float)) == 0);
    CHECK(map.count == 15 && map.mapped != NULL);
    float rows[15 * 36];
    clae_dataset_rows(&map, NULL, 0, 15, rows);
    CHECK(memcmp(rows, read.x, sizeof rows) == 0);
    clae_dataset_limit(&map, 10);
    CHECK(map.count == 10 && map.mapped != NULL);
    clae_dataset_free(&map_test);
    clae_dataset_free(&map);
    /* a budget short of the test rows refuses the split */
    b.budget = 4 * 36 * 4;
    REQUIRE(clae_dataset_map(ctx, path, &b, &map, &mapped) == CLAE_OK && mapped == 1);
    CHECK(clae_dataset_split(ctx, &map, 0.25, &map_test) == CLAE_EDATA);
    CHECK(strstr(clae_ctx_message(ctx), "data budget") != NULL);
    clae_dataset_free(&map);
    clae_dataset_free(&read);
    clae_dataset_free(&read_test);
    clae_ctx_destroy(ctx);
}

/* A labels file loads into a mapped set as into a read one. */
static void test_labels(void)
{
    unsigned char bytes[5 * 4], labels[5] = {3, 1, 4, 1, 5};
    fill_bytes(bytes, sizeof bytes, 2);
    uint32_t dims[] = {5, 2, 2}, ldims[] = {5};
    const char *path = put_idx("l.idx", 0x08, dims, 3, bytes, sizeof bytes);
    const char *lpath = put_idx("l-labels.idx", 0x08, ldims, 1, labels, sizeof labels);
    clae_ctx *ctx = clae_ctx_create();
    clae_data_bounds b = {3, 0};
    clae_dataset map;
    int mapped = 0;
    REQUIRE(clae_dataset_map(ctx, path, &b, &map, &mapped) == CLAE_OK && mapped == 1);
    CHECK(clae_dataset_read_labels(ctx, lpath, &map) == CLAE_OK);
    CHECK(map.labels && map.labels[0] == 3 && map.labels[2] == 4);
    clae_dataset_free(&map);
    clae_ctx_destroy(ctx);
}

int main(void)
{
    if (!check_make_tree(tmpdir, sizeof tmpdir, "mapped")) return 1;
    test_byte_scale();
    test_idx();
    test_npy();
    test_not_mapped();
    test_failures();
    test_split();
    test_labels();
    check_remove_tree(tmpdir);
    return check_finish();
}
