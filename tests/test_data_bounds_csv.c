/* CSV and text labels read within bounds: take keeps exactly the first rows
 * (as a full read has them) and stops parsing there, file_count counts the
 * rest, a labels file is held to file_count, the data budget refuses a file
 * as soon as its rows reach it, and the line reader's buffer keeps the line
 * rules across its 1 MiB refills and for lines longer than it. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "clae/data.h"
#include "data/line_reader.h"

static char tmpdir[64];

/* The paths made below, removed at the end. */
static char made[32][256];
static int n_made;

static const char *put(const char *name, const char *bytes, size_t size)
{
    if (n_made == (int)(sizeof made / sizeof made[0])) {
        fprintf(stderr, "test_data_bounds_csv: too many temporary files\n");
        exit(1);
    }
    char *path = made[n_made++];
    snprintf(path, sizeof made[0], "%s/%s", tmpdir, name);
    FILE *f = fopen(path, "wb");
    if (!f || (size && fwrite(bytes, 1, size, f) != size)) fprintf(stderr, "cannot write %s\n", path);
    if (f) fclose(f);
    return path;
}

static const char *put_text(const char *name, const char *text)
{
    return put(name, text, strlen(text));
}

/* "path" followed by rest, as the messages read. */
static const char *msg(const char *path, const char *rest)
{
    static char buf[1024];
    snprintf(buf, sizeof buf, "%s%s", path, rest);
    return buf;
}

/* 10 rows of 3 values and a label after a header, with blank and
 * blank-looking lines and every line end. */
static const char ROWS10[] = "a,b,c,label\r\n"
                             "0,2,3,0\n"
                             "1,2,3,1\r\n"
                             " \t \n"
                             "2,4,6,2\r"
                             "3,6,9,3\r\n"
                             "\n"
                             "4,8,12,0\n"
                             "5,10,15,1\n"
                             "6,12,18,2\n"
                             "7,14,21,3\n"
                             "8,16,24,0\n"
                             "9,18,27,1";

/* take = N gives the first N rows of a full read, value for value, and file_count the file's rows. */
static void test_take(void)
{
    clae_ctx *ctx = clae_ctx_create();
    const char *p = put_text("rows10.csv", ROWS10);
    clae_dataset all, some;
    REQUIRE(clae_csv_read(ctx, p, -1, NULL, &all) == CLAE_OK);
    CHECK(all.count == 10 && all.dim == 3 && all.file_count == 10);
    for (size_t take = 1; take <= 11; take++) {
        clae_data_bounds bounds = {take, 0};
        REQUIRE(clae_csv_read(ctx, p, -1, &bounds, &some) == CLAE_OK);
        size_t want = take < 10 ? take : 10;
        CHECK(some.count == want && some.dim == 3 && some.file_count == 10);
        REQUIRE(some.labels != NULL);
        /* every take has a value above 1 (row 0 has 2), so all are / 255 as in the full read */
        CHECK(memcmp(some.x, all.x, want * 3 * sizeof(float)) == 0);
        CHECK(memcmp(some.labels, all.labels, want * sizeof(int)) == 0);
        clae_dataset_free(&some);
    }
    CHECK(all.x[3 * 9 + 2] == 27 / 255.0f && all.labels[9] == 1);
    clae_dataset_free(&all);

    /* clae_dataset_read passes bounds through and gets file_count from the reader */
    clae_data_bounds three = {3, 0};
    REQUIRE(clae_dataset_read(ctx, p, 0, &three, &some) == CLAE_OK);
    CHECK(some.count == 3 && some.dim == 4 && some.file_count == 10 && some.labels == NULL);
    CHECK(some.x[4 + 3] == 1 / 255.0f);
    clae_dataset_free(&some);

    /* The /255 rule is decided over the rows read: values in [0, 1] up to take stay as they are. */
    const char *unit = put_text("unit.csv", "0.5,1\n0,0.25\n255,3\n");
    clae_data_bounds two = {2, 0};
    REQUIRE(clae_csv_read(ctx, unit, 0, &two, &some) == CLAE_OK);
    CHECK(some.count == 2 && some.file_count == 3 && some.x[0] == 0.5f && some.x[3] == 0.25f);
    clae_dataset_free(&some);
    REQUIRE(clae_csv_read(ctx, unit, 0, NULL, &some) == CLAE_OK);
    CHECK(some.count == 3 && some.x[0] == 0.5f / 255.0f);
    clae_dataset_free(&some);
    clae_ctx_destroy(ctx);
}

/* Rows after take are counted, not parsed: bad values or widths there do not matter. */
static void test_rest_not_parsed(void)
{
    clae_ctx *ctx = clae_ctx_create();
    const char *p = put_text("tail.csv", "x,y\n1,2\n3,4\n5,six\n7\n\r\n  \n8,9,10,11\r12");
    clae_dataset ds;
    CHECK(clae_csv_read(ctx, p, 0, NULL, &ds) == CLAE_EDATA);
    CHECK_STR(clae_ctx_message(ctx), msg(p, ":4: column 2: expected a number, got \"six\""));
    clae_data_bounds two = {2, 0};
    REQUIRE(clae_csv_read(ctx, p, 0, &two, &ds) == CLAE_OK);
    /* non-blank lines after the header: 1,2 / 3,4 / 5,six / 7 / 8,9,10,11 / 12 */
    CHECK(ds.count == 2 && ds.file_count == 6 && ds.dim == 2);
    CHECK(ds.x[3] == 4 / 255.0f);
    clae_dataset_free(&ds);
    /* A row before take is still checked. */
    clae_data_bounds three = {3, 0};
    CHECK(clae_csv_read(ctx, p, 0, &three, &ds) == CLAE_EDATA);
    CHECK_STR(clae_ctx_message(ctx), msg(p, ":4: column 2: expected a number, got \"six\""));
    CHECK(ds.x == NULL);
    clae_ctx_destroy(ctx);
}

/* Text labels match the images' file_count; the first count are kept. */
static void test_labels(void)
{
    clae_ctx *ctx = clae_ctx_create();
    const char *p = put_text("img.csv", ROWS10);
    const char *ten = put_text("ten.txt", "label\n7\n6\r\n5\r4\n\n3\n2\n1\n0\n9\n8");
    const char *nine = put_text("nine.txt", "7\n6\n5\n4\n3\n2\n1\n0\n9\n");
    const char *four = put_text("four.txt", "7\n6\n5\n4\n");
    const char *bad = put_text("bad.txt", "7\n6\n5\n4\n3\n2\n1\n0\n9\n300\n");
    clae_dataset ds;
    clae_data_bounds four_rows = {4, 0};
    REQUIRE(clae_csv_read(ctx, p, 0, &four_rows, &ds) == CLAE_OK);
    REQUIRE(ds.count == 4 && ds.file_count == 10);
    REQUIRE(clae_dataset_read_labels(ctx, ten, &ds) == CLAE_OK);
    CHECK(ds.labels && ds.labels[0] == 7 && ds.labels[1] == 6 && ds.labels[2] == 5 &&
          ds.labels[3] == 4);
    CHECK(clae_dataset_read_labels(ctx, nine, &ds) == CLAE_EDATA);
    CHECK_STR(clae_ctx_message(ctx), msg(nine, ": 9 labels for 10 images"));
    /* as many labels as samples kept is not enough: the file has 10 */
    CHECK(clae_dataset_read_labels(ctx, four, &ds) == CLAE_EDATA);
    CHECK_STR(clae_ctx_message(ctx), msg(four, ": 4 labels for 10 images"));
    /* labels past the kept ones are still checked */
    CHECK(clae_dataset_read_labels(ctx, bad, &ds) == CLAE_EDATA);
    CHECK_STR(clae_ctx_message(ctx), msg(bad, ":10: expected a label from 0 to 255, got \"300\""));
    CHECK(ds.labels && ds.labels[0] == 7); /* a failed read leaves the labels it had */
    clae_dataset_free(&ds);
    clae_ctx_destroy(ctx);
}

/* The budget: rows are refused as soon as they need more than it, before the rest is read. */
static void test_budget(void)
{
    clae_ctx *ctx = clae_ctx_create();
    /* 4 values a row, then a row that is no CSV at all: the budget stops the read first. */
    const char *p = put_text("budget.csv", "1,2,3,4\n5,6,7,8\n9,10,11,12\n13,14,15,16\nbad\n");
    clae_dataset ds;
    clae_data_bounds small = {0, 3 * 4 * sizeof(float)}; /* 3 rows */
    CHECK(clae_csv_read(ctx, p, 0, &small, &ds) == CLAE_EDATA);
    CHECK_STR(clae_ctx_message(ctx),
              msg(p, ": 4 samples of 4 values need 64 bytes, more than the data budget of 48 bytes "
                     "(raise [data] max_memory, or read fewer with [data] limit)"));
    CHECK(ds.x == NULL && ds.labels == NULL);
    /* with take = 3 the same budget holds them */
    clae_data_bounds take3 = {3, 3 * 4 * sizeof(float)};
    REQUIRE(clae_csv_read(ctx, p, 0, &take3, &ds) == CLAE_OK);
    CHECK(ds.count == 3 && ds.file_count == 5 && ds.x[11] == 12 / 255.0f);
    clae_dataset_free(&ds);
    /* with labels a row takes a label's bytes more: 3 values + a label, 16 bytes, fit 2 rows in 39 */
    clae_data_bounds tight = {0, 39};
    CHECK(clae_csv_read(ctx, p, -1, &tight, &ds) == CLAE_EDATA);
    CHECK_STR(clae_ctx_message(ctx),
              msg(p, ": 3 samples of 3 values need 48 bytes, more than the data budget of 39 bytes "
                     "(raise [data] max_memory, or read fewer with [data] limit)"));
    /* a single row over the budget */
    clae_data_bounds none = {1, 15};
    CHECK(clae_csv_read(ctx, p, 0, &none, &ds) == CLAE_EDATA);
    CHECK_STR(clae_ctx_message(ctx),
              msg(p, ": 1 samples of 4 values need 16 bytes, more than the data budget of 15 bytes "
                     "(raise [data] max_memory, or read fewer with [data] limit)"));
    /* A budget large enough for thousands of rows refuses a bigger file at budget + 1 rows. */
    size_t rows = 5000, len = 0;
    char *text = malloc(rows * 8);
    REQUIRE(text);
    for (size_t r = 0; r < rows; r++) len += (size_t)sprintf(text + len, "%zu,1\n", r % 100);
    const char *big = put("big.csv", text, len);
    free(text);
    clae_data_bounds mid = {0, 3000 * 2 * sizeof(float)};
    CHECK(clae_csv_read(ctx, big, 0, &mid, &ds) == CLAE_EDATA);
    CHECK_STR(clae_ctx_message(ctx),
              msg(big, ": 3001 samples of 2 values need 24008 bytes, more than the data budget "
                       "of 24000 bytes (raise [data] max_memory, or read fewer with [data] limit)"));
    mid.budget = rows * 2 * sizeof(float);
    REQUIRE(clae_csv_read(ctx, big, 0, &mid, &ds) == CLAE_OK);
    CHECK(ds.count == rows && ds.file_count == rows && ds.x[2 * 4999] == 99 / 255.0f);
    clae_dataset_free(&ds);
    clae_ctx_destroy(ctx);
}

/* Lines that cross the 1 MiB buffer's refills, a \r\n split between two
 * reads, and lines longer than the buffer, through the line reader and the
 * CSV reader. */
static void test_long_lines(void)
{
    clae_ctx *ctx = clae_ctx_create();
    const size_t chunk = (size_t)1 << 20;
    /* a first line of chunk - 2 .. chunk + 1 bytes, then "\r\n", "x", "\r", "\r\n", "y" */
    char *text = malloc(chunk + 16);
    REQUIRE(text);
    for (size_t first = chunk - 2; first <= chunk + 1; first++) {
        memset(text, 'a', first);
        memcpy(text + first, "\r\nx\r\r\ny", 7);
        char name[32];
        snprintf(name, sizeof name, "edge%zu.txt", first - chunk + 2);
        const char *p = put(name, text, first + 7);
        clae__line_reader lr;
        REQUIRE(clae__lines_open(ctx, p, (size_t)1 << 30, &lr) == CLAE_OK);
        const char *b, *e;
        const char *want[] = {NULL, "x", "", "y"};
        int lines = 0;
        while (clae__lines_next(&lr, &b, &e) == 1) {
            if (lines == 0)
                CHECK((size_t)(e - b) == first && b[0] == 'a' && e[-1] == 'a');
            else if (lines < 4)
                CHECK((size_t)(e - b) == strlen(want[lines]) &&
                      memcmp(b, want[lines], (size_t)(e - b)) == 0);
            lines++;
        }
        CHECK(lines == 4 && lr.lineno == 4);
        clae__lines_close(&lr);
        /* counting from the start: 3 lines hold more than blanks */
        size_t rest;
        REQUIRE(clae__lines_open(ctx, p, (size_t)1 << 30, &lr) == CLAE_OK);
        CHECK(clae__lines_count_rest(&lr, &rest) == CLAE_OK && rest == 3);
        clae__lines_close(&lr);
    }
    free(text);

    /* A CSV of 3 rows of 700,000 values (each line 2.8 MB, longer than the
     * buffer), a label first, then 200,000 short rows to cross many refills;
     * the last row is bad and named by its line. */
    size_t wide = 700000, wide_rows = 3, short_rows = 200000;
    size_t cap = wide_rows * (wide * 4 + 8) + short_rows * 24 + 64, len = 0;
    text = malloc(cap);
    REQUIRE(text);
    for (size_t r = 0; r < wide_rows; r++) {
        len += (size_t)sprintf(text + len, "%zu", r);
        for (size_t c = 0; c < wide; c++)
            len += (size_t)sprintf(text + len, ",%zu", (c + r) % 256);
        len += (size_t)sprintf(text + len, "\r\n");
    }
    const char *p = put("wide.csv", text, len);
    clae_dataset ds;
    REQUIRE(clae_csv_read(ctx, p, 1, NULL, &ds) == CLAE_OK);
    CHECK(ds.count == wide_rows && ds.dim == wide && ds.file_count == wide_rows);
    CHECK(ds.labels && ds.labels[2] == 2 && ds.x[wide + 5] == 6 / 255.0f &&
          ds.x[2 * wide + wide - 1] == (float)((wide - 1 + 2) % 256) / 255.0f);
    clae_dataset_free(&ds);
    clae_data_bounds one = {1, 0};
    REQUIRE(clae_csv_read(ctx, p, 1, &one, &ds) == CLAE_OK);
    CHECK(ds.count == 1 && ds.file_count == 3 && ds.x[wide - 1] == (float)((wide - 1) % 256) / 255.0f);
    clae_dataset_free(&ds);
    /* a budget below one line's bytes: the line reader refuses to hold it */
    clae_data_bounds low = {0, (uint64_t)2 << 20};
    CHECK(clae_csv_read(ctx, p, 1, &low, &ds) == CLAE_EDATA);
    CHECK_STR(clae_ctx_message(ctx), msg(p, ":1: a line longer than 2.0 MiB, the data budget"));

    len = 0;
    for (size_t r = 0; r < short_rows; r++)
        len += (size_t)sprintf(text + len, r % 3 ? "%zu,%zu,1\r\n" : "%zu,%zu,1\n", r % 7, r % 11);
    len += (size_t)sprintf(text + len, "1,2\n");
    p = put("long.csv", text, len);
    free(text);
    CHECK(clae_csv_read(ctx, p, 0, NULL, &ds) == CLAE_EDATA);
    CHECK_STR(clae_ctx_message(ctx), msg(p, ":200001: 2 values, expected 3 as in line 1"));
    clae_data_bounds most = {short_rows, 0};
    REQUIRE(clae_csv_read(ctx, p, 0, &most, &ds) == CLAE_OK);
    CHECK(ds.count == short_rows && ds.file_count == short_rows + 1);
    CHECK(ds.x[3 * 199999] == (float)(199999 % 7) / 255.0f &&
          ds.x[3 * 199999 + 1] == (float)(199999 % 11) / 255.0f);
    clae_dataset_free(&ds);
    clae_ctx_destroy(ctx);
}

int main(void)
{
    if (!check_make_tree(tmpdir, sizeof tmpdir, "bounds-csv")) return 1;
    test_take();
    test_rest_not_parsed();
    test_labels();
    test_budget();
    test_long_lines();
    while (n_made > 0) remove(made[--n_made]);
    rmdir(tmpdir);
    return check_finish();
}
