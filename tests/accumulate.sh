#!/usr/bin/env bash
# [train] accumulate through the command line: specs/accumulate.ini (batches
# of 128, a step after every 4) trains as the same spec with batches of 512
# and no accumulation: the same test loss after 3 epochs within 1e-5 relative (54 Adam steps;
# rounding differences grow chaotically over hundreds, 0.5 % after 8 epochs;
# test_train compares the weights), and to a model far better than the mean
# image after 8. On the bundled digits. Usage: accumulate.sh path/to/clae
set -u
CLAE=$1
. "$(dirname "$0")/lib.sh"
require_device accumulate

# summary KEY DIR: a number from DIR/summary.json
summary() { python3 -c 'import json, sys; print(json.load(open(sys.argv[2]))[sys.argv[1]])' "$1" "$2/summary.json"; }
# test_loss_at EPOCH DIR: that epoch's test_loss in DIR/loss.csv
test_loss_at() { awk -F, -v e="$1" 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "test_loss") c = i }
    NR > 1 && $1 == e { print $c }' "$2/loss.csv"; }

"$CLAE" train --spec specs/accumulate.ini --epochs 8 --out "$tmp/acc" > /dev/null 2>&1
check "specs/accumulate.ini trains (exit $?)" [ -s "$tmp/acc/summary.json" ]
"$CLAE" train --spec specs/accumulate.ini --epochs 8 --set train.accumulate=1 \
    --set train.batch=512 --out "$tmp/whole" > /dev/null 2>&1
check "... and with batch = 512, accumulate = 1 (exit $?)" [ -s "$tmp/whole/summary.json" ]
acc=$(test_loss_at 3 "$tmp/acc") whole=$(test_loss_at 3 "$tmp/whole")
mse=$(summary test_mse "$tmp/acc") base=$(summary baseline_mse "$tmp/acc")
echo "epoch 3 test_loss: batch 128 x accumulate 4 $acc, batch 512 $whole"
echo "epoch 8 test_mse $mse, mean image $base"
check "the same epoch-3 test loss as batch 512" \
    awk -v a="$acc" -v b="$whole" 'BEGIN { d = a - b; exit !(d * d <= (1e-5 * b) ^ 2) }'
check "a test MSE under half the mean image's" awk -v m="$mse" -v b="$base" 'BEGIN { exit !(m < 0.5 * b) }'
expect 2 "clae train: --set train.accumulate=0: [train] accumulate: expected a positive integer, got \"0\"" \
    -- "$CLAE" train --spec specs/accumulate.ini --set train.accumulate=0 --out "$tmp/bad"

finish accumulate
