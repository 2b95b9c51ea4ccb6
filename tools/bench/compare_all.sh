#!/bin/sh
# compare_all.sh — clae against PyTorch on the benchmark table, side by side in one run.
#
# For each model trains the spec with clae, then the same model, loss, data split (the first
# 9,000 bundled digits train, the last 1,000 test), batch and optimiser in PyTorch, and prints
# one table: model, each tool's steady-state training throughput (samples/s over epochs 2..N),
# the ratio clae / PyTorch, and each test MSE. The models:
#   a small      specs/bench_small.ini     784-30-784, tanh code, sigmoid output, mse
#   b vae        specs/vae.ini             VAE 784-256-2, relu, bce + beta * KL
#   c sparse_kl  specs/bench_sparse_kl.ini 784-256-784, sigmoid code, bce + KL sparsity (0.05)
#   d bench      specs/bench.ini           784-512-256-64-256-512-784, relu, sigmoid code, bce
#   e default    the built-in model        784-256-64-256-784, relu, linear code, bce
#   f conv_bn    specs/conv_bn.ini         conv + batch norm + max pool x3, code 10, mse
# PyTorch builds the dense models from the spec itself (tools/bench/pytorch_ae.py --spec, which
# refuses what it cannot mirror) and conv_bn with tools/bench/pytorch_conv.py. It runs in three
# thread set-ups (1 thread; T threads with 1-thread OpenBLAS; T threads with T-thread OpenBLAS;
# the multi-threaded ones with a passive OpenMP wait policy, since spinning threads crawl when
# anything else shares the cores) and its best counts.
# The whole table runs twice: with the environment as it is, then with OPENBLAS_CORETYPE and
# OPENBLAS_L2_SIZE unset for both tools; with --env auto (the default) the second pass is
# skipped, and said so, when neither is set (it would repeat the first).
# Builds nothing: expects DIR/clae (default build/clae). Needs Debian's PyTorch for /usr/bin/python3
# (apt-get install python3-torch); without it only clae's numbers are printed.
#
# usage: tools/bench/compare_all.sh [--epochs N] [--build DIR] [--models LIST] [--threads T]
#                                   [--env auto|both|machine|unset]
#   --epochs: epochs of every run (default 3; conv_bn takes about half a minute an epoch on
#             2 CPU cores, the dense models a second or two)
#   --models: comma-separated letters or names (default: all, a-f)
#   --threads: the threads of PyTorch's multi-threaded set-ups (default: all cores)
#   --env: machine or unset: that pass only; both: both even when they are the same
set -eu

root=$(cd "$(dirname "$0")/../.." && pwd)
epochs=3
build=build
threads=$(nproc)
models=a,b,c,d,e,f
env_mode=auto
usage="usage: $0 [--epochs N] [--build DIR] [--models a,b,...] [--threads T] [--env auto|both|machine|unset]"
while [ $# -gt 0 ]; do
    case "$1" in
        --epochs|--build|--threads|--models|--env)
            [ $# -ge 2 ] || { echo "$0: $1 needs a value ($usage)" >&2; exit 2; }
            case "$1" in
                --epochs) epochs=$2 ;; --build) build=$2 ;; --threads) threads=$2 ;;
                --models) models=$2 ;; --env) env_mode=$2 ;;
            esac
            shift 2 ;;
        -h|--help) sed -n '2,31p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "$0: unknown argument '$1' ($usage)" >&2; exit 2 ;;
    esac
done
for n in "$epochs" "$threads"; do
    case "$n" in ''|*[!0-9]*|0) echo "$0: --epochs and --threads take a positive integer, got '$n'" >&2; exit 2 ;; esac
done
case "$env_mode" in auto|both|machine|unset) ;;
    *) echo "$0: --env takes auto, both, machine or unset, got '$env_mode'" >&2; exit 2 ;; esac

# model_name KEY: the model's name for a letter or a name; fails for anything else.
model_name() {
    case "$1" in
        a|small) echo small ;; b|vae) echo vae ;; c|sparse_kl) echo sparse_kl ;;
        d|bench) echo bench ;; e|default) echo default ;; f|conv_bn) echo conv_bn ;;
        *) return 1 ;;
    esac
}
list=
for m in $(echo "$models" | tr ',' ' '); do
    name=$(model_name "$m") || {
        echo "$0: unknown model '$m' (known: a small, b vae, c sparse_kl, d bench, e default, f conv_bn)" >&2
        exit 2
    }
    list="$list $name"
done
[ -n "$list" ] || { echo "$0: --models is empty ($usage)" >&2; exit 2; }

case "$build" in /*) ;; *) build=$(pwd)/$build ;; esac
clae=$build/clae
if [ ! -x "$clae" ]; then
    echo "$0: $clae not found; build it first: cmake -S . -B build -DCMAKE_BUILD_TYPE=Release && cmake --build build -j2" >&2
    exit 1
fi

# pytorch_conv.py imports pytorch_ae.py: keep its bytecode cache out of the source tree
export PYTHONDONTWRITEBYTECODE=1

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

# The built-in model as a spec, for PyTorch to read (clae itself trains it without --spec).
"$clae" spec >"$tmp/default.ini"

failed=0

# bench_model MODEL PASS ENVCMD...: trains MODEL with clae and PyTorch under ENVCMD (a command
# prefix: env, or env -u VAR ...) and appends one row to $tmp/rows.
bench_model() {
    model=$1 pass=$2
    shift 2
    case "$model" in
        small)     spec=specs/bench_small.ini ;;
        vae)       spec=specs/vae.ini ;;
        sparse_kl) spec=specs/bench_sparse_kl.ini ;;
        bench)     spec=specs/bench.ini ;;
        default)   spec= ;;
        conv_bn)   spec=specs/conv_bn.ini ;;
    esac
    if [ "$model" = conv_bn ]; then
        torch_cmd="tools/bench/pytorch_conv.py --code 10 --batch 128 --seed 1"
    else
        torch_cmd="tools/bench/pytorch_ae.py --spec ${spec:-$tmp/default.ini}"
    fi
    out=$tmp/$pass-$model
    echo "[$pass] $model: training ${spec:-the built-in model} for $epochs epoch(s) with clae..." >&2
    clae_sps=- clae_mse=- device=${device:-?}
    if "$@" "$clae" train ${spec:+--spec "$spec"} --out "$out" --epochs "$epochs" >"$out.log" 2>&1; then
        clae_sps=$(json_num "$out/summary.json" samples_per_second)
        clae_mse=$(json_num "$out/summary.json" test_mse)
        device=$(json_str "$out/summary.json" device)
        echo "  clae ($device): $clae_sps samples/s, test MSE $clae_mse" >&2
    else
        tail -n 5 "$out.log" >&2
        echo "$0: clae train ${spec:+--spec $spec} failed (its row says so)" >&2
        failed=1
    fi

    torch_sps=- torch_mse=- best=-
    if [ "$have_torch" = yes ]; then
        # Each set-up: torch threads, OpenBLAS threads, OpenMP wait policy. Debian's torch
        # (OpenMP) and the pthread OpenBLAS oversubscribe the cores when both spin, so
        # PyTorch gets the set-ups that suit it here and its best one counts.
        if [ "$threads" -eq 1 ]; then setups="1:1:ACTIVE"
        else setups="1:1:ACTIVE $threads:1:PASSIVE $threads:$threads:PASSIVE"; fi
        for setup in $setups; do
            t=${setup%%:*} rest=${setup#*:}
            b=${rest%%:*} w=${rest#*:}
            echo "[$pass] $model: the same model with PyTorch ($t thread(s), OpenBLAS $b, OMP_WAIT_POLICY=$w)..." >&2
            # shellcheck disable=SC2086 # $torch_cmd: the script and its arguments, split on purpose
            if ! "$@" OPENBLAS_NUM_THREADS="$b" OMP_WAIT_POLICY="$w" /usr/bin/python3 $torch_cmd \
                    --epochs "$epochs" --threads "$t" >"$out.torch.json" 2>"$out.torch.log"; then
                tail -n 5 "$out.torch.log" >&2
                echo "$0: PyTorch ($model, $t threads) failed (its row says so)" >&2
                failed=1
                torch_sps=- torch_mse=- best=failed
                break
            fi
            sps=$(json_num "$out.torch.json" samples_per_second)
            mse=$(json_num "$out.torch.json" test_mse)
            echo "  PyTorch $t thr / OpenBLAS $b / $w: $sps samples/s, test MSE $mse" >&2
            if [ "$torch_sps" = - ] || awk -v a="$sps" -v b="$torch_sps" 'BEGIN { exit !(a > b) }'; then
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
        function num(v, fmt) { return (v == "-" || v == "") ? "failed" : sprintf(fmt, v) }
        BEGIN { printf "%-10s %13s %14s %-14s %8s %10s %11s\n", "model", "clae samp/s",
                       "PyTorch samp/s", "(best set-up)", "ratio", "clae MSE", "PyTorch MSE" }
        {   ratio = ($2 != "-" && $3 != "-" && $3 > 0) ? sprintf("%.2fx", $2 / $3) : "-"
            torch = ($3 == "-" && $4 == "-") ? "-" : num($3, "%.0f")
            tmse = ($6 == "-" && $4 == "-") ? "-" : num($6, "%.5f")
            printf "%-10s %13s %14s %-14s %8s %10s %11s\n", $1, num($2, "%.0f"), torch,
                   "(" $4 ")", ratio, num($5, "%.5f"), tmse
            if ($7 != "?") device = $7 }
        END { printf "clae device: %s; %d epoch(s), samples/s over %s; ratio = clae / PyTorch\n",
                     (device == "") ? "unknown (clae failed)" : device, epochs, (epochs > 1) ? "epochs 2.." epochs : "epoch 1"
              printf "load average before this pass: %s on %d cores%s\n", load, cores,
                     (load + 0 > 0.5) ? " (other work was running: the numbers are noisy)" : "" }' "$tmp/rows"
    rm -f "$tmp/rows"
}

describe_env() {
    if [ -n "${OPENBLAS_CORETYPE+x}" ]; then printf ' OPENBLAS_CORETYPE=%s,' "$OPENBLAS_CORETYPE"
    else printf ' OPENBLAS_CORETYPE unset,'; fi
    if [ -n "${OPENBLAS_L2_SIZE+x}" ]; then printf ' OPENBLAS_L2_SIZE=%s' "$OPENBLAS_L2_SIZE"
    else printf ' OPENBLAS_L2_SIZE unset'; fi
}

echo "clae: $("$clae" --version 2>/dev/null | head -n 1); PyTorch: ${torch_version:-not installed} (/usr/bin/python3); $(nproc) cores" >&2

run_machine=yes run_unset=yes
case "$env_mode" in
    machine) run_unset=no ;;
    unset) run_machine=no ;;
    auto) [ -n "${OPENBLAS_CORETYPE+x}" ] || [ -n "${OPENBLAS_L2_SIZE+x}" ] || run_unset=no ;;
esac

if [ "$run_machine" = yes ]; then
    load=$(load1)
    for m in $list; do bench_model "$m" machine env; done
    print_table "== environment as it is:$(describe_env) (both tools)" "$load"
fi
if [ "$run_unset" = yes ]; then
    load=$(load1)
    for m in $list; do bench_model "$m" unset env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE; done
    print_table "== OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE unset with env -u (both tools)" "$load"
elif [ "$env_mode" = auto ]; then
    echo
    echo "== OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE are not set in this environment: the pass above"
    echo "   is already the unset one; no second pass (--env both forces it)."
fi
if [ "$have_torch" = no ]; then
    echo "PyTorch skipped: /usr/bin/python3 cannot import torch (apt-get install python3-torch)"
fi
exit "$failed"
