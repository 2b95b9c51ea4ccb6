#!/usr/bin/python3
"""PyTorch reference for clae's specs/conv_bn.ini: trains the same conv autoencoder on the same data.

Measures steady-state training throughput (samples/s over the training loops of epochs 2..N,
evaluation excluded; epoch 1 alone when N == 1) and the test MSE of the result in eval mode
(batch norm on its running statistics), as clae's summary.json reports them.
Model (PyTorch default init everywhere):
  encoder: three blocks Conv2d 3x3 padding 1 no bias + BatchNorm2d + ReLU + MaxPool2d(2) with
           32, 128, 256 filters (1x32x32 -> 256x4x4), flatten 4096, Linear 4096 -> 10 (linear code);
  decoder: view as 10x1x1, ConvTranspose2d 256 (k4 s1 p0, no bias) + BN + ReLU,
           ConvTranspose2d 128 (k2 s2, no bias) + BN + ReLU, ConvTranspose2d 32 (k2 s2, no bias)
           + BN + ReLU, ConvTranspose2d 1 (k2 s2, bias) + sigmoid -> 1x32x32;
  batch norm momentum 0.1, eps 1e-5; loss nn.MSELoss (mean over all values) on the sigmoid output;
  Adam(lr=1e-3); a fresh shuffle each epoch, last partial batch kept.
Data: the bundled 10,000 MNIST digits, pixels / 255, padded by 2 zeros each side to 32x32; the
FIRST 9,000 train, the LAST 1,000 test (holdout 0.1, as clae).
Prints one line of JSON. Run with /usr/bin/python3 (Debian's torch: apt-get install python3-torch).
"""
import argparse
import json
import os
import sys
import time

try:
    import numpy as np
    import torch
    from torch import nn
    from pytorch_ae import load_idx_images, split, train_epoch  # the dense reference's data and loop
except ImportError as e:  # say how to get it; never install anything from here
    sys.exit(f"{sys.argv[0]}: {e}; install Debian's PyTorch with: "
             "apt-get update && apt-get install -y python3-torch (and run this with /usr/bin/python3)")


def conv_block(c_in, c_out):
    return [nn.Conv2d(c_in, c_out, 3, padding=1, bias=False),
            nn.BatchNorm2d(c_out, eps=1e-5, momentum=0.1), nn.ReLU(), nn.MaxPool2d(2)]


def deconv_block(c_in, c_out, size, stride):
    return [nn.ConvTranspose2d(c_in, c_out, size, stride=stride, padding=0, bias=False),
            nn.BatchNorm2d(c_out, eps=1e-5, momentum=0.1), nn.ReLU()]


def build_model(side, code):
    """specs/conv_bn.ini: 1 x side x side -> code -> 1 x side x side (side must be 32)."""
    if side != 32:
        raise SystemExit(f"the conv_bn model needs 32x32 inputs, got {side}x{side} (check --pad)")
    return nn.Sequential(
        *conv_block(1, 32), *conv_block(32, 128), *conv_block(128, 256),  # -> 256 x 4 x 4
        nn.Flatten(), nn.Linear(256 * 4 * 4, code),                        # linear code
        nn.Unflatten(1, (code, 1, 1)),
        *deconv_block(code, 256, 4, 1),                                    # -> 256 x 4 x 4
        *deconv_block(256, 128, 2, 2),                                     # -> 128 x 8 x 8
        *deconv_block(128, 32, 2, 2),                                      # -> 32 x 16 x 16
        nn.ConvTranspose2d(32, 1, 2, stride=2, padding=0, bias=True),      # -> 1 x 32 x 32
        nn.Sigmoid())


@torch.no_grad()
def evaluate(model, x, batch):
    """Test MSE in eval mode (running batch-norm statistics): the per-value mean over the set."""
    model.eval()
    total = 0.0
    for i in range(0, len(x), batch):
        xb = x[i:i + batch]
        total += torch.sum((model(xb) - xb) ** 2).item()
    model.train()
    return total / x.numel()


def run(x_train, x_test, code, epochs, batch, seed, lr=1e-3):
    """Trains one model; returns a dict of the metrics."""
    torch.manual_seed(seed)
    model = build_model(x_train.shape[-1], code)
    opt = torch.optim.Adam(model.parameters(), lr=lr, betas=(0.9, 0.999), eps=1e-8)
    loss_fn = nn.MSELoss()
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
    test_mse = evaluate(model, x_test, batch)
    return {
        "samples_per_second": steady_samples / steady_seconds,
        "test_mse": test_mse,
        "train_loss": train_loss,
        "epoch_seconds": epoch_seconds,
        "seconds": time.perf_counter() - start,
        "epochs": epochs,
        "threads": torch.get_num_threads(),
        "parameters": sum(p.numel() for p in model.parameters()),
        "torch": torch.__version__,
    }


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--code", type=int, default=10)
    ap.add_argument("--epochs", type=int, default=3)
    ap.add_argument("--batch", type=int, default=128)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--pad", type=int, default=2, help="zeros on each side of the 28x28 digits")
    ap.add_argument("--threads", type=int, default=len(os.sched_getaffinity(0)),
                    help="torch.set_num_threads (default: all cores)")
    ap.add_argument("--data", default="data/mnist10k-images-idx3-ubyte.gz")
    a = ap.parse_args()
    if a.epochs < 1 or a.batch < 1 or a.code < 1 or a.threads < 1 or a.pad < 0:
        ap.error("--epochs, --batch, --code and --threads must be positive, --pad not negative")
    torch.set_num_threads(a.threads)
    x = load_idx_images(a.data)  # n x (side * side), the digits are square
    side = int(round(x.shape[1] ** 0.5))
    x = x.reshape(-1, side, side)
    x = np.pad(x, ((0, 0), (a.pad, a.pad), (a.pad, a.pad)))[:, None]  # n x 1 x 32 x 32
    x_train, x_test = split(x)
    print(json.dumps(run(x_train, x_test, a.code, a.epochs, a.batch, a.seed)))


if __name__ == "__main__":
    main()
