#!/usr/bin/env bash
# [data] stream: a training set larger than what the device may hold
# ([data] device_memory = 8M against 9 MiB of digits) stays on the host, and
# each batch is uploaded beside the step before it: the weights are those of
# the run with the set on the device, exactly (the same rows in the same
# order). Also over 2 MPI ranks where MPI is there, and what streaming refuses.
# Usage: stream.sh path/to/clae
set -u
CLAE=$1
. "$(dirname "$0")/lib.sh"
require_device stream

small=(--set data.limit=3000 --epochs 2 --set train.optimizer=sgd --set train.learning_rate=0.05)
"$CLAE" train "${small[@]}" --out "$tmp/device" > /dev/null 2>&1
check "the run with the set on the device trains (exit $?)" [ -s "$tmp/device/summary.json" ]
"$CLAE" train "${small[@]}" --set data.device_memory=8M --out "$tmp/stream" --verbose > "$tmp/stream.log" 2>&1
check "with device_memory = 8M the set is streamed" grep -qF \
    "clae: info: streaming batches from the host: 9.0 MiB of data, 8.0 MiB of device memory" "$tmp/stream.log"
check "... summary.json says so" grep -q '"streamed":[[:space:]]*1' "$tmp/stream/summary.json"
read -r diff scale < <(max_diff "$tmp/device/model.safetensors" "$tmp/stream/model.safetensors")
check "... and the weights are the same exactly (largest difference $diff)" [ "$diff" = 0.0 ]
"$CLAE" train "${small[@]}" --set data.stream=yes --out "$tmp/yes" > /dev/null 2>&1
read -r diff scale < <(max_diff "$tmp/device/model.safetensors" "$tmp/yes/model.safetensors")
check "stream = yes: the same weights too ($diff)" [ "$diff" = 0.0 ]

if command -v mpirun > /dev/null && "$CLAE" --version | grep -q '^data-parallel training: MPI'; then
    export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
    export ASAN_OPTIONS="${ASAN_OPTIONS:-}:detect_leaks=0"
    timeout 300 mpirun --oversubscribe -np 2 "$CLAE" train "${small[@]}" --set data.stream=yes \
        --out "$tmp/ranks" > /dev/null 2>&1
    read -r diff scale < <(max_diff "$tmp/device/model.safetensors" "$tmp/ranks/model.safetensors")
    check "streamed over 2 ranks: as 1 rank within 1e-5 ($diff)" \
        awk -v d="$diff" -v s="$scale" 'BEGIN { exit !(d <= 1e-5 * s) }'
else
    echo "no MPI: the 2-rank case skipped"
fi

expect 2 "clae: pretrain = greedy needs the training set on the device, but it is streamed ([data] stream; 9.0 MiB of data, 8.0 MiB of device memory)" \
    -- "$CLAE" train --spec specs/greedy.ini --set data.limit=3000 --set data.device_memory=8M --out "$tmp/greedy"
expect 2 "clae: a streamed training set needs a test split to evaluate on the device ([data] holdout or test)" \
    -- "$CLAE" train --set data.limit=300 --set data.holdout=0 --set data.stream=yes --out "$tmp/noheld"

finish stream
