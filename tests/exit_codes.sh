#!/usr/bin/env bash
# The exit-code rule of the README, one case per class of error: the code, and
# the error as the last line of stderr, starting "clae" and naming the cause.
# Usage: exit_codes.sh path/to/clae   (exit 77: no OpenCL device)
set -u
CLAE=$1
. "$(dirname "$0")/lib.sh"

require_device exit_codes

# case CLASS CODE PATTERN -- COMMAND...: exit CODE, last stderr line matches PATTERN (grep -E)
case_() {
    local class=$1 want=$2 pattern=$3
    shift 4
    "$@" > /dev/null 2> "$tmp/err"
    local code=$?
    local last
    last=$(tail -n 1 "$tmp/err")
    if [ "$code" = "$want" ] && printf '%s\n' "$last" | grep -Eq "^clae.*$pattern"; then
        pass
    else
        fail "$class: want exit $want and a last line matching '$pattern'; got exit $code: $last"
    fi
}

small='[data]
train = mnist
limit = 300
[train]
epochs = 1'
printf '%s\n' "$small" > "$tmp/small.ini"
"$CLAE" train --spec "$tmp/small.ini" --out "$tmp/run" > /dev/null 2>&1 || fail "a small run to use"
printf '[dense]\nunits = -3\n' > "$tmp/bad.ini"
head -c 3000 data/mnist10k-images-idx3-ubyte.gz | gzip -dc 2> /dev/null > "$tmp/truncated.idx"
printf '%s\n' "$small" | sed "s|train = mnist|train = $tmp/truncated.idx|" > "$tmp/truncated.ini"
echo garbage > "$tmp/garbage.safetensors"
mkdir -p "$tmp/a-folder"
printf '[data]\ntrain = mnist\nlimit = 300\n[model]\noutput = linear\n[dense]\nunits = 16\nactivation = linear\n[code]\nactivation = linear\n[loss]\nreconstruction = mse\n[train]\noptimizer = sgd\nlearning_rate = 1e10\nepochs = 2\n' > "$tmp/diverge.ini"
printf '[data]\ntrain = mnist\nlimit = 100\n[dense]\nunits = 1048576\n' > "$tmp/huge.ini"

# 0: success
case_ "success" 0 "" -- bash -c "'$CLAE' spec > /dev/null && echo 'clae spec printed' >&2"
# 2: bad usage, spec, data or model file, a run folder that holds a run
case_ "unknown option" 2 'unknown or incomplete option "--bogus"' -- "$CLAE" train --bogus
case_ "bad spec value" 2 'bad.ini:2: \[dense\] units: expected a positive integer' -- "$CLAE" train --spec "$tmp/bad.ini"
case_ "missing data file" 2 'nothing.idx: cannot open: No such file or directory' -- "$CLAE" train --set data.train="$tmp/nothing.idx" --out "$tmp/r2"
case_ "corrupt data file" 2 'truncated.idx: ' -- "$CLAE" train --spec "$tmp/truncated.ini" --out "$tmp/r3"
case_ "missing model" 2 'nothing.safetensors: cannot open: No such file or directory' -- "$CLAE" reconstruct --model "$tmp/nothing.safetensors" --out "$tmp/x.png"
case_ "a folder as the model" 2 'a-folder: cannot open: Is a directory' -- "$CLAE" reconstruct --model "$tmp/a-folder" --out "$tmp/x.png"
case_ "corrupt model" 2 'garbage.safetensors: ' -- "$CLAE" reconstruct --model "$tmp/garbage.safetensors" --out "$tmp/x.png"
case_ "a run folder that holds a run" 2 'already holds this run' -- "$CLAE" train --spec "$tmp/small.ini" --out "$tmp/run"
# 1: the run failed: I/O, divergence, interruption, memory
case_ "output folder cannot be made" 1 '/proc/clae-test: cannot create directory' -- "$CLAE" train --spec "$tmp/small.ini" --out /proc/clae-test
case_ "training diverged" 1 'training diverged at epoch 1' -- "$CLAE" train --spec "$tmp/diverge.ini" --out "$tmp/r4"
case_ "interrupted" 1 'interrupted in epoch' -- timeout --preserve-status -s INT 3 "$CLAE" train --epochs 100 --out "$tmp/r5"
case_ "out of memory" 1 'the parameters: [0-9]+ values .* more than the largest buffer' -- "$CLAE" train --spec "$tmp/huge.ini" --out "$tmp/r6"
# 3: no usable OpenCL device
case_ "no device" 3 'no OpenCL device found' -- env OCL_ICD_VENDORS="$tmp/no-vendors" "$CLAE" train --spec "$tmp/small.ini" --out "$tmp/r7"

finish
