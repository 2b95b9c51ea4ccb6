#!/usr/bin/env bash
# The commands that use a trained model, end to end: trains a small dense
# autoencoder (specs/anomaly.ini, shortened: digits 0-8 only) and a tiny
# denoising VAE with a 2-D code, then runs reconstruct, encode, score
# (with the anomaly AUC), interpolate and sample on them, checking every
# output file, and the bad inputs with their exact messages and exit codes.
# Usage: use_commands.sh path/to/clae   (run from the source tree)
set -u
CLAE=$1
. "$(dirname "$0")/lib.sh"

# run_ok NAME COMMAND...: runs it, keeps its stdout in $tmp/NAME.out
run_ok() {
    local name=$1
    shift
    if "$@" >"$tmp/$name.out" 2>"$tmp/$name.err"; then
        pass
    else
        fail "$* (exit $?): $(cat "$tmp/$name.err")"
    fi
}

# A PNG's width and height from its IHDR chunk, or nothing if it is not a PNG.
png_size() {
    python3 - "$1" <<'EOF'
import struct, sys
with open(sys.argv[1], 'rb') as f:
    head = f.read(24)
if head[:8] == b'\x89PNG\r\n\x1a\n' and head[12:16] == b'IHDR':
    print('%d %d' % struct.unpack('>II', head[16:24]))
EOF
}
# check_png FILE: a PNG of at least 100 x 100 pixels
check_png() {
    local size
    size=$(png_size "$1" 2>/dev/null)
    if [ -n "$size" ] && [ "${size% *}" -ge 100 ] && [ "${size#* }" -ge 100 ]; then
        pass
    else
        fail "$1: not a PNG of at least 100x100 (size: '$size')"
    fi
}
# check_lines FILE N: the file has exactly N lines
check_lines() {
    local n
    n=$(wc -l <"$1")
    if [ "$n" = "$2" ]; then pass; else fail "$1: $n lines, want $2"; fi
}

# --- the models ------------------------------------------------------------
# Trained on the first 3000 digits 0-8, which lie among the first 8000 bundled
# digits: the last 2000 (all classes) stay unseen for the anomaly score.
dense=$tmp/dense/model.safetensors
"$CLAE" train --spec specs/anomaly.ini --epochs 2 --set data.limit=3000 --set train.batch=32 \
    --set train.learning_rate=0.003 --set "output.dir=$tmp/dense" >/dev/null 2>"$tmp/train.err" ||
    { echo "training the dense model failed: $(tail -1 "$tmp/train.err")"; exit 1; }
printf '%s\n' '[data]
train = mnist
limit = 1500
[model]
code = 2
variational = yes
[dense]
units = 64
[code]
activation = linear
[noise]
mask = 0.25
[loss]
reconstruction = bce
[train]
epochs = 2
batch = 64' >"$tmp/vae.ini"
vae=$tmp/vae/model.safetensors
"$CLAE" train --spec "$tmp/vae.ini" --set "output.dir=$tmp/vae" --snapshots >"$tmp/train.out" 2>"$tmp/train.err" ||
    { echo "training the VAE failed: $(tail -1 "$tmp/train.err")"; exit 1; }
# the run's pictures, a 2-D VAE's manifold and the --snapshots, and the line naming them
for f in reconstructions loss latent features manifold samples snapshots/epoch-001 snapshots/epoch-002; do
    check_png "$tmp/vae/$f.png"
done
check "train: the files written" grep -qx "wrote $tmp/vae/{features.png,latent.png,loss.csv,loss.png,manifold.png,model.best.safetensors,model.safetensors,reconstructions.png,samples.png,snapshots,summary.json}" "$tmp/train.out"

# --- reconstruct -----------------------------------------------------------
run_ok rec "$CLAE" reconstruct --model "$dense" --out "$tmp/rec.png"
check_png "$tmp/rec.png"
check "reconstruct: rows and MSE" grep -Eq '^wrote 16 samples as rows original, reconstructed \(MSE 0\.[0-9]+\)' "$tmp/rec.out"
# a denoising model: clean, corrupted, restored; more samples than a row holds
run_ok recv "$CLAE" reconstruct --model "$vae" --input mnist --count 20 --out "$tmp/recv.png"
check_png "$tmp/recv.png"
check "reconstruct: denoising rows" grep -q '^wrote 20 samples as rows clean, corrupted, restored' "$tmp/recv.out"

# --- encode ----------------------------------------------------------------
run_ok enc "$CLAE" encode --model "$dense" --input mnist --limit 100 --out "$tmp/codes.csv"
check_lines "$tmp/codes.csv" 101
check "encode: CSV header" grep -qx 'code_1,code_2,code_3,code_4,code_5,code_6,code_7,code_8,code_9,code_10,code_11,code_12,code_13,code_14,code_15,code_16,label' "$tmp/codes.csv"
check "encode: 17 columns a row" awk -F, 'NR > 1 && NF != 17 { exit 1 }' "$tmp/codes.csv"
run_ok encv "$CLAE" encode --model "$vae" --input mnist --skip 10 --limit 50 --logvar --out "$tmp/codes.csv"
check "encode --logvar: CSV header" grep -qx 'code_1,code_2,logvar_1,logvar_2,label' "$tmp/codes.csv"
check_lines "$tmp/codes.csv" 51
run_ok npy "$CLAE" encode --model "$vae" --input mnist --limit 100 --logvar --out "$tmp/codes.npy"
# the .npy: numpy's own loader where numpy is installed, else its header and size
check "encode: .npy of shape (100, 4)" python3 - "$tmp/codes.npy" <<'EOF'
import os, struct, sys
path = sys.argv[1]
try:
    import numpy
    a = numpy.load(path)
    sys.exit(0 if a.shape == (100, 4) and a.dtype == numpy.float32 else 1)
except ImportError:
    with open(path, 'rb') as f:
        head = f.read(10)
        n = struct.unpack('<H', head[8:10])[0]
        header = f.read(n).decode('latin1')
    ok = (head[:6] == b'\x93NUMPY' and "'descr': '<f4'" in header and "(100, 4)" in header
          and os.path.getsize(path) == 10 + n + 100 * 4 * 4)
    sys.exit(0 if ok else 1)
EOF

# --- score and anomaly detection -------------------------------------------
run_ok score "$CLAE" score --model "$dense" --input mnist --skip 8000 --anomaly 9 --out "$tmp/scores.csv"
check_lines "$tmp/scores.csv" 2001
check "score: CSV header" grep -qx 'index,label,mse,relative,reconstruction' "$tmp/scores.csv"
# the index is the sample's place in the input, the skipped samples counted
check "score --skip 8000: indices 8000..9999" awk -F, 'NR > 1 && $1 != NR + 7998 { exit 1 } END { exit NR != 2001 }' "$tmp/scores.csv"
# 9s never seen in training reconstruct worse than the digits 0-8 (full spec: 0.65)
auc=$(sed -n 's/^AUC \([0-9.]*\) of relative for labels 9 (203 of 2000 samples) against the rest$/\1/p' "$tmp/score.out")
if [ -n "$auc" ] && awk -v a="$auc" 'BEGIN { exit !(a > 0.55) }'; then pass
else fail "anomaly AUC of relative: '$auc', want > 0.55 ($(cat "$tmp/score.out"))"; fi
run_ok scorev "$CLAE" score --model "$vae" --input mnist --limit 300 --out "$tmp/scores.csv"
check_lines "$tmp/scores.csv" 301
check "score: VAE columns" grep -qx 'index,label,mse,relative,reconstruction,kl,neg_elbo' "$tmp/scores.csv"
check "score: neg_elbo = reconstruction + kl > 0" awk -F, 'NR > 1 && ($7 <= 0 || $7 - $5 - $6 > 1e-3 * $7 || $5 - $7 + $6 > 1e-3 * $7) { exit 1 }' "$tmp/scores.csv"

# --- interpolate and sample ------------------------------------------------
run_ok interp "$CLAE" interpolate --model "$vae" --input mnist --from 0 --to 1 --steps 6 --out "$tmp/interp.png"
check_png "$tmp/interp.png"
run_ok sample "$CLAE" sample --model "$vae" --count 20 --out "$tmp/sample.png"
check_png "$tmp/sample.png"
run_ok grid "$CLAE" sample --model "$vae" --grid 6 --out "$tmp/grid.png"
check_png "$tmp/grid.png"
check "sample --grid: message" grep -qx "wrote a 6 x 6 latent grid to $tmp/grid.png" "$tmp/grid.out"
run_ok gridr "$CLAE" sample --model "$vae" --grid 4 --range 2 --out "$tmp/gridr.png"
check "sample --grid --range: message" grep -qx "wrote a 4 x 4 latent grid to $tmp/gridr.png" "$tmp/gridr.out"

# --- every command answers --help --------------------------------------------
for cmd in reconstruct encode score interpolate sample; do
    out=$("$CLAE" "$cmd" --help 2>&1)
    if [ $? = 0 ] && [ "${out#usage: clae $cmd }" != "$out" ]; then pass; else fail "$cmd --help"; fi
done

# --- bad input ---------------------------------------------------------------
expect 2 'clae reconstruct: --model and --out are required (see clae help reconstruct)' -- "$CLAE" reconstruct --out "$tmp/x.png"
expect 2 'clae encode: --model, --input and --out are required (see clae help encode)' -- "$CLAE" encode --input mnist --out "$tmp/x.csv"
expect 2 'clae score: unknown or incomplete option "--bogus" (see clae help score)' -- "$CLAE" score --bogus
expect 2 "clae: $tmp/missing.safetensors: cannot open: No such file or directory" -- "$CLAE" score --model "$tmp/missing.safetensors" --out "$tmp/x.csv"
expect 2 "clae encode: --out $tmp/x.txt: expected a .csv or .npy file (see clae help encode)" -- "$CLAE" encode --model "$dense" --input mnist --out "$tmp/x.txt"
expect 2 'clae: --logvar needs a variational model ([model] variational = yes)' -- "$CLAE" encode --model "$dense" --input mnist --logvar --out "$tmp/x.csv"
expect 2 'clae: --from 10000: out of range: mnist has 10000 samples (0..9999)' -- "$CLAE" interpolate --model "$vae" --input mnist --from 10000 --to 1 --out "$tmp/x.png"
expect 2 'clae: --to 10000: out of range: mnist has 10000 samples (0..9999)' -- "$CLAE" interpolate --model "$vae" --input mnist --from 0 --to 10000 --out "$tmp/x.png"
expect 2 "clae: $dense: --grid needs a 2-D code, and this model's code has 16 units" -- "$CLAE" sample --model "$dense" --grid --out "$tmp/x.png"
expect 2 "clae: $dense: not a variational model (sample needs [model] variational = yes)" -- "$CLAE" sample --model "$dense" --out "$tmp/x.png"
expect 2 'clae score: --anomaly: expected labels 0..255 as a list or ranges (9, 7,9 or 0-3), got "nine" (see clae help score)' -- "$CLAE" score --model "$dense" --anomaly nine --out "$tmp/x.csv"
# --anomaly's faults in the input are found before the scoring: no file is left behind
expect 2 'clae: --anomaly: none of the 100 samples of mnist has those labels: the AUC needs anomalies and normal samples' -- "$CLAE" score --model "$dense" --input mnist --limit 100 --anomaly 200 --out "$tmp/x.csv"
check "score: no CSV after a missing anomaly" test ! -e "$tmp/x.csv"
expect 2 'clae: --anomaly: all of the 100 samples of mnist have those labels: the AUC needs anomalies and normal samples' -- "$CLAE" score --model "$dense" --input mnist --limit 100 --anomaly 0-9 --out "$tmp/x.csv"
check "score: no CSV when all are anomalies" test ! -e "$tmp/x.csv"
{ printf '\x00\x00\x08\x03\x00\x00\x00\x03\x00\x00\x00\x1c\x00\x00\x00\x1c'; head -c 2352 /dev/zero; } >"$tmp/blank.idx"
expect 2 "clae: --anomaly needs labels, and $tmp/blank.idx has none (give --labels FILE)" -- "$CLAE" score --model "$dense" --input "$tmp/blank.idx" --anomaly 9 --out "$tmp/x.csv"
check "score: no CSV without labels" test ! -e "$tmp/x.csv"
expect 2 'clae score: --anomaly: expected labels 0..255 as a list or ranges (9, 7,9 or 0-3), got "," (see clae help score)' -- "$CLAE" score --model "$dense" --anomaly , --out "$tmp/x.csv"
# --labels goes with --input; commands that never read labels do not take it
expect 2 'clae: --labels needs --input' -- "$CLAE" score --model "$dense" --labels "$tmp/blank.idx" --out "$tmp/x.csv"
expect 2 'clae reconstruct: unknown or incomplete option "--labels" (see clae help reconstruct)' -- "$CLAE" reconstruct --model "$dense" --labels "$tmp/blank.idx" --out "$tmp/x.png"
# the bad option itself, also inside a group of short options or missing its value
expect 2 'clae score: unknown or incomplete option "-x" (see clae help score)' -- "$CLAE" score --model "$dense" -xy
expect 2 'clae encode: unknown or incomplete option "-q" (see clae help encode)' -- "$CLAE" encode --logvar -q
expect 2 'clae score: unknown or incomplete option "--out" (see clae help score)' -- "$CLAE" score --model "$dense" --out
# sample's options belong to one mode or the other
expect 2 'clae sample: --range needs --grid (see clae help sample)' -- "$CLAE" sample --model "$vae" --range 2 --out "$tmp/x.png"
expect 2 'clae sample: --count and --seed draw from the prior, not with --grid (see clae help sample)' -- "$CLAE" sample --model "$vae" --grid 4 --count 8 --out "$tmp/x.png"
expect 2 'clae sample: --count and --seed draw from the prior, not with --grid (see clae help sample)' -- "$CLAE" sample --model "$vae" --seed 3 --grid --out "$tmp/x.png"
expect 2 'clae: --skip 10000: mnist has only 10000 samples' -- "$CLAE" score --model "$dense" --input mnist --skip 10000 --out "$tmp/x.csv"

finish use_commands
