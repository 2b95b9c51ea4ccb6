#!/usr/bin/python3
"""PyTorch reference for clae's dense autoencoders: trains the same model on the same data.

Measures steady-state training throughput (samples/s over the training loops of epochs 2..N,
evaluation excluded; epoch 1 alone when N == 1) and the test MSE / loss of the result.
Model: 784-H1-..-code-..-H1-784 with a mirrored decoder (no hidden layers: 784-code-784);
nn.Linear default init; Adam(lr) with PyTorch's defaults otherwise; a fresh shuffle each
epoch, last partial batch kept. Defaults (the model of specs/bench.ini): relu hidden layers,
sigmoid code, sigmoid output trained with BCE on the logits (nn.BCEWithLogitsLoss).
Every loss is scaled as clae scales it (see README, "How the terms are scaled"):
  reconstruction  the mean over all values of the batch (bce: on the logits; mse: on the output);
  --variational   the code layer is 2 x code linear heads (mean, log-variance) as in clae's
                  checkpoint; training decodes mean + exp(logvar / 2) * eps, evaluation the mean;
                  adds kl_weight * sum over the batch of KL(q(z|x) || N(0, I)) / (batch * 784);
  --sparsity-kl   adds sparsity_weight * mean over code units of KL(rho || the unit's mean
                  activation over the batch), the mean clamped to [1e-6, 1 - 1e-6] as clae's
                  kernel does (the gradient passes the clamp, as clae's).
--spec FILE reads the model, loss and training settings from a clae spec of this family (the
bundled digits, dense layers with a mirrored untied decoder, Adam, a constant rate; bce or mse,
KL sparsity, a VAE) and refuses a key it cannot mirror; the other options override it.
Data: the FIRST 9,000 digits of the IDX file train, the LAST 1,000 test (holdout 0.1, as
clae), pixels / 255. Prints one line of JSON. Run with /usr/bin/python3 (Debian's torch).
"""
import argparse
import gzip
import json
import os
import struct
import sys
import time

try:
    import numpy as np
    import torch
    from torch import nn
except ImportError as e:  # say how to get it; never install anything from here
    sys.exit(f"{sys.argv[0]}: {e}; install Debian's PyTorch with: "
             "apt-get update && apt-get install -y python3-torch (and run this with /usr/bin/python3)")

# clae's activations (cl/common.cl): leaky relu slope 0.01 and elu alpha 1, PyTorch's defaults.
ACTIVATIONS = {"relu": nn.ReLU, "leaky_relu": nn.LeakyReLU, "elu": nn.ELU,
               "sigmoid": nn.Sigmoid, "tanh": nn.Tanh, "linear": nn.Identity}
SPARSITY_CLAMP = 1e-6


def load_idx_images(path):
    """A gzipped (or plain) IDX3 file of uint8 images -> float32 array (n, rows*cols) in [0, 1]."""
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as f:
        raw = f.read()
    if len(raw) < 16:
        raise SystemExit(f"{path}: too short for an IDX header ({len(raw)} bytes)")
    magic, n, rows, cols = struct.unpack(">IIII", raw[:16])
    if magic != 0x00000803:
        raise SystemExit(f"{path}: bad magic 0x{magic:08x}, expected 0x00000803 (IDX3 uint8 images)")
    want = 16 + n * rows * cols
    if len(raw) < want:
        raise SystemExit(f"{path}: truncated at byte {len(raw)} of {want}")
    pixels = np.frombuffer(raw, dtype=np.uint8, count=n * rows * cols, offset=16)
    return pixels.reshape(n, rows * cols).astype(np.float32) / 255.0


def split(x, holdout=0.1):
    """clae's split: the last round(holdout * n) samples are the test set."""
    n_test = int(holdout * len(x) + 0.5)
    return torch.from_numpy(x[: len(x) - n_test].copy()), torch.from_numpy(x[len(x) - n_test:].copy())


class Autoencoder(nn.Module):
    """Encoder dim -> hidden... -> code, mirrored decoder; forward gives (pre-activation output, code).

    The code is the activated code layer, or for a VAE the heads (batch x 2 code: means, then
    log-variances). The output's activation is applied by the loss (BCE on logits) or output().
    """

    def __init__(self, dim, hidden, code, hidden_act="relu", code_act="sigmoid",
                 output_act="sigmoid", variational=False):
        super().__init__()
        self.variational, self.code = variational, code
        acts = [hidden_act] * len(hidden) if isinstance(hidden_act, str) else list(hidden_act)
        layers, width = [], dim
        for h, act in zip(hidden, acts):
            layers += [nn.Linear(width, h), ACTIVATIONS[act]()]
            width = h
        self.encoder = nn.Sequential(*layers)
        self.code_layer = nn.Linear(width, 2 * code if variational else code)
        self.code_act = ACTIVATIONS[code_act]()
        # clae's mirror: the layer back to a width is activated as the layer that made it
        layers, width = [], code
        for h, act in zip(reversed(hidden), reversed(acts)):
            layers += [nn.Linear(width, h), ACTIVATIONS[act]()]
            width = h
        layers.append(nn.Linear(width, dim))
        self.decoder = nn.Sequential(*layers)
        self.output_act = ACTIVATIONS[output_act]()

    def forward(self, x):
        c = self.code_act(self.code_layer(self.encoder(x)))
        if not self.variational:
            return self.decoder(c), c
        mean, logvar = c[:, :self.code], c[:, self.code:]
        z = mean + torch.exp(0.5 * logvar) * torch.randn_like(mean) if self.training else mean
        return self.decoder(z), c

    def output(self, pre):
        return self.output_act(pre)


class Objective:
    """clae's objective: per-value reconstruction plus the terms, each scaled as clae scales it."""

    def __init__(self, model, loss="bce", kl_weight=1.0, sparsity_target=None, sparsity_weight=1.0):
        self.model, self.loss = model, loss
        self.kl_weight, self.rho, self.sparsity_weight = kl_weight, sparsity_target, sparsity_weight
        self.bce = nn.BCEWithLogitsLoss()

    def reconstruction(self, pre, x):
        if self.loss == "bce":
            return self.bce(pre, x)
        return torch.mean((self.model.output(pre) - x) ** 2)

    def kl(self, heads, x):
        """kl_weight * KL(q(z|x) || N(0, I)) summed over the batch, per value of a sample."""
        code = self.model.code
        mean, logvar = heads[:, :code], heads[:, code:]
        total = 0.5 * torch.sum(mean * mean + torch.exp(logvar) - 1.0 - logvar)
        return self.kl_weight * total / x.numel()  # / (batch * values per sample)

    def sparsity(self, h):
        """sparsity_weight * mean over units of KL(rho || the unit's mean activation)."""
        mean = h.mean(dim=0)
        # clae clamps the mean and lets the gradient through: the value at the clamped mean
        # with d(mean)/d(h) unchanged
        mean = mean + (mean.clamp(SPARSITY_CLAMP, 1.0 - SPARSITY_CLAMP) - mean).detach()
        rho = self.rho
        kl = rho * torch.log(rho / mean) + (1.0 - rho) * torch.log((1.0 - rho) / (1.0 - mean))
        return self.sparsity_weight * kl.mean()

    def __call__(self, out, x):
        pre, code = out
        total = self.reconstruction(pre, x)
        if self.model.variational:
            total = total + self.kl(code, x)
        if self.rho is not None:
            total = total + self.sparsity(code)
        return total


def train_epoch(model, opt, loss_fn, x, batch):
    """One pass in a fresh random order; returns the sample-weighted mean training loss."""
    perm = torch.randperm(len(x))
    total = 0.0
    for i in range(0, len(x), batch):
        xb = x[perm[i:i + batch]]
        loss = loss_fn(model(xb), xb)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        total += loss.item() * len(xb)
    return total / len(x)


@torch.no_grad()
def evaluate(model, loss_fn, x):
    """(test_mse, test_loss) in evaluation mode (a VAE decodes its mean): per-value means over
    the whole test set; test_loss is the objective with the test set as one batch."""
    model.eval()
    out = model(x)
    mse = torch.mean((model.output(out[0]) - x) ** 2).item()
    loss = loss_fn(out, x).item()
    model.train()
    return mse, loss


def run(x_train, x_test, hidden, code, epochs, batch, seed, lr=1e-3, hidden_act="relu",
        code_act="sigmoid", output_act="sigmoid", loss="bce", variational=False, kl_weight=1.0,
        sparsity_target=None, sparsity_weight=1.0, betas=(0.9, 0.999), eps=1e-8):
    """Trains one model; returns a dict of the metrics."""
    torch.manual_seed(seed)
    model = Autoencoder(x_train.shape[1], hidden, code, hidden_act, code_act, output_act,
                        variational)
    opt = torch.optim.Adam(model.parameters(), lr=lr, betas=betas, eps=eps)
    loss_fn = Objective(model, loss, kl_weight, sparsity_target, sparsity_weight)
    start = time.perf_counter()
    steady_seconds = steady_samples = 0.0
    epoch_seconds, train_loss = [], 0.0
    model.train()
    for epoch in range(1, epochs + 1):
        t0 = time.perf_counter()
        train_loss = train_epoch(model, opt, loss_fn, x_train, batch)
        seconds = time.perf_counter() - t0
        epoch_seconds.append(round(seconds, 3))
        if epoch > 1 or epochs == 1:  # epoch 1 pays for warm-up, as in clae
            steady_seconds += seconds
            steady_samples += len(x_train)
    test_mse, test_loss = evaluate(model, loss_fn, x_test)
    return {
        "samples_per_second": steady_samples / steady_seconds,
        "test_mse": test_mse,
        "test_loss": test_loss,
        "train_loss": train_loss,
        "epoch_seconds": epoch_seconds,
        "seconds": time.perf_counter() - start,
        "epochs": epochs,
        "threads": torch.get_num_threads(),
        "parameters": sum(p.numel() for p in model.parameters()),
        "torch": torch.__version__,
    }


# What --spec mirrors: keys of a dense clae spec and the values this script can reproduce.
SPEC_FIXED = {  # key: the values allowed (clae's default first)
    ("data", "train"): ("mnist",), ("data", "label_column"): ("none",),
    ("model", "decoder"): ("mirror",), ("model", "tied"): ("no", "false", "0"),
    ("loss", "sparsity"): ("none", "kl"),
    ("train", "optimizer"): ("adam",), ("train", "pretrain"): ("none",),
    ("train", "schedule"): ("constant",),
}
SPEC_ZERO = {("data", "limit"), ("data", "pad"), ("noise", "gaussian"), ("noise", "mask"),
             ("loss", "contractive"), ("loss", "winner_take_all"), ("train", "patience")}
SPEC_IGNORED = {("data", "labels"), ("data", "classes"), ("train", "momentum"), ("train", "rho"),
                ("train", "pretrain_epochs"), ("train", "schedule_step"),
                ("train", "schedule_gamma"), ("output", "dir"), ("output", "samples")}


def spec_lines(path):
    """(line number, section, key, value) of a clae spec, comments stripped as clae strips them."""
    section = None
    with open(path, encoding="utf-8") as f:
        for number, line in enumerate(f, 1):
            text = line.strip()
            for i, ch in enumerate(text):  # a comment starts a line or follows a space
                if ch in ";#" and (i == 0 or text[i - 1].isspace()):
                    text = text[:i].rstrip()
                    break
            if not text:
                continue
            if text.startswith("[") and text.endswith("]"):
                section = text[1:-1].strip().lower()
                yield number, section, None, None
            elif "=" in text and section:
                key, value = (t.strip() for t in text.split("=", 1))
                yield number, section, key.lower(), value
            else:
                raise SystemExit(f"{path}:{number}: not a section, key = value or comment")


def read_spec(path):
    """A dense clae spec -> this script's option values; exits naming what it cannot mirror."""
    v = {"hidden": "", "code": 32, "code_activation": "sigmoid", "output": "sigmoid",
         "loss": "mse", "variational": False, "kl_weight": 1.0, "sparsity_kl": None,
         "sparsity_weight": 0.1, "lr": 1e-3, "epochs": 20, "batch": 128, "seed": 1,
         "holdout": 0.1, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8}  # clae's key defaults
    hidden, acts, target, sparsity, seen_code = [], [], 0.05, "none", False
    floats = {("data", "holdout"): "holdout", ("loss", "kl_weight"): "kl_weight",
              ("loss", "sparsity_weight"): "sparsity_weight", ("train", "learning_rate"): "lr",
              ("train", "beta1"): "beta1", ("train", "beta2"): "beta2", ("train", "epsilon"): "eps"}
    ints = {("model", "code"): "code", ("train", "epochs"): "epochs",
            ("train", "batch"): "batch", ("train", "seed"): "seed"}
    for number, section, key, value in spec_lines(path):
        where = f"{path}:{number}: [{section}]"
        if key is None:
            if section == "dense" and seen_code:
                raise SystemExit(f"{where}: an explicit decoder is not mirrored here")
            if section == "dense":
                hidden.append(None)
                acts.append("relu")
            seen_code = seen_code or section == "code"
            if section not in ("data", "model", "dense", "code", "noise", "loss", "train",
                               "output"):
                raise SystemExit(f"{where}: this script builds dense models only")
            continue
        try:
            if (section, key) in floats:
                v[floats[section, key]] = float(value)
            elif (section, key) in ints:
                v[ints[section, key]] = int(value)
            elif section == "dense" and key == "units":
                hidden[-1] = int(value)
            elif section == "dense" and key == "activation":
                acts[-1] = value
            elif section == "code" and key == "activation":
                v["code_activation"] = value
            elif (section, key) == ("model", "output"):
                v["output"] = value
            elif (section, key) == ("model", "variational"):
                v["variational"] = value.lower() in ("yes", "true", "1")
            elif (section, key) == ("loss", "reconstruction"):
                v["loss"] = value
            elif (section, key) == ("loss", "sparsity_target"):
                target = float(value)
            elif (section, key) in SPEC_ZERO:
                if float(value) != 0.0:
                    raise SystemExit(f"{where} {key} = {value}: not mirrored here (only 0)")
            elif (section, key) in SPEC_FIXED:
                if value.lower() not in SPEC_FIXED[section, key]:
                    raise SystemExit(f"{where} {key} = {value}: not mirrored here (only "
                                     f"{' or '.join(SPEC_FIXED[section, key])})")
                if (section, key) == ("loss", "sparsity"):
                    sparsity = value.lower()
            elif (section, key) not in SPEC_IGNORED:
                raise SystemExit(f"{where} {key}: not mirrored here")
        except ValueError:
            raise SystemExit(f"{where} {key} = {value}: not a number")
    if None in hidden:
        raise SystemExit(f"{path}: a [dense] section without units")
    for act in acts + [v["code_activation"], v["output"]]:
        if act not in ACTIVATIONS:
            raise SystemExit(f"{path}: unknown activation '{act}'")
    v["hidden"] = ",".join(str(h) for h in hidden)
    v["hidden_activation"] = ",".join(acts) if acts else "relu"
    if sparsity == "kl":
        v["sparsity_kl"] = target
    return v


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--spec", metavar="FILE",
                    help="take the model and settings from a clae spec (the options override it)")
    ap.add_argument("--hidden", default="512,256",
                    help="encoder widths, comma-separated ('' for none: 784-code-784)")
    ap.add_argument("--code", type=int, default=64)
    ap.add_argument("--hidden-activation", default="relu",
                    help="one for every hidden layer, or one per layer, comma-separated: "
                         + " | ".join(ACTIVATIONS))
    ap.add_argument("--code-activation", default="sigmoid", choices=list(ACTIVATIONS))
    ap.add_argument("--output", default="sigmoid", choices=["sigmoid", "tanh", "linear"],
                    help="the reconstruction's activation")
    ap.add_argument("--loss", default="bce", choices=["bce", "mse"])
    ap.add_argument("--variational", action="store_true",
                    help="a VAE: mean and log-variance heads (needs --code-activation linear)")
    ap.add_argument("--kl-weight", type=float, default=1.0, help="beta, with --variational")
    ap.add_argument("--sparsity-kl", type=float, metavar="RHO",
                    help="adds the KL sparsity penalty towards RHO (needs a sigmoid code)")
    ap.add_argument("--sparsity-weight", type=float, default=1.0, help="with --sparsity-kl")
    ap.add_argument("--lr", type=float, default=1e-3)
    ap.add_argument("--epochs", type=int, default=3)
    ap.add_argument("--batch", type=int, default=128)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--threads", type=int, default=len(os.sched_getaffinity(0)),
                    help="torch.set_num_threads (default: all cores)")
    ap.add_argument("--data", default=os.path.join(here, "..", "..", "data",
                                                   "mnist10k-images-idx3-ubyte.gz"),
                    help="an IDX3 file of images (default: the bundled digits)")
    ap.set_defaults(holdout=0.1, beta1=0.9, beta2=0.999, eps=1e-8)
    first, _ = ap.parse_known_args()
    if first.spec:  # the spec's values become the defaults, so options still override them
        ap.set_defaults(**read_spec(first.spec))
    a = ap.parse_args()
    if a.epochs < 1 or a.batch < 1 or a.code < 1 or a.threads < 1 or a.lr <= 0:
        ap.error("--epochs, --batch, --code, --threads and --lr must be positive")
    if a.loss == "bce" and a.output != "sigmoid":
        ap.error("--loss bce needs --output sigmoid (as clae)")
    if a.variational and a.code_activation != "linear":
        ap.error("--variational needs --code-activation linear (as clae)")
    if a.variational and a.sparsity_kl is not None:
        ap.error("--variational and --sparsity-kl do not combine here")
    if a.sparsity_kl is not None and not (0.0 < a.sparsity_kl < 1.0 and a.code_activation == "sigmoid"):
        ap.error("--sparsity-kl takes a target in (0, 1) and needs --code-activation sigmoid")
    try:
        hidden = [int(h) for h in a.hidden.split(",") if h.strip()]
    except ValueError:
        ap.error(f"--hidden takes comma-separated widths, got '{a.hidden}'")
    if any(h < 1 for h in hidden):
        ap.error("--hidden widths must be positive")
    acts = [t.strip() for t in a.hidden_activation.split(",")]
    if len(acts) == 1:
        acts *= len(hidden)
    if len(acts) != len(hidden) or any(t not in ACTIVATIONS for t in acts):
        ap.error(f"--hidden-activation: one of {', '.join(ACTIVATIONS)}, or one per hidden layer")
    torch.set_num_threads(a.threads)
    x_train, x_test = split(load_idx_images(a.data), a.holdout)
    print(json.dumps(run(x_train, x_test, hidden, a.code, a.epochs, a.batch, a.seed, a.lr, acts,
                         a.code_activation, a.output, a.loss, a.variational, a.kl_weight,
                         a.sparsity_kl, a.sparsity_weight, (a.beta1, a.beta2), a.eps)))


if __name__ == "__main__":
    main()
