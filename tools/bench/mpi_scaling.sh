#!/bin/sh
# mpi_scaling.sh — data-parallel training measured on this machine, and the scaling model it feeds.
#
# Trains specs/bench.ini (dense, 784-512-256-64-256-512-784) and specs/conv_bn.ini (conv + batch
# norm) on 1 rank and on 2 ranks, the 2-rank runs twice: with the gradient summed in one piece
# after the backward pass ([train] bucket_mb = 0) and in buckets of 1 MiB beside it, the
# runs alternated and repeated (--repeat) so that both see the same machine. It prints per
# model and run the best steady-state samples/s, the time of a step, and from clae's own
# summary.json: allreduce_ms (time in MPI calls per step) and wait_ms (what a step waits for the
# sum after its backward pass is done: the exchange left exposed). Two ranks here share the
# machine's cores and its one OpenCL device, so the 2-rank figures are correctness and overhead
# figures, not a speed-up.
# Then the ring model for N = 1..64 ranks on 10 and 100 Gbit/s links: a step of the same global
# batch takes compute/N + exchange, exchange = 2 (N - 1) / N x gradient bytes / bandwidth +
# 2 (N - 1) x latency, with the 1-rank step measured here as the compute time (so the model
# assumes a device as fast as this one); with buckets the exchange runs beside the backward pass
# (taken as 2/3 of the compute) except for the bottom bucket's share, measured by clae. It says
# where adding ranks stops paying (efficiency under 50 %) and which [train] accumulate keeps 64
# ranks over 50 % (K batches of compute per gradient exchange).
# OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE are left as the environment sets them, for every run.
#
# usage: tools/bench/mpi_scaling.sh [--build DIR] [--epochs N] [--limit N] [--latency-us U] [--repeat R]
set -eu
build=build epochs=3 limit=6000 latency=10 repeat=2
while [ $# -gt 0 ]; do
    case $1 in
    --build) build=$2; shift 2 ;;
    --epochs) epochs=$2; shift 2 ;;
    --limit) limit=$2; shift 2 ;;
    --latency-us) latency=$2; shift 2 ;;
    --repeat) repeat=$2; shift 2 ;;
    *) echo "usage: tools/bench/mpi_scaling.sh [--build DIR] [--epochs N] [--limit N] [--latency-us U] [--repeat R]" >&2; exit 2 ;;
    esac
done
clae=$build/clae
[ -x "$clae" ] || { echo "mpi_scaling: $clae not found (build first)" >&2; exit 2; }
command -v mpirun > /dev/null || { echo "mpi_scaling: mpirun not found (apt-get install openmpi-bin)" >&2; exit 2; }
"$clae" --version | grep -q '^data-parallel training: MPI' ||
    { echo "mpi_scaling: $clae was built without MPI" >&2; exit 2; }
[ "$(id -u)" = 0 ] && export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
echo "OPENBLAS_CORETYPE=${OPENBLAS_CORETYPE:-(unset)} OPENBLAS_L2_SIZE=${OPENBLAS_L2_SIZE:-(unset)}"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# run SPEC LIMIT NAME RANKS [--set ...]: one training run into $tmp/SPEC-NAME-R<repeat>
run() {
    spec=$1 lim=$2 name=$3 ranks=$4
    shift 4
    out=$tmp/$spec-$name-$r
    if [ "$ranks" = 1 ]; then
        "$clae" train --spec "specs/$spec.ini" --epochs "$epochs" --set data.limit="$lim" --out "$out" "$@" > /dev/null 2>&1
    else
        mpirun --oversubscribe -np "$ranks" "$clae" train --spec "specs/$spec.ini" --epochs "$epochs" \
            --set data.limit="$lim" --out "$out" "$@" > /dev/null 2>&1
    fi || { echo "mpi_scaling: $spec ($name) failed" >&2; exit 1; }
}
for spec in bench conv_bn; do
    lim=$limit
    [ "$spec" = conv_bn ] && lim=$((limit / 6)) # a conv epoch is some 30 times slower
    r=1
    while [ "$r" -le "$repeat" ]; do
        run "$spec" "$lim" one 1
        run "$spec" "$lim" whole 2 --set train.bucket_mb=0
        run "$spec" "$lim" buckets 2 --set train.bucket_mb=1
        r=$((r + 1))
    done
done

python3 - "$tmp" "$latency" "$repeat" <<'PY'
import json, re, sys
tmp, latency, repeat = sys.argv[1], float(sys.argv[2]) * 1e-6, int(sys.argv[3])
def best(spec, name):
    """the repeat with the most samples/s"""
    runs = [json.load(open(f"{tmp}/{spec}-{name}-{r}/summary.json")) for r in range(1, repeat + 1)]
    return max(runs, key=lambda s: s["samples_per_second"])
def spec_value(spec, key, default):
    m = re.search(rf"^{key}\s*=\s*(\d+)", open(f"specs/{spec}.ini").read(), re.M)
    return int(m.group(1)) if m else default
print(f"{'model':8} {'params':>10} {'run':>16} {'samples/s':>10} {'step ms':>8} {'buckets':>8} {'allreduce ms':>13} {'wait ms':>8}")
models = {}
for spec in ("bench", "conv_bn"):
    batch = spec_value(spec, "batch", 128)
    for name, label in (("one", "1 rank"), ("whole", "2 ranks, 1 sum"), ("buckets", "2 ranks, buckets")):
        s = best(spec, name)
        sps = s["samples_per_second"]
        step = batch / sps
        params = int(s.get("parameters", 0))
        nb = s.get("buckets", "")
        ar = s.get("allreduce_ms", float("nan"))
        wait = s.get("exchange_wait_ms", float("nan"))
        print(f"{spec:8} {params:>10,} {label:>16} {sps:>10.0f} {1e3 * step:>8.2f} {nb:>8} {ar:>13.2f} {wait:>8.2f}")
        if name == "one":
            models[spec] = [step, params, 1.0]
        if name == "buckets":
            models[spec][2] = s.get("last_bucket_share", 1.0)
print()
print(f"ring model: step(N) = compute/N + exchange, exchange = 2(N-1)/N x 4 x params / bandwidth + 2(N-1) x {latency * 1e6:.0f} us;")
print("with buckets, max(exchange - backward, bottom bucket's share of exchange), backward = 2/3 compute/N")
for spec, (compute, params, bottom) in models.items():
    grad = 4.0 * params
    for gbit in (10, 100):
        bw = gbit * 1e9 / 8
        for overlap in (False, True):
            row, stop = [], None
            for n in (1, 2, 4, 8, 16, 32, 64):
                comm = 2 * (n - 1) / n * grad / bw + 2 * (n - 1) * latency if n > 1 else 0
                if overlap:
                    comm = max(comm - 2 / 3 * compute / n, bottom * comm)
                speed = compute / (compute / n + comm)
                row.append(f"N={n}: {speed:.1f}x")
                if stop is None and speed / n < 0.5:
                    stop = n
            where = f"efficiency under 50 % from N = {stop}" if stop else "efficiency over 50 % up to N = 64"
            # [train] accumulate = K: K batches of compute per exchange
            comm64 = 2 * 63 / 64 * grad / bw + 2 * 63 * latency
            if overlap:
                comm64 = max(comm64 - 2 / 3 * compute / 64, bottom * comm64)
            k = next((k for k in (1, 2, 4, 8, 16, 32, 64, 128) if k * compute / (k * compute + 64 * comm64) >= 0.5), None)
            fix = f"; at N = 64, accumulate = {k} keeps it over 50 %" if k and k > 1 else ""
            how = f"buckets (bottom {100 * bottom:.0f} %)" if overlap else "one sum"
            print(f"{spec:8} {gbit:>3} Gbit/s, {how}, step {1e3 * compute:.1f} ms, gradient {grad / 1e6:.1f} MB: "
                  + ", ".join(row) + f"; {where}{fix}")
PY
