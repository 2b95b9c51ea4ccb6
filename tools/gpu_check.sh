#!/usr/bin/env bash
# Checks clae on a machine's GPUs in about five minutes: lists the OpenCL devices, runs
# the conformance suite on all of them, then benchmarks specs/bench.ini and
# specs/conv_bn.ini on each GPU. Everything goes to OUT/log.txt; OUT/summary.txt holds
# a table of device, model, samples/s and the GEMM GFLOP/s of each provider.
# Runs from a bundle (tools/bundle.sh) or from the repository (build/clae).
set -euo pipefail

usage() {
    cat >&2 << 'EOF'
usage: tools/gpu_check.sh [--clae PATH] [--out DIR] [--all-devices] [--seconds S] [--timeout S] [--budget S]
  --clae PATH     the clae to check (default: the bundle's ./clae, else build/clae, else clae on PATH)
  --out DIR       results folder (default: gpu-check-DATE-TIME in the current directory)
  --all-devices   benchmark every device, CPUs included (default: GPUs and accelerators only)
  --seconds S     each benchmark's measuring time, clae bench --seconds (default 3)
  --timeout S     the most one benchmark may take, warm-up and kernel builds included (default 60)
  --budget S      the most the whole check may take (default 285)
Exits 0 when every check passed, 1 when one failed or ran out of time, 3 when there is
no device to check.
EOF
    exit 2
}

here=$(cd "$(dirname "$(readlink -f "$0")")" && pwd)
root=$(dirname "$here")
clae="" out="" all=no seconds=3 run_limit=60 budget=285
while [ $# -gt 0 ]; do
    case $1 in
        --clae) [ $# -ge 2 ] || usage; clae=$2; shift 2 ;;
        --out) [ $# -ge 2 ] || usage; out=$2; shift 2 ;;
        --all-devices) all=yes; shift ;;
        --seconds) [ $# -ge 2 ] || usage; seconds=$2; shift 2 ;;
        --timeout) [ $# -ge 2 ] || usage; run_limit=$2; shift 2 ;;
        --budget) [ $# -ge 2 ] || usage; budget=$2; shift 2 ;;
        -h | --help) usage ;;
        *) echo "gpu_check: unknown argument \"$1\"" >&2; usage ;;
    esac
done
for n in "$seconds" "$run_limit" "$budget"; do
    case $n in '' | *[!0-9]*) echo "gpu_check: expected a whole number of seconds, got \"$n\"" >&2; usage ;; esac
done

if [ -z "$clae" ]; then
    if [ -x "$root/clae" ] && [ -f "$root/clae" ]; then clae="$root/clae"
    elif [ -x "$root/build/clae" ]; then clae="$root/build/clae"
    else clae=$(command -v clae || true)
    fi
fi
if [ -z "$clae" ] || [ ! -x "$clae" ]; then
    echo "gpu_check: no clae found${clae:+ at $clae}: pass --clae PATH" >&2
    exit 2
fi
specs=("$root/specs/bench.ini" "$root/specs/conv_bn.ini")
for s in "${specs[@]}"; do
    [ -f "$s" ] || { echo "gpu_check: $s not found" >&2; exit 2; }
done
command -v timeout > /dev/null || { echo "gpu_check: timeout (coreutils) not found" >&2; exit 2; }

[ -n "$out" ] || out="gpu-check-$(date +%Y%m%d-%H%M%S)"
mkdir -p "$out"
log="$out/log.txt" summary="$out/summary.txt" step="$out/.step.txt"
: > "$log"
trap 'rm -f "$step"' EXIT
deadline=$((SECONDS + budget))

say() { echo "gpu_check: $*" | tee -a "$log"; }
# run_step LIMIT COMMAND...: runs it under timeout into $step and the log; sets $rc
run_step() {
    local limit=$1
    shift
    printf '\n== %s  $ %s  (limit %ss)\n' "$(date '+%F %T')" "$*" "$limit" >> "$log"
    rc=0
    timeout --kill-after=5 "$limit" "$@" > "$step" 2>&1 || rc=$?
    cat "$step" >> "$log"
    [ "$rc" = 0 ] || printf '== exit %s%s\n' "$rc" "$([ "$rc" = 124 ] && echo ": timed out after ${limit}s")" >> "$log"
}
left() { echo $((deadline - SECONDS)); }

say "checking $clae, results in $out/"
{
    printf '== %s\n' "$(date '+%F %T %z')"
    uname -a
    ls -l /etc/OpenCL/vendors/ 2> /dev/null || echo "no /etc/OpenCL/vendors"
    [ -z "${OCL_ICD_VENDORS:-}" ] || echo "OCL_ICD_VENDORS=$OCL_ICD_VENDORS"
} >> "$log" 2>&1
if command -v nvidia-smi > /dev/null; then run_step 15 nvidia-smi -L; fi
run_step 30 "$clae" --version

# --- the devices --------------------------------------------------------
run_step 30 "$clae" list-devices
listing=$(cat "$step")
echo "$listing"
# list-devices prints fixed columns: index 1-5, platform 7-34, device 36-71, type 73-77
rows=$(LC_ALL=C awk 'NR > 1 && $1 ~ /^[0-9]+$/' "$step")
if [ "$rc" != 0 ] || [ -z "$rows" ]; then
    say "no OpenCL device found (clae list-devices exit $rc); see $log"
    exit 3
fi
indices=() names=() types=()
while IFS= read -r row; do
    index=$(LC_ALL=C awk '{print $1}' <<< "$row")
    name=$(LC_ALL=C awk '{s = substr($0, 36, 36); sub(/ +$/, "", s); print s}' <<< "$row")
    type=$(LC_ALL=C awk '{s = substr($0, 73, 5); sub(/ +$/, "", s); print s}' <<< "$row")
    if [ "$all" = yes ] || [ "$type" = GPU ] || [ "$type" = ACCEL ]; then
        indices+=("$index") names+=("$name") types+=("$type")
    fi
done <<< "$rows"
if [ ${#indices[@]} = 0 ]; then
    say "no GPU among the OpenCL devices ($(LC_ALL=C awk '{print substr($0, 73, 5)}' <<< "$rows" |
        sort | uniq -c | awk '{printf "%s%s %s", sep, $1, $2; sep=", "}')); --all-devices checks them anyway"
    exit 3
fi

failed=0
# --- conformance on every device ------------------------------------------
conformance_limit=$(($(left) * 2 / 5))
[ "$conformance_limit" -le 150 ] || conformance_limit=150
say "conformance on every device (limit ${conformance_limit}s)"
run_step "$conformance_limit" "$clae" conformance --device all
conformance=$(grep -E '^device [0-9]+: [0-9]+ checks' "$step" || true)
grep -E 'FAIL$' "$step" | head -n 20 || true
if [ "$rc" != 0 ]; then
    failed=1
    [ "$rc" = 124 ] && conformance="${conformance:+$conformance
}conformance timed out after ${conformance_limit}s"
    [ "$rc" != 124 ] && conformance="${conformance:+$conformance
}conformance failed (exit $rc)"
fi
echo "$conformance"

# --- benchmarks: each spec on each device, the first spec everywhere first -----
table=()
runs_left=$((${#specs[@]} * ${#indices[@]}))
for spec in "${specs[@]}"; do
    model=$(basename "$spec")
    for i in "${!indices[@]}"; do
        d=${indices[$i]}
        # a fair share of the time left; when that is too short, all of it (earlier runs first)
        limit=$(($(left) / runs_left))
        [ "$limit" -ge $((seconds + 10)) ] || limit=$(left)
        [ "$limit" -le "$run_limit" ] || limit=$run_limit
        runs_left=$((runs_left - 1))
        if [ "$limit" -lt $((seconds + 10)) ]; then
            table+=("$d|${types[$i]}|${names[$i]}|$model|-|-|skipped: out of time")
            failed=1
            continue
        fi
        say "bench $model on device $d, ${names[$i]} (limit ${limit}s)"
        run_step "$limit" "$clae" bench --spec "$spec" --device "$d" --seconds "$seconds"
        rate=$(sed -n 's/^training: \([0-9.]*\) samples\/s.*/\1/p' "$step" | head -n1)
        gemm=$(sed -n 's/^GEMM: .*GFLOP\/s: //p' "$step" | head -n1)
        status=ok
        if [ "$rc" = 124 ]; then status="timed out after ${limit}s"
        elif [ "$rc" != 0 ]; then status="failed (exit $rc): $(tail -n1 "$step")"
        elif [ -z "$rate" ]; then status="no samples/s in the output"
        fi
        [ "$status" = ok ] || failed=1
        table+=("$d|${types[$i]}|${names[$i]}|$model|${rate:--}|${gemm:--}|$status")
    done
done

# --- the summary ------------------------------------------------------------
{
    echo "clae GPU check, $(date '+%F %T'), $(uname -n), $SECONDS s"
    while IFS= read -r line; do echo "conformance: $line"; done <<< "$conformance"
    echo
    printf '%s\n' "device|type|name|model|samples/s|GEMM GFLOP/s by provider|status" "${table[@]}" |
        awk -F'|' '{ for (i = 1; i <= NF; i++) { cell[NR, i] = $i; if (length($i) > w[i]) w[i] = length($i) } }
            END { for (r = 1; r <= NR; r++) { line = ""
                      for (i = 1; i <= 7; i++) line = line sprintf(i < 7 ? "%-" w[i] "s  " : "%s", cell[r, i])
                      print line } }'
} > "$summary"
printf '\n' >> "$log"
cat "$summary" >> "$log"
echo
cat "$summary"
if [ "$failed" = 0 ]; then
    say "all checks passed; log in $log"
else
    say "some checks failed or ran out of time; see $log"
fi
exit "$failed"
