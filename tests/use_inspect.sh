#!/usr/bin/env bash
# The commands that look inside a trained model, end to end: trains one tiny
# denoising model (1500 digits, 2 epochs), then runs features, probe and
# inpaint on it and checks their files and numbers — the probe's accuracy on
# the codes well above the majority class, the inpainted pixels closer to the
# truth than the masked ones — and their bad inputs (exact one-line messages,
# exit codes). Usage: use_inspect.sh path/to/clae
set -u
CLAE=$1
. "$(dirname "$0")/lib.sh"

is_png() { [ "$(head -c 8 "$1" | od -An -tx1 | tr -d ' \n')" = "89504e470d0a1a0a" ]; }
# a number > another, in awk
gt() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a > b) }'; }

cat > "$tmp/tiny.ini" <<INI
[data]
train = mnist
limit = 1500
holdout = 0.2
[model]
code = 16
[dense]
units = 64
activation = relu
[code]
activation = linear
[noise]
mask = 0.25
[loss]
reconstruction = bce
[train]
epochs = 2
batch = 32
[output]
dir = $tmp/run
INI
"$CLAE" train --spec "$tmp/tiny.ini" >"$tmp/train.log" 2>&1
code=$?
if [ $code = 3 ]; then # no usable device
    echo "no usable OpenCL device"
    [ -n "${CLAE_REQUIRE_DEVICE:-}" ] && exit 1
    exit 77
fi
if [ $code != 0 ]; then
    cat "$tmp/train.log"
    echo "FAIL: training the tiny model"
    exit 1
fi
M=$tmp/run/model.safetensors

for cmd in features probe inpaint; do
    out=$("$CLAE" "$cmd" --help)
    if [ $? = 0 ] && [[ $out == "usage: clae $cmd"* ]]; then pass; else fail "$cmd --help"; fi
done

# features: the weights and the units picture
"$CLAE" features --model "$M" --units 4 --steps 20 --out "$tmp/f.png" >"$tmp/features.out" 2>&1
check "features exit 0" [ $? = 0 ]
check "features.png" is_png "$tmp/f.png"
check "features-units.png" is_png "$tmp/f-units.png"
check "features: 64 tiles" grep -q "^wrote $tmp/f.png (64 first-layer tiles)" "$tmp/features.out"
check "features: 4 units" grep -q "(4 code units: top 8 of 300 samples" "$tmp/features.out"

# probe: the codes carry the digits' classes (10 classes; majority ~0.1)
"$CLAE" probe --model "$M" --json "$tmp/probe.json" >"$tmp/probe.out" 2>&1
check "probe exit 0" [ $? = 0 ]
codes=$(awk '$1 == "codes" { print $4 }' "$tmp/probe.out")
pixels=$(awk '$1 == "pixels" { print $4 }' "$tmp/probe.out")
pca=$(awk '$1 == "pca" { print $4 }' "$tmp/probe.out")
majority=$(awk '$1 == "majority" { print $4 }' "$tmp/probe.out")
check "probe: 1200 train, 300 test" grep -q "1200 train and 300 test samples, 10 classes" "$tmp/probe.out"
check "probe: codes $codes beat the majority $majority by 0.25" gt "$codes" "$(awk -v m="$majority" 'BEGIN { print m + 0.25 }')"
check "probe: pixels $pixels beat the majority" gt "$pixels" 0.6
check "probe: pca $pca beat the majority" gt "$pca" 0.6
check "probe.json" grep -q '"test_accuracy"' "$tmp/probe.json"

# inpaint: both mask kinds; the filled pixels closer to the truth than the zeros
for mask in square:8 random:0.25; do
    "$CLAE" inpaint --model "$M" --mask "$mask" --count 200 --iterations 2 --save-masked "$tmp/$mask" \
        --out "$tmp/i.png" >"$tmp/inpaint.out" 2>&1
    check "inpaint $mask exit 0" [ $? = 0 ]
    check "inpaint $mask picture" is_png "$tmp/i.png"
    before=$(awk '/^MSE on the masked pixels: masked input/ { print $NF }' "$tmp/inpaint.out")
    after=$(awk '$1 == "inpainted_mse" { print $2 }' "$tmp/inpaint.out")
    check "inpaint $mask: MSE $after below the masked input's $before" gt "$before" "$after"
    for f in original masked mask inpainted; do check "inpaint $mask $f.npy" [ -s "$tmp/$mask/$f.npy" ]; done
    check "inpaint $mask meta.json" grep -q '"clae_mse"' "$tmp/$mask/meta.json"
done

expect 2 'clae inpaint: --mask "square:0": the square'"'"'s side must be a positive integer (see clae help inpaint)' -- \
    "$CLAE" inpaint --model "$M" --mask square:0 --out "$tmp/x.png"
expect 2 'clae inpaint: --mask "blob:3": expected square:K or random:P (see clae help inpaint)' -- \
    "$CLAE" inpaint --model "$M" --mask blob:3 --out "$tmp/x.png"
expect 2 'clae inpaint: --mask "random:1.5": the probability must be a number in (0, 1] (see clae help inpaint)' -- \
    "$CLAE" inpaint --model "$M" --mask random:1.5 --out "$tmp/x.png"
expect 2 'clae: --mask "square:29": a 29x29 square does not fit in 28x28 images' -- \
    "$CLAE" inpaint --model "$M" --mask square:29 --out "$tmp/x.png"
expect 2 'clae inpaint: --model, --mask and --out are required (see clae help inpaint)' -- \
    "$CLAE" inpaint --model "$M" --out "$tmp/x.png"
expect 2 'clae features: --units: expected 1..256, got "0" (see clae help features)' -- \
    "$CLAE" features --model "$M" --units 0 --out "$tmp/x.png"
expect 2 'clae probe: unknown or incomplete option "--bogus" (see clae help probe)' -- \
    "$CLAE" probe --model "$M" --bogus

# probe on images without labels: three blank 28x28 digits in IDX
{ printf '\x00\x00\x08\x03\x00\x00\x00\x03\x00\x00\x00\x1c\x00\x00\x00\x1c'; head -c 2352 /dev/zero; } >"$tmp/blank.idx"
expect 2 "clae: $tmp/blank.idx: no labels (the probe trains a classifier with them: give --labels FILE)" -- \
    "$CLAE" probe --model "$M" --input "$tmp/blank.idx"


# probe counts the labels that occur: 20 digits labelled 3 and 7 are 2 classes; all 5 is 1
gzip -dc data/mnist10k-images-idx3-ubyte.gz | head -c $((16 + 20 * 784)) >"$tmp/d20.idx"
printf '\x00\x00\x00\x14' | dd of="$tmp/d20.idx" bs=1 seek=4 conv=notrunc status=none
idx_labels() { # idx_labels FILE LABEL...: an IDX1 file of the labels
    python3 -c 'import struct, sys
labels = [int(v) for v in sys.argv[2:]]
open(sys.argv[1], "wb").write(struct.pack(">II", 0x801, len(labels)) + bytes(labels))' "$@"
}
idx_labels "$tmp/l37.idx" 3 7 3 7 3 7 3 7 3 7 3 7 3 7 3 7 3 7 3 7
idx_labels "$tmp/l5.idx" 5 5 5 5 5 5 5 5 5 5 5 5 5 5 5 5 5 5 5 5
"$CLAE" probe --model "$M" --input "$tmp/d20.idx" --labels "$tmp/l37.idx" >"$tmp/probe37.out" 2>&1
check "probe on labels 3 and 7 exit 0" [ $? = 0 ]
check "probe: labels 3 and 7 are 2 classes" grep -q "16 train and 4 test samples, 2 classes" "$tmp/probe37.out"
expect 2 "clae: $tmp/d20.idx: every label is 5: the probe needs samples of at least 2 classes" -- \
    "$CLAE" probe --model "$M" --input "$tmp/d20.idx" --labels "$tmp/l5.idx"
# --labels needs --input (one check for every command); features and inpaint take none
expect 2 'clae: --labels needs --input' -- "$CLAE" probe --model "$M" --labels "$tmp/l5.idx"
expect 2 'clae features: unknown or incomplete option "--labels" (see clae help features)' -- \
    "$CLAE" features --model "$M" --labels "$tmp/l5.idx" --out "$tmp/x.png"
expect 2 'clae inpaint: unknown or incomplete option "--labels" (see clae help inpaint)' -- \
    "$CLAE" inpaint --model "$M" --mask square:4 --labels "$tmp/l5.idx" --out "$tmp/x.png"
expect 2 'clae inpaint: unknown or incomplete option "-z" (see clae help inpaint)' -- \
    "$CLAE" inpaint --model "$M" -zk --mask square:4 --out "$tmp/x.png"

finish
