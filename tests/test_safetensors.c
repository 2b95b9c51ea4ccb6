/* safetensors: round trips, the on-disk layout, every rejected input, atomic writes. */
#if !defined(_GNU_SOURCE) && !defined(_POSIX_C_SOURCE)
#define _POSIX_C_SOURCE 200809L
#endif
#include "io/safetensors.h"

#include <cjson/cJSON.h>
#include <dirent.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"

static char dir[64];
static char path[512];
static char want[1024];

static const char *at(const char *name)
{
    snprintf(path, sizeof path, "%s/%s", dir, name);
    return path;
}

static void put_file(const char *p, const void *bytes, size_t n)
{
    FILE *f = fopen(p, "wb");
    if (!f) return;
    fwrite(bytes, 1, n, f);
    fclose(f);
}

static unsigned char *get_file(const char *p, size_t *n)
{
    FILE *f = fopen(p, "rb");
    if (!f) return NULL;
    unsigned char *b = malloc(1 << 20);
    *n = b ? fread(b, 1, 1 << 20, f) : 0;
    fclose(f);
    return b;
}

/* A file with header length hlen (as stored), header text and data bytes. */
static void put_st(const char *p, uint64_t hlen, const char *json, const void *data, size_t data_len)
{
    size_t jl = strlen(json);
    unsigned char *b = calloc(1, 8 + jl + data_len + 1);
    for (int i = 0; i < 8; i++) b[i] = (unsigned char)(hlen >> (8 * i));
    memcpy(b + 8, json, jl);
    if (data_len) memcpy(b + 8 + jl, data, data_len);
    put_file(p, b, 8 + jl + data_len);
    free(b);
}

/* Counts entries in dir, and those that look like temporary files. */
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

static void expect_read(clae_ctx *ctx, const char *json, const void *data, size_t dl, clae_status s,
                        const char *msg_tail)
{
    size_t jl = strlen(json);
    put_st(at("bad.safetensors"), jl, json, data, dl);
    clae_safetensors *st = (clae_safetensors *)1;
    clae_ctx_clear(ctx);
    CHECK(clae_safetensors_read(ctx, path, &st) == s);
    if (s == CLAE_OK) {
        CHECK(st != NULL);
        clae_safetensors_free(st);
        return;
    }
    CHECK(st == NULL);
    CHECK(clae_ctx_status(ctx) == s);
    snprintf(want, sizeof want, "%s: %s", path, msg_tail);
    CHECK_STR(clae_ctx_message(ctx), want);
}

static const float W[12] = {1, -2, 3.5f, 0, 1e-30f, -1e30f, 7, 8, 9, 10, 11, 0.125f};
static const float B[4] = {0.5f, -0.5f, 2, 4};
static const float IMG[12] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};
static const float SC[1] = {42.0f};

static void test_round_trip(clae_ctx *ctx)
{
    clae_st_tensor t[] = {
        {"enc.w", W, 2, {3, 4}},       {"enc.b", B, 1, {4}},       {"scalar", SC, 0, {0}},
        {"img", IMG, 4, {2, 1, 2, 3}}, {"empty", NULL, 2, {0, 5}},
    };
    const char *quoted = "{\"layers\": [\"conv\", \"relu\"], \"path\": \"a\\\\b\"}";
    const char *uni = "h\xc3\xa9llo \xe2\x9c\x93 \xe6\x97\xa5\xe6\x9c\xac";
    clae_st_meta m[] = {{"spec", quoted}, {"name", uni}, {"empty", ""}};
    REQUIRE(clae_safetensors_write(ctx, at("m.safetensors"), t, 5, m, 3) == CLAE_OK);

    clae_safetensors *st = NULL;
    REQUIRE(clae_safetensors_read(ctx, path, &st) == CLAE_OK);
    int ndim = -1;
    size_t shape[4], count = 0;
    const float *w = clae_safetensors_tensor(st, "enc.w", &ndim, shape, &count);
    REQUIRE(w != NULL);
    CHECK(ndim == 2 && shape[0] == 3 && shape[1] == 4 && shape[2] == 0 && count == 12);
    CHECK(memcmp(w, W, sizeof W) == 0);
    CHECK((uintptr_t)w % sizeof(float) == 0);
    const float *b = clae_safetensors_tensor(st, "enc.b", &ndim, shape, &count);
    CHECK(b && ndim == 1 && shape[0] == 4 && count == 4 && memcmp(b, B, sizeof B) == 0);
    const float *sc = clae_safetensors_tensor(st, "scalar", &ndim, shape, &count);
    CHECK(sc && ndim == 0 && count == 1 && sc[0] == 42.0f);
    const float *img = clae_safetensors_tensor(st, "img", &ndim, shape, &count);
    CHECK(img && ndim == 4 && shape[0] == 2 && shape[1] == 1 && shape[2] == 2 && shape[3] == 3);
    CHECK(img && count == 12 && memcmp(img, IMG, sizeof IMG) == 0);
    CHECK(clae_safetensors_tensor(st, "empty", &ndim, shape, &count) != NULL);
    CHECK(ndim == 2 && shape[0] == 0 && shape[1] == 5 && count == 0);
    CHECK(clae_safetensors_tensor(st, "enc.W", NULL, NULL, NULL) == NULL);
    CHECK(clae_safetensors_tensor(st, "__metadata__", NULL, NULL, NULL) == NULL);
    CHECK(clae_safetensors_tensor(st, "enc.b", NULL, NULL, NULL) == b);
    CHECK_STR(clae_safetensors_meta(st, "spec"), quoted);
    CHECK_STR(clae_safetensors_meta(st, "name"), uni);
    CHECK_STR(clae_safetensors_meta(st, "empty"), "");
    CHECK(clae_safetensors_meta(st, "missing") == NULL);
    clae_safetensors_free(st);

    /* Overwriting an existing file works and leaves no temporaries. */
    REQUIRE(clae_safetensors_write(ctx, at("m.safetensors"), t, 1, NULL, 0) == CLAE_OK);
    REQUIRE(clae_safetensors_read(ctx, path, &st) == CLAE_OK);
    CHECK(clae_safetensors_tensor(st, "enc.w", NULL, NULL, NULL) != NULL);
    CHECK(clae_safetensors_tensor(st, "enc.b", NULL, NULL, NULL) == NULL);
    CHECK(clae_safetensors_meta(st, "spec") == NULL);
    clae_safetensors_free(st);
    clae_safetensors_free(NULL);
    int temps;
    count_entries(&temps);
    CHECK(temps == 0);
}

/* Parses the file by hand the way other implementations do. */
static void test_layout(clae_ctx *ctx)
{
    clae_st_tensor t[] = {{"a", W, 2, {3, 4}}, {"b", B, 1, {4}}, {"c", SC, 0, {0}}};
    clae_st_meta m[] = {{"format", "pt"}};
    REQUIRE(clae_safetensors_write(ctx, at("layout.safetensors"), t, 3, m, 1) == CLAE_OK);
    size_t n = 0;
    unsigned char *f = get_file(path, &n);
    REQUIRE(f && n >= 8);
    uint64_t hlen = 0;
    for (int i = 0; i < 8; i++) hlen |= (uint64_t)f[i] << (8 * i);
    CHECK(hlen % 8 == 0);
    REQUIRE(8 + hlen <= n);
    CHECK(f[8] == '{');
    size_t jl = (size_t)hlen;
    while (jl > 0 && f[8 + jl - 1] == ' ') jl--;
    CHECK(f[8 + jl - 1] == '}');
    CHECK(hlen - jl < 8);
    cJSON *root = cJSON_ParseWithLength((const char *)f + 8, jl);
    REQUIRE(root != NULL);
    CHECK_STR(cJSON_GetStringValue(cJSON_GetObjectItem(cJSON_GetObjectItem(root, "__metadata__"), "format")),
              "pt");
    size_t expect_begin = 0;
    const float *src[] = {W, B, SC};
    const size_t bytes[] = {sizeof W, sizeof B, sizeof SC};
    for (int i = 0; i < 3; i++) {
        cJSON *e = cJSON_GetObjectItem(root, t[i].name);
        CHECK_STR(cJSON_GetStringValue(cJSON_GetObjectItem(e, "dtype")), "F32");
        CHECK(cJSON_GetArraySize(cJSON_GetObjectItem(e, "shape")) == t[i].ndim);
        cJSON *offs = cJSON_GetObjectItem(e, "data_offsets");
        REQUIRE(cJSON_GetArraySize(offs) == 2);
        size_t b0 = (size_t)cJSON_GetArrayItem(offs, 0)->valuedouble;
        size_t b1 = (size_t)cJSON_GetArrayItem(offs, 1)->valuedouble;
        CHECK(b0 == expect_begin && b1 == b0 + bytes[i]);
        /* Little-endian bytes of each float, contiguous from the data start. */
        int le_ok = 1;
        for (size_t k = 0; k < bytes[i] / 4; k++) {
            uint32_t u;
            memcpy(&u, &src[i][k], 4);
            for (int j = 0; j < 4; j++)
                le_ok &= f[8 + hlen + b0 + 4 * k + j] == (unsigned char)(u >> (8 * j));
        }
        CHECK(le_ok);
        expect_begin = b1;
    }
    CHECK(8 + hlen + expect_begin == n);
    cJSON_Delete(root);
    free(f);

    /* No tensors, no metadata: "{}" padded to 8 bytes. */
    REQUIRE(clae_safetensors_write(ctx, at("empty.safetensors"), NULL, 0, NULL, 0) == CLAE_OK);
    f = get_file(path, &n);
    CHECK(f && n == 16 && f[0] == 8 && memcmp(f + 8, "{}      ", 8) == 0);
    free(f);
    clae_safetensors *st = NULL;
    CHECK(clae_safetensors_read(ctx, path, &st) == CLAE_OK);
    clae_safetensors_free(st);
}

/* Foreign files: odd header padding (misaligned data), gaps, unicode escapes. */
static void test_foreign(clae_ctx *ctx)
{
    const char *json = "{\"x\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]},"
                       "\"__metadata__\":{\"k\":\"\\u00e9\\\"\"}} \n";
    unsigned char data[12] = {0xff, 0xff, 0xff, 0xff, 0, 0, 0x80, 0x3f, 0, 0, 0, 0xc0};
    put_st(at("foreign.safetensors"), strlen(json), json, data, sizeof data);
    clae_safetensors *st = NULL;
    REQUIRE(clae_safetensors_read(ctx, path, &st) == CLAE_OK);
    size_t count = 0;
    const float *x = clae_safetensors_tensor(st, "x", NULL, NULL, &count);
    REQUIRE(x != NULL);
    CHECK((uintptr_t)x % sizeof(float) == 0);
    CHECK(count == 2 && x[0] == 1.0f && x[1] == -2.0f);
    CHECK_STR(clae_safetensors_meta(st, "k"), "\xc3\xa9\"");
    clae_safetensors_free(st);
}

static void test_bad_files(clae_ctx *ctx)
{
    clae_safetensors *st = (clae_safetensors *)1;
    CHECK(clae_safetensors_read(ctx, at("missing.safetensors"), &st) == CLAE_EUSAGE);
    CHECK(st == NULL);
    snprintf(want, sizeof want, "%s: cannot open: No such file or directory", path);
    CHECK_STR(clae_ctx_message(ctx), want);
    CHECK(clae_safetensors_read(ctx, dir, &st) == CLAE_EUSAGE);
    snprintf(want, sizeof want, "%s: cannot open: Is a directory", dir);
    CHECK_STR(clae_ctx_message(ctx), want);

    put_file(at("short.safetensors"), "\x05\0\0\0\0", 5);
    CHECK(clae_safetensors_read(ctx, path, &st) == CLAE_EDATA);
    snprintf(want, sizeof want, "%s: file is too short (5 bytes) for a safetensors header", path);
    CHECK_STR(clae_ctx_message(ctx), want);

    put_st(at("long.safetensors"), 200, "{}", "123456789a", 10);
    CHECK(clae_safetensors_read(ctx, path, &st) == CLAE_EDATA);
    snprintf(want, sizeof want, "%s: header length 200 is past the end of the file (20 bytes)", path);
    CHECK_STR(clae_ctx_message(ctx), want);
    put_st(at("huge.safetensors"), (uint64_t)1 << 40, "{}", NULL, 0);
    CHECK(clae_safetensors_read(ctx, path, &st) == CLAE_EDATA);
    snprintf(want, sizeof want, "%s: header length 1099511627776 is over the 100000000-byte limit", path);
    CHECK_STR(clae_ctx_message(ctx), want);
    put_st(at("max.safetensors"), UINT64_MAX, "{}", NULL, 0);
    CHECK(clae_safetensors_read(ctx, path, &st) == CLAE_EDATA);
    CHECK(st == NULL);

    unsigned char d8[8] = {0};
#define F32(name, shape, offs)                                                                               \
    "\"" name "\":{\"dtype\":\"F32\",\"shape\":" shape ",\"data_offsets\":" offs "}"
    expect_read(ctx, "{\"a\": ", NULL, 0, CLAE_EDATA, "header is not valid JSON (at byte 5)");
    expect_read(ctx, "", NULL, 0, CLAE_EDATA, "header is not valid JSON (at byte 0)");
    expect_read(ctx, "{} x", NULL, 0, CLAE_EDATA, "header is not valid JSON (at byte 3)");
    expect_read(ctx, "{\"a\xff\":{}}", NULL, 0, CLAE_EDATA, "header is not valid UTF-8 text (at byte 3)");
    expect_read(ctx, "{\"a\xed\xa0\x80\":{}}", NULL, 0, CLAE_EDATA,
                "header is not valid UTF-8 text (at byte 3)");
    expect_read(ctx, "{\"a\x01\":{}}", NULL, 0, CLAE_EDATA, "header is not valid UTF-8 text (at byte 3)");
    expect_read(ctx, "[1]", NULL, 0, CLAE_EDATA, "header is not a JSON object");
    expect_read(ctx, "{\"w\":5}", NULL, 0, CLAE_EDATA, "tensor \"w\" is not an object");
    expect_read(ctx, "{\"w\":{\"shape\":[2],\"data_offsets\":[0,8]}}", d8, 8, CLAE_EDATA,
                "tensor \"w\": dtype is missing or not a string");
    expect_read(ctx, "{\"w\":{\"dtype\":32,\"shape\":[2],\"data_offsets\":[0,8]}}", d8, 8, CLAE_EDATA,
                "tensor \"w\": dtype is missing or not a string");
    expect_read(ctx, "{\"w\":{\"dtype\":\"F16\",\"shape\":[4],\"data_offsets\":[0,8]}}", d8, 8, CLAE_EDATA,
                "tensor \"w\": dtype \"F16\" is not supported (only F32)");
    expect_read(ctx, "{\"w\":{\"dtype\":\"F32\",\"data_offsets\":[0,8]}}", d8, 8, CLAE_EDATA,
                "tensor \"w\": shape is missing or not an array");
    expect_read(ctx, "{" F32("w", "{}", "[0,8]") "}", d8, 8, CLAE_EDATA,
                "tensor \"w\": shape is missing or not an array");
    expect_read(ctx, "{" F32("w", "[1,1,1,1,2]", "[0,8]") "}", d8, 8, CLAE_EDATA,
                "tensor \"w\": shape has 5 dimensions (at most 4)");
    expect_read(ctx, "{" F32("w", "[2,-1]", "[0,8]") "}", d8, 8, CLAE_EDATA,
                "tensor \"w\": shape[1] is not a non-negative integer");
    expect_read(ctx, "{" F32("w", "[1.5]", "[0,8]") "}", d8, 8, CLAE_EDATA,
                "tensor \"w\": shape[0] is not a non-negative integer");
    expect_read(ctx, "{" F32("w", "[\"2\"]", "[0,8]") "}", d8, 8, CLAE_EDATA,
                "tensor \"w\": shape[0] is not a non-negative integer");
    expect_read(ctx, "{" F32("w", "[1e300]", "[0,8]") "}", d8, 8, CLAE_EDATA,
                "tensor \"w\": shape[0] is not a non-negative integer");
    expect_read(ctx, "{" F32("w", "[4503599627370496,4503599627370496]", "[0,8]") "}", d8, 8, CLAE_EDATA,
                "tensor \"w\": shape is too large");
    expect_read(ctx, "{\"w\":{\"dtype\":\"F32\",\"shape\":[2]}}", d8, 8, CLAE_EDATA,
                "tensor \"w\": data_offsets is not [begin, end]");
    expect_read(ctx, "{" F32("w", "[2]", "[0]") "}", d8, 8, CLAE_EDATA,
                "tensor \"w\": data_offsets is not [begin, end]");
    expect_read(ctx, "{" F32("w", "[2]", "[0,8,9]") "}", d8, 8, CLAE_EDATA,
                "tensor \"w\": data_offsets is not [begin, end]");
    expect_read(ctx, "{" F32("w", "[2]", "[0,\"8\"]") "}", d8, 8, CLAE_EDATA,
                "tensor \"w\": data_offsets is not [begin, end]");
    expect_read(ctx, "{" F32("w", "[0]", "[8,4]") "}", d8, 8, CLAE_EDATA,
                "tensor \"w\": data_offsets [8, 4] end before they begin");
    expect_read(ctx, "{" F32("w", "[3]", "[0,12]") "}", d8, 8, CLAE_EDATA,
                "tensor \"w\": data_offsets end 12 is past the end of the data (8 bytes)");
    expect_read(ctx, "{" F32("w", "[3]", "[0,8]") "}", d8, 8, CLAE_EDATA,
                "tensor \"w\": data_offsets span 8 bytes but the shape needs 12");
    expect_read(ctx, "{" F32("w", "[]", "[0,8]") "}", d8, 8, CLAE_EDATA,
                "tensor \"w\": data_offsets span 8 bytes but the shape needs 4");
    expect_read(ctx, "{" F32("a", "[2]", "[0,8]") "," F32("b", "[1]", "[4,8]") "}", d8, 8, CLAE_EDATA,
                "tensors \"a\" and \"b\" overlap");
    expect_read(ctx, "{" F32("a", "[1]", "[4,8]") "," F32("b", "[2]", "[0,8]") "}", d8, 8, CLAE_EDATA,
                "tensors \"b\" and \"a\" overlap");
    expect_read(ctx, "{" F32("a", "[1]", "[0,4]") "," F32("a", "[1]", "[4,8]") "}", d8, 8, CLAE_EDATA,
                "duplicate tensor \"a\"");
    expect_read(ctx, "{\"__metadata__\":[]}", NULL, 0, CLAE_EDATA, "__metadata__ is not an object");
    expect_read(ctx, "{\"__metadata__\":{\"epoch\":3}}", NULL, 0, CLAE_EDATA,
                "metadata \"epoch\" is not a string");
    expect_read(ctx, "{\"__metadata__\":{\"k\":\"1\",\"k\":\"2\"}}", NULL, 0, CLAE_EDATA,
                "duplicate metadata key \"k\"");
    expect_read(ctx, "{\"__metadata__\":{},\"__metadata__\":{}}", NULL, 0, CLAE_EDATA,
                "duplicate __metadata__");
#undef F32
    /* Empty tensors may share an offset with anything. */
    expect_read(ctx,
                "{\"e\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[4,4]},"
                "\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}",
                d8, 8, CLAE_OK, "");
    CHECK(clae_safetensors_read(ctx, NULL, &st) == CLAE_EUSAGE);
}

static void test_bad_writes(clae_ctx *ctx)
{
    float v[4] = {1, 2, 3, 4};
    clae_st_tensor ok = {"ok", v, 1, {4}};
    REQUIRE(clae_safetensors_write(ctx, at("keep.safetensors"), &ok, 1, NULL, 0) == CLAE_OK);
    size_t n0 = 0, n1 = 0;
    unsigned char *before = get_file(path, &n0);
    int temps, entries = count_entries(&temps);

    struct {
        clae_st_tensor t[2];
        int n;
        const char *msg;
    } bad[] = {
        {{{"a", v, 1, {4}}, {"a", v, 1, {4}}}, 2, "duplicate tensor name \"a\""},
        {{{"", v, 1, {4}}}, 1, "tensor 0 has no name"},
        {{{"a", v, 1, {4}}, {NULL, v, 1, {4}}}, 2, "tensor 1 has no name"},
        {{{"__metadata__", v, 1, {4}}}, 1, "tensor name \"__metadata__\" is reserved"},
        {{{"a", v, 5, {1, 1, 1, 1}}}, 1, "tensor \"a\": ndim 5 is not in 0..4"},
        {{{"a", v, -1, {0}}}, 1, "tensor \"a\": ndim -1 is not in 0..4"},
        {{{"a", NULL, 1, {4}}}, 1, "tensor \"a\" has no data"},
        {{{"a", v, 2, {SIZE_MAX / 2, 4}}}, 1, "tensor \"a\" is too large"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        CHECK(clae_safetensors_write(ctx, at("keep.safetensors"), bad[i].t, bad[i].n, NULL, 0) ==
              CLAE_EUSAGE);
        snprintf(want, sizeof want, "%s: %s", path, bad[i].msg);
        CHECK_STR(clae_ctx_message(ctx), want);
    }
    clae_st_meta dup[] = {{"k", "1"}, {"k", "2"}};
    CHECK(clae_safetensors_write(ctx, path, &ok, 1, dup, 2) == CLAE_EUSAGE);
    snprintf(want, sizeof want, "%s: duplicate metadata key \"k\"", path);
    CHECK_STR(clae_ctx_message(ctx), want);
    clae_st_meta nokey[] = {{"", "1"}};
    CHECK(clae_safetensors_write(ctx, path, &ok, 1, nokey, 1) == CLAE_EUSAGE);
    snprintf(want, sizeof want, "%s: metadata entry 0 has no key or value", path);
    CHECK_STR(clae_ctx_message(ctx), want);
    CHECK(clae_safetensors_write(ctx, path, &ok, -1, NULL, 0) == CLAE_EUSAGE);

    /* A directory that does not exist: nothing is created anywhere. */
    CHECK(clae_safetensors_write(ctx, at("nope/m.safetensors"), &ok, 1, NULL, 0) == CLAE_EIO);
    snprintf(want, sizeof want, "%s: cannot open for writing: No such file or directory", path);
    CHECK_STR(clae_ctx_message(ctx), want);

    /* A write that fails half way (file size limit): the old file survives. */
    static float big[65536];
    clae_st_tensor t_big = {"big", big, 1, {65536}};
    struct rlimit old_lim, lim;
    void (*old_sig)(int) = signal(SIGXFSZ, SIG_IGN);
    REQUIRE(getrlimit(RLIMIT_FSIZE, &old_lim) == 0);
    lim = old_lim;
    lim.rlim_cur = 4096;
    REQUIRE(setrlimit(RLIMIT_FSIZE, &lim) == 0);
    clae_status s = clae_safetensors_write(ctx, at("keep.safetensors"), &t_big, 1, NULL, 0);
    setrlimit(RLIMIT_FSIZE, &old_lim);
    signal(SIGXFSZ, old_sig);
    CHECK(s == CLAE_EIO);
    snprintf(want, sizeof want, "%s: write failed: File too large", path);
    CHECK_STR(clae_ctx_message(ctx), want);

    /* Renaming over a directory fails; the temporary is removed. */
    mkdir(at("adir"), 0700);
    CHECK(clae_safetensors_write(ctx, path, &ok, 1, NULL, 0) == CLAE_EIO);
    snprintf(want, sizeof want, "%s: rename failed: Is a directory", path);
    CHECK_STR(clae_ctx_message(ctx), want);
    rmdir(path);

    unsigned char *after = get_file(at("keep.safetensors"), &n1);
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
    snprintf(dir, sizeof dir, "/tmp/clae_st_XXXXXX");
    if (!mkdtemp(dir)) return 1;
    clae_ctx *ctx = clae_ctx_create();
    if (!ctx) return 1;
    test_round_trip(ctx);
    test_layout(ctx);
    test_foreign(ctx);
    test_bad_files(ctx);
    test_bad_writes(ctx);
    clae_ctx_destroy(ctx);
    cleanup();
    return check_finish();
}
