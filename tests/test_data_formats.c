/* The data formats besides IDX: PNG folders, CSV, NPY (reader and writer),
 * CIFAR-10 batches, format detection, labels files and [data] classes. Each
 * test writes small files to a temporary folder, loads them (values, shapes,
 * labels) and checks every refused input's exact message. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "clae/data.h"
#include "clae/image.h"
#include "clae/spec.h"
#include "data/source.h"
#include "io/npy.h"

static char tmpdir[64];

/* Every path made below, removed in reverse order at the end. */
static char made[192][512];
static int n_made;

/* The next slot of made[], holding tmpdir/name. */
static char *slot(const char *name)
{
    if (n_made == (int)(sizeof made / sizeof made[0])) {
        fprintf(stderr, "test_data_formats: more than %d temporary paths\n", n_made);
        exit(1);
    }
    char *path = made[n_made++];
    snprintf(path, sizeof made[0], "%s/%s", tmpdir, name);
    return path;
}

static const char *put(const char *name, const void *bytes, size_t size)
{
    char *path = slot(name);
    FILE *f = fopen(path, "wb");
    if (!f || (size && fwrite(bytes, 1, size, f) != size)) fprintf(stderr, "cannot write %s\n", path);
    if (f) fclose(f);
    return path;
}

/* A path in tmpdir, recorded for removal, for a file that the code under test writes. */
static const char *tmp_path(const char *name)
{
    char *path = slot(name);
    return path;
}

static const char *put_text(const char *name, const char *text)
{
    return put(name, text, strlen(text));
}

static const char *put_dir(const char *name)
{
    char *path = slot(name);
    if (mkdir(path, 0755) != 0) perror(path);
    return path;
}

/* A w x h PNG whose byte at (pixel p, channel c) is base + 10 p + c. */
static const char *put_png(clae_ctx *ctx, const char *name, int w, int h, int channels, int base)
{
    char *path = slot(name);
    unsigned char px[64 * 4];
    for (int p = 0; p < w * h; p++)
        for (int c = 0; c < channels; c++) px[p * channels + c] = (unsigned char)(base + 10 * p + c);
    if (clae_png_write(ctx, path, px, w, h, channels) != CLAE_OK) fprintf(stderr, "%s\n", path);
    return path;
}

static void remove_made(void)
{
    while (n_made > 0)
        if (remove(made[--n_made]) != 0) perror(made[n_made]);
}

/* Loads path with clae_dataset_read and expects status and the message "path: rest". */
#define CHECK_READ_FAIL(path, column, status, rest)                                  \
    do {                                                                             \
        clae_dataset d_;                                                             \
        char w_[1024];                                                               \
        snprintf(w_, sizeof w_, "%s%s", path, rest);                                 \
        CHECK(clae_dataset_read(ctx, path, column, NULL, &d_) == (status));                \
        CHECK_STR(clae_ctx_message(ctx), w_);                                        \
        CHECK(d_.x == NULL && d_.labels == NULL);                                    \
    } while (0)

static void test_csv(void)
{
    clae_ctx *ctx = clae_ctx_create();
    clae_dataset ds;
    /* A header, a blank line, CRLF; 4 values and a label a row: 1 x 2 x 2 images. */
    const char *a = put_text("a.csv", "x1,x2,x3,x4,label\r\n0, 255,51,102,3\n255,0,0,0,1\n\n"
                                      "10,20,30,40,0\n");
    REQUIRE(clae_dataset_read(ctx, a, -1, NULL, &ds) == CLAE_OK);
    CHECK_STR(ds.name, a);
    CHECK(ds.count == 3 && ds.channels == 1 && ds.height == 2 && ds.width == 2 && ds.dim == 4);
    REQUIRE(ds.labels);
    CHECK(ds.labels[0] == 3 && ds.labels[1] == 1 && ds.labels[2] == 0);
    /* a value above 1: every value is divided by 255 */
    CHECK(ds.x[0] == 0.0f && ds.x[1] == 1.0f && ds.x[2] == 51 / 255.0f && ds.x[11] == 40 / 255.0f);
    clae_dataset_free(&ds);
    REQUIRE(clae_csv_read(ctx, a, 0, NULL, &ds) == CLAE_OK); /* none: 5 values, a vector */
    CHECK(ds.count == 3 && ds.height == 1 && ds.width == 5 && ds.labels == NULL);
    CHECK(ds.x[4] == 3 / 255.0f);
    clae_dataset_free(&ds);
    REQUIRE(clae_csv_read(ctx, a, 1, NULL, &ds) == CLAE_OK); /* first */
    CHECK(ds.dim == 4 && ds.labels && ds.labels[1] == 255 && ds.labels[2] == 10);
    CHECK(ds.x[3] == 3 / 255.0f);
    clae_dataset_free(&ds);
    REQUIRE(clae_csv_read(ctx, a, 3, NULL, &ds) == CLAE_OK); /* the third column */
    CHECK(ds.labels && ds.labels[0] == 51 && ds.labels[2] == 30 && ds.x[2] == 102 / 255.0f);
    clae_dataset_free(&ds);
    /* No header, values within [0, 1]: taken as they are. */
    const char *b = put_text("b.csv", "0.5,0.25,1\n1,0,0.125");
    REQUIRE(clae_dataset_read(ctx, b, 0, NULL, &ds) == CLAE_OK);
    CHECK(ds.count == 2 && ds.height == 1 && ds.width == 3 && ds.labels == NULL);
    CHECK(ds.x[0] == 0.5f && ds.x[1] == 0.25f && ds.x[5] == 0.125f);
    clae_dataset_free(&ds);

    const char *c = put_text("c.csv", "1,2,3\n4,5,6\n7,8\n");
    CHECK_READ_FAIL(c, 0, CLAE_EDATA, ":3: 2 values, expected 3 as in line 1");
    const char *c2 = put_text("c2.csv", "a,b,c\n\n1,2,3\n4,5,6,7\n");
    CHECK_READ_FAIL(c2, 0, CLAE_EDATA, ":4: 4 values, expected 3 as in line 3");
    CHECK_READ_FAIL(c, 9, CLAE_EDATA, ":1: label_column 9, but the rows have 3 values");
    const char *d = put_text("d.csv", "h1,h2,h3\n1,abc,3\n");
    CHECK_READ_FAIL(d, 0, CLAE_EDATA, ":2: column 2: expected a number, got \"abc\"");
    const char *e = put_text("e.csv", "1,2,3.5\n");
    CHECK_READ_FAIL(e, -1, CLAE_EDATA, ":1: column 3: expected a label from 0 to 255, got \"3.5\"");
    const char *f = put_text("f.csv", "0,1\n1,300\n");
    CHECK_READ_FAIL(f, 0, CLAE_EDATA,
                    ":2: column 2: expected a value from 0 to 255 (or 0 to 1), got \"300\"");
    const char *g = put_text("g.csv", "pixel,label\n\n");
    CHECK_READ_FAIL(g, 0, CLAE_EDATA, ": no data rows");
    const char *h = put_text("h.csv", "7\n");
    CHECK_READ_FAIL(h, -1, CLAE_EDATA, ":1: a label column and no values (1 value a row)");

    /* A UTF-8 byte order mark is skipped: the first row is data, not a header. */
    const char *bom = put_text("bom.csv", "\xEF\xBB\xBF" "1,2\n3,4\n");
    REQUIRE(clae_dataset_read(ctx, bom, 0, NULL, &ds) == CLAE_OK);
    CHECK(ds.count == 2 && ds.dim == 2 && ds.x[0] == 1 / 255.0f && ds.x[3] == 4 / 255.0f);
    clae_dataset_free(&ds);
    const char *bomh = put_text("bomh.csv", "\xEF\xBB\xBF" "x,y\n0,1\n");
    REQUIRE(clae_dataset_read(ctx, bomh, 0, NULL, &ds) == CLAE_OK);
    CHECK(ds.count == 1 && ds.x[1] == 1.0f);
    clae_dataset_free(&ds);
    /* A first line with numbers in it is data: its empty or mistyped field is an error there. */
    const char *gap = put_text("gap.csv", "1,,3,4\n5,6,7,8\n");
    CHECK_READ_FAIL(gap, 0, CLAE_EDATA, ":1: column 2: expected a number, got \"\"");
    const char *typo = put_text("typo.csv", "1,2,3o,4\n5,6,7,8\n");
    CHECK_READ_FAIL(typo, 0, CLAE_EDATA, ":1: column 3: expected a number, got \"3o\"");
    /* Lone CR line ends (old Mac), and CR LF mixed in. */
    const char *cr = put_text("cr.csv", "1,2\r3,4\r\n5,6\r");
    REQUIRE(clae_dataset_read(ctx, cr, 0, NULL, &ds) == CLAE_OK);
    CHECK(ds.count == 3 && ds.dim == 2 && ds.x[5] == 6 / 255.0f);
    clae_dataset_free(&ds);
    const char *crl = put_text("crl.txt", "2\r0\r1\r");
    REQUIRE(clae_dataset_read(ctx, cr, 0, NULL, &ds) == CLAE_OK);
    REQUIRE(clae_dataset_read_labels(ctx, crl, &ds) == CLAE_OK);
    CHECK(ds.labels && ds.labels[0] == 2 && ds.labels[2] == 1);
    clae_dataset_free(&ds);
    clae_ctx_destroy(ctx);
}

/* A version 1.0 .npy with the given dict fields and raw data bytes. */
static const char *put_npy(const char *name, const char *descr, const char *order,
                           const char *shape, const void *data, size_t n)
{
    unsigned char buf[512];
    char dict[128];
    int len = snprintf(dict, sizeof dict, "{'descr': '%s', 'fortran_order': %s, 'shape': %s, }",
                       descr, order, shape);
    memcpy(buf, "\x93NUMPY\x01\x00", 8);
    buf[8] = 118;
    buf[9] = 0;
    memset(buf + 10, ' ', 118);
    memcpy(buf + 10, dict, (size_t)len);
    buf[127] = '\n';
    memcpy(buf + 128, data, n);
    return put(name, buf, 128 + n);
}

static void test_npy(void)
{
    clae_ctx *ctx = clae_ctx_create();
    clae_dataset ds;
    /* The writer, read back: 3 x 4 floats, the data 64-byte aligned after the
     * 59-character dict. */
    const float m[12] = {0, 0.5f, 1, -2, 3.25f, 4, 5, 6, 7, 8, 9, 1e-3f};
    const char *path = tmp_path("m.npy");
    REQUIRE(clae__npy_write(ctx, path, m, 3, 4) == CLAE_OK);
    FILE *fp = fopen(path, "rb");
    REQUIRE(fp);
    unsigned char raw[256];
    size_t got = fread(raw, 1, sizeof raw, fp);
    fclose(fp);
    CHECK(got == 128 + 48 && memcmp(raw, "\x93NUMPY\x01\x00\x76\x00", 10) == 0);
    CHECK(raw[70] == ' ' && raw[126] == ' ' && raw[127] == '\n');
    CHECK(memcmp(raw + 10, "{'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }", 59) == 0);
    clae_npy a;
    REQUIRE(clae__npy_read(ctx, path, &a) == CLAE_OK);
    CHECK(a.dtype == CLAE_NPY_F4 && a.ndim == 2 && a.shape[0] == 3 && a.shape[1] == 4);
    CHECK(a.count == 12 && memcmp(a.data, m, sizeof m) == 0);
    clae__npy_free(&a);
    REQUIRE(clae_dataset_read(ctx, path, 0, NULL, &ds) == CLAE_OK); /* (N, 4): 1 x 2 x 2 */
    CHECK(ds.count == 3 && ds.channels == 1 && ds.height == 2 && ds.width == 2);
    CHECK(ds.x[3] == -2.0f && ds.x[11] == 1e-3f && ds.labels == NULL);

    /* Labels: int64 (N,) and uint8 (N, 1); a float array, a wrong count. */
    const unsigned char i8[24] = {4, 0, 0, 0, 0, 0, 0, 0, 9, 0, 0, 0, 0, 0, 0, 0, 0};
    const char *l = put_npy("l.npy", "<i8", "False", "(3,)", i8, 24);
    REQUIRE(clae_dataset_read_labels(ctx, l, &ds) == CLAE_OK);
    CHECK(ds.labels && ds.labels[0] == 4 && ds.labels[1] == 9 && ds.labels[2] == 0);
    const unsigned char u1[3] = {1, 2, 3};
    const char *l1 = put_npy("l1.npy", "|u1", "False", "(3, 1)", u1, 3);
    REQUIRE(clae_npy_read_labels(ctx, l1, &ds) == CLAE_OK);
    CHECK(ds.labels && ds.labels[2] == 3);
    char want[1024];
    CHECK(clae_dataset_read_labels(ctx, path, &ds) == CLAE_EDATA);
    snprintf(want, sizeof want, "%s: labels need an integer dtype ('|u1', '|i1', '<i4' or '<i8')",
             path);
    CHECK_STR(clae_ctx_message(ctx), want);
    const char *l2 = put_npy("l2.npy", "|u1", "False", "(2,)", u1, 2);
    CHECK(clae_dataset_read_labels(ctx, l2, &ds) == CLAE_EDATA);
    snprintf(want, sizeof want, "%s: 2 labels for 3 images", l2);
    CHECK_STR(clae_ctx_message(ctx), want);
    CHECK(ds.labels && ds.labels[2] == 3);
    clae_dataset_free(&ds);

    /* uint8 (N, H, W) is divided by 255; float64 (N, C, H, W) is taken as it is. */
    const unsigned char px[12] = {0, 51, 102, 153, 204, 255, 1, 2, 3, 4, 5, 6};
    const char *u = put_npy("u.npy", "|u1", "False", "(2, 2, 3)", px, 12);
    REQUIRE(clae_dataset_read(ctx, u, 0, NULL, &ds) == CLAE_OK);
    CHECK(ds.count == 2 && ds.channels == 1 && ds.height == 2 && ds.width == 3);
    CHECK(ds.x[1] == 51 / 255.0f && ds.x[5] == 1.0f && ds.x[11] == 6 / 255.0f);
    clae_dataset_free(&ds);
    const double dv[6] = {0.5, -1, 2, 3, 4, 5};
    const char *f8 = put_npy("f8.npy", "<f8", "False", "(1, 3, 1, 2)", dv, sizeof dv);
    REQUIRE(clae_dataset_read(ctx, f8, 0, NULL, &ds) == CLAE_OK);
    CHECK(ds.count == 1 && ds.channels == 3 && ds.height == 1 && ds.width == 2);
    CHECK(ds.x[0] == 0.5f && ds.x[1] == -1.0f && ds.x[5] == 5.0f);
    clae_dataset_free(&ds);

    const char *fo = put_npy("fo.npy", "<f4", "True", "(3, 4)", m, sizeof m);
    CHECK_READ_FAIL(fo, 0, CLAE_EDATA, ": fortran_order is True; save the array in C order "
                                       "(numpy.ascontiguousarray) and try again");
    const char *be = put_npy("be.npy", ">f4", "False", "(3, 4)", m, sizeof m);
    CHECK_READ_FAIL(be, 0, CLAE_EDATA, ": unsupported npy dtype '>f4' (expected '<f4', '<f8', "
                                       "'|u1', '|i1', '<i4' or '<i8')");
    /* Version 2.0: a 4-byte header length; double-quoted keys are Python too. */
    unsigned char v2[128 + 8] = "\x93NUMPY\x02\x00\x74\x00\x00\x00";
    const char *dict2 = "{\"descr\": \"<i4\", \"fortran_order\": False, \"shape\": (1, 2)}";
    memset(v2 + 12, ' ', 115);
    memcpy(v2 + 12, dict2, strlen(dict2));
    v2[127] = '\n';
    memcpy(v2 + 128, "\x01\x00\x00\x00\x00\x00\x00\x00", 8);
    const char *p2 = put("v2.npy", v2, sizeof v2);
    REQUIRE(clae_dataset_read(ctx, p2, 0, NULL, &ds) == CLAE_OK);
    CHECK(ds.count == 1 && ds.dim == 2 && ds.width == 2 && ds.x[0] == 1.0f && ds.x[1] == 0.0f);
    clae_dataset_free(&ds);

    const char *tr = put_npy("tr.npy", "<f4", "False", "(3, 4)", m, 40);
    CHECK_READ_FAIL(tr, 0, CLAE_EDATA, ": truncated at byte 168 of 176");
    const char *v1 = put_npy("v1.npy", "<f4", "False", "(5,)", m, 20);
    CHECK_READ_FAIL(v1, 0, CLAE_EDATA,
                    ": shape (5,) is not (N, D), (N, H, W), (N, C, H, W) or (N, H, W, C)");
    const char *bad = put_text("bad.npy", "not numpy");
    CHECK_READ_FAIL(bad, 0, CLAE_EDATA, ": not a .npy file (no \\x93NUMPY magic at byte 0)");
    clae_ctx_destroy(ctx);
}

/* Rank 4 layouts and the scaling of integer dtypes. */
static void test_npy_layout(void)
{
    clae_ctx *ctx = clae_ctx_create();
    clae_dataset ds;
    /* (1, 2, 2, 3): channels last, as PIL and Keras write; read planar. */
    unsigned char hwc[12];
    for (int i = 0; i < 12; i++) hwc[i] = (unsigned char)(10 * (i % 3) + i / 3); /* channel c, pixel p */
    const char *nhwc = put_npy("nhwc.npy", "|u1", "False", "(1, 2, 2, 3)", hwc, 12);
    REQUIRE(clae_dataset_read(ctx, nhwc, 0, NULL, &ds) == CLAE_OK);
    CHECK(ds.count == 1 && ds.channels == 3 && ds.height == 2 && ds.width == 2 && ds.dim == 12);
    int planar = 1;
    for (int c = 0; c < 3; c++)
        for (int p = 0; p < 4; p++) planar &= ds.x[c * 4 + p] == (float)(10 * c + p) / 255.0f;
    CHECK(planar);
    clae_dataset_free(&ds);
    /* Both the second and the last dimension could be channels: (N, C, H, W) as PyTorch. */
    const char *amb = put_npy("amb.npy", "|u1", "False", "(1, 3, 1, 4)", hwc, 12);
    REQUIRE(clae_dataset_read(ctx, amb, 0, NULL, &ds) == CLAE_OK);
    CHECK(ds.channels == 3 && ds.height == 1 && ds.width == 4 && ds.x[4] == hwc[4] / 255.0f);
    clae_dataset_free(&ds);

    /* int64 pixels 0..255: divided by 255 as CSV values are; int32 0/1: as they are. */
    long long px[4] = {0, 255, 51, 1};
    unsigned char le8[32];
    for (int i = 0; i < 32; i++) le8[i] = (unsigned char)((unsigned long long)px[i / 8] >> (8 * (i % 8)));
    const char *i8 = put_npy("i8.npy", "<i8", "False", "(2, 2)", le8, 32);
    REQUIRE(clae_dataset_read(ctx, i8, 0, NULL, &ds) == CLAE_OK);
    CHECK(ds.count == 2 && ds.dim == 2 && ds.x[1] == 1.0f && ds.x[2] == 51 / 255.0f);
    clae_dataset_free(&ds);
    const unsigned char bits[16] = {1, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0};
    const char *i4 = put_npy("i4.npy", "<i4", "False", "(2, 2)", bits, 16);
    REQUIRE(clae_dataset_read(ctx, i4, 0, NULL, &ds) == CLAE_OK);
    CHECK(ds.x[0] == 1.0f && ds.x[1] == 0.0f && ds.x[3] == 1.0f);
    clae_dataset_free(&ds);
    const unsigned char big[16] = {1, 0, 0, 0, 0, 1, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0};
    const char *i4big = put_npy("i4big.npy", "<i4", "False", "(2, 2)", big, 16);
    CHECK_READ_FAIL(i4big, 0, CLAE_EDATA, ": entry 1 is 256; an integer array holds pixel values "
                                          "from 0 to 255 (save other values as floats)");
    const unsigned char neg[4] = {3, 0xFF, 2, 1};
    const char *i1 = put_npy("i1.npy", "|i1", "False", "(1, 4)", neg, 4);
    CHECK_READ_FAIL(i1, 0, CLAE_EDATA, ": entry 1 is -1; an integer array holds pixel values "
                                       "from 0 to 255 (save other values as floats)");
    /* float arrays are taken as they are, whatever their range */
    const float fl[2] = {300, -4};
    const char *f4 = put_npy("f4.npy", "<f4", "False", "(1, 2)", fl, sizeof fl);
    REQUIRE(clae_dataset_read(ctx, f4, 0, NULL, &ds) == CLAE_OK);
    CHECK(ds.x[0] == 300.0f && ds.x[1] == -4.0f);
    clae_dataset_free(&ds);
    clae_ctx_destroy(ctx);
}

static void test_cifar(void)
{
    clae_ctx *ctx = clae_ctx_create();
    clae_dataset ds;
    enum { R = 3073 };
    static unsigned char rec[3 * R];
    for (int i = 0; i < 3 * R; i++) rec[i] = (unsigned char)(i % 256);
    rec[0] = 3;
    rec[R] = 7;
    const char *p = put("batch.bin", rec, 2 * R);
    REQUIRE(clae_dataset_read(ctx, p, 0, NULL, &ds) == CLAE_OK);
    CHECK(ds.count == 2 && ds.channels == 3 && ds.height == 32 && ds.width == 32 && ds.dim == 3072);
    CHECK(ds.labels && ds.labels[0] == 3 && ds.labels[1] == 7);
    /* planar as in the file: the green plane of record 0 starts at its byte 1 + 1024 */
    CHECK(ds.x[1024] == (float)rec[1025] / 255.0f && ds.x[3072 + 5] == (float)rec[R + 6] / 255.0f);
    clae_dataset_free(&ds);
    const char *s = put("short.bin", rec, 2 * R - 1);
    CHECK_READ_FAIL(s, 0, CLAE_EDATA, ": 6145 bytes is not a whole number of CIFAR-10 records "
                                      "(3073 bytes each: a label byte and 32x32x3 pixel bytes)");
    rec[2 * R] = 10;
    const char *l = put("label.bin", rec, 3 * R);
    CHECK_READ_FAIL(l, 0, CLAE_EDATA,
                    ": record 2 (byte 6146): label 10 is not a CIFAR-10 class (0-9)");
    /* A first record of label 0 and pixels 0, 8, 3, ...: bytes that read as an
     * IDX header (ubyte, rank 3), but not one whose shape is this file's size. */
    rec[0] = 0;
    rec[1] = 0;
    rec[2] = 8;
    rec[3] = 3;
    rec[2 * R] = 9;
    const char *z = put("zero.bin", rec, 3 * R);
    REQUIRE(clae_dataset_read(ctx, z, 0, NULL, &ds) == CLAE_OK);
    CHECK(ds.count == 3 && ds.channels == 3 && ds.labels && ds.labels[0] == 0 && ds.labels[2] == 9);
    clae_dataset_free(&ds);
    /* An IDX .bin that happens to be 3073 bytes: 1 x 3061 bytes, its header says so. */
    static unsigned char idx[R] = {0, 0, 8, 2, 0, 0, 0, 1, 0, 0, 0x0B, 0xF5};
    idx[12] = 255;
    const char *ib = put("idx.bin", idx, R);
    REQUIRE(clae_dataset_read(ctx, ib, 0, NULL, &ds) == CLAE_OK);
    CHECK(ds.count == 1 && ds.dim == 3061 && ds.labels == NULL && ds.x[0] == 1.0f);
    clae_dataset_free(&ds);
    clae_ctx_destroy(ctx);
}

static void test_png_dir(void)
{
    clae_ctx *ctx = clae_ctx_create();
    clae_dataset ds;
    /* Numeric class folders are the labels, ordered by number; classes in turn. */
    const char *digits = put_dir("digits");
    put_dir("digits/3");
    put_dir("digits/10");
    put_png(ctx, "digits/3/b.png", 2, 2, 1, 0);
    put_png(ctx, "digits/3/a.png", 2, 2, 1, 100);
    put_png(ctx, "digits/10/z.png", 2, 2, 1, 50);
    put_text("digits/10/notes.txt", "not an image");
    REQUIRE(clae_dataset_read(ctx, digits, 0, NULL, &ds) == CLAE_OK);
    CHECK(ds.count == 3 && ds.channels == 1 && ds.height == 2 && ds.width == 2 && ds.dim == 4);
    REQUIRE(ds.labels);
    CHECK(ds.labels[0] == 3 && ds.labels[1] == 10 && ds.labels[2] == 3);
    CHECK(ds.x[0] == 100 / 255.0f && ds.x[4] == 50 / 255.0f && ds.x[11] == 30 / 255.0f);
    clae_dataset_free(&ds);

    /* Named classes: sorted, numbered from 0. One colour image makes all RGB. */
    const char *pets = put_dir("pets");
    put_dir("pets/dog");
    put_dir("pets/cat");
    put_png(ctx, "pets/cat/1.png", 2, 1, 1, 20);
    put_png(ctx, "pets/dog/1.png", 2, 1, 4, 40); /* RGBA: the alpha goes */
    REQUIRE(clae_dataset_read(ctx, pets, 0, NULL, &ds) == CLAE_OK);
    CHECK(ds.count == 2 && ds.channels == 3 && ds.height == 1 && ds.width == 2 && ds.dim == 6);
    REQUIRE(ds.labels);
    CHECK(ds.labels[0] == 0 && ds.labels[1] == 1);
    /* cat (grey, copied to each plane): 20 30 | 20 30 | 20 30; dog: 40 50 | 41 51 | 42 52 */
    const float want[12] = {20, 30, 20, 30, 20, 30, 40, 50, 41, 51, 42, 52};
    int same = 1;
    for (int i = 0; i < 12; i++) same &= ds.x[i] == want[i] / 255.0f;
    CHECK(same);
    clae_dataset_free(&ds);

    /* A test folder (or --input) beside named train classes must hold the same
     * names, since names are numbered by sorted position; numbered classes may
     * be any subset. */
    const char *pets_dog = put_dir("pets_dog");
    put_dir("pets_dog/dog");
    put_png(ctx, "pets_dog/dog/1.png", 2, 1, 4, 40);
    const char *pets_all = put_dir("pets_all");
    put_dir("pets_all/cat");
    put_dir("pets_all/dog");
    put_png(ctx, "pets_all/cat/1.png", 2, 1, 1, 20);
    put_png(ctx, "pets_all/dog/1.png", 2, 1, 4, 40);
    const char *digits10 = put_dir("digits10");
    put_dir("digits10/10");
    put_png(ctx, "digits10/10/a.png", 2, 2, 1, 5);
    char text[1024], want_cls[1024];
    snprintf(text, sizeof text, "[data]\ntrain = %s\ntest = %s\n", pets, pets_dog);
    clae_spec spec;
    clae_dataset test;
    REQUIRE(clae_spec_parse_text(ctx, "p.ini", text, &spec) == CLAE_OK);
    CHECK(clae__load_datasets(ctx, &spec, &ds, &test) == CLAE_EDATA);
    snprintf(want_cls, sizeof want_cls,
             "%s: class folders (dog) are not those of %s (cat, dog); named classes are numbered "
             "in sorted order, so both must hold the same names (or name the folders by label "
             "number)",
             pets_dog, pets);
    CHECK_STR(clae_ctx_message(ctx), want_cls);
    CHECK(ds.x == NULL && test.x == NULL);
    CHECK(clae__load_data_file(ctx, &spec, pets_dog, "", 0, &ds) == CLAE_EDATA); /* --input */
    CHECK_STR(clae_ctx_message(ctx), want_cls);
    REQUIRE(clae__load_data_file(ctx, &spec, pets_all, "", 0, &ds) == CLAE_OK);
    CHECK(ds.count == 2 && ds.labels && ds.labels[0] == 0 && ds.labels[1] == 1);
    clae_dataset_free(&ds);
    clae_spec_free(&spec);
    snprintf(text, sizeof text, "[data]\ntrain = %s\ntest = %s\n", digits, digits10);
    REQUIRE(clae_spec_parse_text(ctx, "d.ini", text, &spec) == CLAE_OK);
    REQUIRE(clae__load_datasets(ctx, &spec, &ds, &test) == CLAE_OK);
    CHECK(test.count == 1 && test.labels && test.labels[0] == 10);
    clae_dataset_free(&ds);
    clae_dataset_free(&test);
    clae_spec_free(&spec);

    /* A flat folder: no labels, sorted file order. */
    const char *flat = put_dir("flat");
    put_png(ctx, "flat/b.png", 1, 1, 1, 2);
    put_png(ctx, "flat/a.png", 1, 1, 1, 1);
    REQUIRE(clae_dataset_read(ctx, flat, 0, NULL, &ds) == CLAE_OK);
    CHECK(ds.count == 2 && ds.labels == NULL && ds.x[0] == 1 / 255.0f && ds.x[1] == 2 / 255.0f);
    clae_dataset_free(&ds);

    /* Refused: sizes that differ, files beside class folders, empty folders, a bad PNG. */
    const char *bad = put_dir("bad");
    put_png(ctx, "bad/a.png", 2, 2, 1, 0);
    const char *b = put_png(ctx, "bad/b.png", 3, 2, 3, 0);
    char want_msg[1024];
    snprintf(want_msg, sizeof want_msg, "%s: 3x2 pixels, but %s/a.png is 2x2", b, bad);
    CHECK(clae_dataset_read(ctx, bad, 0, NULL, &ds) == CLAE_EDATA);
    CHECK_STR(clae_ctx_message(ctx), want_msg);
    put_dir("bad/cls");
    CHECK_READ_FAIL(bad, 0, CLAE_EDATA, ": holds both PNG files (a.png) and sub-folders (cls); "
                                        "put every image in a class sub-folder, or use a folder "
                                        "of PNG files alone");
    const char *none = put_dir("none");
    CHECK_READ_FAIL(none, 0, CLAE_EDATA, ": no .png files and no class sub-folders");
    const char *cls = put_dir("none/cls");
    CHECK(clae_dataset_read(ctx, none, 0, NULL, &ds) == CLAE_EDATA);
    snprintf(want_msg, sizeof want_msg, "%s: class folder has no .png files", cls);
    CHECK_STR(clae_ctx_message(ctx), want_msg);
    /* Class folder names: numbers and names mixed, one label twice, a label too large. */
    const char *mix = put_dir("mix");
    put_dir("mix/3");
    put_dir("mix/cat");
    put_png(ctx, "mix/3/a.png", 1, 1, 1, 0);
    put_png(ctx, "mix/cat/a.png", 1, 1, 1, 0);
    CHECK_READ_FAIL(mix, 0, CLAE_EDATA, ": class folders mix numbers (3) and names (cat); name "
                                        "every class folder by its label number, or none");
    const char *dup = put_dir("dup");
    put_dir("dup/1");
    put_dir("dup/01");
    put_png(ctx, "dup/1/a.png", 1, 1, 1, 0);
    put_png(ctx, "dup/01/a.png", 1, 1, 1, 0);
    CHECK_READ_FAIL(dup, 0, CLAE_EDATA, ": class folders 01 and 1 are both label 1");
    const char *high = put_dir("high");
    put_dir("high/2");
    put_dir("high/300");
    put_png(ctx, "high/2/a.png", 1, 1, 1, 0);
    put_png(ctx, "high/300/a.png", 1, 1, 1, 0);
    CHECK_READ_FAIL(high, 0, CLAE_EDATA, ": class folder 300 is above the largest label, 255");
    /* Leading zeros are the same number: "0007" is label 7. */
    const char *zeros = put_dir("zeros");
    put_dir("zeros/0007");
    put_png(ctx, "zeros/0007/a.png", 1, 1, 1, 0);
    REQUIRE(clae_dataset_read(ctx, zeros, 0, NULL, &ds) == CLAE_OK);
    CHECK(ds.labels && ds.labels[0] == 7);
    clae_dataset_free(&ds);

    const char *junk = put_dir("junk");
    const char *j = put_text("junk/x.png", "not a png");
    CHECK(clae_dataset_read(ctx, junk, 0, NULL, &ds) == CLAE_EDATA);
    snprintf(want_msg, sizeof want_msg, "%s: not a PNG file", j);
    CHECK_STR(clae_ctx_message(ctx), want_msg);
    clae_ctx_destroy(ctx);
}

/* Format detection, text labels, and [data] classes through a spec. */
static void test_detect_classes(void)
{
    clae_ctx *ctx = clae_ctx_create();
    clae_dataset ds, test;
    const char *u = put_text("x.dat", "hello");
    CHECK_READ_FAIL(u, 0, CLAE_EDATA, ": unknown data format (accepted: \"mnist\", a folder of "
                                      "PNGs, .csv, .npy, CIFAR-10 .bin batches, IDX (.gz ok))");
    char gone[512];
    snprintf(gone, sizeof gone, "%s/gone.csv", tmpdir);
    CHECK_READ_FAIL(gone, 0, CLAE_EUSAGE, ": cannot open: No such file or directory");
    /* Only regular files: a FIFO would block, a device never end, a folder is no labels file. */
    char *fifo = slot("fifo.csv");
    if (mkfifo(fifo, 0600) != 0) perror(fifo);
    CHECK_READ_FAIL(fifo, 0, CLAE_EDATA, ": not a regular file");
    char *fifo_bin = slot("fifo.bin");
    if (mkfifo(fifo_bin, 0600) != 0) perror(fifo_bin);
    CHECK_READ_FAIL(fifo_bin, 0, CLAE_EDATA, ": not a regular file");
    char *zero = slot("zero.npy");
    if (symlink("/dev/zero", zero) != 0) perror(zero);
    CHECK_READ_FAIL(zero, 0, CLAE_EDATA, ": not a regular file");
    char *huge = slot("huge.csv");
    FILE *hf = fopen(huge, "wb");
    int sparse = hf && ftruncate(fileno(hf), (off_t)((1LL << 32) + 1)) == 0;
    if (hf) fclose(hf);
    if (sparse)
        CHECK_READ_FAIL(huge, 0, CLAE_EDATA,
                        ": 4294967297 bytes is more than the 4294967296 a data file may have");

    /* 12 rows, label i % 3 in the last column. */
    char rows[512] = "";
    for (int i = 0; i < 12; i++)
        snprintf(rows + strlen(rows), sizeof rows - strlen(rows), "%d,%d,%d\n", i, 2 * i, i % 3);
    const char *csv = put_text("rows.csv", rows);
    REQUIRE(clae_dataset_read(ctx, csv, 0, NULL, &ds) == CLAE_OK);
    const char *txt = put_text("labels.txt", "label\n2\n1\n0\n2\n1\n0\n2\n1\n0\n2\n1\n0\n");
    REQUIRE(clae_dataset_read_labels(ctx, txt, &ds) == CLAE_OK);
    CHECK(ds.labels && ds.labels[0] == 2 && ds.labels[11] == 0);
    const char *bad = put_text("bad.txt", "1\n-1\n");
    CHECK(clae_dataset_read_labels(ctx, bad, &ds) == CLAE_EDATA);
    char want[1024];
    snprintf(want, sizeof want, "%s:2: expected a label from 0 to 255, got \"-1\"", bad);
    CHECK_STR(clae_ctx_message(ctx), want);
    CHECK(clae_dataset_read_labels(ctx, tmpdir, &ds) == CLAE_EUSAGE);
    snprintf(want, sizeof want, "%s: cannot open: Is a directory", tmpdir);
    CHECK_STR(clae_ctx_message(ctx), want);
    CHECK(clae_dataset_read_labels(ctx, fifo, &ds) == CLAE_EDATA);
    snprintf(want, sizeof want, "%s: not a regular file", fifo);
    CHECK_STR(clae_ctx_message(ctx), want);
    CHECK(ds.labels && ds.labels[0] == 2);
    unsigned char keep[CLAE_DATA_MAX_LABEL + 1] = {0};
    keep[2] = 1;
    REQUIRE(clae_dataset_select_classes(ctx, &ds, keep) == CLAE_OK);
    CHECK(ds.count == 4 && ds.labels[3] == 2 && ds.x[3 * 3] == 9 / 255.0f);
    clae_dataset_free(&ds);

    char text[1024];
    snprintf(text, sizeof text, "[data]\ntrain = %s\nlabel_column = last\nclasses = 0,2\n"
                                "holdout = 0.25\n", csv);
    clae_spec spec;
    REQUIRE(clae_spec_parse_text(ctx, "c.ini", text, &spec) == CLAE_OK);
    REQUIRE(clae__load_datasets(ctx, &spec, &ds, &test) == CLAE_OK);
    /* 8 of 12 kept, then 2 held out; every label 0 or 2 */
    CHECK(ds.count == 6 && test.count == 2 && ds.dim == 2);
    int only = 1;
    for (size_t i = 0; i < ds.count; i++) only &= ds.labels[i] != 1;
    for (size_t i = 0; i < test.count; i++) only &= test.labels[i] != 1;
    CHECK(only && test.labels[1] == 2 && test.x[2] == 11 / 255.0f);
    clae_dataset_free(&ds);
    clae_dataset_free(&test);
    /* An explicit input keeps every class. */
    REQUIRE(clae__load_data_file(ctx, &spec, csv, "", 0, &ds) == CLAE_OK);
    CHECK(ds.count == 12);
    clae_dataset_free(&ds);
    spec.data.label_column = 0;
    CHECK(clae__load_datasets(ctx, &spec, &ds, &test) == CLAE_EDATA);
    snprintf(want, sizeof want, "%s: [data] classes selects by label, but this data has no labels",
             csv);
    CHECK_STR(clae_ctx_message(ctx), want);
    spec.data.label_column = CLAE_LABEL_COLUMN_LAST;
    memset(spec.data.classes, 0, sizeof spec.data.classes);
    spec.data.classes[7] = 1;
    CHECK(clae__load_datasets(ctx, &spec, &ds, &test) == CLAE_EDATA);
    snprintf(want, sizeof want, "%s: [data] classes keeps none of its 12 samples", csv);
    CHECK_STR(clae_ctx_message(ctx), want);
    CHECK(ds.x == NULL && test.x == NULL);
    clae_spec_free(&spec);
    clae_ctx_destroy(ctx);
}

int main(void)
{
    if (!check_make_tree(tmpdir, sizeof tmpdir, "formats")) return 1;
    test_csv();
    test_npy();
    test_npy_layout();
    test_cifar();
    test_png_dir();
    test_detect_classes();
    remove_made();
    if (rmdir(tmpdir) != 0) perror(tmpdir);
    return check_finish();
}
