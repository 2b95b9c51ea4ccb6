#!/usr/bin/env bash
# Installs the Debian packages clae needs (only those missing) and builds clae.
#   tools/setup.sh                 release build in build/
#   BUILD_DIR=b CMAKE_ARGS="-DCLAE_SANITIZE=ON" tools/setup.sh
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(
    build-essential cmake pkg-config            # toolchain
    ocl-icd-opencl-dev opencl-c-headers clinfo  # OpenCL loader and headers
    pocl-opencl-icd                             # an OpenCL device on the CPU
    mesa-opencl-icd                             # a second OpenCL implementation (rusticl), used by the tests when present
    patchelf                                    # tools/bundle.sh: the bundle's library search path
    libclblast-dev                              # GEMM on OpenCL devices
    libopenblas-dev                             # GEMM on the host, for CPU devices
    libpng-dev zlib1g-dev                       # PNG output, gzip input
    libinih-dev                                 # spec files
    libcjson-dev                                # summary.json, safetensors headers
    liblapacke-dev                              # PCA: latent plots, the probe, the tests
    libcairo2-dev fonts-dejavu-core             # plots with axes and text
    python3                                     # the tests' scripts read PNG and NPY headers
    clang libclang-rt-dev                       # tools/fuzz.sh: libFuzzer harnesses of the parsers
    libopenmpi-dev openmpi-bin                  # data-parallel training (mpirun -np N clae train)
)

missing=()
for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
    echo "setup: installing ${missing[*]}"
    sudo=""
    [ "$(id -u)" = 0 ] || sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" > /dev/null
fi

build=${BUILD_DIR:-build}
# shellcheck disable=SC2086
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=${BUILD_TYPE:-Release} ${CMAKE_ARGS:-} > /dev/null
cmake --build "$build" -j "$(nproc)"
echo "setup: built $build/clae"
