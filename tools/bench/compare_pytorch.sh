#!/bin/sh
# compare_pytorch.sh — clae against PyTorch on the same model, data and settings.
#
# Trains specs/bench.ini (784-512-256-64-256-512-784, bce, adam, batch 128) with clae, then the
# same model with tools/bench/pytorch_ae.py, one after the other, and prints each tool's
# steady-state training throughput (samples/s over epochs 2..N) and test MSE, and their ratio.
# PyTorch runs in two thread set-ups (1 thread; T threads with a passive OpenMP wait policy) and
# its best counts: Debian's torch (OpenMP) with the pthread OpenBLAS oversubscribes the cores when
# both spin, which makes the out-of-the-box set-up far slower (see README, Performance).
# Builds nothing: expects DIR/clae (default build/clae).
#
# usage: tools/bench/compare_pytorch.sh [--epochs N] [--build DIR] [--threads T]
#   --threads: the threads of PyTorch's multi-threaded set-up (default: all cores)
set -eu

root=$(cd "$(dirname "$0")/../.." && pwd)
epochs=3
build=build
threads=$(nproc)
while [ $# -gt 0 ]; do
    case "$1" in
        --epochs) [ $# -ge 2 ] || { echo "$0: --epochs needs a value" >&2; exit 2; }; epochs=$2; shift 2 ;;
        --build) [ $# -ge 2 ] || { echo "$0: --build needs a value" >&2; exit 2; }; build=$2; shift 2 ;;
        --threads) [ $# -ge 2 ] || { echo "$0: --threads needs a value" >&2; exit 2; }; threads=$2; shift 2 ;;
        -h|--help) sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "$0: unknown argument '$1' (usage: $0 [--epochs N] [--build DIR] [--threads T])" >&2; exit 2 ;;
    esac
done
for n in "$epochs" "$threads"; do
    case "$n" in ''|*[!0-9]*|0) echo "$0: --epochs and --threads take a positive integer, got '$n'" >&2; exit 2 ;; esac
done
case "$build" in /*) ;; *) build=$(pwd)/$build ;; esac
clae=$build/clae
if [ ! -x "$clae" ]; then
    echo "$0: $clae not found; build it first: cmake -S . -B build -DCMAKE_BUILD_TYPE=Release && make -C build -j2" >&2
    exit 1
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
cd "$root"

# json_num FILE KEY: the number after "KEY": in a JSON file (one-line or pretty-printed).
json_num() { sed -n "s/.*\"$2\"[[:space:]]*:[[:space:]]*\([-+0-9.eE]*\).*/\1/p" "$1" | head -n 1; }

echo "training specs/bench.ini for $epochs epochs with clae..." >&2
if ! "$clae" train --spec specs/bench.ini --out "$tmp/clae" --epochs "$epochs" >"$tmp/clae.log" 2>&1; then
    cat "$tmp/clae.log" >&2
    echo "$0: clae train failed" >&2
    exit 1
fi
clae_sps=$(json_num "$tmp/clae/summary.json" samples_per_second)
clae_mse=$(json_num "$tmp/clae/summary.json" test_mse)

have_torch=yes
/usr/bin/python3 -c 'import torch' >/dev/null 2>&1 || have_torch=no
torch_sps=0
if [ "$have_torch" = yes ]; then
    # Each set-up: torch threads, OpenBLAS threads, OpenMP wait policy. Debian's torch
    # (OpenMP) and the pthread OpenBLAS oversubscribe the cores when both spin, so
    # PyTorch gets the set-ups that suit it here and its best one counts.
    for setup in "1 1 ACTIVE" "$threads $threads PASSIVE"; do
        set -- $setup
        echo "training the same model for $epochs epochs with PyTorch ($1 thread(s))..." >&2
        OPENBLAS_NUM_THREADS=$2 OMP_WAIT_POLICY=$3 /usr/bin/python3 tools/bench/pytorch_ae.py \
            --hidden 512,256 --code 64 --epochs "$epochs" --batch 128 --seed 1 --threads "$1" \
            >"$tmp/torch.json"
        sps=$(json_num "$tmp/torch.json" samples_per_second)
        echo "  PyTorch, $1 thread(s): $sps samples/s" >&2
        if awk -v a="$sps" -v b="$torch_sps" 'BEGIN { exit !(a > b) }'; then
            torch_sps=$sps
            torch_mse=$(json_num "$tmp/torch.json" test_mse)
            torch_threads=$1
        fi
    done
fi

device=$(sed -n 's/.*"device"[[:space:]]*:[[:space:]]*"\([^"]*\)".*/\1/p' "$tmp/clae/summary.json" | head -n 1)
echo "784-512-256-64-256-512-784, bce, adam, batch 128, $epochs epochs (samples/s: epochs 2..N)"
printf '%-36s %12s %10s\n' tool samples/s test_mse
printf '%-36s %12.0f %10.5f\n' "clae ($device)" "$clae_sps" "$clae_mse"
if [ "$have_torch" = no ]; then
    echo "PyTorch: /usr/bin/python3 cannot import torch; skipped (apt install python3-torch)"
    exit 0
fi
printf '%-36s %12.0f %10.5f\n' "PyTorch CPU (best: $torch_threads thread(s))" "$torch_sps" "$torch_mse"
awk -v a="$clae_sps" -v b="$torch_sps" 'BEGIN { printf "clae is %.2fx PyTorch\n", a / b }'
