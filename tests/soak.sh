#!/usr/bin/env bash
# Crash safety: training is killed with SIGKILL at random moments (while it
# trains, while it writes a checkpoint, while it writes the final outputs) and
# restarted each time with the same command, `clae train --resume`, until a
# run completes. Every checkpoint seen must load, and at the end no temporary
# file may remain, loss.csv must hold exactly one row per epoch, the final
# outputs must exist and the weights must equal those of an uninterrupted run.
# Usage: soak.sh path/to/clae [KILLS]   (exit 77: no OpenCL device)
set -u
CLAE=$1
KILLS=${2:-20}
. "$(dirname "$0")/lib.sh"

require_device soak

epochs=6
cat > "$tmp/soak.ini" <<EOF
[data]
train = mnist
limit = 3000
[dense]
units = 32
[train]
epochs = $epochs
batch = 32
seed = 5
[output]
dir = $tmp/run
EOF

# the tensors of a checkpoint, without its metadata (timings differ between runs)
tensors() {
    /usr/bin/python3 - "$1" <<'EOF'
import hashlib, json, struct, sys
data = open(sys.argv[1], "rb").read()
n = struct.unpack("<Q", data[:8])[0]
header = json.loads(data[8:8 + n])
header.pop("__metadata__", None)
print(hashlib.sha256(json.dumps(header, sort_keys=True).encode() + data[8 + n:]).hexdigest())
EOF
}

start=$(date +%s%N)
"$CLAE" train --spec "$tmp/soak.ini" --out "$tmp/ref" > /dev/null 2>&1 || fail "the uninterrupted run"
full=$(awk -v a="$start" -v b="$(date +%s%N)" 'BEGIN { printf "%.3f", (b - a) / 1e9 }')
want=$(tensors "$tmp/ref/model.safetensors")

# Cycles of one job each: the folder starts empty and the same command runs
# until it completes, killed at a random moment each time until KILLS kills
# in all. Each completed cycle must hold the uninterrupted run's result.
kills=0 attempts=0 cycles=0 bad_checkpoints=0
while [ "$kills" -lt "$KILLS" ] && [ "$cycles" -lt "$KILLS" ]; do
    cycles=$((cycles + 1))
    rm -rf "$tmp/run"
    done=0
    while [ "$done" = 0 ] && [ "$attempts" -lt $((KILLS * 8)) ]; do
        attempts=$((attempts + 1))
        "$CLAE" train --spec "$tmp/soak.ini" --resume > "$tmp/out.log" 2>&1 &
        pid=$!
        if [ "$kills" -lt "$KILLS" ]; then
            # anywhere from start-up to near the end of an uninterrupted run (a
            # restart has less left to do, so later kills fall in its final outputs)
            sleep "$(awk -v f="$full" -v r="$RANDOM" 'BEGIN { printf "%.3f", f * 0.9 * r / 32768 }')"
            kill -9 "$pid" 2> /dev/null && kills=$((kills + 1))
        fi
        wait "$pid" 2> /dev/null
        code=$?
        if [ "$code" = 0 ]; then
            done=1
        elif [ "$code" != 137 ]; then
            fail "attempt $attempts ended with exit $code: $(tail -n 1 "$tmp/out.log")"
            break 2
        fi
        if [ -e "$tmp/run/model.safetensors" ] && ! tensors "$tmp/run/model.safetensors" > /dev/null 2>&1; then
            bad_checkpoints=$((bad_checkpoints + 1))
        fi
    done
    check "cycle $cycles completed" test "$done" = 1
    [ "$done" = 1 ] || break
    leftovers=$(find "$tmp/run" -name '*.tmp.*' | wc -l)
    check "cycle $cycles: no temporary files remain ($leftovers)" test "$leftovers" = 0
    rows=$(tail -n +2 "$tmp/run/loss.csv" | cut -d, -f1 | tr '\n' ' ')
    check "cycle $cycles: loss.csv has one row per epoch: $rows" test "$rows" = "$(seq -s ' ' 1 $epochs) "
    for f in summary.json reconstructions.png loss.png; do
        check "cycle $cycles: the final output $f exists" test -s "$tmp/run/$f"
    done
    check "cycle $cycles: the weights equal the uninterrupted run's" \
        test "$(tensors "$tmp/run/model.safetensors")" = "$want"
done
echo "soak: $kills kills in $attempts starts, $cycles runs"
check "at least $KILLS kills (got $kills)" test "$kills" -ge "$KILLS"
check "every checkpoint seen was valid ($bad_checkpoints bad)" test "$bad_checkpoints" = 0

finish
