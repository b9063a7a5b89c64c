#!/usr/bin/env bash
# The one entry point: installs what is missing, configures, builds, and runs.
#   ./kiln.sh demo    build everything and run the main job
#   ./kiln.sh test    build everything and run every test (ctest)
#   ./kiln.sh bench   build in Release and run the benchmarks
#   ./kiln.sh deps    only install the Debian packages Kiln needs
set -euo pipefail
cd "$(dirname "$0")"

KILN_LLVM_VERSION=${KILN_LLVM_VERSION:-19}
JOBS=${KILN_JOBS:-$(nproc)}
PACKAGES=(cmake ninja-build g++ clang-format libboost-dev libfmt-dev catch2 libbenchmark-dev
          "libclang-${KILN_LLVM_VERSION}-dev" "libclang-cpp${KILN_LLVM_VERSION}-dev"
          "llvm-${KILN_LLVM_VERSION}-dev" "clang-${KILN_LLVM_VERSION}" libpng-dev
          libcairo2-dev fonts-dejavu-core pkgconf python3
          libstdc++-12-dev-arm64-cross libc6-dev-arm64-cross  # kiln-gen's aarch64 test
          gcc-arm-none-eabi)  # the baked engine's Cortex-M4F test (no C library needed)
# Only `./kiln.sh bench` installs these: the Eigen and libtorch baselines (not CI, not `test`).
BENCH_PACKAGES=(libeigen3-dev libopenblas-dev libtorch-dev)

say() { printf '\033[1mkiln:\033[0m %s\n' "$*" >&2; }

install_deps() {
  local missing=()
  for p in "${PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  say "installing: ${missing[*]}"
  local sudo=()
  [ "$(id -u)" -ne 0 ] && sudo=(sudo)
  "${sudo[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends \
    "${missing[@]}" >/dev/null
}

build() {  # build PRESET
  local preset=$1
  if [ ! -f "build/$preset/CMakeCache.txt" ]; then
    cmake --preset "$preset" -DKILN_LLVM_VERSION="$KILN_LLVM_VERSION" >/dev/null
  fi
  cmake --build --preset "$preset" -j "$JOBS"
}

case "${1:-}" in
  deps) install_deps ;;
  test)
    install_deps
    build dev
    ctest --test-dir build/dev --output-on-failure -j "$JOBS"
    ;;
  demo)
    install_deps
    build dev
    exec build/dev/examples/kiln-demo
    ;;
  bench)
    PACKAGES+=("${BENCH_PACKAGES[@]}")
    install_deps
    build release
    exec cmake --build --preset release --target bench_report
    ;;
  *)
    sed -n '2,7p' "$0" | sed 's/^# \{0,1\}//'
    [ -n "${1:-}" ] && exit 2 || exit 0
    ;;
esac
