#!/usr/bin/env bash
# tools/bundle.sh: the bundle, unpacked from its tarball elsewhere, runs with an
# environment that cannot see the build tree or the build's libraries (env -i), and
# every library it loads is either in the bundle or one the target must provide.
# Usage: bundle.sh path/to/clae   (exit 77: no OpenCL device, or no patchelf)
set -u
CLAE=$1
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/lib.sh"
repo=$(cd "$(dirname "$0")/.." && pwd)

command -v patchelf > /dev/null || { echo "bundle: patchelf not installed, skipped"; exit 77; }
devices_rc=0
"$CLAE" list-devices > /dev/null 2>&1 || devices_rc=$?
if [ "$devices_rc" = 3 ] && [ "${CLAE_REQUIRE_DEVICE:-0}" != 1 ]; then
    echo "bundle: no OpenCL device, skipped"
    exit 77
fi

build=$(cd "$(dirname "$CLAE")" && pwd)
if ! "$repo/tools/bundle.sh" --build "$build" --out "$tmp/made/clae-bundle" --tar > "$tmp/bundle.log" 2>&1; then
    cat "$tmp/bundle.log"
    fail "tools/bundle.sh failed"
    finish bundle
    exit 1
fi
check "a tarball is written" test -s "$tmp/made/clae-bundle.tar.gz"
# run from an unpacked copy: the folder must not depend on where it was made
mkdir -p "$tmp/target" "$tmp/home" "$tmp/work"
tar -xzf "$tmp/made/clae-bundle.tar.gz" -C "$tmp/target"
rm -rf "$tmp/made"
b="$tmp/target/clae-bundle"

for f in clae bin/clae-real lib/libclblast.so.1 lib/libopenblas.so.0 lib/libcairo.so.2 \
    lib/libOpenCL.so.1 specs/bench.ini specs/conv_bn.ini tools/gpu_check.sh README.txt \
    share/fonts/DejaVuSans.ttf share/fontconfig/fonts.conf; do
    check "the bundle holds $f" test -s "$b/$f"
done
drivers=$(find "$b/lib" \( -iname '*pocl*' -o -iname '*nvidia*' -o -iname '*amdocl*' -o -iname '*mesa*' \
    -o -iname '*rusticl*' -o -iname '*igdrcl*' \) -printf '%f ')
check "no OpenCL driver is bundled: ${drivers:-none}" test -z "$drivers"
check "the binary's rpath is \$ORIGIN/../lib" \
    bash -c "readelf -d '$b/bin/clae-real' | grep -q 'RUNPATH.*\[\$ORIGIN/../lib\]'"

# The environment of a machine that has only the driver: no build tree, no LD_* paths.
# The caches are the user's (compiled kernels, not part of the build), to stay fast.
run_env=(env -i PATH=/usr/bin:/bin HOME="$tmp/home" XDG_CACHE_HOME="${XDG_CACHE_HOME:-${HOME:-$tmp/home}/.cache}")
for v in OCL_ICD_VENDORS OCL_ICD_FILENAMES ASAN_OPTIONS LSAN_OPTIONS UBSAN_OPTIONS; do
    [ -z "${!v:-}" ] || run_env+=("$v=${!v}")
done

# Every library the binary loads: in the bundle, or glibc / libstdc++ / libgcc_s.
"${run_env[@]}" ldd "$b/bin/clae-real" > "$tmp/ldd.txt" 2>&1
check "ldd resolves every library" test -z "$(grep 'not found' "$tmp/ldd.txt")"
outside=$(awk '$2 == "=>" { print $1, $3 }' "$tmp/ldd.txt" | while read -r name path; do
    case $path in "$b"/*) continue ;; esac
    case $name in
        ld-linux-x86-64.so.* | libc.so.* | libm.so.* | libpthread.so.* | libdl.so.* | librt.so.* | \
            libresolv.so.* | libutil.so.* | libanl.so.* | libstdc++.so.* | libgcc_s.so.*) ;;
        *) echo "$name=$path" ;;
    esac
done)
check "no library from outside the bundle but the system's own: ${outside:-none}" test -z "$outside"
for lib in libclblast libopenblas liblapacke libcairo libpng16 libinih libcjson libz libOpenCL libfontconfig; do
    check "$lib is the bundle's" grep -q "^[[:space:]]*$lib\.so[.0-9]* => $b/" "$tmp/ldd.txt"
done

# The commands, run from elsewhere through the launcher.
cd "$tmp/work" || exit 1
"${run_env[@]}" "$b/clae" --version > version.txt 2>&1
check "clae --version runs" grep -q '^clae [0-9]' version.txt
"${run_env[@]}" "$b/clae" spec > spec.txt 2>&1
check "clae spec prints the default spec" grep -q '^\[data\]' spec.txt
"${run_env[@]}" "$b/clae" list-devices > devices.txt 2>&1
check "clae list-devices lists a device" grep -qE '^0 +' devices.txt
ln -s "$b/clae" "$tmp/work/clae-link"
"${run_env[@]}" "$tmp/work/clae-link" spec > spec_link.txt 2>&1
check "the launcher works through a symbolic link" cmp -s spec.txt spec_link.txt
if command -v fc-match > /dev/null; then
    font=$("${run_env[@]}" FONTCONFIG_FILE="$b/share/fontconfig/fonts.conf" fc-match -f '%{file}' 'DejaVu Sans')
    check "the bundle's fonts.conf finds its own DejaVu Sans ($font)" test "$font" = "$b/share/fonts/DejaVuSans.ttf"
fi

# A tiny training run of the built-in model on the digits compiled into the binary.
"${run_env[@]}" "$b/clae" train --epochs 1 --set data.limit=500 --out run > train.txt 2>&1
train_rc=$?
check "clae train --epochs 1 succeeds (exit $train_rc)" test "$train_rc" = 0
[ "$train_rc" = 0 ] || tail -n 5 train.txt
for f in model.safetensors summary.json loss.csv; do
    check "the run wrote $f" test -s "run/$f"
done
for f in reconstructions.png loss.png latent.png; do
    check "the run wrote $f, a PNG" bash -c "head -c 8 'run/$f' | od -An -tx1 | grep -q '89 50 4e 47 0d 0a 1a 0a'"
done
check "summary.json has a test MSE in (0, 1), the range for pixels in [0, 1]" python3 -c '
import json, math, sys
mse = json.load(open("run/summary.json"))["test_mse"]
sys.exit(0 if math.isfinite(mse) and 0 < mse < 1 else 1)'

# The system's OpenCL loader instead of the bundled one.
# (it is preloaded, ahead of a sanitizer build's runtime: tell ASan that is intended)
"${run_env[@]}" ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0" \
    CLAE_OPENCL_LOADER=system "$b/clae" list-devices > devices_system.txt 2>&1
check "CLAE_OPENCL_LOADER=system lists the same devices" cmp -s devices.txt devices_system.txt

finish bundle
