/* The spec parser: fields, defaults, and every error's exact one-line message. */
#if !defined(_GNU_SOURCE) && !defined(_POSIX_C_SOURCE)
#define _POSIX_C_SOURCE 200809L /* mkdtemp */
#endif
#include "clae/spec.h"
#include "check.h"

#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

/* Parses text as "t.ini"; on failure prints the message and the calling line. */
static int parse_ok_at(int line, const char *text, clae_spec *s)
{
    clae_ctx *ctx = clae_ctx_create();
    clae_status st = clae_spec_parse_text(ctx, "t.ini", text, s);
    if (st != CLAE_OK) fprintf(stderr, "test_spec.c:%d: unexpected error: %s\n", line, clae_ctx_message(ctx));
    clae_ctx_destroy(ctx);
    return st == CLAE_OK;
}
#define PARSE_OK(text, s) parse_ok_at(__LINE__, text, s)

static void expect_error_at(int line, const char *text, const char *want)
{
    clae_ctx *ctx = clae_ctx_create();
    clae_spec s;
    clae_status st = clae_spec_parse_text(ctx, "t.ini", text, &s);
    if (st != CLAE_ESPEC || strcmp(clae_ctx_message(ctx), want) != 0)
        fprintf(stderr, "  (the case at test_spec.c:%d)\n", line);
    CHECK(st == CLAE_ESPEC);
    CHECK_STR(clae_ctx_message(ctx), want);
    CHECK(s.text == NULL && s.n_encoder == 0); /* left freed */
    clae_ctx_destroy(ctx);
}
#define EXPECT_ERROR(text, want) expect_error_at(__LINE__, text, want)

static void test_dense_ini(void)
{
    clae_ctx *ctx = clae_ctx_create();
    clae_spec s;
    clae_status st = clae_spec_parse(ctx, "specs/dense.ini", &s);
    if (st != CLAE_OK) fprintf(stderr, "%s\n", clae_ctx_message(ctx));
    REQUIRE(st == CLAE_OK);
    CHECK_STR(s.path, "specs/dense.ini");
    CHECK(s.text && strstr(s.text, "[dense]"));
    CHECK_STR(s.data.train, "mnist");
    CHECK_NEAR(s.data.holdout, 0.1, 1e-12);
    CHECK(s.data.limit == 0);
    CHECK(s.model.code == 64 && !s.model.tied && !s.model.decoder_explicit);
    CHECK(s.model.output == CLAE_ACT_SIGMOID);
    CHECK(s.n_encoder == 1 && s.n_decoder == 0);
    CHECK(s.encoder[0].units == 256 && s.encoder[0].activation == CLAE_ACT_RELU);
    CHECK(s.encoder[0].kind == CLAE_LAYER_DENSE && s.encoder[0].line == 21);
    CHECK(s.code_activation == CLAE_ACT_SIGMOID);
    CHECK(s.loss.reconstruction == CLAE_RECON_BCE);
    CHECK(s.train.epochs == 20 && s.train.batch == 128 && s.train.optimizer == CLAE_OPT_ADAM);
    CHECK_NEAR(s.train.learning_rate, 0.001, 1e-15);
    CHECK(s.train.seed == 1);
    CHECK_STR(s.output.dir, "runs/dense");
    CHECK(s.output.samples == 16);
    clae_spec_free(&s);
    CHECK(s.text == NULL && s.path[0] == '\0');
    clae_spec_free(&s); /* freeing a zeroed spec is a no-op */
    clae_ctx_destroy(ctx);
}

static void check_same_spec(const clae_spec *a, const clae_spec *b)
{
    CHECK_STR(a->path, b->path);
    CHECK_STR(a->data.train, b->data.train);
    CHECK_STR(a->data.labels, b->data.labels);
    CHECK_STR(a->data.test, b->data.test);
    CHECK_STR(a->data.test_labels, b->data.test_labels);
    CHECK(a->data.holdout == b->data.holdout && a->data.limit == b->data.limit);
    CHECK(a->model.code == b->model.code && a->model.tied == b->model.tied);
    CHECK(a->model.decoder_explicit == b->model.decoder_explicit && a->model.output == b->model.output);
    CHECK(a->n_encoder == b->n_encoder && a->n_decoder == b->n_decoder);
    for (int i = 0; i < a->n_encoder && i < CLAE_MAX_LAYERS; i++)
        CHECK(memcmp(&a->encoder[i], &b->encoder[i], sizeof a->encoder[i]) == 0);
    for (int i = 0; i < a->n_decoder && i < CLAE_MAX_LAYERS; i++)
        CHECK(memcmp(&a->decoder[i], &b->decoder[i], sizeof a->decoder[i]) == 0);
    CHECK(a->code_activation == b->code_activation);
    CHECK(a->loss.reconstruction == b->loss.reconstruction);
    CHECK(a->train.epochs == b->train.epochs && a->train.batch == b->train.batch);
    CHECK(a->train.optimizer == b->train.optimizer);
    CHECK(a->train.learning_rate == b->train.learning_rate && a->train.momentum == b->train.momentum);
    CHECK(a->train.beta1 == b->train.beta1 && a->train.beta2 == b->train.beta2);
    CHECK(a->train.rho == b->train.rho && a->train.epsilon == b->train.epsilon);
    CHECK(a->train.seed == b->train.seed);
    CHECK_STR(a->output.dir, b->output.dir);
    CHECK(a->output.samples == b->output.samples);
}

static void test_default(void)
{
    clae_spec d, p;
    clae_spec_defaults(&d);
    CHECK(d.text == NULL);
    CHECK(d.model.code == 64 && d.n_encoder == 1 && d.encoder[0].units == 256);
    CHECK(d.loss.reconstruction == CLAE_RECON_BCE && d.train.epochs == 25);
    CHECK(d.code_activation == CLAE_ACT_LINEAR);
    CHECK_STR(d.output.dir, "runs/default");
    clae_ctx *ctx = clae_ctx_create();
    clae_status st = clae_spec_parse_text(ctx, CLAE_SPEC_DEFAULT_NAME, clae_spec_default_text(), &p);
    REQUIRE(st == CLAE_OK);
    check_same_spec(&p, &d);
    CHECK_STR(p.text, clae_spec_default_text());
    CHECK(clae_spec_validate(ctx, &d) == CLAE_OK);
    clae_spec_free(&p);
    clae_spec_free(&d);
    clae_ctx_destroy(ctx);
}

static void test_key_defaults_and_dir(void)
{
    clae_spec s;
    REQUIRE(PARSE_OK("; nothing but a comment\n", &s));
    CHECK(s.model.code == 32 && s.n_encoder == 0 && s.n_decoder == 0); /* input -> code directly */
    CHECK(s.loss.reconstruction == CLAE_RECON_MSE && s.train.epochs == 20 && s.train.batch == 128);
    CHECK(s.model.output == CLAE_ACT_SIGMOID && s.code_activation == CLAE_ACT_SIGMOID);
    CHECK_NEAR(s.train.beta2, 0.999, 1e-15);
    CHECK_NEAR(s.train.epsilon, 1e-8, 1e-20);
    CHECK_STR(s.data.train, "mnist");
    CHECK_STR(s.output.dir, "runs/t");
    clae_spec_free(&s);

    static const char *const names[][2] = {
        {"a/b/my.spec.ini", "runs/my.spec"}, {"plain", "runs/plain"}, {"dir/", "runs/spec"},
        {"../x/..", "runs/spec"},            {CLAE_SPEC_DEFAULT_NAME, "runs/default"}};
    clae_ctx *ctx = clae_ctx_create();
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        REQUIRE(clae_spec_parse_text(ctx, names[i][0], "", &s) == CLAE_OK);
        CHECK_STR(s.output.dir, names[i][1]);
        clae_spec_free(&s);
    }
    clae_ctx_destroy(ctx);
}

static void test_decoders(void)
{
    clae_spec s;
    REQUIRE(PARSE_OK("[model]\ndecoder = explicit\ncode = 8\n"
                     "[dense]\nunits = 100\n[dense]\nunits = 50\nactivation = tanh\n"
                     "[code]\nactivation = linear\n"
                     "[dense]\nunits = 60\nactivation = elu\n",
                     &s));
    CHECK(s.model.decoder_explicit && s.model.code == 8);
    CHECK(s.n_encoder == 2 && s.encoder[0].units == 100 && s.encoder[1].units == 50);
    CHECK(s.encoder[1].activation == CLAE_ACT_TANH && s.encoder[1].line == 6);
    CHECK(s.code_activation == CLAE_ACT_LINEAR);
    CHECK(s.n_decoder == 1 && s.decoder[0].units == 60 && s.decoder[0].activation == CLAE_ACT_ELU);
    clae_spec_free(&s);

    REQUIRE(PARSE_OK("[model]\ntied = yes\n[dense]\nunits = 10\n[dense]\nunits = 5\n", &s));
    CHECK(s.model.tied && !s.model.decoder_explicit && s.n_encoder == 2 && s.n_decoder == 0);
    clae_spec_free(&s);
    /* [code] is optional with a mirror decoder, and may come first */
    REQUIRE(PARSE_OK("[code]\nactivation = tanh\n[model]\ncode = 3\n", &s));
    CHECK(s.code_activation == CLAE_ACT_TANH && s.n_encoder == 0);
    clae_spec_free(&s);
    REQUIRE(PARSE_OK("[model]\ndecoder = explicit\n[code]\n", &s)); /* empty decoder is fine */
    CHECK(s.n_decoder == 0);
    clae_spec_free(&s);

    EXPECT_ERROR("[model]\ntied = yes\ndecoder = explicit\n[code]\n",
                 "t.ini: [model] tied = yes needs decoder = mirror");
    EXPECT_ERROR("[dense]\nunits = 4\n[code]\n\n[dense]\nunits = 4\n",
                 "t.ini:5: [dense]: a layer after [code] needs [model] decoder = explicit");
    EXPECT_ERROR("[model]\ndecoder = explicit\n[dense]\nunits = 4\n",
                 "t.ini: [model] decoder = explicit needs a [code] section between the encoder and "
                 "decoder layers");
    EXPECT_ERROR("[model]\noutput = tanh\n[loss]\nreconstruction = bce\n",
                 "t.ini: [loss] reconstruction = bce needs [model] output = sigmoid");
    EXPECT_ERROR("[data]\ntest_labels = y.idx\n", "t.ini: [data] test_labels needs [data] test");
}

static void test_values(void)
{
    clae_spec s;
    REQUIRE(PARSE_OK("[data]\ntrain = data/x.idx.gz\nlabels = data/y.idx\ntest = t.idx\n"
                     "test_labels = tl.idx\nholdout = 0\nlimit = 5000\nmax_memory = 3g\n"
                     "[model]\ntied = YES\nvariational = No\noutput = Linear\n"
                     "[dense]\nunits = +7\nactivation = LEAKY_RELU\n"
                     "[loss]\nreconstruction = MSE\nsparsity = none\nsparsity_weight = 0\n"
                     "sparsity_target = 0.05\ncontractive = 0\nkl_weight = 0\nwinner_take_all = 0\n"
                     "[train]\noptimizer = sgd\nmomentum = 0\nbeta1 = 0.5\nbeta2 = 0.99\nrho = 0.95\n"
                     "epsilon = 1e-6\nlearning_rate = .5\nseed = 18446744073709551615\n"
                     "pretrain = none\npretrain_epochs = 5\n"
                     "[output]\ndir = out/x\nsamples = 4\n",
                     &s));
    CHECK_STR(s.data.train, "data/x.idx.gz");
    CHECK_STR(s.data.labels, "data/y.idx");
    CHECK_STR(s.data.test, "t.idx");
    CHECK_STR(s.data.test_labels, "tl.idx");
    CHECK(s.data.holdout == 0 && s.data.limit == 5000);
    CHECK(s.data.max_memory == 3ull << 30);
    CHECK(s.model.tied == 1 && s.model.output == CLAE_ACT_LINEAR);
    CHECK(s.encoder[0].units == 7 && s.encoder[0].activation == CLAE_ACT_LEAKY_RELU);
    CHECK(s.train.optimizer == CLAE_OPT_SGD && s.train.momentum == 0);
    CHECK(s.train.beta1 == 0.5 && s.train.beta2 == 0.99 && s.train.rho == 0.95);
    CHECK(s.train.epsilon == 1e-6 && s.train.learning_rate == 0.5);
    CHECK(s.train.seed == UINT64_MAX);
    CHECK_STR(s.output.dir, "out/x");
    CHECK(s.output.samples == 4);
    clae_spec_free(&s);

    static const char *const bools[][2] = {{"yes", "1"}, {"True", "1"}, {"1", "1"}, {"NO", "0"},
                                           {"false", "0"}, {"0", "0"}};
    for (size_t i = 0; i < sizeof bools / sizeof bools[0]; i++) {
        char text[64];
        snprintf(text, sizeof text, "[model]\ntied = %s\n", bools[i][0]);
        REQUIRE(PARSE_OK(text, &s));
        CHECK(s.model.tied == (bools[i][1][0] == '1'));
        clae_spec_free(&s);
    }
    REQUIRE(PARSE_OK("[train]\noptimizer = rmsprop\n", &s));
    CHECK(s.train.optimizer == CLAE_OPT_RMSPROP);
    clae_spec_free(&s);
}

/* The families' keys and their defaults (the contract's example [loss] block parses). */
static void test_families(void)
{
    clae_spec s;
    REQUIRE(PARSE_OK("[noise]\ngaussian = 0.3\nmask = 0.25\n"
                     "[loss]\nsparsity = KL\nsparsity_weight = 0.5\nsparsity_target = 0.1\n"
                     "winner_take_all = 5\n",
                     &s));
    CHECK(s.noise.gaussian == 0.3 && s.noise.mask == 0.25);
    CHECK(s.loss.sparsity == CLAE_SPARSITY_KL);
    CHECK(s.loss.sparsity_weight == 0.5 && s.loss.sparsity_target == 0.1);
    CHECK(s.loss.winner_take_all == 5);
    clae_spec_free(&s);
    REQUIRE(PARSE_OK("[loss]\nreconstruction = mse\nsparsity = none\nsparsity_weight = 0.1\n"
                     "sparsity_target = 0.05\ncontractive = 0\nkl_weight = 1.0\n"
                     "winner_take_all = 0\n",
                     &s));
    CHECK(s.loss.sparsity == CLAE_SPARSITY_NONE && s.noise.gaussian == 0 && s.noise.mask == 0);
    clae_spec_free(&s);
    REQUIRE(PARSE_OK("[model]\nvariational = yes\n[code]\nactivation = linear\n[loss]\nkl_weight = 0.5\n", &s));
    CHECK(s.model.variational == 1 && s.loss.kl_weight == 0.5);
    clae_spec_free(&s);
    REQUIRE(PARSE_OK("[train]\npretrain = greedy\npretrain_epochs = 3\n", &s));
    CHECK(s.train.pretrain_greedy == 1 && s.train.pretrain_epochs == 3);
    clae_spec_free(&s);
    REQUIRE(PARSE_OK("[loss]\nsparsity = l1\n", &s));
    CHECK(s.loss.sparsity == CLAE_SPARSITY_L1 && s.loss.sparsity_weight == 0.1);
    CHECK(s.loss.sparsity_target == 0.05);
    clae_spec_free(&s);
}

static void test_layout(void)
{
    clae_spec s;
    /* comments, blank lines, inline comments of both kinds, CRLF, a BOM */
    REQUIRE(PARSE_OK("\xEF\xBB\xBF; header\r\n\r\n# another\r\n[dense]   ; the first\r\n"
                     "units = 256   ; comment\r\nactivation = tanh # comment\r\n"
                     "\r\n[dense] # second\r\n  units=12\r\n",
                     &s));
    CHECK(s.n_encoder == 2 && s.encoder[0].units == 256 && s.encoder[0].activation == CLAE_ACT_TANH);
    CHECK(s.encoder[0].line == 4 && s.encoder[1].line == 8 && s.encoder[1].units == 12);
    clae_spec_free(&s);

    /* line numbers count comments and blank lines */
    EXPECT_ERROR("; spec\n\n# comment\n[data]\nholdout = 0.2\n\n\n[dense]\n; units below\nunits = -3\n",
                 "t.ini:10: [dense] units: expected a positive integer, got \"-3\"");
    EXPECT_ERROR("\xEF\xBB\xBF\n\n[dense]\nunits = 0 ; zero\n",
                 "t.ini:4: [dense] units: expected a positive integer, got \"0\"");
    /* a comment needs a space before it */
    EXPECT_ERROR("[train]\nseed = 7;x\n", "t.ini:2: [train] seed: expected an unsigned 64-bit integer, got \"7;x\"");
    EXPECT_ERROR("[dense]\r\nunits = x\r\n", "t.ini:2: [dense] units: expected a positive integer, got \"x\"");
    EXPECT_ERROR("[dense]\nunits = 3\n  activation = relu\n",
                 "t.ini:3: indented line: multi-line values are not supported (remove the indentation)");
    EXPECT_ERROR("[dense] units = 3\n", "t.ini:1: [dense]: unexpected text after the section header");
    EXPECT_ERROR("units = 3\n", "t.ini:1: units: not inside a [section]");
    EXPECT_ERROR("[data]\nthis line has no equals sign\n", "t.ini:2: syntax error");
    EXPECT_ERROR("[data]\nholdout = 0.2\n[dense ; no closing bracket]\nunits = 3\n", "t.ini:3: syntax error");
    EXPECT_ERROR("[data]\n[dense\nunits = x\n", "t.ini:2: syntax error"); /* the first error wins */

    /* Lines past inih's 200 characters: a long path (a value, with its comment
     * stripped), a long comment; a long section line is refused, as is any
     * line over 4096. */
    char *text = malloc(8192);
    REQUIRE(text);
    snprintf(text, 8192, "; %0300d\n[data]\ntrain = data/%01000d.idx   ; a long path\n"
             "labels:%0300d ; %0300d\n", 1, 2, 3, 4);
    REQUIRE(PARSE_OK(text, &s));
    CHECK(strlen(s.data.train) == 1009 && strncmp(s.data.train, "data/000", 8) == 0 &&
          strcmp(s.data.train + 1004, "2.idx") == 0);
    CHECK(strlen(s.data.labels) == 300 && s.data.labels[299] == '3');
    clae_spec_free(&s);
    snprintf(text, 8192, "[data]\ntrain = %01100d\n", 1);
    EXPECT_ERROR(text, "t.ini:2: [data] train: longer than 1023 characters");
    snprintf(text, 8192, "[data]\ntrain = %05000d\n", 1);
    EXPECT_ERROR(text, "t.ini:2: line too long (at most 4096 characters)");
    snprintf(text, 8192, "[data] ; %0300d\n", 1);
    EXPECT_ERROR(text, "t.ini:1: line too long (at most 197 characters but for a key's value)");
    snprintf(text, 8192, "[data]\n%0300d\n", 1);
    EXPECT_ERROR(text, "t.ini:2: line too long (at most 197 characters but for a key's value)");
    free(text);
    char *many = malloc(25 * 24 + 1), *w = many;
    REQUIRE(many);
    for (int i = 0; i < 25; i++) w += sprintf(w, "[dense]\nunits = %d\n", i + 1);
    EXPECT_ERROR(many, "t.ini:49: [dense]: too many layers (at most 24 in the encoder)");
    free(many);
}

static void test_errors(void)
{
    EXPECT_ERROR("[dense]\nunit = 3\n", "t.ini:2: [dense] unit: unknown key");
    EXPECT_ERROR("[data]\n\n[foo]\nx = 1\n", "t.ini:3: [foo]: unknown section");
    EXPECT_ERROR("[dense]\nunits = 3\nunits = 4\n", "t.ini:3: [dense] units: duplicate key (first at line 2)");
    EXPECT_ERROR("[train]\nepochs = 3\n[model]\n[train]\n", "t.ini:4: [train]: duplicate section (first at line 1)");
    EXPECT_ERROR("[code]\n[code]\n", "t.ini:2: [code]: duplicate section (first at line 1)");
    EXPECT_ERROR("[data]\n\n[dense]\nactivation = relu\n", "t.ini:3: [dense] units: missing");
    EXPECT_ERROR("[dense]\n[dense]\nunits = 3\n", "t.ini:1: [dense] units: missing");
    EXPECT_ERROR("[dense]\nunits = 3\nactivation = foo\n",
                 "t.ini:3: [dense] activation: expected one of relu, sigmoid, tanh, linear, "
                 "leaky_relu, elu, got \"foo\"");
    EXPECT_ERROR("[code]\nactivation = softmax\n",
                 "t.ini:2: [code] activation: expected one of relu, sigmoid, tanh, linear, "
                 "leaky_relu, elu, got \"softmax\"");
    EXPECT_ERROR("[model]\noutput = relu\n", "t.ini:2: [model] output: expected one of sigmoid, tanh, linear, got \"relu\"");
    EXPECT_ERROR("[model]\ndecoder = mirrored\n", "t.ini:2: [model] decoder: expected one of mirror, explicit, got \"mirrored\"");
    EXPECT_ERROR("[model]\ntied = maybe\n", "t.ini:2: [model] tied: expected yes or no, got \"maybe\"");
    EXPECT_ERROR("[loss]\nreconstruction = l2\n", "t.ini:2: [loss] reconstruction: expected one of mse, bce, got \"l2\"");
    EXPECT_ERROR("[train]\noptimizer = adamw\n", "t.ini:2: [train] optimizer: expected one of adam, rmsprop, sgd, got \"adamw\"");

    /* numbers: trailing junk, empty, fractions, hex, NaN/Inf, range */
    EXPECT_ERROR("[dense]\nunits = 12abc\n", "t.ini:2: [dense] units: expected a positive integer, got \"12abc\"");
    EXPECT_ERROR("[dense]\nunits =\n", "t.ini:2: [dense] units: expected a positive integer, got \"\"");
    EXPECT_ERROR("[dense]\nunits = ; nothing\n", "t.ini:2: [dense] units: expected a positive integer, got \"\"");
    EXPECT_ERROR("[dense]\nunits = 1.5\n", "t.ini:2: [dense] units: expected a positive integer, got \"1.5\"");
    EXPECT_ERROR("[dense]\nunits = 0x10\n", "t.ini:2: [dense] units: expected a positive integer, got \"0x10\"");
    EXPECT_ERROR("[dense]\nunits = 2000000\n", "t.ini:2: [dense] units: must be at most 1048576, got \"2000000\"");
    EXPECT_ERROR("[dense]\nunits = 99999999999999999999999\n",
                 "t.ini:2: [dense] units: must be at most 1048576, got \"99999999999999999999999\"");
    EXPECT_ERROR("[model]\ncode = 0\n", "t.ini:2: [model] code: expected a positive integer, got \"0\"");
    EXPECT_ERROR("[train]\nepochs = -1\n", "t.ini:2: [train] epochs: expected a positive integer, got \"-1\"");
    EXPECT_ERROR("[train]\nlearning_rate = nan\n", "t.ini:2: [train] learning_rate: expected a positive number, got \"nan\"");
    EXPECT_ERROR("[train]\nlearning_rate = inf\n", "t.ini:2: [train] learning_rate: expected a positive number, got \"inf\"");
    EXPECT_ERROR("[train]\nlearning_rate = 1e400\n", "t.ini:2: [train] learning_rate: expected a positive number, got \"1e400\"");
    EXPECT_ERROR("[train]\nlearning_rate = 0\n", "t.ini:2: [train] learning_rate: expected a positive number, got \"0\"");
    EXPECT_ERROR("[train]\nepsilon = 1e-3x\n", "t.ini:2: [train] epsilon: expected a positive number, got \"1e-3x\"");
    EXPECT_ERROR("[train]\nmomentum = 1\n", "t.ini:2: [train] momentum: expected a number in [0, 1), got \"1\"");
    EXPECT_ERROR("[train]\nbeta2 = -0.1\n", "t.ini:2: [train] beta2: expected a number in [0, 1), got \"-0.1\"");
    EXPECT_ERROR("[data]\nholdout = 1\n", "t.ini:2: [data] holdout: expected a number in [0, 1), got \"1\"");
    EXPECT_ERROR("[data]\nholdout = NaN\n", "t.ini:2: [data] holdout: expected a number in [0, 1), got \"NaN\"");
    EXPECT_ERROR("[data]\nlimit = -5\n", "t.ini:2: [data] limit: expected a non-negative integer, got \"-5\"");
    clae_spec s;
    static const struct { const char *v; unsigned long long bytes; } sizes[] = {
        {"0", 0}, {"1048576", 1048576}, {"512K", 512ull << 10}, {"8M", 8ull << 20},
        {"16T", 16ull << 40}, {"17179869183G", 17179869183ull << 30}};
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        char text[64];
        snprintf(text, sizeof text, "[data]\nmax_memory = %s\n", sizes[i].v);
        REQUIRE(PARSE_OK(text, &s));
        CHECK(s.data.max_memory == sizes[i].bytes);
        clae_spec_free(&s);
    }
    static const char *const bad_sizes[] = {"-1", "1.5G", "8MB", "M", "8 M", "18446744073709551616",
                                            "17179869184G", "0x10"};
    for (size_t i = 0; i < sizeof bad_sizes / sizeof bad_sizes[0]; i++) {
        char text[64], want[160];
        snprintf(text, sizeof text, "[data]\nmax_memory = %s\n", bad_sizes[i]);
        snprintf(want, sizeof want,
                 "t.ini:2: [data] max_memory: expected a size in bytes such as 512M or 2G, got \"%s\"",
                 bad_sizes[i]);
        EXPECT_ERROR(text, want);
    }
    EXPECT_ERROR("[data]\ntrain =\n", "t.ini:2: [data] train: expected a path, got \"\"");
    EXPECT_ERROR("[train]\nseed = -1\n", "t.ini:2: [train] seed: expected an unsigned 64-bit integer, got \"-1\"");
    EXPECT_ERROR("[train]\nseed = 18446744073709551616\n",
                 "t.ini:2: [train] seed: expected an unsigned 64-bit integer, got \"18446744073709551616\"");
    EXPECT_ERROR("[output]\nsamples = 0\n", "t.ini:2: [output] samples: expected a positive integer, got \"0\"");

    /* layer sections: their required keys, ranges and shapes */
    EXPECT_ERROR("[conv]\nfilters = 4\n[train]\npretrain = greedy\n",
                 "t.ini:1: [conv]: [train] pretrain = greedy trains stacks of dense layers");
    EXPECT_ERROR("[conv]\n", "t.ini:1: [conv] filters: missing");
    EXPECT_ERROR("[conv]\nfilters = 4\npadding = wide\n",
                 "t.ini:3: [conv] padding: expected same, valid or a number of zeros 0 to 1024, got \"wide\"");
    EXPECT_ERROR("[deconv]\nfilters = 4\nunits = 3\n", "t.ini:3: [deconv] units: unknown key");
    EXPECT_ERROR("[maxpool]\nsize = 0\n", "t.ini:2: [maxpool] size: expected an integer from 1 to 1024, got \"0\"");
    EXPECT_ERROR("[dropout]\nrate = 1\n", "t.ini:2: [dropout] rate: expected a number in [0, 1), got \"1\"");
    EXPECT_ERROR("[reshape]\nshape = 1x16\n", "t.ini:2: [reshape] shape: expected CxHxW with positive sizes, got \"1x16\"");
    EXPECT_ERROR("[batchnorm]\nmomentum = 1\n", "t.ini:2: [batchnorm] momentum: expected a number in (0, 1), got \"1\"");
    EXPECT_ERROR("[data]\nresize = 32\n", "t.ini:2: [data] resize: expected HxW with positive sizes, got \"32\"");
    EXPECT_ERROR("[model]\nvariational = yes\n",
                 "t.ini: [model] variational = yes needs [code] activation = linear (the mean and log-variance heads are linear)");
    EXPECT_ERROR("[model]\nvariational = yes\ntied = yes\n[code]\nactivation = linear\n",
                 "t.ini: [model] variational = yes cannot be tied: the mean and log-variance heads have no transpose that fits the decoder");
    EXPECT_ERROR("[model]\nvariational = yes\n[code]\nactivation = linear\n[loss]\nwinner_take_all = 5\n",
                 "t.ini: [loss] winner_take_all does not combine with variational = yes");
    EXPECT_ERROR("[loss]\nkl_weight = -1\n", "t.ini:2: [loss] kl_weight: expected a number >= 0, got \"-1\"");
    EXPECT_ERROR("[loss]\ncontractive = x\n", "t.ini:2: [loss] contractive: expected a number >= 0, got \"x\"");
    EXPECT_ERROR("[code]\nactivation = relu\n[loss]\ncontractive = 0.1\n",
                 "t.ini: [loss] contractive needs [code] activation = sigmoid or tanh (the Jacobian penalty is computed in closed form for those)");
    EXPECT_ERROR("[model]\ndecoder = explicit\n[code]\n[train]\npretrain = greedy\n",
                 "t.ini: [train] pretrain = greedy needs [model] decoder = mirror (each stage trains an encoder layer with its mirror)");
    EXPECT_ERROR("[loss]\nsparsity = l1\n[train]\npretrain = greedy\n",
                 "t.ini: [train] pretrain = greedy trains plain or denoising stages; drop the code penalties or the pretraining");

    /* the families' keys */
    EXPECT_ERROR("[loss]\nsparsity = l3\n", "t.ini:2: [loss] sparsity: expected one of none, l1, kl, got \"l3\"");
    EXPECT_ERROR("[loss]\nsparsity_weight = -1\n", "t.ini:2: [loss] sparsity_weight: expected a number >= 0, got \"-1\"");
    EXPECT_ERROR("[loss]\nsparsity_target = 1\n", "t.ini:2: [loss] sparsity_target: expected a number in (0, 1), got \"1\"");
    EXPECT_ERROR("[loss]\nwinner_take_all = 100\n", "t.ini:2: [loss] winner_take_all: expected a percentage in [0, 100), got \"100\"");
    EXPECT_ERROR("[noise]\nmask = 1\n", "t.ini:2: [noise] mask: expected a number in [0, 1), got \"1\"");
    EXPECT_ERROR("[noise]\ngaussian = -0.1\n", "t.ini:2: [noise] gaussian: expected a number >= 0, got \"-0.1\"");
    EXPECT_ERROR("[noise]\ngaussian = 20\n", "t.ini: [noise] gaussian: expected a standard deviation in [0, 10], got 20");
    EXPECT_ERROR("[code]\nactivation = relu\n[loss]\nsparsity = kl\n",
                 "t.ini: [loss] sparsity = kl needs [code] activation = sigmoid (a mean activation in (0, 1) to compare with sparsity_target)");
    EXPECT_ERROR("[train]\npretrain_epochs = 0\n", "t.ini:2: [train] pretrain_epochs: expected a positive integer, got \"0\"");
}

static void test_files(void)
{
    char dir[] = "/tmp/test_spec_XXXXXX";
    REQUIRE(mkdtemp(dir) != NULL);
    char path[256], nul_path[256], want[512];
    clae_ctx *ctx = clae_ctx_create();
    clae_spec s;

    snprintf(path, sizeof path, "%s/missing.ini", dir);
    CHECK(clae_spec_parse(ctx, path, &s) == CLAE_ESPEC);
    snprintf(want, sizeof want, "%s: cannot open: No such file or directory", path);
    CHECK_STR(clae_ctx_message(ctx), want);
    CHECK(s.text == NULL);

    CHECK(clae_spec_parse(ctx, dir, &s) == CLAE_ESPEC); /* a directory */
    snprintf(want, sizeof want, "%s: cannot read: Is a directory", dir);
    CHECK_STR(clae_ctx_message(ctx), want);

    snprintf(nul_path, sizeof nul_path, "%s/nul.ini", dir);
    FILE *f = fopen(nul_path, "wb");
    REQUIRE(f);
    fwrite("[data]\nholdout = 0.2\n\0junk\n", 1, 27, f);
    fclose(f);
    CHECK(clae_spec_parse(ctx, nul_path, &s) == CLAE_ESPEC);
    snprintf(want, sizeof want, "%s:3: NUL byte (not a text file?)", nul_path);
    CHECK_STR(clae_ctx_message(ctx), want);

    snprintf(path, sizeof path, "%s/exp.ini", dir);
    f = fopen(path, "wb");
    REQUIRE(f);
    fputs("[model]\ncode = 12\n[dense]\nunits = 300\n", f);
    fclose(f);
    REQUIRE(clae_spec_parse(ctx, path, &s) == CLAE_OK);
    CHECK(s.model.code == 12 && s.encoder[0].units == 300);
    CHECK_STR(s.text, "[model]\ncode = 12\n[dense]\nunits = 300\n");
    CHECK_STR(s.path, path);
    CHECK_STR(s.output.dir, "runs/exp");
    clae_spec_free(&s);

    f = fopen(path, "wb"); /* an error in a file names the file */
    REQUIRE(f);
    fputs("[model]\ncode = 12\n[dense]\n", f);
    fclose(f);
    CHECK(clae_spec_parse(ctx, path, &s) == CLAE_ESPEC);
    snprintf(want, sizeof want, "%s:3: [dense] units: missing", path);
    CHECK_STR(clae_ctx_message(ctx), want);
    CHECK(clae_status_exit_code(clae_ctx_status(ctx)) == 2);

    unlink(path);
    unlink(nul_path);
    rmdir(dir);
    clae_ctx_destroy(ctx);
}

static void test_validate_and_names(void)
{
    clae_ctx *ctx = clae_ctx_create();
    clae_spec s;
    clae_spec_defaults(&s);
    s.train.epochs = 0; /* as a bad command-line override would */
    CHECK(clae_spec_validate(ctx, &s) == CLAE_ESPEC);
    CHECK_STR(clae_ctx_message(ctx), "<default>: [train] epochs: expected 1 to 1048576, got 0");
    s.train.epochs = 5;
    s.train.bucket_mb = 5000;
    CHECK(clae_spec_validate(ctx, &s) == CLAE_ESPEC);
    CHECK_STR(clae_ctx_message(ctx), "<default>: [train] bucket_mb: expected auto or 0 to 4096, got 5000");
    s.train.bucket_mb = 0; /* one sum after backward */
    CHECK(clae_spec_validate(ctx, &s) == CLAE_OK);
    s.model.output = CLAE_ACT_TANH;
    CHECK(clae_spec_validate(ctx, &s) == CLAE_ESPEC);
    CHECK_STR(clae_ctx_message(ctx), "<default>: [loss] reconstruction = bce needs [model] output = sigmoid");
    clae_ctx_destroy(ctx);

    for (int a = 0; a < CLAE_ACT_COUNT; a++) {
        clae_activation back;
        CHECK(clae_activation_parse(clae_activation_name((clae_activation)a), &back) == 0);
        CHECK(back == (clae_activation)a);
    }
    clae_activation x;
    CHECK(clae_activation_parse("softmax", &x) == -1);
    CHECK(clae_activation_parse("", &x) == -1);
    CHECK_STR(clae_activation_name(CLAE_ACT_LEAKY_RELU), "leaky_relu");
    CHECK_STR(clae_activation_name(CLAE_ACT_COUNT), "unknown");
}

/* The line of text where section `sec` (or "#sec", commented out) begins; NULL if none. */
static const char *find_section(const char *text, const char *sec)
{
    char h1[80], h2[80];
    snprintf(h1, sizeof h1, "[%s]", sec);
    snprintf(h2, sizeof h2, "#[%s]", sec);
    for (const char *l = text; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL)
        if (strncmp(l, h1, strlen(h1)) == 0 || strncmp(l, h2, strlen(h2)) == 0) return l;
    return NULL;
}

/* Whether the section starting at `at` has a line "key =", "#key =" or "; key =". */
static int section_has_key(const char *at, const char *key)
{
    for (const char *l = strchr(at, '\n'); l && l[1]; l = strchr(l + 1, '\n')) {
        const char *c = l + 1;
        if (*c == '[' || (c[0] == '#' && c[1] == '[')) return 0; /* the next section */
        if (*c == '#' || *c == ';') c++;
        while (*c == ' ') c++;
        size_t n = strlen(key);
        if (strncmp(c, key, n) == 0) {
            c += n;
            while (*c == ' ') c++;
            if (*c == '=') return 1;
        }
    }
    return 0;
}

/* `clae spec`'s text, the built-in default: every key the parser knows, each
 * at the default parsing starts from but for the five the default model sets
 * otherwise; the unused layer sections, uncommented, at the layer defaults. */
static void test_reference(void)
{
    const char *ref = clae_spec_default_text();
    const char *const *keys;
    const char *sec;
    int is_layer, n_layer_sections = 0;
    for (int i = 0; (sec = clae__spec_section(i, &keys, &is_layer)) != NULL; i++) {
        const char *at = find_section(ref, sec);
        if (!at) fprintf(stderr, "  section [%s] is missing\n", sec);
        CHECK(at != NULL);
        /* layer sections are commented out, but for the default's [dense] */
        if (at && is_layer) CHECK((at[0] == '#') == (strcmp(sec, "dense") != 0));
        for (int k = 0; at && keys[k]; k++) {
            if (!section_has_key(at, keys[k])) fprintf(stderr, "  [%s] %s is missing\n", sec, keys[k]);
            CHECK(section_has_key(at, keys[k]));
        }
        n_layer_sections += is_layer;
    }
    CHECK(n_layer_sections == CLAE_LAYER_KIND_COUNT);

    /* as it is: the key defaults (what an empty spec parses to), but for the
     * default model's [dense] layer, code size and activation, loss and epochs */
    clae_ctx *ctx = clae_ctx_create();
    clae_spec a, b;
    REQUIRE(clae_spec_parse_text(ctx, "ref.ini", ref, &a) == CLAE_OK);
    REQUIRE(clae_spec_parse_text(ctx, "ref.ini", "", &b) == CLAE_OK);
    CHECK(a.n_encoder == 1 && a.encoder[0].kind == CLAE_LAYER_DENSE && a.encoder[0].units == 256);
    clae_layer_spec dense = clae_layer_spec_default(CLAE_LAYER_DENSE, a.encoder[0].line);
    dense.units = 256;
    CHECK(memcmp(&a.encoder[0], &dense, sizeof dense) == 0);
    b.n_encoder = 1;
    b.encoder[0] = dense;
    b.model.code = 64;
    b.code_activation = CLAE_ACT_LINEAR;
    b.loss.reconstruction = CLAE_RECON_BCE;
    b.train.epochs = 25;
    char *ta = a.text, *tb = b.text;
    a.text = b.text = NULL;
    const unsigned char *pa = (const unsigned char *)&a, *pb = (const unsigned char *)&b;
    size_t diff = 0;
    while (diff < sizeof a && pa[diff] == pb[diff]) diff++;
    if (diff < sizeof a) fprintf(stderr, "  the reference differs from the key defaults at byte %zu\n", diff);
    CHECK(diff == sizeof a);
    a.text = ta;
    b.text = tb;
    clae_spec_free(&a);
    clae_spec_free(&b);

    /* the layer sections uncommented: one layer of each kind, at its defaults */
    char *open = malloc(strlen(ref) + 1);
    REQUIRE(open != NULL);
    size_t n = 0;
    for (const char *c = ref; *c; c++)
        if (!(*c == '#' && (c == ref || c[-1] == '\n'))) open[n++] = *c;
    open[n] = '\0';
    clae_status st = clae_spec_parse_text(ctx, "open.ini", open, &a);
    if (st != CLAE_OK) fprintf(stderr, "  uncommented: %s\n", clae_ctx_message(ctx));
    CHECK(st == CLAE_OK);
    if (st == CLAE_OK) {
        CHECK(a.n_encoder == CLAE_LAYER_KIND_COUNT && a.n_decoder == 0);
        for (int i = 0; i < a.n_encoder && i < CLAE_LAYER_KIND_COUNT; i++) {
            clae_layer_spec got = a.encoder[i];
            clae_layer_spec want = clae_layer_spec_default(got.kind, got.line);
            want.units = got.units; /* required keys: an example value */
            memcpy(want.shape, got.shape, sizeof want.shape);
            CHECK(got.kind == (clae_layer_kind)i);
            if (memcmp(&got, &want, sizeof got) != 0)
                fprintf(stderr, "  [%s] differs from its defaults\n", clae_layer_kind_name(got.kind));
            CHECK(memcmp(&got, &want, sizeof got) == 0);
        }
        clae_spec_free(&a);
    }
    free(open);
    clae_ctx_destroy(ctx);
}

static void expect_override_error_at(int line, const char *text, const char *const *sets, int n,
                                     int want_bad, const char *want)
{
    clae_ctx *ctx = clae_ctx_create();
    clae_spec s;
    int bad = -2;
    clae_status st = clae_spec_parse_overrides(ctx, "t.ini", text, sets, n, &s, &bad);
    if (st == CLAE_OK || bad != want_bad || strcmp(clae_ctx_message(ctx), want) != 0)
        fprintf(stderr, "  (the case at test_spec.c:%d)\n", line);
    CHECK(st == CLAE_ESPEC || st == CLAE_EUSAGE);
    CHECK(bad == want_bad);
    CHECK_STR(clae_ctx_message(ctx), want);
    CHECK(s.text == NULL);
    clae_ctx_destroy(ctx);
}
#define EXPECT_OVERRIDE_ERROR(text, sets, want_bad, want) \
    expect_override_error_at(__LINE__, text, sets, (int)(sizeof sets / sizeof sets[0]), want_bad, want)

/* --set: keys replaced, added to their section, sections added; repeated
 * layer sections by their place; every error against its override. */
static void test_overrides(void)
{
    static const char base[] = "[data]\nlimit = 5\n[dense]\nunits = 8\n[dense]\nunits = 4\n"
                               "[code]\nactivation = relu\n[train]\nepochs = 3 ; three\n";
    static const char *const sets[] = {"train.epochs=7", "train.patience=2", "dense.2.units=6",
                                       "loss.reconstruction=bce", "model.code=5",
                                       "train.epochs=8", "dense.1.activation=tanh"};
    clae_ctx *ctx = clae_ctx_create();
    clae_spec s;
    int bad = -2;
    clae_status st = clae_spec_parse_overrides(ctx, "t.ini", base, sets, 7, &s, &bad);
    if (st != CLAE_OK) fprintf(stderr, "  overrides: %s\n", clae_ctx_message(ctx));
    REQUIRE(st == CLAE_OK);
    CHECK(bad == -1);
    CHECK(s.data.limit == 5 && s.train.epochs == 8 && s.train.patience == 2);
    CHECK(s.n_encoder == 2 && s.encoder[0].units == 8 && s.encoder[1].units == 6);
    CHECK(s.encoder[0].activation == CLAE_ACT_TANH && s.encoder[1].activation == CLAE_ACT_RELU);
    CHECK(s.loss.reconstruction == CLAE_RECON_BCE && s.model.code == 5);
    CHECK(s.code_activation == CLAE_ACT_RELU);
    CHECK_STR(s.output.dir, "runs/t");
    /* the text kept is the effective spec */
    CHECK_STR(s.text, "[data]\nlimit = 5\n[dense]\nunits = 8\nactivation = tanh\n[dense]\nunits = 6\n"
                      "[code]\nactivation = relu\n[train]\nepochs = 8\npatience = 2\n\n[loss]\n"
                      "reconstruction = bce\n\n[model]\ncode = 5\n");
    clae_spec_free(&s);
    /* no overrides: the text as it is */
    REQUIRE(clae_spec_parse_overrides(ctx, "t.ini", base, NULL, 0, &s, &bad) == CLAE_OK);
    CHECK(s.train.epochs == 3 && bad == -1);
    clae_spec_free(&s);
    clae_ctx_destroy(ctx);

    static const char *const lr[] = {"train.learning_rate=abc"};
    EXPECT_OVERRIDE_ERROR(base, lr, 0, "[train] learning_rate: expected a positive number, got \"abc\"");
    static const char *const second[] = {"train.epochs=2", "model.code=-1"};
    EXPECT_OVERRIDE_ERROR(base, second, 1, "[model] code: expected a positive integer, got \"-1\"");
    static const char *const which[] = {"dense.units=3"};
    EXPECT_OVERRIDE_ERROR(base, which, 0, "the spec has 2 [dense] sections: say which, as "
                                          "dense.1.units to dense.2.units");
    static const char *const third[] = {"dense.3.units=3"};
    EXPECT_OVERRIDE_ERROR(base, third, 0, "the spec has 2 [dense] sections, not 3");
    static const char *const conv[] = {"conv.filters=3"};
    EXPECT_OVERRIDE_ERROR(base, conv, 0, "the spec has no [conv] section (--set changes a layer, "
                                         "it does not add one)");
    static const char *const nth[] = {"train.2.epochs=3"};
    EXPECT_OVERRIDE_ERROR(base, nth, 0, "[train] is not a layer section and does not repeat; "
                                        "write train.epochs");
    static const char *const section[] = {"frob.x=1"};
    EXPECT_OVERRIDE_ERROR(base, section, 0, "[frob]: unknown section");
    static const char *const key[] = {"train.frob=1"};
    EXPECT_OVERRIDE_ERROR(base, key, 0, "[train] frob: unknown key");
    static const char *const shape[] = {"train.epochs=1", "trainepochs"};
    EXPECT_OVERRIDE_ERROR(base, shape, 1, "expected SECTION.KEY=VALUE");
    static const char *const line[] = {"data.train=a\nb"};
    EXPECT_OVERRIDE_ERROR(base, line, 0, "the value must be one line");
    /* a rule between keys is the spec's, not one override's */
    static const char *const rule[] = {"model.output=tanh"};
    EXPECT_OVERRIDE_ERROR("[loss]\nreconstruction = bce\n", rule, -1,
                          "t.ini: [loss] reconstruction = bce needs [model] output = sigmoid");
    /* the file's own errors keep their lines */
    static const char *const fine[] = {"train.epochs=2"};
    EXPECT_OVERRIDE_ERROR("[dense]\nunits = 0\n", fine, -1,
                          "t.ini:2: [dense] units: expected a positive integer, got \"0\"");
}

int main(void)
{
    test_dense_ini();
    test_default();
    test_key_defaults_and_dir();
    test_decoders();
    test_values();
    test_families();
    test_layout();
    test_errors();
    test_files();
    test_validate_and_names();
    test_reference();
    test_overrides();
    return check_finish();
}
