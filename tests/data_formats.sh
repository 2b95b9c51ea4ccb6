#!/usr/bin/env bash
# `clae train` from each [data] format: a folder of RGB (and grey) PNGs in
# class sub-folders, a CSV with a label column and [data] classes, a .npy with
# .npy labels, a channels-last .npy, CIFAR-10 binary records; the example specs
# of specs/ on those files; then bad data
# (a folder as labels, a FIFO, mixed class folder names among them) with its
# exact one-line message and exit code. Tiny sets, one epoch each.
# Usage: data_formats.sh path/to/clae (run from the source root).
set -u
CLAE=$1
. "$(dirname "$0")/lib.sh"

# trains NAME SHAPE_LINE: trains $tmp/NAME.ini; stdout must hold the line "data: ..."
trains() {
    local out
    out=$("$CLAE" train --spec "$tmp/$1.ini" 2>&1)
    if [ $? -ne 0 ]; then
        fail "$1: clae train failed: $out"
    elif ! printf '%s\n' "$out" | grep -qxF "$2"; then
        fail "$1: want the line \"$2\" in: $out"
    elif [ ! -s "$tmp/out_$1/reconstructions.png" ] || [ ! -s "$tmp/out_$1/model.safetensors" ]; then
        fail "$1: no reconstructions.png or model.safetensors"
    else
        pass
    fi
}

spec() { # spec NAME DATA_LINES: a tiny dense model on the given [data]
    printf '[data]\n%s\n[model]\ncode = 4\n[dense]\nunits = 16\n[train]\nepochs = 1\nbatch = 8\n[output]\ndir = %s\n' \
        "$2" "$tmp/out_$1" > "$tmp/$1.ini"
}

# 8 x 8 PNGs: vertical and horizontal colour stripes, a grey ramp (8 x 8 and 8 x 7).
png_v='\x89\x50\x4e\x47\x0d\x0a\x1a\x0a\x00\x00\x00\x0d\x49\x48\x44\x52\x00\x00\x00\x08\x00\x00\x00\x08\x08\x02\x00\x00\x00\x4b\x6d\x29\xdc\x00\x00\x00\x26\x49\x44\x41\x54\x78\xda\x63\x60\xd0\xf8\xaf\xe0\x71\xdf\x21\x63\x7f\x42\xc7\xfc\x86\x15\xf5\x0b\x4e\xc4\x1f\x78\x61\xff\x80\x43\x9e\x61\x68\x49\x00\x00\x70\x24\x5d\xc1\xb4\x92\x68\xc7\x00\x00\x00\x00\x49\x45\x4e\x44\xae\x42\x60\x82'
png_h='\x89\x50\x4e\x47\x0d\x0a\x1a\x0a\x00\x00\x00\x0d\x49\x48\x44\x52\x00\x00\x00\x08\x00\x00\x00\x08\x08\x02\x00\x00\x00\x4b\x6d\x29\xdc\x00\x00\x00\x37\x49\x44\x41\x54\x78\xda\x63\xf8\xcf\x10\x80\x15\x31\xdc\x57\x28\xc0\x8a\x18\xf6\x3b\x4c\xc0\x8a\x18\xe6\x27\x6c\xc0\x8a\x18\xea\x1b\x2e\x60\x45\x0c\xf1\x0b\x3e\x60\x45\x0c\xf6\x07\x04\xb0\x22\x06\xf9\x07\x06\x58\x11\x00\x03\xc2\x5f\xc1\xcd\x0e\x7e\x84\x00\x00\x00\x00\x49\x45\x4e\x44\xae\x42\x60\x82'
png_g='\x89\x50\x4e\x47\x0d\x0a\x1a\x0a\x00\x00\x00\x0d\x49\x48\x44\x52\x00\x00\x00\x08\x00\x00\x00\x08\x08\x00\x00\x00\x00\xe1\x64\xe1\x57\x00\x00\x00\x2a\x49\x44\x41\x54\x78\xda\x63\x60\x10\x50\x30\x70\x08\x48\x28\x80\xd1\x0d\x0c\x50\x7a\x02\x03\x94\x5e\xc0\x00\xa5\x37\x30\x40\xe9\x03\x0c\x50\xfa\x02\x03\x94\x7e\x00\x00\x1e\x75\x1c\x01\x9f\x44\x8f\x6d\x00\x00\x00\x00\x49\x45\x4e\x44\xae\x42\x60\x82'
png_s='\x89\x50\x4e\x47\x0d\x0a\x1a\x0a\x00\x00\x00\x0d\x49\x48\x44\x52\x00\x00\x00\x08\x00\x00\x00\x07\x08\x00\x00\x00\x00\x10\x32\x53\x82\x00\x00\x00\x26\x49\x44\x41\x54\x78\xda\x63\x60\x10\x50\x30\x70\x08\x48\x28\x80\xd1\x0d\x0c\x50\x7a\x02\x03\x94\x5e\xc0\x00\xa5\x37\x30\x40\xe9\x03\x0c\x50\xfa\x02\x00\x3c\x9d\x16\xc1\x64\xfb\x07\x47\x00\x00\x00\x00\x49\x45\x4e\x44\xae\x42\x60\x82'

# PNG folder: classes "dog" (colour) and "grey" (grey ramps): 3 channels for all.
mkdir -p "$tmp/pets/dog" "$tmp/pets/grey"
for i in 1 2 3 4 5 6; do
    printf "$png_v" > "$tmp/pets/dog/v$i.png"
    printf "$png_h" > "$tmp/pets/dog/h$i.png"
    printf "$png_g" > "$tmp/pets/grey/g$i.png"
done
spec png "train = $tmp/pets
holdout = 0.25"
trains png "data: $tmp/pets, 13 train / 5 test, 3×8×8"
# the reconstructions of a colour set are an RGB PNG (IHDR colour type 2)
if [ "$(od -An -tu1 -j25 -N1 "$tmp/out_png/reconstructions.png" | tr -d ' ')" = 2 ]; then pass; else
    fail "reconstructions.png of an RGB set is not RGB"; fi

# CSV: a header, 16 values and a label (i % 3) a row; classes 0-1 keep 27 of 40.
awk 'BEGIN { printf "p1"; for (j = 2; j <= 16; j++) printf ",p%d", j; print ",label";
             for (i = 0; i < 40; i++) { for (j = 0; j < 16; j++) printf "%d,", (i * 7 + j * 13) % 256;
                                         print i % 3 } }' > "$tmp/rows.csv"
spec csv "train = $tmp/rows.csv
label_column = last
classes = 0-1
holdout = 0.25"
trains csv "data: $tmp/rows.csv, 20 train / 7 test, 1×4×4"

# NPY: 40 bundled digits as uint8 (40, 28, 28), their labels as a uint8 (40,) array.
npy_head() { # npy_head DESCR SHAPE: a version 1.0 header padded to 128 bytes
    printf '\x93NUMPY\x01\x00\x76\x00'
    printf "%-117s\n" "{'descr': '$1', 'fortran_order': False, 'shape': $2, }"
}
{ npy_head '|u1' '(40, 28, 28)'; gzip -dc data/mnist10k-images-idx3-ubyte.gz | tail -c +17 | head -c 31360; } > "$tmp/digits.npy"
{ npy_head '|u1' '(40,)'; gzip -dc data/mnist10k-labels-idx1-ubyte.gz | tail -c +9 | head -c 40; } > "$tmp/labels.npy"
spec npy "train = $tmp/digits.npy
labels = $tmp/labels.npy
holdout = 0.2"
trains npy "data: $tmp/digits.npy, 32 train / 8 test, 1×28×28"

# NPY channels last, as PIL and Keras give: uint8 (20, 8, 8, 3) is 20 RGB 8 x 8 images.
{ npy_head '|u1' '(20, 8, 8, 3)'; gzip -dc data/mnist10k-images-idx3-ubyte.gz | tail -c +17 | head -c 3840; } > "$tmp/nhwc.npy"
spec nhwc "train = $tmp/nhwc.npy
holdout = 0.25"
trains nhwc "data: $tmp/nhwc.npy, 15 train / 5 test, 3×8×8"

# CIFAR-10 records: label i % 10, then 3072 digit bytes.
gzip -dc data/mnist10k-images-idx3-ubyte.gz | tail -c +17 | head -c $((3072 * 20)) > "$tmp/pix"
for i in $(seq 0 19); do
    printf "\\x0$((i % 10))"
    dd if="$tmp/pix" bs=3072 skip="$i" count=1 status=none
done > "$tmp/batch.bin"
spec cifar "train = $tmp/batch.bin
holdout = 0.25"
trains cifar "data: $tmp/batch.bin, 15 train / 5 test, 3×32×32"

# The example specs of specs/ train as they stand on these files (their own
# paths are for the user's data): one epoch each, on the files made above.
example() { # example SPEC SETTINGS...: trains SPEC into $tmp/ex_NAME
    local spec=$1 name out
    name=$(basename "$1" .ini)
    shift
    out=$("$CLAE" train --spec "$spec" --epochs 1 --set train.batch=8 "$@" --out "$tmp/ex_$name" 2>&1)
    if [ $? -eq 0 ] && [ -s "$tmp/ex_$name/model.safetensors" ]; then pass; else
        fail "$spec: $(printf '%s' "$out" | tail -n 1)"; fi
}
example specs/png_folder.ini --set "data.train=$tmp/pets"
example specs/csv.ini --set "data.train=$tmp/rows.csv" --set data.label_column=last
example specs/npy.ini --set "data.train=$tmp/digits.npy" --set "data.labels=$tmp/labels.npy"
example specs/cifar.ini --set "data.train=$tmp/batch.bin" --set "data.test=$tmp/batch.bin"
example specs/inpaint.ini --set data.limit=200

# bad data
printf 'hello\n' > "$tmp/x.dat"
spec unknown "train = $tmp/x.dat"
expect 2 "clae: $tmp/x.dat: unknown data format (accepted: \"mnist\", a folder of PNGs, .csv, .npy, CIFAR-10 .bin batches, IDX (.gz ok))" -- "$CLAE" train --spec "$tmp/unknown.ini"
printf '1,2,3\n4,5,6\n7,8\n' > "$tmp/short.csv"
spec short "train = $tmp/short.csv"
expect 2 "clae: $tmp/short.csv:3: 2 values, expected 3 as in line 1" -- "$CLAE" train --spec "$tmp/short.ini"
printf 'a,b\n1,x\n' > "$tmp/word.csv"
spec word "train = $tmp/word.csv"
expect 2 "clae: $tmp/word.csv:2: column 2: expected a number, got \"x\"" -- "$CLAE" train --spec "$tmp/word.ini"
spec nolabels "train = $tmp/rows.csv
classes = 0-1"
expect 2 "clae: $tmp/rows.csv: [data] classes selects by label, but this data has no labels" -- "$CLAE" train --spec "$tmp/nolabels.ini"
spec noclass "train = $tmp/rows.csv
label_column = last
classes = 7"
expect 2 "clae: $tmp/rows.csv: [data] classes keeps none of its 40 samples" -- "$CLAE" train --spec "$tmp/noclass.ini"
printf "$png_s" > "$tmp/pets/grey/z.png"
spec size "train = $tmp/pets"
expect 2 "clae: $tmp/pets/grey/z.png: 8x7 pixels, but $tmp/pets/dog/h1.png is 8x8" -- "$CLAE" train --spec "$tmp/size.ini"
head -c 100 "$tmp/batch.bin" > "$tmp/cut.bin"
spec cut "train = $tmp/cut.bin"
expect 2 "clae: $tmp/cut.bin: 100 bytes is not a whole number of CIFAR-10 records (3073 bytes each: a label byte and 32x32x3 pixel bytes)" -- "$CLAE" train --spec "$tmp/cut.ini"
{ printf '\x93NUMPY\x01\x00\x76\x00'; printf "%-117s\n" "{'descr': '<f4', 'fortran_order': True, 'shape': (2, 2), }"; head -c 16 /dev/zero; } > "$tmp/f.npy"
spec fortran "train = $tmp/f.npy"
expect 2 "clae: $tmp/f.npy: fortran_order is True; save the array in C order (numpy.ascontiguousarray) and try again" -- "$CLAE" train --spec "$tmp/fortran.ini"
# a folder where a labels file is wanted; a FIFO (it would block); class folders mixing numbers and names
spec labdir "train = $tmp/digits.npy
labels = $tmp/pets"
expect 2 "clae: $tmp/pets: cannot open: Is a directory" -- "$CLAE" train --spec "$tmp/labdir.ini"
mkfifo "$tmp/fifo.csv"
spec fifo "train = $tmp/fifo.csv"
expect 2 "clae: $tmp/fifo.csv: not a regular file" -- timeout 60 "$CLAE" train --spec "$tmp/fifo.ini"
mkdir -p "$tmp/mixed/3" "$tmp/mixed/cat"
printf "$png_g" > "$tmp/mixed/3/a.png"
printf "$png_g" > "$tmp/mixed/cat/a.png"
spec mixed "train = $tmp/mixed"
expect 2 "clae: $tmp/mixed: class folders mix numbers (3) and names (cat); name every class folder by its label number, or none" -- "$CLAE" train --spec "$tmp/mixed.ini"

finish
