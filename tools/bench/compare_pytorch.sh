#!/bin/sh
# compare_pytorch.sh — clae against PyTorch on the benchmark model specs/bench.ini.
#
# Trains specs/bench.ini (784-512-256-64-256-512-784, bce, adam, batch 128) with clae, then the
# same model with tools/bench/pytorch_ae.py, and prints each tool's steady-state training
# throughput (samples/s over epochs 2..N), their ratio and each test MSE. PyTorch gets its
# best thread set-up. It is tools/bench/compare_all.sh with one model (row d of its table);
# see there for the set-ups and the second pass with OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE unset.
# Builds nothing: expects DIR/clae (default build/clae).
#
# usage: tools/bench/compare_pytorch.sh [--epochs N] [--build DIR] [--threads T]
#   --epochs: default 3; --threads: the threads of PyTorch's multi-threaded set-ups (default: all cores)
set -eu

case "${1:-}" in -h|--help) sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;; esac
exec "$(dirname "$0")/compare_all.sh" --models bench --epochs 3 "$@"
