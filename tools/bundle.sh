#!/usr/bin/env bash
# Packs the built clae with the shared libraries it needs into a folder that runs
# on another Linux x86_64 machine with an OpenCL driver and nothing else installed.
#   tools/bundle.sh [--build DIR] [--out DIR] [--tar] [--system-opencl]
# Left out, because they must come from the target: glibc (libc, libm, libpthread,
# libdl, librt, ld-linux...), libstdc++ and libgcc_s (the vendor's driver links the
# system's own, and two copies in one process clash), and the OpenCL drivers (ICDs).
# The OpenCL ICD loader (libOpenCL.so.1) is bundled unless --system-opencl.
set -euo pipefail

usage() {
    echo "usage: tools/bundle.sh [--build DIR] [--out DIR] [--tar] [--system-opencl]" >&2
    echo "  --build DIR      where clae was built (default: build)" >&2
    echo "  --out DIR        the folder to write (default: BUILD/clae-VERSION-linux-x86_64)" >&2
    echo "  --tar            also write OUT.tar.gz" >&2
    echo "  --system-opencl  leave out the OpenCL ICD loader: use the target's libOpenCL.so.1" >&2
    exit 2
}
die() {
    echo "bundle: $*" >&2
    exit 1
}

repo=$(cd "$(dirname "$0")/.." && pwd)
build="$repo/build" out="" tar=no loader=bundled
while [ $# -gt 0 ]; do
    case $1 in
        --build) [ $# -ge 2 ] || usage; build=$2; shift 2 ;;
        --out) [ $# -ge 2 ] || usage; out=$2; shift 2 ;;
        --tar) tar=yes; shift ;;
        --system-opencl) loader=system; shift ;;
        -h | --help) usage ;;
        *) echo "bundle: unknown argument \"$1\"" >&2; usage ;;
    esac
done

binary="$build/clae"
[ -x "$binary" ] || die "$binary not found: build clae first (tools/setup.sh)"
for tool in patchelf ldd objdump; do
    command -v "$tool" > /dev/null || die "$tool not found (apt-get install patchelf binutils libc-bin)"
done
[ "$(uname -m)" = x86_64 ] || die "only x86_64 builds are bundled, this is $(uname -m)"

version=$(sed -n 's/^CMAKE_PROJECT_VERSION:STATIC=//p' "$build/CMakeCache.txt" 2> /dev/null || true)
[ -n "$out" ] || out="$build/clae-${version:-unknown}-linux-x86_64"

# Never delete a folder we did not write: only an empty one or an earlier bundle.
if [ -e "$out" ]; then
    if [ -f "$out/.clae-bundle" ]; then
        rm -rf "$out"
    elif [ -n "$(ls -A "$out" 2> /dev/null)" ]; then
        die "$out exists and is not a clae bundle: choose another --out"
    fi
fi
mkdir -p "$out"/bin "$out"/lib "$out"/tools "$out"/share/doc
out=$(cd "$out" && pwd)
touch "$out/.clae-bundle"

# sonames the target provides itself
is_system_lib() {
    case $1 in
        linux-vdso.so.* | ld-linux-x86-64.so.* | libc.so.* | libm.so.* | libpthread.so.* | \
            libdl.so.* | librt.so.* | libresolv.so.* | libutil.so.* | libanl.so.* | \
            libstdc++.so.* | libgcc_s.so.*) return 0 ;;
    esac
    return 1
}
# the drivers' own libraries never travel (clae does not link them, this is a guard)
is_driver_lib() {
    case $1 in
        libpocl.so* | libnvidia-* | libcuda.so* | libamdocl* | libamdhip* | libMesaOpenCL* | \
            libRusticlOpenCL* | libigdrcl* | libintelocl*) return 0 ;;
    esac
    return 1
}

# --- the libraries: every one ldd resolves, copied under its soname --------
ldd_out=$(ldd "$binary") || die "ldd $binary failed"
if grep -q "not found" <<< "$ldd_out"; then
    die "$binary has unresolved libraries: $(grep "not found" <<< "$ldd_out" | awk '{print $1}' | xargs)"
fi
bundled=()
while read -r name arrow path _; do
    if [ "$arrow" != "=>" ] || [ -z "$path" ]; then continue; fi
    is_system_lib "$name" && continue
    is_driver_lib "$name" && continue
    [ "$name" = libOpenCL.so.1 ] && [ "$loader" = system ] && continue
    cp -L "$path" "$out/lib/$name"
    chmod u+w "$out/lib/$name"
    # a library's own dependencies are looked up beside it ($ORIGIN is for ld.so)
    # shellcheck disable=SC2016
    patchelf --set-rpath '$ORIGIN' "$out/lib/$name"
    bundled+=("$name:$path")
done <<< "$ldd_out"

cp "$binary" "$out/bin/clae-real"
# shellcheck disable=SC2016
patchelf --set-rpath '$ORIGIN/../lib' "$out/bin/clae-real"

# the newest glibc / libstdc++ symbol versions anything in the bundle asks for
newest() { # newest PREFIX: e.g. GLIBC_ -> 2.34
    objdump -T "$out/bin/clae-real" "$out"/lib/*.so* 2> /dev/null |
        grep -oE "\b$1[0-9]+(\.[0-9]+)*" | sed "s/^$1//" | sort -t. -k1,1n -k2,2n -k3,3n | tail -n1
}
glibc=$(newest GLIBC_)
glibcxx=$(newest GLIBCXX_)

# Where each library came from, and its licence (the Debian copyright file).
{
    printf '%-28s %s\n' "library" "Debian package (version)"
    for entry in "${bundled[@]}"; do
        name=${entry%%:*} path=${entry#*:}
        real=$(readlink -f "$path")
        pkg=$(dpkg -S "$real" 2> /dev/null | head -n1 | cut -d: -f1 || true)
        [ -n "$pkg" ] || pkg=$(dpkg -S "$path" 2> /dev/null | head -n1 | cut -d: -f1 || true)
        if [ -n "$pkg" ]; then
            pkgver=$(dpkg-query -W -f='${Version}' "$pkg" 2> /dev/null || true)
            printf '%-28s %s (%s)\n' "$name" "$pkg" "$pkgver"
            if [ -f "/usr/share/doc/$pkg/copyright" ]; then
                mkdir -p "$out/share/doc/$pkg"
                cp "/usr/share/doc/$pkg/copyright" "$out/share/doc/$pkg/"
            fi
        else
            printf '%-28s %s\n' "$name" "(not from a Debian package)"
        fi
    done
} > "$out/lib/SOURCES.txt"

# --- fonts: the plots' text is DejaVu Sans (src/io/plot_canvas.c); carry it --------
# A launcher-set FONTCONFIG_FILE points fontconfig at these alone, so the pictures
# are the same on every machine and need no fontconfig set-up there. Without them
# cairo falls back to its built-in outline font: plots still work, less pretty.
font_file() { # font_file PATTERN FILE: fontconfig's match, else the Debian path
    local f=""
    command -v fc-match > /dev/null && f=$(fc-match -f '%{file}' "$1" 2> /dev/null || true)
    case $f in */"$2") ;; *) f="/usr/share/fonts/truetype/dejavu/$2" ;; esac
    [ -f "$f" ] && echo "$f"
}
fonts=no
regular=$(font_file "DejaVu Sans" DejaVuSans.ttf || true)
bold=$(font_file "DejaVu Sans:bold" DejaVuSans-Bold.ttf || true)
if [ -n "$regular" ] && [ -n "$bold" ]; then
    mkdir -p "$out/share/fonts" "$out/share/fontconfig"
    cp "$regular" "$bold" "$out/share/fonts/"
    [ -f /usr/share/doc/fonts-dejavu-core/copyright ] && mkdir -p "$out/share/doc/fonts-dejavu-core" &&
        cp /usr/share/doc/fonts-dejavu-core/copyright "$out/share/doc/fonts-dejavu-core/"
    cat > "$out/share/fontconfig/fonts.conf" << 'EOF'
<?xml version="1.0"?>
<!DOCTYPE fontconfig SYSTEM "urn:fontconfig:fonts.dtd">
<!-- Only the bundle's fonts: the plots look the same on every machine. -->
<fontconfig>
  <dir prefix="relative">../fonts</dir>
  <cachedir prefix="xdg">fontconfig</cachedir>
</fontconfig>
EOF
    fonts=yes
else
    echo "bundle: DejaVu Sans not found (apt-get install fonts-dejavu-core): plots will use cairo's built-in font" >&2
fi

# --- the launcher --------------------------------------------------------
cat > "$out/clae" << 'EOF'
#!/bin/sh
# Runs the bundled clae. bin/clae-real finds the bundle's libraries by itself
# (its rpath is $ORIGIN/../lib); this sets up the fonts and the loader choice.
#   CLAE_OPENCL_LOADER=system   use the machine's libOpenCL.so.1 instead of lib/'s
#   CLAE_OPENCL_LOADER=/path/to/libOpenCL.so.1
set -eu
self=$(readlink -f "$0")
here=$(dirname "$self")
need_glibc=@GLIBC@
have_glibc=$(getconf GNU_LIBC_VERSION 2> /dev/null | awk '{print $2}')
if [ -n "$have_glibc" ] &&
    [ "$(printf '%s\n%s\n' "$need_glibc" "$have_glibc" | sort -V | head -n1)" != "$need_glibc" ]; then
    echo "clae: this bundle needs glibc $need_glibc or newer, this machine has $have_glibc (bundle clae on an older system)" >&2
    exit 1
fi
if [ -z "${FONTCONFIG_FILE:-}" ] && [ -f "$here/share/fontconfig/fonts.conf" ]; then
    FONTCONFIG_FILE="$here/share/fontconfig/fonts.conf"
    export FONTCONFIG_FILE
fi
case ${CLAE_OPENCL_LOADER:-} in
    "" | bundled) ;;
    system)
        loader=$( (/sbin/ldconfig -p 2> /dev/null || ldconfig -p 2> /dev/null) |
            awk '$1 == "libOpenCL.so.1" && /x86-64/ { print $NF; exit }')
        if [ -z "$loader" ]; then
            echo "clae: CLAE_OPENCL_LOADER=system: no libOpenCL.so.1 in the system's library cache" >&2
            exit 3
        fi
        LD_PRELOAD="$loader${LD_PRELOAD:+:$LD_PRELOAD}"
        export LD_PRELOAD ;;
    *)
        if [ ! -f "$CLAE_OPENCL_LOADER" ]; then
            echo "clae: CLAE_OPENCL_LOADER: $CLAE_OPENCL_LOADER: no such file" >&2
            exit 3
        fi
        LD_PRELOAD="$CLAE_OPENCL_LOADER${LD_PRELOAD:+:$LD_PRELOAD}"
        export LD_PRELOAD ;;
esac
exec "$here/bin/clae-real" "$@"
EOF
sed -i "s/@GLIBC@/${glibc:-0}/" "$out/clae"
chmod 755 "$out/clae"

# --- specs, the GPU check, the README -----------------------------------
cp -r "$repo/specs" "$out/specs"
cp "$repo/tools/gpu_check.sh" "$out/tools/gpu_check.sh"
chmod 755 "$out/tools/gpu_check.sh"

if [ "$fonts" = yes ]; then
    fonts_text="Fonts: DejaVu Sans is carried (share/fonts); the launcher points fontconfig at it alone
  (FONTCONFIG_FILE, unless you set it), so plots look the same everywhere. Without any font
  cairo draws text in its built-in outline font: plots never fail for lack of fonts."
else
    fonts_text="Fonts: not carried; plots use the machine's DejaVu Sans if fontconfig finds it, else
  cairo's built-in outline font."
fi
[ "$loader" = bundled ] && loader_text="bundled (lib/libOpenCL.so.1, ocl-icd)" ||
    loader_text="the target's (left out with --system-opencl)"

cat > "$out/README.txt" << EOF
clae ${version:-} for Linux x86_64: the program with its libraries, fonts and specs

  ./clae list-devices                      the OpenCL devices, with the indices --device takes
  ./clae train --out runs/default          the built-in model on the bundled MNIST digits
  ./clae train --spec specs/conv_bn.ini --device 0
  ./clae help                              every command
  tools/gpu_check.sh                       devices, conformance and benchmarks on the GPUs, about
                                           five minutes, into a results folder (--help: options)

Run ./clae (the launcher), not bin/clae-real: the launcher sets up the fonts and the
OpenCL loader choice. A symbolic link to ./clae (e.g. in ~/bin) works.

What the target machine needs
  - Linux on x86_64 with glibc ${glibc:-?} or newer (ldd --version) and libstdc++ with
    GLIBCXX_${glibcxx:-?} (any distribution released since Debian 12 / Ubuntu 22.10 has both).
  - An OpenCL driver with its ICD file in /etc/OpenCL/vendors/ (NVIDIA: the driver's
    nvidia.icd; AMD: ROCm's amdocl64*.icd; Intel: intel.icd; CPUs: PoCL), or a folder of
    ICD files named by OCL_ICD_VENDORS. Nothing else: no packages are installed.

What is inside
  bin/clae-real   the program; its rpath (\$ORIGIN/../lib) finds lib/ by itself
  lib/            CLBlast, OpenBLAS (picks the CPU's kernels at run time), LAPACKE, libpng,
                  zlib, cairo and its libraries, inih, cJSON, and the OpenCL ICD loader;
                  lib/SOURCES.txt names each one's Debian package, share/doc/ their licences
  specs/          the example specs (paths in them are relative to where you run clae)
  share/fonts/    DejaVu Sans for the plots' text
  tools/gpu_check.sh

The bundled digits (train = mnist, the default) are compiled into the binary: no data
folder is needed. Kernels are compiled for the device on first use and cached under
\$XDG_CACHE_HOME/clae (else ~/.cache/clae).

OpenCL ICD loader: ${loader_text}.
  The bundled loader reads /etc/OpenCL/vendors/*.icd (or \$OCL_ICD_VENDORS) on the target
  and loads the vendor's driver from there. To use the machine's own loader instead:
  CLAE_OPENCL_LOADER=system ./clae ... (or CLAE_OPENCL_LOADER=/path/to/libOpenCL.so.1),
  or delete lib/libOpenCL.so.1.

${fonts_text}

Not carried, taken from the target: glibc, libstdc++ and libgcc_s (shared with the
vendor's driver, which links the system's own) and the OpenCL drivers themselves.
EOF

if [ "$tar" = yes ]; then
    tar -czf "$out.tar.gz" -C "$(dirname "$out")" "$(basename "$out")"
    echo "bundle: wrote $out.tar.gz ($(du -h "$out.tar.gz" | cut -f1))"
fi
echo "bundle: wrote $out ($(du -sh "$out" | cut -f1), ${#bundled[@]} libraries, needs glibc ${glibc:-?})"
