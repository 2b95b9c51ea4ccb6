#!/bin/sh
# compare_conv.sh — clae against PyTorch on the convolutional model specs/conv_bn.ini.
#
# Trains specs/conv_bn.ini (32x32 padded digits; conv 32/128/256 + batch norm + relu + max pool,
# code 10, transposed convs back; MSE, Adam 1e-3, batch 128) with clae, then the same model with
# tools/bench/pytorch_conv.py, one after the other, and prints a table: model, each tool's
# steady-state training throughput (samples/s over epochs 2..N), their ratio, and each test MSE.
# PyTorch runs in three thread set-ups (1 thread; T threads with 1-thread OpenBLAS; T threads
# with T-thread OpenBLAS; the multi-threaded ones with a passive OpenMP wait policy, since spinning
# threads crawl when anything else shares the cores) and its best counts.
# Runs twice: with the machine's environment, then with OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE
# unset for both tools (skipped, and said so, when neither is set).
# --models conv_bn,bench adds the dense specs/bench.ini (through pytorch_ae.py) to the table.
# Builds nothing: expects DIR/clae (default build/clae). Needs Debian's PyTorch for /usr/bin/python3
# (apt-get install python3-torch); without it only clae's numbers are printed.
#
# usage: tools/bench/compare_conv.sh [--epochs N] [--build DIR] [--threads T] [--models LIST]
#   --epochs: epochs of every run (default 2; conv_bn takes minutes per epoch in clae on a CPU)
#   --threads: the threads of PyTorch's multi-threaded set-ups (default: all cores)
#   --models: comma-separated, of conv_bn (default) and bench
set -eu

root=$(cd "$(dirname "$0")/../.." && pwd)
epochs=2
build=build
threads=$(nproc)
models=conv_bn
usage="usage: $0 [--epochs N] [--build DIR] [--threads T] [--models conv_bn,bench]"
while [ $# -gt 0 ]; do
    case "$1" in
        --epochs|--build|--threads|--models)
            [ $# -ge 2 ] || { echo "$0: $1 needs a value" >&2; exit 2; }
            case "$1" in
                --epochs) epochs=$2 ;; --build) build=$2 ;;
                --threads) threads=$2 ;; --models) models=$2 ;;
            esac
            shift 2 ;;
        -h|--help) sed -n '2,20p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "$0: unknown argument '$1' ($usage)" >&2; exit 2 ;;
    esac
done
for n in "$epochs" "$threads"; do
    case "$n" in ''|*[!0-9]*|0) echo "$0: --epochs and --threads take a positive integer, got '$n'" >&2; exit 2 ;; esac
done
models=$(echo "$models" | tr ',' ' ')
[ -n "$models" ] || { echo "$0: --models is empty ($usage)" >&2; exit 2; }
for m in $models; do
    case "$m" in conv_bn|bench) ;; *) echo "$0: unknown model '$m' (known: conv_bn, bench)" >&2; exit 2 ;; esac
done
case "$build" in /*) ;; *) build=$(pwd)/$build ;; esac
clae=$build/clae
if [ ! -x "$clae" ]; then
    echo "$0: $clae not found; build it first: cmake -S . -B build -DCMAKE_BUILD_TYPE=Release && cmake --build build -j2" >&2
    exit 1
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM
cd "$root"

# json_num FILE KEY: the number after "KEY": in a JSON file (one-line or pretty-printed).
json_num() { sed -n "s/.*\"$2\"[[:space:]]*:[[:space:]]*\([-+0-9.eE]*\).*/\1/p" "$1" | head -n 1; }
# json_str FILE KEY: the string after "KEY":.
json_str() { sed -n "s/.*\"$2\"[[:space:]]*:[[:space:]]*\"\([^\"]*\)\".*/\1/p" "$1" | head -n 1; }

have_torch=yes
torch_version=
if torch_version=$(/usr/bin/python3 -c 'import torch; print(torch.__version__)' 2>/dev/null); then :; else
    have_torch=no
    echo "$0: /usr/bin/python3 cannot import torch: PyTorch is skipped; install Debian's with:" >&2
    echo "    apt-get update && apt-get install -y python3-torch" >&2
fi

# bench_model MODEL LABEL ENVCMD...: trains MODEL with clae and PyTorch under ENVCMD (a command
# prefix: env, or env -u VAR ...) and appends one row to $tmp/rows.
bench_model() {
    model=$1 label=$2
    shift 2
    case "$model" in
        conv_bn) spec=specs/conv_bn.ini
                 torch_cmd="tools/bench/pytorch_conv.py --epochs $epochs --batch 128 --seed 1" ;;
        bench)   spec=specs/bench.ini
                 torch_cmd="tools/bench/pytorch_ae.py --hidden 512,256 --code 64 --epochs $epochs --batch 128 --seed 1" ;;
    esac
    out=$tmp/$label-$model
    echo "[$label] training $spec for $epochs epoch(s) with clae..." >&2
    if ! "$@" "$clae" train --spec "$spec" --out "$out" --epochs "$epochs" >"$out.log" 2>&1; then
        cat "$out.log" >&2
        echo "$0: clae train --spec $spec failed" >&2
        exit 1
    fi
    clae_sps=$(json_num "$out/summary.json" samples_per_second)
    clae_mse=$(json_num "$out/summary.json" test_mse)
    device=$(json_str "$out/summary.json" device)
    echo "  clae ($device): $clae_sps samples/s, test MSE $clae_mse" >&2

    torch_sps=0 torch_mse=- best=-
    if [ "$have_torch" = yes ]; then
        # Each set-up: torch threads, OpenBLAS threads, OpenMP wait policy. Debian's torch
        # (OpenMP) and the pthread OpenBLAS oversubscribe the cores when both spin, so
        # PyTorch gets the set-ups that suit it here and its best one counts.
        if [ "$threads" -eq 1 ]; then setups="1:1:ACTIVE"
        else setups="1:1:ACTIVE $threads:1:PASSIVE $threads:$threads:PASSIVE"; fi
        for setup in $setups; do
            t=${setup%%:*} rest=${setup#*:}
            b=${rest%%:*} w=${rest#*:}
            echo "[$label] training the same model with PyTorch ($t thread(s), OpenBLAS $b, OMP_WAIT_POLICY=$w)..." >&2
            # shellcheck disable=SC2086 # $torch_cmd: the script and its arguments, split on purpose
            if ! "$@" OPENBLAS_NUM_THREADS="$b" OMP_WAIT_POLICY="$w" /usr/bin/python3 $torch_cmd --threads "$t" \
                    >"$out.torch.json" 2>"$out.torch.log"; then
                cat "$out.torch.log" >&2
                echo "$0: PyTorch ($model, $t threads) failed" >&2
                exit 1
            fi
            sps=$(json_num "$out.torch.json" samples_per_second)
            mse=$(json_num "$out.torch.json" test_mse)
            echo "  PyTorch $t thr / OpenBLAS $b / $w: $sps samples/s, test MSE $mse" >&2
            if awk -v a="$sps" -v b="$torch_sps" 'BEGIN { exit !(a > b) }'; then
                torch_sps=$sps torch_mse=$mse best="$t thr/blas $b"
            fi
        done
    fi
    echo "$model|$clae_sps|$torch_sps|$best|$clae_mse|$torch_mse|$device" >>"$tmp/rows"
}

# load1: the 1-minute load average (other work on the cores makes every number here noisy).
load1() { cut -d' ' -f1 /proc/loadavg 2>/dev/null || echo '?'; }

# print_table TITLE LOAD: the rows gathered so far, then clears them.
print_table() {
    echo
    echo "$1"
    awk -F'|' -v epochs="$epochs" -v load="$2" -v cores="$(nproc)" '
        BEGIN { printf "%-8s %14s %14s %-14s %8s %13s %13s\n", "model", "clae samp/s", "PyTorch samp/s",
                       "(best set-up)", "ratio", "clae MSE", "PyTorch MSE" }
        {   ratio = ($3 > 0) ? sprintf("%.2fx", $2 / $3) : "-"
            torch = ($3 > 0) ? sprintf("%.1f", $3) : "-"
            tmse = ($6 == "-") ? "-" : sprintf("%.5f", $6)
            printf "%-8s %14.1f %14s %-14s %8s %13.5f %13s\n", $1, $2, torch, "(" $4 ")", ratio, $5, tmse
            device = $7 }
        END { printf "clae device: %s; %d epoch(s), samples/s over %s; ratio = clae / PyTorch\n",
                     device, epochs, (epochs > 1) ? "epochs 2.." epochs : "epoch 1"
              printf "load average before this run: %s on %d cores%s\n", load, cores,
                     (load + 0 > 0.5) ? " (other work was running: the numbers are noisy)" : "" }' "$tmp/rows"
    rm -f "$tmp/rows"
}

describe_env() {
    if [ -n "${OPENBLAS_CORETYPE+x}" ]; then printf ' OPENBLAS_CORETYPE=%s' "$OPENBLAS_CORETYPE"
    else printf ' OPENBLAS_CORETYPE unset'; fi
    if [ -n "${OPENBLAS_L2_SIZE+x}" ]; then printf ' OPENBLAS_L2_SIZE=%s' "$OPENBLAS_L2_SIZE"
    else printf ' OPENBLAS_L2_SIZE unset'; fi
}

machine_env=$(describe_env)
echo "clae: $("$clae" --version 2>/dev/null | head -n 1); PyTorch: ${torch_version:-not installed} (/usr/bin/python3); $(nproc) cores" >&2

load=$(load1)
for m in $models; do bench_model "$m" machine env; done
print_table "== machine environment:$machine_env" "$load"

if [ -n "${OPENBLAS_CORETYPE+x}" ] || [ -n "${OPENBLAS_L2_SIZE+x}" ]; then
    load=$(load1)
    for m in $models; do bench_model "$m" unset env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE; done
    print_table "== OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE unset (both tools)" "$load"
else
    echo
    echo "== OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE are not set in this environment: the run above"
    echo "   is already the unset one; no second run."
fi
if [ "$have_torch" = no ]; then
    echo "PyTorch skipped: /usr/bin/python3 cannot import torch (apt-get install python3-torch)"
fi
