#!/usr/bin/env bash
# The benchmark specs of tools/bench/compare_all.sh train as their comments say:
# each reconstructs far better than the mean image, and the sparse one holds its
# code's mean activation near the target. Usage: bench_specs.sh path/to/clae
set -u
CLAE=$1
. "$(dirname "$0")/lib.sh"

require_device bench_specs

# json FILE KEY: the number after "KEY": in summary.json
json() { sed -n "s/.*\"$2\"[[:space:]]*:[[:space:]]*\([-+0-9.eE]*\).*/\1/p" "$1" | head -n 1; }
below() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a < b) }'; }

# 784-30-784, tanh code, MSE, 20 epochs: measured 0.0355 against 0.0671 (0.53)
"$CLAE" train --spec specs/bench_small.ini --out "$tmp/small" > /dev/null 2>&1 || fail "bench_small.ini trains"
mse=$(json "$tmp/small/summary.json" test_mse) base=$(json "$tmp/small/summary.json" baseline_mse)
echo "bench_small.ini: test_mse $mse, mean image $base"
check "bench_small.ini: test MSE under 0.65 x the mean image's" below "$mse" "$(awk -v b="$base" 'BEGIN { print 0.65 * b }')"

# 784-256 sigmoid code with KL sparsity to 0.05, 10 epochs: measured 0.0097 (0.14) and a
# mean code activation of 0.073
"$CLAE" train --spec specs/bench_sparse_kl.ini --out "$tmp/sparse" > /dev/null 2>&1 || fail "bench_sparse_kl.ini trains"
mse=$(json "$tmp/sparse/summary.json" test_mse) base=$(json "$tmp/sparse/summary.json" baseline_mse)
mean=$(json "$tmp/sparse/summary.json" code_mean)
echo "bench_sparse_kl.ini: test_mse $mse, mean image $base, code_mean $mean"
check "bench_sparse_kl.ini: test MSE under 0.3 x the mean image's" below "$mse" "$(awk -v b="$base" 'BEGIN { print 0.3 * b }')"
check "bench_sparse_kl.ini: mean code activation near the target 0.05 ($mean)" \
    bash -c 'awk -v m="$1" "BEGIN { exit !(m > 0.03 && m < 0.12) }"' _ "$mean"

finish
