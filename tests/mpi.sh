#!/usr/bin/env bash
# Data-parallel training over MPI on the local device: `mpirun -np 2 clae
# train` against the same run on one rank (the same weights within float
# rounding: the sums differ only in their order), ranks holding identical
# weights after every epoch (their checksums, compared every epoch),
# resuming with another number of ranks, and a job that loses a rank (killed,
# or failing on its device) ending with a non-zero exit, never hanging.
# Skipped where mpirun or an MPI build is missing. Usage: mpi.sh path/to/clae
set -u
CLAE=$1
. "$(dirname "$0")/lib.sh"
require_device mpi
if ! command -v mpirun > /dev/null || ! "$CLAE" --version | grep -q '^data-parallel training: MPI'; then
    echo "mpirun or an MPI build of clae is missing: skipped"
    exit 77
fi
# Open MPI refuses root unless told; the tests may run as root in a container.
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
# Open MPI's own start-up allocations are not clae's leaks.
export ASAN_OPTIONS="${ASAN_OPTIONS:-}:detect_leaks=0"
mpi() { timeout 300 mpirun --oversubscribe -np "$@"; }

# within DIFF SCALE: DIFF <= 1e-5 x SCALE
within() { awk -v d="$1" -v s="$2" 'BEGIN { exit !(d <= 1e-5 * s) }'; }

# SGD: a step follows the gradient's size, so a wrong weighting of a rank's
# share shows (Adam would hide a scale), and rounding differences stay small.
small=(--set data.limit=2000 --batch 100 --set train.optimizer=sgd --set train.learning_rate=0.05)
# 1. Two ranks of half a batch each against one rank of the whole batch.
mpi 2 "$CLAE" train "${small[@]}" --epochs 2 --out "$tmp/two" --verbose > "$tmp/two.log" 2>&1
check "mpirun -np 2 clae train exits 0 ($?)" [ -s "$tmp/two/summary.json" ]
check "the ranks hold the same weights after epoch 1" grep -q "epoch 1: the 2 ranks hold the same weights" "$tmp/two.log"
check "... and after epoch 2" grep -q "epoch 2: the 2 ranks hold the same weights" "$tmp/two.log"
check "one rank speaks: one summary line" [ "$(grep -c '^test_mse' "$tmp/two.log")" = 1 ]
"$CLAE" train "${small[@]}" --epochs 2 --out "$tmp/one" > /dev/null 2>&1
read -r diff scale < <(max_diff "$tmp/one/model.safetensors" "$tmp/two/model.safetensors")
echo "2 ranks against 1 after 2 epochs (36 SGD steps): largest weight difference $diff (largest weight $scale)"
check "2 ranks train as 1 within 1e-5 of the largest weight" within "$diff" "$scale"

# A VAE and masking noise: a sample's draws are keyed by its place in the
# step, so they are the same whichever rank takes it.
for spec in vae denoising_mask; do
    mpi 2 "$CLAE" train --spec "specs/$spec.ini" "${small[@]}" --epochs 2 --out "$tmp/${spec}2" > /dev/null 2>&1
    "$CLAE" train --spec "specs/$spec.ini" "${small[@]}" --epochs 2 --out "$tmp/${spec}1" > /dev/null 2>&1
    read -r diff scale < <(max_diff "$tmp/${spec}1/model.safetensors" "$tmp/${spec}2/model.safetensors")
    check "$spec.ini: 2 ranks train as 1 ($diff)" within "$diff" "$scale"
done

# The gradient summed in buckets as backward finishes them ([train] bucket_mb)
# is the one summed after the whole backward pass, bit for bit: every value is
# summed by the same reduce-scatter, and a bucket read before its last layer
# is done would differ. Tied weights (a decoder writing into its encoder's
# gradient), a contractive term (its gradient added after the code layer's)
# and batch norm, with buckets of about a layer each.
check "bucket_mb = auto sums in one bucket on a CPU device" grep -q '"buckets":[[:space:]]*1,' "$tmp/two/summary.json"
mpi 2 "$CLAE" train "${small[@]}" --epochs 2 --set train.bucket_mb=0.01 --out "$tmp/buckets" > /dev/null 2>&1
read -r diff scale < <(max_diff "$tmp/two/model.safetensors" "$tmp/buckets/model.safetensors")
check "bucket_mb = 0.01 (4 buckets): the weights of one bucket exactly ($diff)" [ "$diff" = 0.0 ]
check "... summed in 4 buckets" grep -q '"buckets":[[:space:]]*4,' "$tmp/buckets/summary.json"
for spec in tied contractive conv_bn; do
    for mb in 0 0.001; do
        mpi 2 "$CLAE" train --spec "specs/$spec.ini" --set data.limit=400 --batch 100 --epochs 1 \
            --set train.bucket_mb=$mb --out "$tmp/$spec$mb" > /dev/null 2>&1
    done
    read -r diff scale < <(max_diff "$tmp/${spec}0/model.safetensors" "$tmp/${spec}0.001/model.safetensors")
    check "$spec.ini: buckets of a layer each give the weights of one bucket exactly ($diff)" [ "$diff" = 0.0 ]
done

# 2. --resume with another number of ranks: 2 ranks for epoch 1, 1 rank for
# epoch 2; 1 rank for epoch 1, 3 ranks for epoch 2: as the run on one rank.
mpi 2 "$CLAE" train "${small[@]}" --epochs 1 --out "$tmp/two_one" > /dev/null 2>&1
"$CLAE" train --resume --out "$tmp/two_one" --epochs 2 > /dev/null 2>&1
check "2 ranks, then --resume on 1: loss.csv has 2 epochs" [ "$(tail -n +2 "$tmp/two_one/loss.csv" | wc -l)" = 2 ]
read -r diff scale < <(max_diff "$tmp/one/model.safetensors" "$tmp/two_one/model.safetensors")
check "... and the weights of the run on 1 rank ($diff)" within "$diff" "$scale"
"$CLAE" train "${small[@]}" --epochs 1 --out "$tmp/one_three" > /dev/null 2>&1
mpi 3 "$CLAE" train --resume --out "$tmp/one_three" --epochs 2 > /dev/null 2>&1
read -r diff scale < <(max_diff "$tmp/one/model.safetensors" "$tmp/one_three/model.safetensors")
check "1 rank, then --resume on 3 ($diff)" within "$diff" "$scale"

# 3. A rank that cannot open its device ends the job: its line, exit 3.
mpi 2 "$CLAE" train "${small[@]}" --epochs 1 --device 0,99 --out "$tmp/baddev" > /dev/null 2> "$tmp/baddev.err"
code=$?
check "a rank without a device ends the job with exit 3 (got $code)" [ "$code" = 3 ]
check "... and says which rank" grep -q "^clae: rank 1 of 2: .*99" "$tmp/baddev.err"

# A divergence is found in the loss sums every rank holds: all stop alike, rank 0 says it once.
div=(--set data.limit=1000 --set model.output=linear --set loss.reconstruction=mse --set train.optimizer=sgd)
"$CLAE" train "${div[@]}" --set train.learning_rate=0.01 --epochs 1 --out "$tmp/div" > /dev/null 2>&1
mpi 3 "$CLAE" train --resume --out "$tmp/div" --set train.learning_rate=1e30 --epochs 2 > /dev/null 2> "$tmp/div.err"
code=$?
check "3 ranks that diverge end with exit 1 (got $code)" [ "$code" = 1 ]
check "... rank 0 saying so, once" [ "$(grep -c "^clae: rank 0 of 3: training diverged at epoch 2" "$tmp/div.err")" = 1 -a \
    "$(grep -c "training diverged" "$tmp/div.err")" = 1 ]

# 4. A rank killed mid-run ends the job (non-zero), within the time limit.
mpi 2 "$CLAE" train --set data.limit=6000 --epochs 200 --out "$tmp/kill" > /dev/null 2>&1 &
job=$!
for _ in $(seq 100); do [ -s "$tmp/kill/loss.csv" ] && break; sleep 0.2; done
victim=$(pgrep -f "^[^ ]*clae train --set data.limit=6000 --epochs 200 --out $tmp/kill" | tail -n 1)
check "found a rank to kill" [ -n "$victim" ]
[ -n "$victim" ] && kill -9 "$victim"
wait "$job"
code=$?
check "a job that lost a rank ends, non-zero and not by the time limit (exit $code)" \
    [ "$code" != 0 -a "$code" != 124 ]
check "... and leaves no clae behind" [ -z "$(pgrep -f "out $tmp/kill")" ]

# 5. SIGINT to mpirun: every rank stops at the same step; exit 1, the message once.
mpi 2 "$CLAE" train --set data.limit=6000 --epochs 200 --out "$tmp/int" > /dev/null 2> "$tmp/int.err" &
job=$!
for _ in $(seq 100); do [ -s "$tmp/int/loss.csv" ] && break; sleep 0.2; done
kill -INT "$(pgrep -f "^mpirun .* --out $tmp/int\$")"
wait "$job"
code=$?
check "SIGINT to mpirun stops the job with exit 1 (got $code)" [ "$code" = 1 ]
check "... saying it was interrupted, once" [ "$(grep -c "interrupted in epoch" "$tmp/int.err")" = 1 ]

finish mpi
