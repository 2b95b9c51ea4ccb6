#!/usr/bin/env bash
# Bad input through the command line: each case asserts the exact one-line
# message on stderr and the exit code of the contract (2 usage/spec/data,
# 1 run failed, 3 device). Usage: cli_errors.sh path/to/clae
set -u
CLAE=$1
. "$(dirname "$0")/lib.sh"

spec() { # spec NAME BODY: writes $tmp/NAME.ini
    printf '%s\n' "$2" > "$tmp/$1.ini"
}

expect 2 'clae: unknown command "frobnicate" (see clae help)' -- "$CLAE" frobnicate
expect 2 'clae: missing.ini: cannot open: No such file or directory' -- "$CLAE" train --spec missing.ini
expect 2 'clae train: --epochs: expected an integer from 1 to 1048576, got "0" (see clae help train)' -- "$CLAE" train --epochs 0
# the command line takes the spec's ranges, and the device's float holds every accepted number
expect 2 'clae train: --epochs: expected an integer from 1 to 1048576, got "1048577" (see clae help train)' -- "$CLAE" train --epochs 1048577
expect 2 'clae train: --seed: expected a non-negative integer below 2^64, got "18446744073709551616" (see clae help train)' -- "$CLAE" train --seed 18446744073709551616
expect 2 'clae train: --set train.epsilon=1e-300: [train] epsilon: expected a positive number a float can hold (1.2e-38 to 3.4e+38), got "1e-300"' -- "$CLAE" train --set train.epsilon=1e-300
expect 2 'clae train: --lr 1e308: [train] learning_rate: expected a positive number a float can hold (1.2e-38 to 3.4e+38), got "1e308"' -- "$CLAE" train --lr 1e308
expect 2 'clae train: unexpected argument "extra" (see clae help train)' -- "$CLAE" train extra
expect 2 'clae train: unknown or incomplete option "--bogus" (see clae help train)' -- "$CLAE" train --bogus

spec units '[data]
train = mnist

[dense]
units = -3'
expect 2 "clae: $tmp/units.ini:5: [dense] units: expected a positive integer, got \"-3\"" -- "$CLAE" train --spec "$tmp/units.ini"
spec key '[dense]
unit = 3'
expect 2 "clae: $tmp/key.ini:2: [dense] unit: unknown key" -- "$CLAE" train --spec "$tmp/key.ini"
# control bytes from a spec are escaped, never sent to the terminal
printf '[dense]\nunits = \033[31mred\n' > "$tmp/escape.ini"
expect 2 "clae: $tmp/escape.ini:2: [dense] units: expected a positive integer, got \"\\x1b[31mred\"" -- "$CLAE" train --spec "$tmp/escape.ini"
spec section '[frobnicate]'
expect 2 "clae: $tmp/section.ini:1: [frobnicate]: unknown section" -- "$CLAE" train --spec "$tmp/section.ini"

# shapes that cannot work, found when the model is built, named with the section's line
spec tiny '[data]
train = mnist
limit = 100
[conv]
filters = 4
size = 3
stride = 2
padding = valid
[conv]
filters = 4
size = 3
stride = 2
padding = valid
[conv]
filters = 4
size = 7
padding = valid'
expect 2 "clae: $tmp/tiny.ini:14: [conv] a 7x7 convolution with padding 0 does not fit a 4x6x6 input" -- "$CLAE" train --spec "$tmp/tiny.ini" --out "$tmp/out_tiny"
spec reshape '[data]
train = mnist
[reshape]
shape = 2x16x16'
expect 2 "clae: $tmp/reshape.ini:3: [reshape] shape: 2x16x16 has 512 values but its input 1x28x28 has 784" -- "$CLAE" train --spec "$tmp/reshape.ini" --out "$tmp/out_reshape"
spec ends '[data]
train = mnist
[model]
decoder = explicit
[code]
[reshape]
shape = 2x4x4
[deconv]
filters = 1
size = 2
stride = 2'
expect 2 "clae: $tmp/ends.ini: the decoder ends at 1x8x8 but the input is 1x28x28" -- "$CLAE" train --spec "$tmp/ends.ini" --out "$tmp/out_ends"
spec pool '[data]
train = mnist
[maxpool]
size = 3'
expect 2 "clae: $tmp/pool.ini:3: [maxpool]: its mirror maps 1x9x9 to 1x27x27, not back to 1x28x28; use decoder = explicit" -- "$CLAE" train --spec "$tmp/pool.ini" --out "$tmp/out_pool"

# bad data: a truncated IDX file, a label file that does not match
gzip -dc data/mnist10k-images-idx3-ubyte.gz | head -c 5000 > "$tmp/short.idx"
spec short "[data]
train = $tmp/short.idx
[output]
dir = $tmp/out_short"
expect 2 "clae: $tmp/short.idx: truncated at byte 5000 of 7840016" -- "$CLAE" train --spec "$tmp/short.ini"
gzip -dc data/mnist10k-labels-idx1-ubyte.gz | head -c 1008 > "$tmp/labels.idx"
printf '\x00\x00\x08\x01\x00\x00\x03\xe8' | dd of="$tmp/labels.idx" conv=notrunc status=none
spec labels "[data]
train = mnist
labels = $tmp/labels.idx
[output]
dir = $tmp/out_labels"
expect 2 "clae: $tmp/labels.idx: 1000 labels for 10000 images" -- "$CLAE" train --spec "$tmp/labels.ini"

# devices
expect 3 'clae: device 7 does not exist (1 device; see clae list-devices)' -- "$CLAE" train --device 7
expect 3 'clae: device 9 does not exist (1 device; see clae list-devices)' -- env CLAE_DEVICE=9 "$CLAE" train
expect 2 'clae: --device: expected a device index, got "x"' -- "$CLAE" conformance --device x

# output dir that cannot be created: below a regular file
touch "$tmp/file"
expect 1 "clae: $tmp/file: not a directory" -- "$CLAE" train --epochs 1 --out "$tmp/file/run"

# resume without a checkpoint; resume from a corrupt one
spec tiny "[data]
train = mnist
limit = 600
[model]
code = 8
[dense]
units = 16
[train]
epochs = 1
[output]
dir = $tmp/tiny"
expect 2 "clae: $tmp/tiny/model.safetensors: no checkpoint to resume from" -- "$CLAE" train --spec "$tmp/tiny.ini" --resume=must
expect 2 'clae train: --resume: expected no value or =must, got "maybe" (see clae help train)' -- "$CLAE" train --resume=maybe
mkdir -p "$tmp/tiny" && printf 'garbage' > "$tmp/tiny/model.safetensors"
expect 2 "clae: $tmp/tiny/model.safetensors: file is too short (7 bytes) for a safetensors header" -- "$CLAE" train --spec "$tmp/tiny.ini" --resume
rm -f "$tmp/tiny/model.safetensors"

# Ctrl-C: exit 1, the last epoch's checkpoint stays, --resume continues
"$CLAE" train --spec "$tmp/tiny.ini" > /dev/null 2>&1
cp "$tmp/tiny/model.safetensors" "$tmp/epoch1.safetensors"
"$CLAE" train --spec "$tmp/tiny.ini" --resume --epochs 100000 > /dev/null 2> "$tmp/int.err" &
pid=$!
sleep 2
kill -INT $pid
wait $pid
code=$?
if [ "$code" = 1 ] && grep -q "interrupted in epoch" "$tmp/int.err" && [ -s "$tmp/tiny/model.safetensors" ]; then
    pass
else
    fail "Ctrl-C: exit $code: $(cat "$tmp/int.err")"
fi
# Ctrl-C during greedy pretraining stops it too
spec greedy "[data]
train = mnist
[dense]
units = 64
[train]
pretrain = greedy
pretrain_epochs = 100000
[output]
dir = $tmp/greedy"
"$CLAE" train --spec "$tmp/greedy.ini" > /dev/null 2> "$tmp/greedy.err" &
pid=$!
sleep 3
kill -INT $pid
wait $pid
code=$?
if [ "$code" = 1 ] && grep -q "interrupted in pretraining stage 1" "$tmp/greedy.err"; then
    pass
else
    fail "Ctrl-C in pretraining: exit $code: $(cat "$tmp/greedy.err")"
fi

last=$(tail -n 1 "$tmp/tiny/loss.csv" | cut -d, -f1)
if "$CLAE" train --out "$tmp/tiny" --resume --epochs $((last + 1)) > /dev/null 2>&1 &&
   [ "$(tail -n 1 "$tmp/tiny/loss.csv" | cut -d, -f1)" = $((last + 1)) ]; then
    pass
else
    fail "--resume after Ctrl-C (checkpoint of epoch $last)"
fi

# sampling needs a variational model
expect 2 'clae sample: --model and --out are required (see clae help sample)' -- "$CLAE" sample --out "$tmp/s.png"
expect 2 "clae: $tmp/tiny/model.safetensors: not a variational model (sample needs [model] variational = yes)" -- "$CLAE" sample --model "$tmp/tiny/model.safetensors" --out "$tmp/s.png"
check "sample wrote no file after an error" test ! -e "$tmp/s.png"

# the good paths answer too
expect 0 '' -- "$CLAE" help train
expect 0 '' -- "$CLAE" list-devices

# --set: any key, checked as the file's line would be, the override named
expect 2 'clae train: --set train.learning_rate=abc: [train] learning_rate: expected a positive number, got "abc"' -- "$CLAE" train --set train.learning_rate=abc
expect 2 "clae train: --set model.code=0: [model] code: expected a positive integer, got \"0\"" -- "$CLAE" train --spec "$tmp/tiny.ini" --set model.code=0
expect 2 'clae train: --set dense.2.units=8: the spec has 1 [dense] section, not 2' -- "$CLAE" train --set dense.2.units=8
expect 2 'clae train: --set conv.filters=8: the spec has no [conv] section (--set changes a layer, it does not add one)' -- "$CLAE" train --set conv.filters=8
expect 2 'clae train: --set frob.x=1: [frob]: unknown section' -- "$CLAE" train --set frob.x=1
expect 2 'clae train: --set train.frob=1: [train] frob: unknown key' -- "$CLAE" train --set train.frob=1
expect 2 'clae train: --set trainepochs: expected SECTION.KEY=VALUE' -- "$CLAE" train --set trainepochs
expect 2 'clae train: --batch: expected a positive integer, got "x" (see clae help train)' -- "$CLAE" train --batch x
expect 2 'clae train: --lr: expected a positive number, got "-1" (see clae help train)' -- "$CLAE" train --lr -1
expect 2 'clae train: --resume and --force exclude each other (see clae help train)' -- "$CLAE" train --resume --force

# --resume finds the run clae train made: runs/default without --spec
mkdir -p "$tmp/empty"
expect 2 'clae: runs/default/model.safetensors: no checkpoint to resume from' -- env -C "$tmp/empty" "$(realpath "$CLAE")" train --resume=must

# a directory holding a run is not overwritten: another spec, the same spec, then --force
n=$(tail -n 1 "$tmp/tiny/loss.csv" | cut -d, -f1)
expect 2 "clae: $tmp/tiny/model.safetensors holds a run of another spec (epoch $n); continue it under this spec with --resume, overwrite it with --force, or choose another --out" -- "$CLAE" train --spec "$tmp/tiny.ini" --set model.code=4
cp "$tmp/tiny/model.safetensors" "$tmp/before.safetensors"
check "the refused run left the checkpoint alone" cmp -s "$tmp/tiny/model.safetensors" "$tmp/before.safetensors"
# --force removes the old run's files (a stale picture of another model), never the user's own
echo stale > "$tmp/tiny/manifold.png"
mkdir -p "$tmp/tiny/snapshots" && echo stale > "$tmp/tiny/snapshots/epoch-007.png"
echo mine > "$tmp/tiny/notes.txt"
check "--force trains over the run" "$CLAE" train --spec "$tmp/tiny.ini" --force --set model.code=4 --lr 0.002 --batch 64 > /dev/null 2>&1
check "--force removed the old run's pictures" test ! -e "$tmp/tiny/manifold.png" -a ! -e "$tmp/tiny/snapshots"
check "--force kept the user's file" grep -qx mine "$tmp/tiny/notes.txt"
expect 2 "clae: $tmp/tiny/model.safetensors already holds this run (epoch 1); continue it with --resume (and more --epochs) or start it over with --force" -- "$CLAE" train --spec "$tmp/tiny.ini" --set model.code=4 --lr 0.002 --batch 64
# the checkpoint keeps the effective spec: resumed from it alone, the model is the code-4 one
check "--resume under the stored spec" "$CLAE" train --resume --out "$tmp/tiny" --epochs 2 > /dev/null 2>&1
check "the stored spec has the settings" python3 -c '
import json, struct, sys
with open(sys.argv[1], "rb") as f:
    n = struct.unpack("<Q", f.read(8))[0]
    h = json.loads(f.read(n))
spec = h["__metadata__"]["spec"]
assert "code = 4" in spec and "learning_rate = 0.002" in spec and "batch = 64" in spec, spec
assert h["encoder.1.weight"]["shape"] == [4, 16], h["encoder.1.weight"]
' "$tmp/tiny/model.safetensors"
check "loss.csv has the learning rate" grep -q ',learning_rate$' "$tmp/tiny/loss.csv"
check "model.best.safetensors is written" test -s "$tmp/tiny/model.best.safetensors"

# clae spec: the built-in default with every key; saved, it is a spec that trains
"$CLAE" spec > "$tmp/reference.ini"
check "clae spec lists the new keys" grep -q '^patience *= 0' "$tmp/reference.ini"
check "clae spec's text trains" "$CLAE" train --spec "$tmp/reference.ini" --set data.limit=300 --epochs 1 --out "$tmp/reference" > /dev/null 2>&1
expect 2 'clae spec: unexpected argument "x" (see clae help spec)' -- "$CLAE" spec x
check "clae spec is the built-in model" grep -q '^units *= 256' "$tmp/reference.ini"

# every command answers --help, -h and clae help COMMAND with its usage
commands=$("$CLAE" help | awk '/^commands:/ {on = 1; next} on && $1 != "help" && $1 != "--version" {print $1}')
check "clae help lists commands" test -n "$commands"
for cmd in $commands; do
    for form in "$cmd --help" "$cmd -h" "help $cmd"; do
        # shellcheck disable=SC2086
        out=$("$CLAE" $form 2>&1)
        code=$?
        if [ "$code" = 0 ] && [ "${out#usage: clae $cmd}" != "$out" ]; then
            pass
        else
            fail "clae $form: exit $code: $(printf '%s' "$out" | head -n 1)"
        fi
    done
done

# export: weights only, smaller, a safetensors file that clae's commands load
expect 2 'clae export: --model and --out are required (see clae help export)' -- "$CLAE" export --out "$tmp/w.safetensors"
check "export" "$CLAE" export --model "$tmp/tiny/model.safetensors" --out "$tmp/w.safetensors" > /dev/null
check "export is smaller" test "$(stat -c %s "$tmp/w.safetensors")" -lt "$(stat -c %s "$tmp/tiny/model.safetensors")"
check "export parses as safetensors, weights only, with the spec" python3 -c '
import json, struct, sys
with open(sys.argv[1], "rb") as f:
    data = f.read()
n = struct.unpack("<Q", data[:8])[0]
h = json.loads(data[8:8 + n])
meta = h.pop("__metadata__")
assert meta["format"] == "clae-weights-1" and "[model]" in meta["spec"] and meta["input_shape"] == "1,28,28", meta
assert h and not any(k.startswith("optimizer") for k in h), list(h)
end = max(t["data_offsets"][1] for t in h.values())
assert 8 + n + end == len(data), (8 + n + end, len(data))
' "$tmp/w.safetensors"
expect 2 "clae: $tmp/w.safetensors: not a variational model (sample needs [model] variational = yes)" -- "$CLAE" sample --model "$tmp/w.safetensors" --out "$tmp/s.png"
if "$CLAE" help reconstruct > /dev/null 2>&1; then
    check "reconstruct loads the export" "$CLAE" reconstruct --model "$tmp/w.safetensors" --out "$tmp/w.png" > /dev/null 2>&1
fi

# the live line fits the terminal: $COLUMNS under a pseudo-terminal with no size
if command -v script > /dev/null; then
    for cols in 80 40; do
        COLUMNS=$cols script -qec "'$CLAE' train --spec '$tmp/tiny.ini' --force --epochs 2 --set loss.sparsity=l1" /dev/null < /dev/null > "$tmp/live.txt" 2>&1
        long=$(tr '\r' '\n' < "$tmp/live.txt" | sed 's/\x1b\[K//g' | grep '^epoch [0-9]*/[0-9]*  ' | grep -v 'train_loss' | awk -v w=$cols 'length($0) >= w')
        shown=$(tr '\r' '\n' < "$tmp/live.txt" | sed 's/\x1b\[K//g' | grep '^epoch [0-9]*/[0-9]*  ' | grep -vc 'train_loss')
        if [ -z "$long" ] && [ "$shown" -gt 0 ]; then
            pass
        else
            fail "the live line at $cols columns: $long"
        fi
    done
    # to a file first: grep -q on a pipe would leave the run going (and holding its folder)
    COLUMNS=200 script -qec "'$CLAE' train --spec '$tmp/tiny.ini' --force --epochs 1 --set loss.sparsity=l1" /dev/null < /dev/null > "$tmp/live200.txt" 2>&1
    check "the live line shows each term and the run ETA" grep -q 'reconstruction .* sparsity .* run ETA' "$tmp/live200.txt"
fi

# the start of training names the model and the data
"$CLAE" train --spec "$tmp/tiny.ini" --force --epochs 1 > /dev/null 2> "$tmp/start.err"
check "model line" grep -qx 'model: 784 → dense 16 relu → code 8 sigmoid → dense 16 relu → 784 sigmoid, 26,168 parameters' "$tmp/start.err"
check "data line" grep -qx 'data: mnist, 540 train / 60 test, 1×28×28' "$tmp/start.err"

# a buffer larger than the device allows: named and sized before the driver is asked (exit 1),
# and no checkpoint is written
spec huge '[data]
train = mnist
limit = 100
[dense]
units = 1048576'
err=$("$CLAE" train --spec "$tmp/huge.ini" --out "$tmp/huge" 2>&1 >/dev/null)
code=$?
check "too large a model: exit 1 (got $code)" test "$code" = 1
check "too large a model: one line naming the buffer and both sizes: $err" \
    bash -c '[[ $1 =~ ^clae:\ the\ parameters:\ [0-9]+\ values\ \([0-9.]+\ MiB\),\ more\ than\ the\ largest\ buffer\ device\ [0-9]+\ allows\ \([0-9.]+\ MiB\):\ make\ the\ model\ or\ the\ batch\ smaller$ ]]' _ "$err"
check "too large a model: no checkpoint" test ! -e "$tmp/huge/model.safetensors"

# an unwritable cache folder hides PoCL's device: say that, not "install a driver"
err=$(XDG_CACHE_HOME=/proc/nonexistent "$CLAE" list-devices 2>&1 >/dev/null)
code=$?
if [ "$code" = 3 ]; then
    check "unwritable cache: the message names it: $err" test "$err" = "clae: no OpenCL device found (the cache folder /proc/nonexistent cannot be written, and drivers such as PoCL keep their compiled kernels there: set XDG_CACHE_HOME to a writable folder)"
else
    echo "note: a driver here works without a cache folder; the unwritable-cache message is not checked"
fi

# a FIFO or a device in a file's place is refused at once, never read or waited on
mkfifo "$tmp/fifo"
expect 2 "clae: $tmp/fifo: not a regular file" -- timeout 20 "$CLAE" train --spec "$tmp/fifo"
expect 2 "clae: $tmp/fifo: not a regular file" -- timeout 20 "$CLAE" reconstruct --model "$tmp/fifo" --out "$tmp/x.png"
expect 2 "clae: $tmp/fifo: not a regular file" -- timeout 20 "$CLAE" train --set data.train="$tmp/fifo"
expect 2 'clae: /dev/zero: not a regular file' -- timeout 20 "$CLAE" train --spec /dev/zero
# ... and a FIFO in place of a kernel-cache entry is a bad entry, rebuilt
cache=${XDG_CACHE_HOME:-$HOME/.cache}
if [ -d "$cache/clae" ]; then
    mkdir -p "$tmp/cache/clae"
    for e in "$cache"/clae/*.clbin; do [ -e "$e" ] && mkfifo "$tmp/cache/clae/${e##*/}"; done
    # PoCL keeps its own cache where it was, so only clae's entries are FIFOs
    check "FIFOs as kernel-cache entries are rebuilt, not waited on" \
        bash -c '"$@" > /dev/null 2>&1' _ env XDG_CACHE_HOME="$tmp/cache" \
        POCL_CACHE_DIR="${POCL_CACHE_DIR:-$cache/pocl}" \
        timeout 60 "$CLAE" train --spec "$tmp/tiny.ini" --force --epochs 1 --out "$tmp/fifo-cache"
fi

finish
