#!/usr/bin/env bash
# clae train against the things that happen to a run: a signal during greedy
# pretraining, a checkpoint whose epoch / step were tampered with, an --out
# too long to keep, half-written files a killed run left, two runs into one
# folder, a reader of its output that goes away, and a gzip bomb as data.
# Each case asserts the exit code and the one-line message of the contract.
# Tiny runs (300 to 2000 digits), about a minute on two cores. Usage: reliability.sh path/to/clae
set -u
CLAE=$1
. "$(dirname "$0")/lib.sh"

tiny=(--set data.limit=300 --epochs 1)

# A run first: it needs a device (exit 3: none here, skip). Beside its output
# lie a tmp file of a process that ended and one of a live process (this
# shell): the first goes, said under --verbose, the second stays.
mkdir -p "$tmp/run"
sh -c 'exit 0' &
dead=$!
wait "$dead"
: > "$tmp/run/model.safetensors.tmp.$dead"
: > "$tmp/run/loss.csv.tmp.$$"
"$CLAE" train "${tiny[@]}" --out "$tmp/run" --verbose >"$tmp/run.log" 2>&1
code=$?
if [ $code = 3 ]; then
    echo "no usable OpenCL device: skipped"
    exit 77
fi
check "a tiny run succeeds (exit $code)" [ $code = 0 ]
check "a dead process's tmp file is removed" [ ! -e "$tmp/run/model.safetensors.tmp.$dead" ]
check "a live process's tmp file stays" [ -e "$tmp/run/loss.csv.tmp.$$" ]
check "--verbose says what was removed" grep -qxF \
    "clae: info: removed $tmp/run/model.safetensors.tmp.$dead, left by process $dead that ended" \
    "$tmp/run.log"

# 1. SIGTERM and SIGINT during greedy pretraining stop it within a batch, as
# in training: exit 1 and the "interrupted" line. (A stage of 2000 digits
# for 1000 epochs would take minutes; it must end within 10 s of the signal.)
for sig in TERM INT; do
    "$CLAE" train --spec specs/greedy.ini --set data.limit=2000 --set train.pretrain_epochs=1000 \
        --out "$tmp/greedy_$sig" >/dev/null 2>"$tmp/greedy_$sig.err" &
    pid=$!
    sleep 2
    kill -"$sig" "$pid"
    for _ in $(seq 100); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    if kill -0 "$pid" 2>/dev/null; then
        fail "SIG$sig did not stop greedy pretraining within 10 s"
        kill -9 "$pid"
    fi
    wait "$pid"
    code=$?
    last=$(tail -n 1 "$tmp/greedy_$sig.err")
    want='clae: interrupted in pretraining stage 1; nothing was saved yet'
    if [ $code = 1 ] && [ "$last" = "$want" ]; then pass; else
        fail "SIG$sig in greedy pretraining"
        printf '  want exit 1: %s\n  got  exit %s: %s\n' "$want" "$code" "$last"
    fi
done

# 2. A checkpoint's epoch and step are digits in range, else it is corrupt
# (exit 2, the key and value named); a valid edit still resumes.
tamper() { # tamper NAME KEY VALUE: a copy of the run in $tmp/NAME with KEY = VALUE
    mkdir -p "$tmp/$1"
    python3 - "$tmp/run/model.safetensors" "$tmp/$1/model.safetensors" "$2" "$3" <<'EOF'
import json, struct, sys
src, dst, key, value = sys.argv[1:]
data = open(src, "rb").read()
n = struct.unpack("<Q", data[:8])[0]
header = json.loads(data[8:8 + n])
header["__metadata__"][key] = value
text = json.dumps(header).encode()
text += b" " * (-len(text) % 8)
open(dst, "wb").write(struct.pack("<Q", len(text)) + text + data[8 + n:])
EOF
}
corrupt() { # corrupt KEY VALUE WANTED_RANGE
    tampered=$((tampered + 1))
    local dir="tamper_$tampered"
    tamper "$dir" "$1" "$2"
    expect 2 "clae: $tmp/$dir/model.safetensors: corrupt checkpoint: $1 \"$2\" is not an integer from 0 to $3" \
        -- timeout 60 "$CLAE" train --resume --out "$tmp/$dir" --epochs 3
}
tampered=0
corrupt epoch 2147483648 1048576
corrupt epoch 4294967295 1048576
corrupt epoch 1048577 1048576
corrupt epoch '' 1048576
corrupt epoch ' 1' 1048576
corrupt epoch -1 1048576
corrupt step abc '2^53'
corrupt step -1 '2^53'
corrupt step '' '2^53'
corrupt step 9007199254740993 '2^53'
tamper valid step 7
"$CLAE" train --resume --out "$tmp/valid" --epochs 2 >/dev/null 2>"$tmp/valid.err"
code=$?
check "a checkpoint with a valid step resumes (exit $code: $(tail -n 1 "$tmp/valid.err"))" [ $code = 0 ]
check "the resumed run has epochs 1 and 2 in loss.csv" [ "$(cut -d, -f1 "$tmp/valid/loss.csv" | tail -n +2 | tr '\n' ' ')" = "1 2 " ]

# 3. --out longer than the path limit is refused, not cut to a parent folder;
# one of exactly 1023 characters is kept whole.
edge=$tmp
while [ ${#edge} -lt 1023 ]; do # folders of up to 200 characters
    left=$((1023 - ${#edge} - 1))
    edge=$edge/$(head -c $((left < 200 ? left : 200)) /dev/zero | tr '\0' v)
done
over=$edge/$(printf 'u%.0s' $(seq 100))
expect 2 "clae train: --out: ${#over} characters, longer than the limit of 1023 (see clae help train)" \
    -- "$CLAE" train "${tiny[@]}" --out "$over"
check "nothing was written for the refused --out" [ ! -e "$edge" ]
"$CLAE" train "${tiny[@]}" --out "$edge" >/dev/null 2>"$tmp/edge.err"
code=$?
check "a run into a 1023-character --out (${#edge}) succeeds (exit $code: $(tail -n 1 "$tmp/edge.err"))" [ $code = 0 ]
check "... and writes there" [ -s "$edge/summary.json" ]
# every command that writes a file refuses the same way (before opening the model)
for cmd in encode reconstruct score sample interpolate features export inpaint; do
    expect 2 "clae $cmd: --out: ${#over} characters, longer than the limit of 1023 (see clae help $cmd)" \
        -- "$CLAE" "$cmd" --model "$edge/model.safetensors" --out "$over"
done

# 5. Two runs into one folder: the second is refused while the first holds
# it (naming its pid), and the first completes.
"$CLAE" train --set data.limit=2000 --epochs 6 --out "$tmp/busy" >/dev/null 2>"$tmp/busy.err" &
first=$!
for _ in $(seq 200); do # its banner: it holds the lock
    grep -q '^training ' "$tmp/busy.err" 2>/dev/null && break
    kill -0 "$first" 2>/dev/null || break
    sleep 0.05
done
expect 2 "clae: $tmp/busy is in use by another clae train (pid $first)" \
    -- "$CLAE" train "${tiny[@]}" --out "$tmp/busy"
expect 2 "clae: $tmp/busy is in use by another clae train (pid $first)" \
    -- "$CLAE" train "${tiny[@]}" --out "$tmp/busy" --force
wait "$first"
code=$?
check "the first run completes (exit $code: $(tail -n 1 "$tmp/busy.err"))" [ $code = 0 ]
check "the first run wrote all 6 epochs" [ "$(tail -n 1 "$tmp/busy/loss.csv" | cut -d, -f1)" = 6 ]
"$CLAE" train --resume --out "$tmp/busy" --epochs 7 >/dev/null 2>"$tmp/busy2.err"
code=$?
check "the folder is free once the run ended (exit $code: $(tail -n 1 "$tmp/busy2.err"))" [ $code = 0 ]

# 6. A reader that goes away does not kill the run: with progress piped into
# `head -1` the run completes (exit 0, summary.json written); with stdout
# closed from the start, one line on stderr says where the results are.
"$CLAE" train --set data.limit=2000 --epochs 3 --out "$tmp/piped" 2>&1 | head -n 1 >/dev/null
code=${PIPESTATUS[0]}
check "clae train 2>&1 | head -1 exits 0 (got $code)" [ "$code" = 0 ]
check "... and writes summary.json" [ -s "$tmp/piped/summary.json" ]
"$CLAE" train "${tiny[@]}" --out "$tmp/closed" 2>"$tmp/closed.err" | true
code=${PIPESTATUS[0]}
check "clae train | true exits 0 (got $code)" [ "$code" = 0 ]
check "... and writes summary.json" [ -s "$tmp/closed/summary.json" ]
check "... and says stdout was closed" grep -qxF \
    "clae train: stdout closed; the run completed, see $tmp/closed/summary.json" "$tmp/closed.err"

# 7. --resume under another spec: what changes the model, the data, the loss or the
# optimiser's state is refused (exit 2, the run untouched); epochs, rate and batch may change.
"$CLAE" train "${tiny[@]}" --out "$tmp/spec" > /dev/null 2>&1
for change in "model.code=4|model (its [model], layer or [code] sections)" \
              "dense.activation=tanh|model (its [model], layer or [code] sections)" \
              "train.optimizer=sgd|optimiser ([train] optimizer)" \
              "train.beta1=0.8|optimiser constant ([train] momentum, beta1, beta2, rho or epsilon)" \
              "data.holdout=0.2|data or split ([data])" \
              "train.seed=9|seed ([train] seed)"; do
    expect 2 "clae: $tmp/spec/model.safetensors: the run was trained with another ${change#*|}; resume it under its own spec (without --spec, or with the same file), or start over with --force" \
        -- "$CLAE" train --resume --out "$tmp/spec" --epochs 2 --set "${change%%|*}"
done
check "a refused resume leaves the run as it was" [ "$(tail -n +2 "$tmp/spec/loss.csv" | wc -l)" = 1 ]
"$CLAE" train --resume --out "$tmp/spec" --epochs 2 --lr 0.01 --batch 64 \
    --set data.max_memory=1G > /dev/null 2>&1
code=$?
check "--resume with more epochs, another rate, batch and max_memory trains on (exit $code)" \
    test "$code" = 0 -a "$(tail -n +2 "$tmp/spec/loss.csv" | wc -l)" = 2

# 8. Bounded memory while reading. A 400 KB gzip whose IDX header declares
# 5,000,000 digits (15 GB as floats) and that inflates to 400 MB: over the
# budget it is refused before its values are read, leaving no run folder;
# with limit = 2000 it trains, inflating only what the 2000 digits need, in
# about the memory of a run on a 2000-digit file (peak RSS, within 32 MiB).
python3 - "$tmp/bomb.idx.gz" "$tmp/small.idx" <<'EOF'
import struct, sys, zlib
header = struct.pack('>BBBBIII', 0, 0, 8, 3, 5000000, 28, 28)
z = zlib.compressobj(9, zlib.DEFLATED, 31)
with open(sys.argv[1], 'wb') as f:
    f.write(z.compress(header))
    chunk = bytes(1 << 20)
    for _ in range(400):
        f.write(z.compress(chunk))
    f.write(z.flush())
with open(sys.argv[2], 'wb') as f:
    f.write(struct.pack('>BBBBIII', 0, 0, 8, 3, 2000, 28, 28) + bytes(2000 * 784))
EOF
expect 2 "clae: $tmp/bomb.idx.gz: 5000000 samples of 784 values need 14953.6 MiB, more than the data budget of 64.0 MiB (raise [data] max_memory, or read fewer with [data] limit)" \
    -- "$CLAE" train --set data.train="$tmp/bomb.idx.gz" --set data.max_memory=64M --out "$tmp/bomb"
check "a run refused for its data leaves no run folder" [ ! -e "$tmp/bomb" ]
# Exit status and peak RSS in MiB of a command.
peak_rss() {
    python3 -c 'import resource, subprocess, sys
r = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
print(r.returncode, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss // 1024)' "$@"
}
read -r code_bomb rss_bomb < <(peak_rss "$CLAE" train --set data.train="$tmp/bomb.idx.gz" \
    --set data.limit=2000 --epochs 1 --out "$tmp/bomb2000")
read -r code_small rss_small < <(peak_rss "$CLAE" train --set data.train="$tmp/small.idx" \
    --epochs 1 --out "$tmp/small")
echo "peak RSS: limit = 2000 of the gzip bomb $rss_bomb MiB, a 2000-digit file $rss_small MiB"
check "limit = 2000 of the gzip bomb trains (exit $code_bomb)" [ "$code_bomb" = 0 ]
check "... in the memory of a 2000-digit run ($rss_bomb against $rss_small MiB)" \
    [ "$code_small" = 0 -a "$rss_bomb" -le $((rss_small + 32)) ]
"$CLAE" encode --model "$tmp/bomb2000/model.safetensors" --input "$tmp/bomb.idx.gz" \
    --skip 10 --limit 100 --out "$tmp/bomb.csv" > /dev/null 2>&1
code=$?
check "encode --skip 10 --limit 100 of the bomb writes 100 codes (exit $code)" \
    [ "$code" = 0 -a "$(tail -n +2 "$tmp/bomb.csv" 2>/dev/null | wc -l)" = 100 ]

finish reliability
