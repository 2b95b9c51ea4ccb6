#!/usr/bin/python3
"""PyTorch quality reference for specs/dense.ini: the test MSE clae's result should match.

Trains 784-256-64-256-784 (relu hidden, sigmoid code, sigmoid output via BCEWithLogits),
Adam 1e-3, batch 128, 10 epochs on the first 9,000 bundled digits, and reports the per-value
test MSE on the last 1,000, for each seed and their mean. Compare with
  for s in 1 2; do build/clae train --spec specs/dense.ini --epochs 10 --seed $s --out /tmp/q$s; done
Run with /usr/bin/python3 (Debian's torch).
"""
import argparse
import os

import torch

from pytorch_ae import load_idx_images, run, split


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", default="1,2", help="comma-separated")
    ap.add_argument("--epochs", type=int, default=10)
    ap.add_argument("--threads", type=int, default=len(os.sched_getaffinity(0)))
    ap.add_argument("--data", default="data/mnist10k-images-idx3-ubyte.gz")
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    x_train, x_test = split(load_idx_images(a.data))
    mses = []
    for seed in [int(s) for s in a.seeds.split(",") if s.strip()]:
        mse = run(x_train, x_test, [256], 64, a.epochs, 128, seed)["test_mse"]
        mses.append(mse)
        print(f"seed {seed}: test_mse {mse:.5f}", flush=True)
    print(f"mean: test_mse {sum(mses) / len(mses):.5f}")


if __name__ == "__main__":
    main()
