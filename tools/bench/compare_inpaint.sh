#!/bin/sh
# compare_inpaint.sh — clae's inpainting against OpenCV's (Telea; Navier-Stokes) on the same digits.
#
# For each mask (default: square:8 and random:0.25) runs `clae inpaint --save-masked` on the
# model's test digits, then tools/bench/inpaint_opencv.py on the very same masked digits, and
# prints one table: each method's mean squared error on the masked pixels, beside the masked
# input's (zeros). Without --model it first trains specs/inpaint.ini (a denoising autoencoder
# with masking noise; a few minutes on a CPU) into the work directory.
# Builds nothing: expects DIR/clae (default build/clae). Needs OpenCV's Python module for
# /usr/bin/python3 (apt-get install python3-opencv).
#
# usage: tools/bench/compare_inpaint.sh [--model M] [--build DIR] [--count N] [--iterations K]
#                                       [--masks LIST] [--work DIR]
#   --iterations: clae's passes through the model (default 0: clae inpaint's choice by the model)
#   --masks: space-separated masks (default "square:8 random:0.25")
#   --work: where the arrays (and a trained model) go (default: a new temporary directory)
set -eu

root=$(cd "$(dirname "$0")/../.." && pwd)
build=build
model=
count=1000
iterations=0
masks="square:8 random:0.25"
work=
usage="usage: $0 [--model M] [--build DIR] [--count N] [--iterations K] [--masks LIST] [--work DIR]"
while [ $# -gt 0 ]; do
    case "$1" in
        --model|--build|--count|--iterations|--masks|--work)
            [ $# -ge 2 ] || { echo "$0: $1 needs a value" >&2; exit 2; }
            case "$1" in
                --model) model=$2 ;; --build) build=$2 ;; --count) count=$2 ;;
                --iterations) iterations=$2 ;; --masks) masks=$2 ;; --work) work=$2 ;;
            esac
            shift 2 ;;
        -h|--help) sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "$0: unknown argument '$1' ($usage)" >&2; exit 2 ;;
    esac
done

python=/usr/bin/python3
if ! "$python" -c 'import cv2, numpy' 2>/dev/null; then
    echo "$0: $python cannot import cv2 (OpenCV) and numpy; install them with:" >&2
    echo "    apt-get install python3-opencv" >&2
    exit 1
fi
case "$build" in /*) ;; *) build="$root/$build" ;; esac
clae="$build/clae"
[ -x "$clae" ] || { echo "$0: $clae not found: build clae first (cmake --build $build)" >&2; exit 1; }
if [ -z "$work" ]; then
    work=$(mktemp -d "${TMPDIR:-/tmp}/clae_inpaint.XXXXXX")
fi
mkdir -p "$work"

if [ -z "$model" ]; then
    echo "training specs/inpaint.ini into $work/model ..."
    (cd "$root" && "$clae" train --spec specs/inpaint.ini --out "$work/model" >"$work/train.log")
    model="$work/model/model.safetensors"
fi

for mask in $masks; do
    dir="$work/$(echo "$mask" | tr ':.' '__')"
    (cd "$root" && "$clae" inpaint --model "$model" --mask "$mask" --count "$count" \
        --iterations "$iterations" --save-masked "$dir" --out "$dir.png" >"$dir.log")
    echo
    "$python" "$root/tools/bench/inpaint_opencv.py" "$dir"
done
echo
echo "arrays and pictures in $work"
