#!/bin/sh
# mpi_scaling.sh — data-parallel training measured on this machine, and the scaling model it feeds.
#
# Trains specs/bench.ini (dense, 784-512-256-64-256-512-784) and specs/conv_bn.ini (conv + batch
# norm) on 1 rank and on 2 ranks, side by side in one run, and prints per model and rank count:
# the steady-state samples/s, the time of a step, and from clae's own summary.json the time of
# one sum of the gradients over the ranks (allreduce_ms: MPI alone; exchange_ms: with the copies
# from and to the device). Two ranks here share the machine's cores and its one OpenCL device,
# so the 2-rank figure is a correctness and overhead figure, not a speed-up.
# Then the ring model for N = 1..64 ranks on 10 and 100 Gbit/s links: a step of the same global
# batch takes compute/N + 2 (N - 1) / N x gradient bytes / bandwidth + 2 (N - 1) x latency,
# with the 1-rank step measured here as the compute time (so the model assumes a device as fast
# as this one), and says where adding ranks stops paying (efficiency under 50 %) and which
# [train] accumulate keeps 64 ranks over 50 % (K batches of compute per gradient exchange).
# OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE are left as the environment sets them, for both runs.
#
# usage: tools/bench/mpi_scaling.sh [--build DIR] [--epochs N] [--limit N] [--latency-us U]
set -eu
build=build epochs=3 limit=6000 latency=10
while [ $# -gt 0 ]; do
    case $1 in
    --build) build=$2; shift 2 ;;
    --epochs) epochs=$2; shift 2 ;;
    --limit) limit=$2; shift 2 ;;
    --latency-us) latency=$2; shift 2 ;;
    *) echo "usage: tools/bench/mpi_scaling.sh [--build DIR] [--epochs N] [--limit N] [--latency-us U]" >&2; exit 2 ;;
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

for spec in bench conv_bn; do
    lim=$limit
    [ "$spec" = conv_bn ] && lim=$((limit / 6)) # a conv epoch is some 30 times slower
    for ranks in 1 2; do
        out=$tmp/$spec-$ranks
        if [ "$ranks" = 1 ]; then
            "$clae" train --spec "specs/$spec.ini" --epochs "$epochs" --set data.limit="$lim" --out "$out" > /dev/null 2>&1
        else
            mpirun --oversubscribe -np "$ranks" "$clae" train --spec "specs/$spec.ini" --epochs "$epochs" \
                --set data.limit="$lim" --out "$out" > /dev/null 2>&1
        fi || { echo "mpi_scaling: $spec on $ranks rank(s) failed" >&2; exit 1; }
    done
done

python3 - "$tmp" "$latency" <<'PY'
import json, re, sys
tmp, latency = sys.argv[1], float(sys.argv[2]) * 1e-6
def summary(spec, ranks):
    return json.load(open(f"{tmp}/{spec}-{ranks}/summary.json"))
def spec_value(spec, key, default):
    m = re.search(rf"^{key}\s*=\s*(\d+)", open(f"specs/{spec}.ini").read(), re.M)
    return int(m.group(1)) if m else default
print(f"{'model':8} {'params':>10} {'ranks':>5} {'samples/s':>10} {'step ms':>8} {'allreduce ms':>13} {'exchange ms':>12}")
models = {}
for spec in ("bench", "conv_bn"):
    batch = spec_value(spec, "batch", 128)
    for ranks in (1, 2):
        s = summary(spec, ranks)
        sps = s["samples_per_second"]
        step = batch / sps
        params = int(s.get("parameters", 0))
        ar = s.get("allreduce_ms", float("nan"))
        ex = s.get("gradient_exchange_ms", float("nan"))
        print(f"{spec:8} {params:>10,} {ranks:>5} {sps:>10.0f} {1e3 * step:>8.2f} {ar:>13.2f} {ex:>12.2f}")
        if ranks == 1:
            models[spec] = (step, params)
print()
print(f"ring model: step(N) = compute/N + 2(N-1)/N x 4 x params / bandwidth + 2(N-1) x {latency * 1e6:.0f} us")
for spec, (compute, params) in models.items():
    grad = 4.0 * params
    for gbit in (10, 100):
        bw = gbit * 1e9 / 8
        row, stop = [], None
        for n in (1, 2, 4, 8, 16, 32, 64):
            t = compute / n + (2 * (n - 1) / n * grad / bw + 2 * (n - 1) * latency if n > 1 else 0)
            speed = compute / t
            row.append(f"N={n}: {speed:.1f}x")
            if stop is None and speed / n < 0.5:
                stop = n
        where = f"efficiency under 50 % from N = {stop}" if stop else "efficiency over 50 % up to N = 64"
        # [train] accumulate = K: K batches of compute per exchange
        comm64 = 2 * 63 / 64 * grad / bw + 2 * 63 * latency
        k = next((k for k in (1, 2, 4, 8, 16, 32, 64, 128) if k * compute / (k * compute + 64 * comm64) >= 0.5), None)
        fix = f"; at N = 64, accumulate = {k} keeps it over 50 %" if k and k > 1 else ""
        print(f"{spec:8} {gbit:>3} Gbit/s, step {1e3 * compute:.1f} ms, gradient {grad / 1e6:.1f} MB: "
              + ", ".join(row) + f"; {where}{fix}")
PY
