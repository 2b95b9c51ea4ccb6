#!/usr/bin/python3
"""PyTorch reference for clae's dense autoencoder: trains the same model on the same data.

Measures steady-state training throughput (samples/s over the training loops of epochs 2..N,
evaluation excluded; epoch 1 alone when N == 1) and the test MSE / BCE of the result.
Model: 784-H1-..-code-..-H1-784, relu hidden layers, sigmoid code, sigmoid output trained with
BCE on the logits (nn.BCEWithLogitsLoss, mean over all values); nn.Linear default init;
Adam(lr=1e-3); a fresh shuffle each epoch, last partial batch kept. Data: the FIRST 9,000
digits of the IDX file train, the LAST 1,000 test (holdout 0.1, as clae), pixels / 255.
Prints one line of JSON. Run with /usr/bin/python3 (Debian's torch).
"""
import argparse
import gzip
import json
import os
import struct
import time

import numpy as np
import torch
from torch import nn


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


def build_model(dim, hidden, code):
    """Encoder dim->hidden...->code (relu hidden, sigmoid code), mirrored decoder; returns logits."""
    layers, width = [], dim
    for h in hidden:
        layers += [nn.Linear(width, h), nn.ReLU()]
        width = h
    layers += [nn.Linear(width, code), nn.Sigmoid()]
    width = code
    for h in reversed(hidden):
        layers += [nn.Linear(width, h), nn.ReLU()]
        width = h
    layers.append(nn.Linear(width, dim))  # logits; the reconstruction is their sigmoid
    return nn.Sequential(*layers)


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
    """(test_mse, test_bce): per-value means over the whole test set."""
    logits = model(x)
    return torch.mean((torch.sigmoid(logits) - x) ** 2).item(), loss_fn(logits, x).item()


def run(x_train, x_test, hidden, code, epochs, batch, seed, lr=1e-3):
    """Trains one model; returns a dict of the metrics."""
    torch.manual_seed(seed)
    model = build_model(x_train.shape[1], hidden, code)
    opt = torch.optim.Adam(model.parameters(), lr=lr, betas=(0.9, 0.999), eps=1e-8)
    loss_fn = nn.BCEWithLogitsLoss()
    start = time.perf_counter()
    steady_seconds = steady_samples = 0.0
    for epoch in range(1, epochs + 1):
        t0 = time.perf_counter()
        model.train()
        train_epoch(model, opt, loss_fn, x_train, batch)
        if epoch > 1 or epochs == 1:  # epoch 1 pays for warm-up, as in clae
            steady_seconds += time.perf_counter() - t0
            steady_samples += len(x_train)
        model.eval()
        test_mse, test_loss = evaluate(model, loss_fn, x_test)
    return {
        "samples_per_second": steady_samples / steady_seconds,
        "test_mse": test_mse,
        "test_loss": test_loss,
        "seconds": time.perf_counter() - start,
        "epochs": epochs,
        "threads": torch.get_num_threads(),
        "parameters": sum(p.numel() for p in model.parameters()),
    }


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--hidden", default="512,256", help="encoder widths, comma-separated")
    ap.add_argument("--code", type=int, default=64)
    ap.add_argument("--epochs", type=int, default=3)
    ap.add_argument("--batch", type=int, default=128)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--threads", type=int, default=len(os.sched_getaffinity(0)),
                    help="torch.set_num_threads (default: all cores)")
    ap.add_argument("--data", default="data/mnist10k-images-idx3-ubyte.gz")
    a = ap.parse_args()
    if a.epochs < 1 or a.batch < 1 or a.code < 1 or a.threads < 1:
        ap.error("--epochs, --batch, --code and --threads must be positive")
    torch.set_num_threads(a.threads)
    hidden = [int(h) for h in a.hidden.split(",") if h.strip()]
    x_train, x_test = split(load_idx_images(a.data))
    print(json.dumps(run(x_train, x_test, hidden, a.code, a.epochs, a.batch, a.seed)))


if __name__ == "__main__":
    main()
