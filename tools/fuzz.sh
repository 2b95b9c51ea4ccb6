#!/usr/bin/env bash
# Builds the libFuzzer harnesses of the input parsers with clang (ASan + UBSan)
# and runs each for N seconds on a copy of its seed corpus in tests/fuzz/corpus.
# Fails on any crash, leak, UBSan finding or hang; a failing input is kept in
# BUILD/fuzz-artifacts. CI runs 20 s each; a long local run: --seconds 3600.
#   tools/fuzz.sh [--seconds N] [--build DIR] [HARNESS...]
set -euo pipefail
cd "$(dirname "$0")/.."

usage="usage: tools/fuzz.sh [--seconds N] [--build DIR] [HARNESS...]"
seconds=20
build="build-fuzz"
harnesses=()
while [ $# -gt 0 ]; do
    case "$1" in
        --seconds) [ $# -ge 2 ] || { echo "$usage" >&2; exit 2; }; seconds=$2; shift 2 ;;
        --build) [ $# -ge 2 ] || { echo "$usage" >&2; exit 2; }; build=$2; shift 2 ;;
        -h|--help) echo "$usage"; exit 0 ;;
        -*) echo "fuzz: unknown option $1" >&2; echo "$usage" >&2; exit 2 ;;
        *) harnesses+=("$1"); shift ;;
    esac
done
case "$seconds" in ''|*[!0-9]*|0) echo "fuzz: --seconds needs a positive whole number, got '$seconds'" >&2; exit 2 ;; esac
command -v clang > /dev/null || { echo "fuzz: clang not found (tools/setup.sh installs it)" >&2; exit 1; }
if [ ${#harnesses[@]} -eq 0 ]; then
    for dir in tests/fuzz/corpus/*/; do
        name=${dir%/}
        harnesses+=("${name##*/}")
    done
fi

CC=clang cmake -S . -B "$build" -DCLAE_FUZZ=ON -DCLAE_BUILD_TESTS=OFF \
    -DCMAKE_BUILD_TYPE=RelWithDebInfo > /dev/null
cmake --build "$build" --target fuzz -j "$(nproc)" > /dev/null

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
artifacts=$build/fuzz-artifacts
mkdir -p "$artifacts"
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
unset LSAN_OPTIONS # no suppressions: the parsers load no OpenCL driver
failed=()
for name in "${harnesses[@]}"; do
    bin=$build/tests/fuzz/fuzz_$name
    [ -x "$bin" ] || { echo "fuzz: no harness fuzz_$name in $build/tests/fuzz" >&2; exit 2; }
    # libFuzzer adds what it finds to its first corpus folder: a copy, never the repository's.
    mkdir -p "$work/$name"
    cp tests/fuzz/corpus/"$name"/* "$work/$name/"
    log=$work/$name.log
    status=0
    TMPDIR=$work "$bin" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
        -print_final_stats=1 -artifact_prefix="$artifacts/$name-" "$work/$name" > "$log" 2>&1 ||
        status=$?
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
    if [ "$status" -eq 0 ]; then
        echo "fuzz: $name: ${runs:-?} runs in ${seconds} s, no findings"
    else
        echo "fuzz: $name: FINDING (exit $status) after ${runs:-?} runs:"
        grep -E '^(==[0-9]+==ERROR|SUMMARY|.*runtime error|artifact_prefix|Test unit written| +#[0-5] )' "$log" |
            head -20 | sed 's/^/    /'
        cp "$log" "$artifacts/$name.log"
        echo "    full log: $artifacts/$name.log; rerun: $bin $artifacts/$name-*"
        failed+=("$name")
    fi
done
if [ ${#failed[@]} -gt 0 ]; then
    echo "fuzz: findings in ${failed[*]}" >&2
    exit 1
fi
echo "fuzz: ${#harnesses[@]} harnesses, no findings"
