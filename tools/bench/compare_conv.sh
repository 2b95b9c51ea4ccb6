#!/bin/sh
# compare_conv.sh — clae against PyTorch on the convolutional model specs/conv_bn.ini.
#
# Trains specs/conv_bn.ini (32x32 padded digits; conv 32/128/256 + batch norm + relu + max pool,
# code 10, transposed convs back; MSE, Adam 1e-3, batch 128) with clae, then the same model with
# tools/bench/pytorch_conv.py, and prints a table: model, each tool's steady-state training
# throughput (samples/s over epochs 2..N), their ratio, and each test MSE. PyTorch gets its best
# of three thread set-ups. It is tools/bench/compare_all.sh with one model (row f of its table);
# see there for the set-ups and the second pass with OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE unset.
# --models conv_bn,bench adds the dense specs/bench.ini (any of compare_all.sh's models works).
# Builds nothing: expects DIR/clae (default build/clae).
#
# usage: tools/bench/compare_conv.sh [--epochs N] [--build DIR] [--threads T] [--models LIST]
#   --epochs: epochs of every run (default 2; conv_bn takes about half a minute an epoch in clae
#             on 2 CPU cores)
set -eu

case "${1:-}" in -h|--help) sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;; esac
exec "$(dirname "$0")/compare_all.sh" --models conv_bn --epochs 2 "$@"
