/* Bounded reading of .npy arrays and CIFAR-10 batches: bounds.take keeps the
 * first N samples, the same values as a full read, and reads nothing after
 * them (damage there goes unnoticed); file_count is the file's own count, and
 * a labels file must match it; a file over the budget is refused before any
 * value is read. Also: the .npy reader from a file (header, then values in
 * chunks) and from memory (the fuzzer's) agree, values and messages. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "clae/data.h"
#include "io/npy.h"
#include "test_files.h"

static char tmpdir[64];

static const char *put(const char *name, const void *bytes, size_t size)
{
    return test_put(tmpdir, name, bytes, size);
}

static const char *put_npy(const char *name, const char *descr, const char *shape,
                           const void *data, size_t n)
{
    unsigned char *buf = malloc(128 + n);
    size_t size = npy_v1_bytes(buf, descr, shape, data, n);
    const char *path = put(name, buf, size);
    free(buf);
    return path;
}

static clae_status read_take(clae_ctx *ctx, const char *path, size_t take, uint64_t budget,
                             clae_dataset *ds)
{
    clae_data_bounds b = {take, budget};
    return clae_dataset_read(ctx, path, 0, &b, ds);
}

/* ds holds exactly the first n samples of all, values and labels. */
static int same_prefix(const clae_dataset *ds, const clae_dataset *all, size_t n)
{
    if (ds->count != n || ds->dim != all->dim || ds->channels != all->channels ||
        ds->height != all->height || ds->width != all->width)
        return 0;
    if (memcmp(ds->x, all->x, n * all->dim * sizeof *ds->x) != 0) return 0;
    if (!ds->labels != !all->labels) return 0;
    return !ds->labels || memcmp(ds->labels, all->labels, n * sizeof *ds->labels) == 0;
}

static int has(const char *message, const char *part)
{
    return message && strstr(message, part) != NULL;
}

static void test_npy_take(void)
{
    clae_ctx *ctx = clae_ctx_create();
    clae_dataset all, ds;
    /* uint8 (10, 4, 5): take 3 is the full read's first 3 samples. */
    unsigned char px[200];
    for (int i = 0; i < 200; i++) px[i] = (unsigned char)(i * 7 % 256);
    const char *u8 = put_npy("u8.npy", "|u1", "(10, 4, 5)", px, sizeof px);
    REQUIRE(clae_dataset_read(ctx, u8, 0, NULL, &all) == CLAE_OK);
    CHECK(all.count == 10 && all.file_count == 10 && all.dim == 20 && all.height == 4);
    CHECK(all.x[199] == (float)px[199] / 255.0f);
    REQUIRE(read_take(ctx, u8, 3, 0, &ds) == CLAE_OK);
    CHECK(ds.file_count == 10 && same_prefix(&ds, &all, 3));
    clae_dataset_free(&ds);
    REQUIRE(read_take(ctx, u8, 100, 0, &ds) == CLAE_OK); /* more than the file holds: all */
    CHECK(ds.file_count == 10 && same_prefix(&ds, &all, 10));
    clae_dataset_free(&ds);

    /* Labels with take: the file must hold file_count labels; the first 3 are kept. */
    long long lab[10];
    for (int i = 0; i < 10; i++) lab[i] = i % 7;
    const char *l = put_npy("l.npy", "<i8", "(10,)", lab, sizeof lab);
    REQUIRE(read_take(ctx, u8, 3, 0, &ds) == CLAE_OK);
    REQUIRE(clae_dataset_read_labels(ctx, l, &ds) == CLAE_OK);
    CHECK(ds.labels && ds.labels[0] == 0 && ds.labels[1] == 1 && ds.labels[2] == 2);
    const char *l3 = put_npy("l3.npy", "<i8", "(3,)", lab, 3 * sizeof lab[0]);
    char want[512];
    CHECK(clae_dataset_read_labels(ctx, l3, &ds) == CLAE_EDATA);
    snprintf(want, sizeof want, "%s: 3 labels for 10 images", l3);
    CHECK_STR(clae_ctx_message(ctx), want);
    /* A bad label after the kept ones is never read; a full read refuses it. */
    lab[5] = 300;
    const char *lbad = put_npy("lbad.npy", "<i8", "(10, 1)", lab, sizeof lab);
    CHECK(clae_dataset_read_labels(ctx, lbad, &ds) == CLAE_OK);
    CHECK(clae_dataset_read_labels(ctx, lbad, &all) == CLAE_EDATA);
    snprintf(want, sizeof want, "%s: entry 5: label 300 is outside 0 to 255", lbad);
    CHECK_STR(clae_ctx_message(ctx), want);
    clae_dataset_free(&ds);
    clae_dataset_free(&all);

    /* float32 (6, 8) and channels-last uint8 (5, 2, 3, 3): the same. */
    float fl[48];
    for (int i = 0; i < 48; i++) fl[i] = (float)i * 0.25f - 3.0f;
    const char *f4 = put_npy("f4.npy", "<f4", "(6, 8)", fl, sizeof fl);
    REQUIRE(clae_dataset_read(ctx, f4, 0, NULL, &all) == CLAE_OK);
    REQUIRE(read_take(ctx, f4, 2, 0, &ds) == CLAE_OK);
    CHECK(ds.file_count == 6 && same_prefix(&ds, &all, 2) && ds.x[15] == fl[15]);
    clae_dataset_free(&ds);
    clae_dataset_free(&all);
    const char *nhwc = put_npy("nhwc.npy", "|u1", "(5, 2, 3, 3)", px, 90);
    REQUIRE(clae_dataset_read(ctx, nhwc, 0, NULL, &all) == CLAE_OK);
    CHECK(all.channels == 3 && all.height == 2 && all.width == 3 && all.dim == 18);
    /* sample 1, channel 2, pixel 4: file element 18 + 4 * 3 + 2 */
    CHECK(all.x[18 + 2 * 6 + 4] == (float)px[18 + 4 * 3 + 2] / 255.0f);
    REQUIRE(read_take(ctx, nhwc, 2, 0, &ds) == CLAE_OK);
    CHECK(ds.file_count == 5 && same_prefix(&ds, &all, 2));
    clae_dataset_free(&ds);
    clae_dataset_free(&all);

    /* Values after the kept samples are not read: an int32 256 in sample 2,
     * a NaN in the last float sample. */
    int32_t iv[12] = {0, 1, 2, 3, 4, 5, 6, 256, 8, 9, 10, 11};
    const char *i4 = put_npy("i4.npy", "<i4", "(4, 3)", iv, sizeof iv);
    REQUIRE(read_take(ctx, i4, 2, 0, &ds) == CLAE_OK);
    CHECK(ds.count == 2 && ds.file_count == 4 && ds.x[5] == 5 / 255.0f);
    clae_dataset_free(&ds);
    CHECK(clae_dataset_read(ctx, i4, 0, NULL, &ds) == CLAE_EDATA);
    snprintf(want, sizeof want,
             "%s: entry 7 is 256; an integer array holds pixel values from 0 to 255 (save other "
             "values as floats)",
             i4);
    CHECK_STR(clae_ctx_message(ctx), want);
    fl[47] = NAN;
    const char *nan = put_npy("nan.npy", "<f4", "(6, 8)", fl, sizeof fl);
    REQUIRE(read_take(ctx, nan, 5, 0, &ds) == CLAE_OK);
    clae_dataset_free(&ds);
    CHECK(read_take(ctx, nan, 6, 0, &ds) == CLAE_EDATA);
    snprintf(want, sizeof want, "%s: entry 47 is not a finite number", nan);
    CHECK_STR(clae_ctx_message(ctx), want);

    /* The /255 rule of non-uint8 integers is over the samples read: 0/1
     * samples then a 200 are 0/1 with take 2, scaled in a full read. */
    int32_t bits[6] = {0, 1, 1, 0, 200, 1};
    const char *ib = put_npy("bits.npy", "<i4", "(3, 2)", bits, sizeof bits);
    REQUIRE(read_take(ctx, ib, 2, 0, &ds) == CLAE_OK);
    CHECK(ds.x[1] == 1.0f && ds.x[2] == 1.0f);
    clae_dataset_free(&ds);
    REQUIRE(clae_dataset_read(ctx, ib, 0, NULL, &ds) == CLAE_OK);
    CHECK(ds.x[1] == 1 / 255.0f && ds.x[4] == 200 / 255.0f);
    clae_dataset_free(&ds);

    /* More than 64 KiB of elements: values across the reader's chunks. */
    enum { ROWS = 100, COLS = 1000 };
    unsigned char *big = malloc(ROWS * COLS);
    double *dbl = malloc(ROWS * 90 * sizeof *dbl);
    REQUIRE(big && dbl);
    for (int i = 0; i < ROWS * COLS; i++) big[i] = (unsigned char)(i * 31 % 251);
    for (int i = 0; i < ROWS * 90; i++) dbl[i] = i * 0.5;
    const char *pbig = put_npy("big.npy", "|u1", "(100, 1000)", big, ROWS * COLS);
    const char *pdbl = put_npy("dbl.npy", "<f8", "(100, 90)", dbl, ROWS * 90 * sizeof *dbl);
    REQUIRE(read_take(ctx, pbig, 70, 0, &ds) == CLAE_OK);
    int ok = ds.count == 70;
    for (size_t i = 0; ok && i < 70 * COLS; i++) ok = ds.x[i] == (float)big[i] / 255.0f;
    CHECK(ok);
    clae_dataset_free(&ds);
    REQUIRE(clae_dataset_read(ctx, pdbl, 0, NULL, &ds) == CLAE_OK);
    ok = ds.count == ROWS && ds.dim == 90;
    for (size_t i = 0; ok && i < ROWS * 90; i++) ok = ds.x[i] == (float)dbl[i];
    CHECK(ok);
    clae_dataset_free(&ds);
    free(big);
    free(dbl);
    clae_ctx_destroy(ctx);
}

static void test_npy_budget(void)
{
    clae_ctx *ctx = clae_ctx_create();
    clae_dataset ds;
    /* (10, 20) float32 with a NaN first: 800 bytes of floats. Over the budget
     * is refused on the shape, before the NaN is read. */
    float fl[200] = {NAN};
    const char *p = put_npy("budget.npy", "<f4", "(10, 20)", fl, sizeof fl);
    CHECK(read_take(ctx, p, 0, 799, &ds) == CLAE_EDATA);
    CHECK(has(clae_ctx_message(ctx), "data budget") && ds.x == NULL);
    CHECK(read_take(ctx, p, 0, 800, &ds) == CLAE_EDATA); /* within it: the NaN */
    CHECK(has(clae_ctx_message(ctx), "entry 0 is not a finite number"));
    CHECK(read_take(ctx, p, 4, 320, &ds) == CLAE_EDATA); /* 4 samples fit, again the NaN */
    CHECK(has(clae_ctx_message(ctx), "entry 0 is not a finite number"));
    CHECK(read_take(ctx, p, 5, 320, &ds) == CLAE_EDATA);
    CHECK(has(clae_ctx_message(ctx), "data budget"));
    /* A header declaring far more data than the file holds: refused on its size. */
    const char *lie = put_npy("lie.npy", "<f4", "(1000000000, 784)", fl, sizeof fl);
    CHECK(clae_dataset_read(ctx, lie, 0, NULL, &ds) == CLAE_EDATA);
    char want[512];
    snprintf(want, sizeof want, "%s: truncated at byte 928 of 3136000000128", lie);
    CHECK_STR(clae_ctx_message(ctx), want);
    CHECK(ds.x == NULL);
    clae_ctx_destroy(ctx);
}

/* clae__npy_read (header, then values in chunks) and clae__npy_parse (from
 * memory) give the same arrays and the same messages. */
static void test_npy_file_and_memory(void)
{
    clae_ctx *ctx = clae_ctx_create();
    static unsigned char buf[1024];
    const float m[12] = {0, 0.5f, 1, -2, 3.25f, 4, 5, 6, 7, 8, 9, 1e-3f};
    size_t n = npy_v1_bytes(buf, "<f4", "(3, 4)", m, sizeof m);
    struct {
        const char *what;
        size_t size;    /* bytes of buf, or 0: the case's own */
        int byte;       /* a byte of buf to change, or -1 */
        unsigned char to;
        const char *message; /* NULL: read fine */
    } cases[] = {
        {"whole", n, -1, 0, NULL},
        {"truncated", n - 8, -1, 0, ": truncated at byte 168 of 176"},
        {"trailing", n + 3, -1, 0, ": 3 trailing bytes after byte 176"},
        {"empty", 0, -1, 0, ": not a .npy file (no \\x93NUMPY magic at byte 0)"},
        {"no magic", n, 1, 'X', ": not a .npy file (no \\x93NUMPY magic at byte 0)"},
        {"version", n, 6, 4, ": unsupported npy format version 4.0 (byte 6)"},
        {"short length", 9, -1, 0, ": truncated at byte 9 of 10"},
        {"long header", n, 9, 0x7f, ": truncated at byte 176 of 32640"},
        {"huge header", n, 6, 2, ": npy header of 662372470 bytes is implausibly long"},
        {"dict", n, 10, '[', ": malformed npy header at byte 0"},
        {"dtype", n, 23, '2', ": unsupported npy dtype '<f2' (expected '<f4', '<f8', '|u1', "
                              "'|i1', '<i4' or '<i8')"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        static unsigned char copy[1024];
        memcpy(copy, buf, sizeof copy);
        if (cases[i].byte >= 0) copy[cases[i].byte] = cases[i].to;
        char name[64];
        snprintf(name, sizeof name, "case%zu.npy", i);
        const char *path = put(name, copy, cases[i].size);
        clae_npy from_file, from_memory;
        clae_status sf = clae__npy_read(ctx, path, &from_file);
        char file_message[512];
        snprintf(file_message, sizeof file_message, "%s", clae_ctx_message(ctx));
        clae_status sm = clae__npy_parse(ctx, path, copy, cases[i].size, &from_memory);
        if (sf != sm || strcmp(file_message, clae_ctx_message(ctx)) != 0)
            fprintf(stderr, "case %s: file %d \"%s\", memory %d \"%s\"\n", cases[i].what, sf,
                    file_message, sm, clae_ctx_message(ctx));
        CHECK(sf == sm);
        if (cases[i].message) {
            char want[512];
            snprintf(want, sizeof want, "%s%s", path, cases[i].message);
            CHECK(sf == CLAE_EDATA);
            CHECK_STR(file_message, want);
            CHECK_STR(clae_ctx_message(ctx), want);
            CHECK(from_file.data == NULL && from_memory.data == NULL);
        } else {
            CHECK(sf == CLAE_OK && from_file.count == 12 && from_file.ndim == 2);
            CHECK(from_file.data && memcmp(from_file.data, m, sizeof m) == 0);
            CHECK(from_memory.data && memcmp(from_memory.data, m, sizeof m) == 0);
            clae__npy_free(&from_file);
            clae__npy_free(&from_memory);
        }
    }
    clae_ctx_destroy(ctx);
}

enum { R = 3073 };

static void test_cifar(void)
{
    clae_ctx *ctx = clae_ctx_create();
    clae_dataset all, ds;
    /* 40 records (more than one read chunk), labels i % 10. */
    enum { N = 40 };
    unsigned char *rec = malloc((size_t)N * R);
    REQUIRE(rec);
    for (size_t i = 0; i < (size_t)N * R; i++) rec[i] = (unsigned char)(i * 13 % 256);
    for (int i = 0; i < N; i++) rec[(size_t)i * R] = (unsigned char)(i % 10);
    const char *p = put("batch.bin", rec, (size_t)N * R);
    REQUIRE(clae_dataset_read(ctx, p, 0, NULL, &all) == CLAE_OK);
    CHECK(all.count == N && all.file_count == N && all.dim == 3072 && all.labels);
    CHECK(all.labels[39] == 9 && all.x[39 * 3072 + 100] == (float)rec[39 * R + 101] / 255.0f);
    REQUIRE(read_take(ctx, p, 35, 0, &ds) == CLAE_OK);
    CHECK(ds.file_count == N && same_prefix(&ds, &all, 35));
    clae_dataset_free(&ds);
    REQUIRE(read_take(ctx, p, 2, 0, &ds) == CLAE_OK);
    CHECK(ds.file_count == N && same_prefix(&ds, &all, 2));
    clae_dataset_free(&ds);
    clae_dataset_free(&all);

    /* A bad label after the kept records is never read. */
    rec[(size_t)3 * R] = 10;
    p = put("label.bin", rec, (size_t)N * R);
    REQUIRE(read_take(ctx, p, 3, 0, &ds) == CLAE_OK);
    CHECK(ds.count == 3 && ds.labels[2] == 2);
    clae_dataset_free(&ds);
    CHECK(read_take(ctx, p, 4, 0, &ds) == CLAE_EDATA);
    char want[512];
    snprintf(want, sizeof want, "%s: record 3 (byte 9219): label 10 is not a CIFAR-10 class (0-9)",
             p);
    CHECK_STR(clae_ctx_message(ctx), want);
    CHECK(ds.x == NULL && ds.labels == NULL);

    /* The budget: 40 records of 3072 floats and a label, refused before the
     * bad label is read; 3 records fit in their exact size. */
    uint64_t per = 3072 * sizeof(float) + sizeof(int);
    CHECK(read_take(ctx, p, 0, N * per - 1, &ds) == CLAE_EDATA);
    CHECK(has(clae_ctx_message(ctx), "data budget") && ds.x == NULL);
    CHECK(read_take(ctx, p, 3, 3 * per, &ds) == CLAE_OK);
    clae_dataset_free(&ds);
    CHECK(read_take(ctx, p, 4, 4 * per - 1, &ds) == CLAE_EDATA);
    CHECK(has(clae_ctx_message(ctx), "data budget"));
    /* A size of no whole number of records is refused whatever take is. */
    p = put("cut.bin", rec, (size_t)5 * R - 1);
    CHECK(read_take(ctx, p, 1, 0, &ds) == CLAE_EDATA);
    snprintf(want, sizeof want,
             "%s: 15364 bytes is not a whole number of CIFAR-10 records (3073 bytes each: a label "
             "byte and 32x32x3 pixel bytes)",
             p);
    CHECK_STR(clae_ctx_message(ctx), want);
    free(rec);
    clae_ctx_destroy(ctx);
}

int main(void)
{
    if (!check_make_tree(tmpdir, sizeof tmpdir, "bounds-npy")) return 1;
    test_npy_take();
    test_npy_budget();
    test_npy_file_and_memory();
    test_cifar();
    check_remove_tree(tmpdir);
    return check_finish();
}
