#!/usr/bin/env bash
# [data] stream: a training set larger than what the device may hold
# ([data] device_memory = 8M against 9 MiB of digits) stays on the host, and
# each batch is uploaded beside the step before it: the weights are those of
# the run with the set on the device, exactly (the same rows in the same
# order). Also over 2 MPI ranks where MPI is there, a plain IDX file mapped
# rather than read (host memory bounded too), and what streaming refuses.
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

# A plain IDX file that may be streamed is mapped, not read into memory: the
# same weights as the run that reads it (stream = no), exactly; and with
# [data] max_memory = 4M, under its 9 MiB as floats, it still trains
# (only the holdout's 0.9 MiB copy is the budget's), where reading it is refused.
gzip -dc data/mnist10k-images-idx3-ubyte.gz > "$tmp/digits.idx"
gzip -dc data/mnist10k-labels-idx1-ubyte.gz > "$tmp/labels.idx"
plain=(--set data.train="$tmp/digits.idx" --set data.labels="$tmp/labels.idx")
"$CLAE" train "${small[@]}" "${plain[@]}" --set data.stream=yes --out "$tmp/mapped" --verbose \
    > "$tmp/mapped.log" 2>&1
check "a plain IDX training set streamed is mapped (exit $?)" grep -qF \
    "clae: info: $tmp/digits.idx: mapped (2.2 MiB), not read into memory" "$tmp/mapped.log"
check "... summary.json says so" grep -q '"mapped":[[:space:]]*1' "$tmp/mapped/summary.json"
"$CLAE" train "${small[@]}" "${plain[@]}" --set data.stream=no --out "$tmp/read" --verbose \
    > "$tmp/read.log" 2>&1
check "stream = no reads it (exit $?)" grep -q '"mapped":[[:space:]]*0' "$tmp/read/summary.json"
check "... and says nothing of mapping" sh -c '! grep -qF "mapped (" "$1"' - "$tmp/read.log"
read -r diff scale < <(max_diff "$tmp/read/model.safetensors" "$tmp/mapped/model.safetensors")
check "mapped and streamed: the weights of the run that reads it, exactly ($diff)" [ "$diff" = 0.0 ]
"$CLAE" train "${small[@]}" "${plain[@]}" --out "$tmp/auto" > /dev/null 2>&1
check "stream = auto, the set fits the device: mapped, uploaded from the file (exit $?)" \
    grep -q '"mapped":[[:space:]]*1' "$tmp/auto/summary.json"
check "... not streamed" grep -q '"streamed":[[:space:]]*0' "$tmp/auto/summary.json"
read -r diff scale < <(max_diff "$tmp/read/model.safetensors" "$tmp/auto/model.safetensors")
check "... and the same weights ($diff)" [ "$diff" = 0.0 ]
"$CLAE" train "${small[@]}" "${plain[@]}" --set data.stream=yes --set data.max_memory=4M \
    --out "$tmp/bounded" > /dev/null 2>&1
code=$?
check "mapped, 9 MiB of samples train with max_memory = 4M (exit $code)" \
    [ "$code" = 0 -a -s "$tmp/bounded/model.safetensors" ]
expect 2 "clae: $tmp/digits.idx: 3000 samples of 784 values need 9.0 MiB, more than the data budget of 4.0 MiB (raise [data] max_memory, or read fewer with [data] limit)" \
    -- "$CLAE" train "${small[@]}" "${plain[@]}" --set data.stream=no --set data.max_memory=4M \
    --out "$tmp/refused"

expect 2 "clae: pretrain = greedy needs the training set on the device, but it is streamed ([data] stream; 9.0 MiB of data, 8.0 MiB of device memory)" \
    -- "$CLAE" train --spec specs/greedy.ini --set data.limit=3000 --set data.device_memory=8M --out "$tmp/greedy"
expect 2 "clae: a streamed training set needs a test split to evaluate on the device ([data] holdout or test)" \
    -- "$CLAE" train --set data.limit=300 --set data.holdout=0 --set data.stream=yes --out "$tmp/noheld"

finish stream
