/* The IDX reader within its bounds: with take it reads only the first
 * samples (the same values as a full read), plain or gzipped, from memory or
 * a file; labels keep the first ones; a declared size over the budget is
 * refused before any value is read; and a gzip stream that would inflate to
 * gigabytes costs only what take asks for. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
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

static void put_be32(unsigned char *p, uint32_t v)
{
    p[0] = (unsigned char)(v >> 24), p[1] = (unsigned char)(v >> 16);
    p[2] = (unsigned char)(v >> 8), p[3] = (unsigned char)v;
}

static double seconds_since(const struct timespec *t0)
{
    struct timespec t1;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    return (double)(t1.tv_sec - t0->tv_sec) + (double)(t1.tv_nsec - t0->tv_nsec) * 1e-9;
}

/* How a test reads an IDX input: from memory or from a file, as it is or gzipped. */
typedef struct {
    const char *what;
    int gzip, file;
} source;
static const source sources[] = {
    {"plain bytes", 0, 0}, {"gzip bytes", 1, 0}, {"plain file", 0, 1}, {"gzip file", 1, 1}};

/* Reads images (labels when ds is not NULL) from bytes through the source s. */
static clae_status read_via(clae_ctx *ctx, const source *s, const char *name,
                            const unsigned char *bytes, size_t n, const clae_data_bounds *b,
                            clae_dataset *out, clae_dataset *labels_for)
{
    size_t gz_n = n;
    unsigned char *gz = s->gzip ? gzip_bytes(bytes, n, &gz_n) : NULL;
    const unsigned char *in = s->gzip ? gz : bytes;
    if (s->gzip && !gz) return CLAE_ENOMEM;
    clae_status st;
    if (s->file) {
        char path[512];
        if (!write_tmp(name, in, gz_n, path, sizeof path)) {
            free(gz);
            return CLAE_EIO;
        }
        st = labels_for ? clae_idx_read_labels(ctx, path, labels_for)
                        : clae_idx_read_images(ctx, path, b, out);
        remove(path);
    } else {
        st = labels_for ? clae_idx_parse_labels(ctx, name, in, gz_n, labels_for)
                        : clae_idx_parse_images(ctx, name, in, gz_n, b, out);
    }
    free(gz);
    return st;
}

/* 50 RGB images 4 x 5 (rank 4, HWC in the file) and their 50 labels. */
#define N_IMG 50
#define IMG_DIM (4 * 5 * 3)
static unsigned char images[16 + 4 + N_IMG * IMG_DIM];
static unsigned char labels[8 + N_IMG];

static void make_files(void)
{
    const unsigned char head[] = {0, 0, 8, 4, 0, 0, 0, N_IMG, 0, 0, 0, 4, 0, 0, 0, 5, 0, 0, 0, 3};
    memcpy(images, head, sizeof head);
    for (size_t i = sizeof head; i < sizeof images; i++)
        images[i] = (unsigned char)(i * 37 % 253);
    const unsigned char lhead[] = {0, 0, 8, 1, 0, 0, 0, N_IMG};
    memcpy(labels, lhead, sizeof lhead);
    for (size_t i = 0; i < N_IMG; i++) labels[8 + i] = (unsigned char)(i * 7 % 10);
}

/* take keeps exactly the first samples, with a full read's values, and
 * file_count is the file's count; labels keep the first ones too. */
static void test_take_matches_full_read(void)
{
    clae_ctx *ctx = clae_ctx_create();
    for (size_t k = 0; k < sizeof sources / sizeof sources[0]; k++) {
        const source *s = &sources[k];
        fprintf(stderr, "source: %s\n", s->what);
        clae_dataset all, some;
        REQUIRE(read_via(ctx, s, "rgb.idx", images, sizeof images, NULL, &all, NULL) == CLAE_OK);
        CHECK(all.count == N_IMG && all.file_count == N_IMG && all.dim == IMG_DIM);
        CHECK(all.channels == 3 && all.height == 4 && all.width == 5);
        /* Planar in memory: channel 1 of pixel 0 of sample 0 is the file's second byte. */
        CHECK(all.x[20] == (float)(images[21] / 255.0));
        for (size_t take = 1; take <= N_IMG + 5; take += 11) {
            const clae_data_bounds b = {take, 0};
            REQUIRE(read_via(ctx, s, "rgb.idx", images, sizeof images, &b, &some, NULL) ==
                    CLAE_OK);
            size_t want = take < N_IMG ? take : N_IMG;
            CHECK(some.count == want && some.file_count == N_IMG);
            CHECK(some.dim == IMG_DIM && some.channels == 3);
            CHECK(memcmp(some.x, all.x, want * IMG_DIM * sizeof(float)) == 0);

            CHECK(read_via(ctx, s, "labels.idx", labels, sizeof labels, NULL, NULL, &some) ==
                  CLAE_OK);
            REQUIRE(some.labels);
            int same = 1;
            for (size_t i = 0; i < want; i++) same &= some.labels[i] == labels[8 + i];
            CHECK(same);
            /* 49 labels are refused for a file of 50 images, however many are kept. */
            unsigned char short_labels[sizeof labels - 1];
            memcpy(short_labels, labels, sizeof short_labels);
            short_labels[7] = N_IMG - 1;
            CHECK(read_via(ctx, s, "labels49.idx", short_labels, sizeof short_labels, NULL, NULL,
                           &some) == CLAE_EDATA);
            CHECK(strstr(clae_ctx_message(ctx), ": 49 labels for 50 images") != NULL);
            clae_dataset_free(&some);
        }
        clae_dataset_free(&all);
    }

    /* The bundled digits with take: the first 100 digits and labels of 10,000. */
    clae_dataset all, some;
    const clae_data_bounds b = {100, 0};
    REQUIRE(clae_dataset_load_mnist(ctx, NULL, &all) == CLAE_OK);
    REQUIRE(clae_dataset_load_mnist(ctx, &b, &some) == CLAE_OK);
    CHECK(some.count == 100 && some.file_count == 10000 && all.file_count == 10000);
    CHECK(memcmp(some.x, all.x, 100 * 784 * sizeof(float)) == 0);
    CHECK(memcmp(some.labels, all.labels, 100 * sizeof(int)) == 0);
    clae_dataset_free(&all);
    clae_dataset_free(&some);
    clae_ctx_destroy(ctx);
}

/* Past the first take samples nothing is read: a bad value there, a label out
 * of range, or a corrupt end of a gzip stream does not stop a read of take. */
static void test_rest_not_read(void)
{
    clae_ctx *ctx = clae_ctx_create();
    /* 4 float samples of 2 values; sample 3 holds a NaN. */
    unsigned char fl[12 + 8 * 4];
    const unsigned char head[] = {0, 0, 0x0D, 2, 0, 0, 0, 4, 0, 0, 0, 2};
    memcpy(fl, head, sizeof head);
    for (size_t i = 0; i < 8; i++) put_be32(fl + 12 + 4 * i, 0x3F800000u); /* 1.0f */
    put_be32(fl + 12 + 4 * 6, 0x7FC00000u);
    for (size_t k = 0; k < sizeof sources / sizeof sources[0]; k++) {
        clae_dataset ds;
        const clae_data_bounds three = {3, 0};
        CHECK(read_via(ctx, &sources[k], "nan.idx", fl, sizeof fl, NULL, &ds, NULL) ==
              CLAE_EDATA);
        CHECK(strstr(clae_ctx_message(ctx), "nan.idx: value 6 (byte 36) is not a finite float"));
        REQUIRE(read_via(ctx, &sources[k], "nan.idx", fl, sizeof fl, &three, &ds, NULL) ==
                CLAE_OK);
        CHECK(ds.count == 3 && ds.file_count == 4 && ds.x[5] == 1.0f);
        /* Labels (int16) for the 4: the last is out of range, and not read for 3. */
        const unsigned char l16[] = {0, 0, 0x0B, 1, 0, 0, 0, 4, 0, 1, 0, 2, 0, 3, 1, 0};
        CHECK(read_via(ctx, &sources[k], "l16.idx", l16, sizeof l16, NULL, NULL, &ds) == CLAE_OK);
        CHECK(ds.labels && ds.labels[0] == 1 && ds.labels[2] == 3);
        clae_dataset_free(&ds);
    }

    /* A gzip stream of 3 samples, then a member whose deflate data is broken:
     * a full read finds it, take = 3 never inflates it. */
    size_t a_n, b_n;
    unsigned char *a = gzip_bytes(fl, 12 + 3 * 8, &a_n), *b = gzip_bytes(fl + 36, 8, &b_n);
    REQUIRE(a && b && b_n > 12);
    unsigned char *ab = malloc(a_n + b_n);
    REQUIRE(ab);
    memcpy(ab, a, a_n);
    memcpy(ab + a_n, b, b_n);
    ab[a_n + 10] = 0xFF; /* the first deflate block header: a reserved block type */
    clae_dataset ds;
    CHECK(clae_idx_parse_images(ctx, "ab.idx.gz", ab, a_n + b_n, NULL, &ds) == CLAE_EDATA);
    CHECK(strstr(clae_ctx_message(ctx), "ab.idx.gz: corrupt gzip stream at compressed byte"));
    const clae_data_bounds three = {3, 0};
    REQUIRE(clae_idx_parse_images(ctx, "ab.idx.gz", ab, a_n + b_n, &three, &ds) == CLAE_OK);
    CHECK(ds.count == 3 && ds.file_count == 4);
    clae_dataset_free(&ds);
    /* ... and with that member cut short instead: truncated for a full read only. */
    memcpy(ab + a_n, b, b_n);
    CHECK(clae_idx_parse_images(ctx, "cut.idx.gz", ab, a_n + b_n / 2, NULL, &ds) == CLAE_EDATA);
    CHECK(strstr(clae_ctx_message(ctx), "cut.idx.gz: truncated gzip stream (ends at compressed "
                                        "byte"));
    REQUIRE(clae_idx_parse_images(ctx, "cut.idx.gz", ab, a_n + b_n / 2, &three, &ds) == CLAE_OK);
    CHECK(ds.count == 3 && ds.x[5] == 1.0f);
    clae_dataset_free(&ds);
    free(a), free(b), free(ab);
    clae_ctx_destroy(ctx);
}

/* A declared size over the budget is refused before any value is read. */
static void test_budget(void)
{
    clae_ctx *ctx = clae_ctx_create();
    for (size_t k = 0; k < sizeof sources / sizeof sources[0]; k++) {
        clae_dataset ds;
        /* 50 x 60 floats = 12,000 bytes. */
        const clae_data_bounds tiny = {0, 10000}, fits = {41, 10000};
        CHECK(read_via(ctx, &sources[k], "rgb.idx", images, sizeof images, &tiny, &ds, NULL) ==
              CLAE_EDATA);
        CHECK(strstr(clae_ctx_message(ctx), "rgb.idx: 50 samples of 60 values need 12000 bytes, "
                                            "more than the data budget of 10000 bytes") != NULL);
        CHECK(ds.x == NULL && ds.count == 0);
        CHECK(read_via(ctx, &sources[k], "rgb.idx", images, sizeof images, &fits, &ds, NULL) ==
              CLAE_OK);
        CHECK(ds.count == 41);
        clae_dataset_free(&ds);
    }
    clae_ctx_destroy(ctx);
}

/* A 5,000,000 x 28 x 28 header, then members of 1,000,000 zero bytes: *n_members
 * of them (3920 is the whole declared payload, 3.9 GB). */
static unsigned char *huge_gzip(size_t members, size_t *n)
{
    unsigned char head[16];
    put_be32(head, 0x00000803u);
    put_be32(head + 4, 5000000);
    put_be32(head + 8, 28);
    put_be32(head + 12, 28);
    unsigned char *zeros = calloc(1000000, 1);
    size_t h_n = 0, z_n = 0;
    unsigned char *h = gzip_bytes(head, sizeof head, &h_n);
    unsigned char *z = zeros ? gzip_bytes(zeros, 1000000, &z_n) : NULL;
    unsigned char *out = h && z ? malloc(h_n + members * z_n) : NULL;
    if (out) {
        memcpy(out, h, h_n);
        for (size_t i = 0; i < members; i++) memcpy(out + h_n + i * z_n, z, z_n);
        *n = h_n + members * z_n;
    }
    free(zeros), free(h), free(z);
    return out;
}

/* The case the bounds exist for: a 3.9 MB gzip that inflates to 3.9 GB. */
static void test_huge_declared_gzip(void)
{
    clae_ctx *ctx = clae_ctx_create();
    size_t n;
    unsigned char *gz = huge_gzip(3920, &n);
    REQUIRE(gz);
    fprintf(stderr, "huge gzip: %zu compressed bytes declaring 3,920,000,016\n", n);
    CHECK(n < 8000000);
    char path[512];
    REQUIRE(write_tmp("huge.idx.gz", gz, n, path, sizeof path));
    const clae_data_bounds all_small = {0, (uint64_t)256 << 20}, first = {2000, 0};
    const char *want = "huge.idx.gz: 5000000 samples of 784 values need 14953.6 MiB, more than "
                       "the data budget of 256.0 MiB (raise [data] max_memory, or read fewer "
                       "with [data] limit)";
    for (int from_file = 0; from_file < 2; from_file++) {
        clae_dataset ds;
        struct timespec t0;
        clock_gettime(CLOCK_MONOTONIC, &t0);
        clae_status st = from_file ? clae_idx_read_images(ctx, path, &all_small, &ds)
                                   : clae_idx_parse_images(ctx, "huge.idx.gz", gz, n, &all_small,
                                                           &ds);
        double refuse_s = seconds_since(&t0);
        CHECK(st == CLAE_EDATA);
        const char *msg = clae_ctx_message(ctx);
        CHECK(strlen(msg) >= strlen(want) && strcmp(msg + strlen(msg) - strlen(want), want) == 0);
        /* The default budget (half the memory) refuses it too where that is under 15.7 GB. */
        if (clae_data_default_budget() < (uint64_t)5000000 * 784 * 4) {
            st = from_file ? clae_idx_read_images(ctx, path, NULL, &ds)
                           : clae_idx_parse_images(ctx, "huge.idx.gz", gz, n, NULL, &ds);
            CHECK(st == CLAE_EDATA && strstr(clae_ctx_message(ctx), "more than the data budget"));
        }
        clock_gettime(CLOCK_MONOTONIC, &t0);
        st = from_file ? clae_idx_read_images(ctx, path, &first, &ds)
                       : clae_idx_parse_images(ctx, "huge.idx.gz", gz, n, &first, &ds);
        double take_s = seconds_since(&t0);
        fprintf(stderr, "%s: refused in %.4f s, first 2000 read in %.4f s\n",
                from_file ? "file" : "memory", refuse_s, take_s);
        REQUIRE(st == CLAE_OK);
        CHECK(ds.count == 2000 && ds.file_count == 5000000 && ds.dim == 784);
        CHECK(ds.x[0] == 0.0f && ds.x[2000 * 784 - 1] == 0.0f);
        /* (Timings are shown, not asserted: inflating all of it takes seconds.) */
        clae_dataset_free(&ds);
    }
    CHECK(remove(path) == 0);
    free(gz);

    /* Declaring 5,000,000 but holding 3000 images: take = 2000 reads, all is truncated. */
    gz = huge_gzip(3, &n); /* 3,000,000 bytes: 3826 images and a part */
    REQUIRE(gz);
    clae_dataset ds;
    const clae_data_bounds some = {2000, 0}, too_many = {3900, 0};
    REQUIRE(clae_idx_parse_images(ctx, "short.idx.gz", gz, n, &some, &ds) == CLAE_OK);
    CHECK(ds.count == 2000 && ds.file_count == 5000000);
    clae_dataset_free(&ds);
    CHECK(clae_idx_parse_images(ctx, "short.idx.gz", gz, n, &too_many, &ds) == CLAE_EDATA);
    CHECK_STR(clae_ctx_message(ctx), "short.idx.gz: truncated at byte 3000016 of 3920000016");
    free(gz);

    /* A header alone, declaring 5,000,000 x 28 x 28: no gzip stream of its size
     * holds that, so it is refused before the floats are allocated. */
    gz = huge_gzip(0, &n);
    REQUIRE(gz);
    const clae_data_bounds roomy = {0, (uint64_t)1 << 40}, hundred = {100, 0};
    CHECK(clae_idx_parse_images(ctx, "head.idx.gz", gz, n, &roomy, &ds) == CLAE_EDATA);
    char want_trunc[256];
    snprintf(want_trunc, sizeof want_trunc,
             "head.idx.gz: truncated: a gzip stream of %zu bytes inflates to at most %zu, and "
             "5000000 samples need 3920000016 bytes",
             n, n * 1032);
    CHECK_STR(clae_ctx_message(ctx), want_trunc);
    CHECK(clae_idx_parse_images(ctx, "head.idx.gz", gz, n, &hundred, &ds) == CLAE_EDATA);
    snprintf(want_trunc, sizeof want_trunc,
             "head.idx.gz: truncated: a gzip stream of %zu bytes inflates to at most %zu, and "
             "100 samples need 78416 bytes",
             n, n * 1032);
    CHECK_STR(clae_ctx_message(ctx), want_trunc);
    CHECK(ds.x == NULL && ds.count == 0);
    free(gz);
    clae_ctx_destroy(ctx);
}

int main(void)
{
    if (!check_make_tree(tmpdir, sizeof tmpdir, "bounds-idx")) return 1;
    make_files();
    test_take_matches_full_read();
    test_rest_not_read();
    test_budget();
    test_huge_declared_gzip();
    if (rmdir(tmpdir) != 0) perror(tmpdir);
    return check_finish();
}
