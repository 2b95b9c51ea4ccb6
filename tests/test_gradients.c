/* Gradient checks: the device's backward pass against central finite
 * differences of an independent double-precision host model.
 *
 * Each case builds a small model from a spec (input 7, batch 4: sizes that
 * are multiples of nothing, so no kernel's tail handling hides), runs forward,
 * loss and backward on the device, and compares every entry of m->grads with
 * (L(p + h e_j) - L(p - h e_j)) / 2h computed by the host model below. The
 * host model reads only the layer list (dense layers' in, out, activation,
 * w_off, b_off, tied; the sampler's and winner-take-all's places), the spec's
 * terms and the parameters the device holds, so it checks the layout too;
 * its loss must first agree with the device's, which validates it. Layer
 * kinds beyond dense stacks are checked against the device's own forward
 * pass instead (test_layer_gradients.c). */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>

#include "device/buffer.h"
#include "check.h"
#include "clae/device.h"
#include "model/model.h"

#define INPUT_DIM 7
#define BATCH 4
#define BATCH_MAX 6 /* larger than BATCH: the last, short batch of an epoch */
#define X_OFF INPUT_DIM /* the batch starts one row into the buffer */

/* Central-difference step. In double the truncation error is ~h²·|L'''| ~ 1e-11
 * and the rounding error ~1e-16·|L|/h ~ 1e-11: the numeric gradient is exact
 * to far below the tolerance, so every disagreement is the device's. */
#define STEP 1e-5

/* |analytic - numeric| <= ATOL + RTOL·|numeric|. The analytic gradient comes
 * from float32 arithmetic: every activation, product and sum is rounded to
 * ~6e-8 relative, so it is accurate to ~1e-6 relative, plus an absolute floor
 * of a few float ulps of the largest terms summed (~1e-8 here); devices with
 * 3-5 ulp exp/tanh or another summation order (CLBlast) may do a few times
 * worse. On PoCL the worst error uses 0.5% of this tolerance (max abs error
 * 4e-8, max relative 1.3e-6), so other devices have ~200x margin, while a
 * wrong derivative, scale or layout (errors of 1-100%) fails loudly: even one
 * gradient entry off by 0.1% fails in most cases. ATOL is for gradients near
 * zero, where relative error means nothing (they range from 0 for dead relu
 * units to 0.4, median 1e-3). */
#define ATOL 2e-7
#define RTOL 1e-4

/* Pre-activations of relu / leaky_relu units closer to zero than this make the
 * batch resampled: within it the float device and the double host could take
 * different sides of the kink, or a ±h step could cross it, and the two sides
 * have different slopes. (elu with alpha 1 has a continuous slope at 0, and
 * the other activations are smooth.) */
#define KINK_MARGIN 1e-3

/* ---- the host model ---------------------------------------------------- */

static double act(clae_activation a, double z)
{
    switch (a) {
    case CLAE_ACT_RELU: return z > 0 ? z : 0;
    case CLAE_ACT_LEAKY_RELU: return z > 0 ? z : 0.01 * z; /* slope of cl/common.cl */
    case CLAE_ACT_ELU: return z > 0 ? z : expm1(z);        /* alpha = 1 */
    case CLAE_ACT_SIGMOID: return 1 / (1 + exp(-z));
    case CLAE_ACT_TANH: return tanh(z);
    default: return z;
    }
}

static int has_kink(clae_activation a) { return a == CLAE_ACT_RELU || a == CLAE_ACT_LEAKY_RELU; }

typedef struct {
    const clae_model *m;
    const clae_spec *spec;
    const double *x; /* batch x input_dim */
    double *a, *b;   /* ping-pong activations, batch x widest */
    double *z;       /* a VAE's sampled code, batch x code */
    double *kink;    /* pre-activations of the kinked units, in layer order */
    size_t n_kink;
    /* the device's draws for this batch: a VAE's eps and winner-take-all's
     * selection (NULL: eps = 0, no selection, while a batch is being chosen) */
    const float *eps, *mask;
    const double *p; /* the parameters of the current evaluation */
} host_model;

/* The code's penalties, on the code h (batch x width) as the decoder will see
 * it (after winner-take-all), and a VAE's sample: returns the penalty and
 * sets *next to the decoder's input. */
static double host_code_terms(host_model *h, double *code, int width, const double **next)
{
    const clae_model *m = h->m;
    const clae_spec *sp = h->spec;
    double penalty = 0;
    *next = code;
    if (sp->loss.sparsity == CLAE_SPARSITY_L1) {
        double sum = 0;
        for (int i = 0; i < BATCH * width; i++) sum += fabs(code[i]);
        penalty += sp->loss.sparsity_weight * sum / (BATCH * width);
    } else if (sp->loss.sparsity == CLAE_SPARSITY_KL) {
        double rho = sp->loss.sparsity_target, sum = 0;
        for (int o = 0; o < width; o++) {
            double mean = 0;
            for (int r = 0; r < BATCH; r++) mean += code[r * width + o] / BATCH;
            sum += rho * log(rho / mean) + (1 - rho) * log((1 - rho) / (1 - mean));
        }
        penalty += sp->loss.sparsity_weight * sum / width;
    }
    if (sp->loss.contractive > 0) { /* ‖∂h/∂x‖²_F = Σ_j act'(h_j)² Σ_i W_ji², per sample */
        const clae_layer *l = m->layers[m->code_layer];
        size_t in = clae_shape_size(l->in);
        double sum = 0;
        for (int j = 0; j < width; j++) {
            double s = 0;
            for (size_t i = 0; i < in; i++) {
                double wji = h->p[l->w_off + (size_t)j * in + i];
                s += wji * wji;
            }
            for (int r = 0; r < BATCH; r++) {
                double v = code[r * width + j];
                double g = l->activation == CLAE_ACT_TANH ? 1 - v * v : v * (1 - v);
                sum += g * g * s;
            }
        }
        penalty += sp->loss.contractive * sum / BATCH;
    }
    if (sp->model.variational) { /* code holds the heads: mean, then log-variance */
        int k = width / 2;
        double kl = 0;
        for (int r = 0; r < BATCH; r++)
            for (int j = 0; j < k; j++) {
                double mu = code[r * width + j], lv = code[r * width + k + j];
                double eps = h->eps ? h->eps[r * k + j] : 0.0;
                h->z[r * k + j] = mu + exp(0.5 * lv) * eps;
                kl += 0.5 * (mu * mu + exp(lv) - 1 - lv);
            }
        penalty += sp->loss.kl_weight * kl / (BATCH * INPUT_DIM);
        *next = h->z;
    }
    /* winner-take-all selects on the code the penalties saw */
    if (sp->loss.winner_take_all > 0 && h->mask)
        for (int i = 0; i < BATCH * width; i++) code[i] *= h->mask[i];
    return penalty;
}

/* Loss of the batch under parameters p, computed as the device defines it:
 * mse = mean (y - x)², or for bce mean max(z,0) - z·x + log1p(exp(-|z|)) on the
 * last layer's logits z (the model keeps that layer linear). Records the
 * pre-activations of every relu / leaky_relu unit in h->kink. */
static double host_loss(host_model *h, const double *p)
{
    const clae_model *m = h->m;
    const double *in = h->x;
    double *out = h->a, penalty = 0;
    h->p = p;
    h->n_kink = 0;
    for (int i = 0; i < m->n_layers; i++) {
        const clae_layer *l = m->layers[i];
        if (l->vt != &clae_dense_vt) continue; /* the sampler and selection: at the code */
        int n_in = (int)clae_shape_size(l->in), n_out = (int)clae_shape_size(l->out);
        int tied = clae__dense_tied(l);
        for (int r = 0; r < BATCH; r++)
            for (int o = 0; o < n_out; o++) {
                double z = p[l->b_off + (size_t)o];
                for (int k = 0; k < n_in; k++) {
                    /* own W is out x in; a tied layer's is its mirror's, in x out */
                    size_t w = tied ? (size_t)k * (size_t)n_out + (size_t)o
                                    : (size_t)o * (size_t)n_in + (size_t)k;
                    z += in[r * n_in + k] * p[l->w_off + w];
                }
                if (has_kink(l->activation)) h->kink[h->n_kink++] = z;
                out[r * n_out + o] = act(l->activation, z);
            }
        in = out;
        if (i == m->code_layer) penalty = host_code_terms(h, out, n_out, &in);
        out = out == h->a ? h->b : h->a;
    }
    double sum = 0;
    for (int r = 0; r < BATCH * INPUT_DIM; r++) {
        double y = in[r], t = h->x[r];
        if (m->output_logits)
            sum += fmax(y, 0) - y * t + log1p(exp(-fabs(y)));
        else
            sum += (y - t) * (y - t);
    }
    return sum / (BATCH * INPUT_DIM) + penalty;
}

/* ---- one case ---------------------------------------------------------- */

static uint64_t rng_state;

static double uniform(void) /* xorshift64*, for reproducible batches */
{
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return (double)((rng_state * 0x2545F4914F6CDD1DULL) >> 11) / 9007199254740992.0;
}

static clae_layer_spec dense(int units, clae_activation a)
{
    clae_layer_spec l = clae_layer_spec_default(CLAE_LAYER_DENSE, 0);
    l.units = units;
    l.activation = a;
    return l;
}

static clae_spec base_spec(void)
{
    clae_spec s;
    clae_spec_defaults(&s);
    s.n_encoder = 1;
    s.encoder[0] = dense(5, CLAE_ACT_TANH);
    s.model.code = 3;
    s.code_activation = CLAE_ACT_LINEAR;
    s.model.output = CLAE_ACT_SIGMOID;
    s.loss.reconstruction = CLAE_RECON_MSE;
    return s;
}

static void run_case(clae_ctx *ctx, clae_device *dev, const char *name, const clae_spec *spec,
                     uint64_t seed)
{
    /* Only configurations the spec rules allow are worth checking. */
    clae_status st = clae_spec_validate(ctx, spec);
    if (st != CLAE_OK) fprintf(stderr, "%s: %s\n", name, clae_ctx_message(ctx));
    REQUIRE(st == CLAE_OK);

    clae_model *m = NULL;
    REQUIRE(clae__model_create(dev, spec, clae_shape_flat(INPUT_DIM), BATCH_MAX, &m) == CLAE_OK);
    size_t np = m->n_params, nx = (size_t)(BATCH + 1) * INPUT_DIM;
    size_t widest = INPUT_DIM, n_kink_max = 0;
    for (int i = 0; i < m->n_layers; i++) {
        size_t out = clae_shape_size(m->layers[i]->out);
        if (out > widest) widest = out;
        n_kink_max += (size_t)BATCH * out;
    }
    float *pf = malloc(np * sizeof *pf), *gf = malloc(np * sizeof *gf);
    float *xf = malloc(nx * sizeof *xf);
    double *p = malloc(np * sizeof *p), *x = malloc(BATCH * INPUT_DIM * sizeof *x);
    double *kink0 = malloc(n_kink_max * sizeof *kink0);
    host_model h = {m, spec, x, malloc(BATCH * widest * sizeof(double)),
                    malloc(BATCH * widest * sizeof(double)),
                    malloc(BATCH * widest * sizeof(double)),
                    malloc(n_kink_max * sizeof(double)), 0, NULL, NULL, NULL};
    float *eps = malloc(BATCH * widest * sizeof *eps), *mask = malloc(BATCH * widest * sizeof *mask);
    clae_buf xb = {0}, lossb = {0};
    int ok = pf && gf && xf && p && x && kink0 && h.a && h.b && h.z && h.kink && eps && mask;
    CHECK(ok);
    ok = ok && clae__buf_create(dev, nx, &xb) == CLAE_OK &&
         clae__buf_create(dev, CLAE_MAX_TERMS, &lossb) == CLAE_OK &&
         clae__model_init(m, seed) == CLAE_OK &&
         clae__buf_read(dev, &m->params, 0, np, pf) == CLAE_OK;
    CHECK(ok);
    if (!ok) goto done;
    /* The host works on exactly the float values the device holds. */
    for (size_t j = 0; j < np; j++) p[j] = pf[j];

    /* Draw batches in [0.05, 0.95] (inside bce's targets' open range) until
     * no relu / leaky_relu pre-activation lies within KINK_MARGIN of zero. */
    double base = 0;
    int tries = 0;
    rng_state = seed * 0x9E3779B97F4A7C15ULL + 1;
    for (;; tries++) {
        for (size_t r = 0; r < nx; r++) xf[r] = (float)(0.05 + 0.9 * uniform());
        for (size_t r = 0; r < BATCH * INPUT_DIM; r++) x[r] = xf[X_OFF + r];
        base = host_loss(&h, p);
        size_t near = 0;
        for (size_t k = 0; k < h.n_kink; k++) near += fabs(h.kink[k]) < KINK_MARGIN;
        if (near == 0 || tries == 50) break;
    }
    CHECK(tries < 50);
    size_t n_kink = h.n_kink;
    for (size_t k = 0; k < n_kink; k++) kink0[k] = h.kink[k];

    /* The device's loss and gradient: target = input, as in training (a VAE
     * samples its code, keyed by the step). */
    float terms[CLAE_MAX_TERMS] = {0};
    size_t code_values = (size_t)BATCH * (size_t)m->code;
    int sampler = clae__model_find(m, &clae_sampler_vt, 0), wta = clae__model_find(m, &clae_wta_vt, 0);
    m->step = seed;
    ok = clae__buf_write(dev, &xb, 0, nx, xf) == CLAE_OK &&
         clae__buf_fill(dev, &m->grads, 0, np, NAN) == CLAE_OK && /* nothing left unwritten */
         clae__model_forward(m, &xb, X_OFF, BATCH, CLAE_TRAINING) == CLAE_OK &&
         clae__model_loss(m, &xb, X_OFF, BATCH, CLAE_TRAINING, 1, &lossb, 0) == CLAE_OK &&
         clae__model_backward(m, &xb, X_OFF, BATCH, CLAE_TRAINING) == CLAE_OK &&
         clae__buf_read(dev, &lossb, 0, (size_t)m->n_terms, terms) == CLAE_OK &&
         clae__buf_read(dev, &m->grads, 0, np, gf) == CLAE_OK &&
         (sampler < 0 || clae__buf_read(dev, clae__sampler_eps(m->layers[sampler]), 0,
                                        code_values, eps) == CLAE_OK) &&
         (wta < 0 || clae__buf_read(dev, clae__wta_mask(m->layers[wta]), 0, code_values,
                                    mask) == CLAE_OK);
    if (!ok) fprintf(stderr, "%s: %s\n", name, clae_ctx_message(ctx));
    CHECK(ok);
    if (!ok) goto done;
    /* the host now uses the device's draws for this batch */
    h.eps = sampler >= 0 ? eps : NULL;
    h.mask = wta >= 0 ? mask : NULL;
    base = host_loss(&h, p);
    n_kink = h.n_kink;
    for (size_t k = 0; k < n_kink; k++) kink0[k] = h.kink[k];
    double dev_loss = 0;
    for (int t = 0; t < m->n_terms; t++) dev_loss += terms[t];
    /* float loss of O(0.1) summed over 28 terms: ~1e-7 relative */
    CHECK(fabs(dev_loss - base) <= 1e-5 * fabs(base));
    if (!(fabs(dev_loss - base) <= 1e-5 * fabs(base)))
        fprintf(stderr, "%s: device loss %.9g, host loss %.9g\n", name, dev_loss, base);

    double max_abs = 0, max_rel = 0, max_grad = 0, worst = 0;
    size_t skipped = 0, failed = 0;
    for (size_t j = 0; j < np; j++) {
        double saved = p[j];
        p[j] = saved + STEP;
        double up = host_loss(&h, p);
        /* A step that moves a kinked unit across zero measures a mix of both
         * slopes; with KINK_MARGIN that cannot happen for small weights, but
         * skip (and count) such a parameter rather than report noise. */
        int crossed = 0;
        for (size_t k = 0; k < n_kink; k++) crossed |= (h.kink[k] > 0) != (kink0[k] > 0);
        p[j] = saved - STEP;
        double down = host_loss(&h, p);
        for (size_t k = 0; k < n_kink; k++) crossed |= (h.kink[k] > 0) != (kink0[k] > 0);
        p[j] = saved;
        if (crossed) {
            skipped++;
            continue;
        }
        double num = (up - down) / (2 * STEP), ana = gf[j], err = fabs(ana - num);
        if (err > max_abs) max_abs = err;
        /* relative error, against 1e-3 for the tiny gradients */
        if (err / fmax(fabs(num), 1e-3) > max_rel) max_rel = err / fmax(fabs(num), 1e-3);
        if (fabs(num) > max_grad) max_grad = fabs(num);
        if (err / (ATOL + RTOL * fabs(num)) > worst) worst = err / (ATOL + RTOL * fabs(num));
        if (!(err <= ATOL + RTOL * fabs(num))) { /* also catches NaN */
            if (failed++ < 10)
                fprintf(stderr, "%s: parameter %zu: analytic %.9g, numeric %.9g\n", name, j, ana,
                        num);
        }
    }
    CHECK(failed == 0);
    CHECK(skipped == 0);
    CHECK(max_grad > 1e-3); /* a vanishing gradient would check nothing */
    printf("%-24s %3zu params  loss %.4f  max abs err %.1e  max rel err %.1e  err/tol %.4f%s\n",
           name, np, base, max_abs, max_rel, worst, skipped ? "  (kink skips)" : "");
    if (tries) printf("%-24s (batch redrawn %d times to stay off relu kinks)\n", "", tries);

done:
    clae__buf_release(&xb);
    clae__buf_release(&lossb);
    clae__model_destroy(m);
    free(pf);
    free(gf);
    free(xf);
    free(p);
    free(x);
    free(kink0);
    free(h.a);
    free(h.b);
    free(h.kink);
    free(h.z);
    free(eps);
    free(mask);
}

/* ---- the cases ---------------------------------------------------------- */

static void run_all(clae_ctx *ctx, clae_device *dev)
{
    char name[64];
    uint64_t seed = 11;

    /* Each activation as the hidden one (encoder and its mirror in the
     * decoder): 7-5-3-5-7, linear code, sigmoid output, mse. */
    for (int a = 0; a < CLAE_ACT_COUNT; a++) {
        clae_spec s = base_spec();
        s.encoder[0].activation = (clae_activation)a;
        snprintf(name, sizeof name, "hidden %s", clae_activation_name((clae_activation)a));
        run_case(ctx, dev, name, &s, seed++);
    }

    /* The code activations (linear is covered above). */
    static const clae_activation codes[] = {CLAE_ACT_SIGMOID, CLAE_ACT_TANH};
    for (size_t c = 0; c < sizeof codes / sizeof codes[0]; c++) {
        clae_spec s = base_spec();
        s.encoder[0].activation = CLAE_ACT_ELU;
        s.code_activation = codes[c];
        snprintf(name, sizeof name, "code %s", clae_activation_name(codes[c]));
        run_case(ctx, dev, name, &s, seed++);
    }

    /* Output and loss: linear + mse (sigmoid + mse is the base), sigmoid + bce
     * on logits. */
    clae_spec s = base_spec();
    s.model.output = CLAE_ACT_LINEAR;
    run_case(ctx, dev, "output linear, mse", &s, seed++);
    s = base_spec();
    s.loss.reconstruction = CLAE_RECON_BCE;
    run_case(ctx, dev, "output sigmoid, bce", &s, seed++);
    s.encoder[0].activation = CLAE_ACT_RELU;
    s.code_activation = CLAE_ACT_SIGMOID;
    run_case(ctx, dev, "bce, relu, sigmoid code", &s, seed++);

    /* Tied weights, two encoder layers: 7-6-5-3-5-6-7, each decoder layer
     * using its mirror's W transposed, the gradients of both uses summed. */
    s = base_spec();
    s.n_encoder = 2;
    s.encoder[0] = dense(6, CLAE_ACT_TANH);
    s.encoder[1] = dense(5, CLAE_ACT_LEAKY_RELU);
    s.code_activation = CLAE_ACT_SIGMOID;
    s.model.tied = 1;
    run_case(ctx, dev, "tied, 2 layers, mse", &s, seed++);
    s.loss.reconstruction = CLAE_RECON_BCE;
    s.encoder[1].activation = CLAE_ACT_RELU;
    run_case(ctx, dev, "tied, 2 layers, bce", &s, seed++);

    /* An explicit decoder, shaped unlike the encoder: 7-5-3-6-4-7. */
    s = base_spec();
    s.encoder[0].activation = CLAE_ACT_ELU;
    s.code_activation = CLAE_ACT_TANH;
    s.model.decoder_explicit = 1;
    s.n_decoder = 2;
    s.decoder[0] = dense(6, CLAE_ACT_LEAKY_RELU);
    s.decoder[1] = dense(4, CLAE_ACT_SIGMOID);
    run_case(ctx, dev, "explicit decoder, mse", &s, seed++);

    /* The families' terms. Sparsity on a sigmoid code: L1, and KL to a target. */
    s = base_spec();
    s.code_activation = CLAE_ACT_SIGMOID;
    s.loss.sparsity = CLAE_SPARSITY_L1;
    s.loss.sparsity_weight = 0.5;
    run_case(ctx, dev, "sparsity l1", &s, seed++);
    s.loss.sparsity = CLAE_SPARSITY_KL;
    s.loss.sparsity_target = 0.2;
    s.loss.sparsity_weight = 0.7;
    run_case(ctx, dev, "sparsity kl", &s, seed++);

    /* Winner-take-all keeping half the batch per unit: the dropped values pass
     * no gradient (the selection is the device's, fixed for the differences). */
    s = base_spec();
    s.code_activation = CLAE_ACT_SIGMOID;
    s.loss.winner_take_all = 50;
    run_case(ctx, dev, "winner-take-all 50%", &s, seed++);

    /* The contractive penalty on a sigmoid and on a tanh code, with a deeper
     * encoder (the penalty is on the code layer's Jacobian) and tied weights. */
    s = base_spec();
    s.code_activation = CLAE_ACT_SIGMOID;
    s.loss.contractive = 0.3;
    run_case(ctx, dev, "contractive, sigmoid", &s, seed++);
    s.code_activation = CLAE_ACT_TANH;
    s.n_encoder = 2;
    s.encoder[1] = dense(6, CLAE_ACT_ELU);
    s.model.tied = 1;
    run_case(ctx, dev, "contractive, tanh, tied", &s, seed++);

    /* A VAE: heads, the reparameterised sample (eps is the device's draw) and
     * the weighted KL, with mse and with bce. */
    s = base_spec();
    s.model.variational = 1;
    s.loss.kl_weight = 2.0;
    run_case(ctx, dev, "variational, mse", &s, seed++);
    s.loss.reconstruction = CLAE_RECON_BCE;
    s.encoder[0].activation = CLAE_ACT_RELU;
    run_case(ctx, dev, "variational, bce", &s, seed++);
}

int main(void)
{
    clae_ctx *ctx = clae_ctx_create();
    if (!ctx) return 1;
    int index = 0;
    clae_device *dev = NULL;
    clae_status st = clae_device_choose(ctx, NULL, &index);
    if (st == CLAE_OK) st = clae_device_open(ctx, index, &dev);
    if (st != CLAE_OK) {
        fprintf(stderr, "test_gradients: %s\n", clae_ctx_message(ctx));
        clae_ctx_destroy(ctx);
        /* No device is a skip, unless CI insists there must be one. */
        if (st == CLAE_ENODEVICE && !getenv("CLAE_REQUIRE_DEVICE")) return 77;
        return 1;
    }
    printf("device: %s (gemm: %s)\n", clae_device_get_info(dev)->name,
           clae_device_gemm_provider(dev));
    run_all(ctx, dev);
    clae_device_close(dev);
    clae_ctx_destroy(ctx);
    return check_finish();
}
