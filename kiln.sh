#!/usr/bin/env bash
# The one entry point: installs what is missing, configures, builds, and runs.
#   ./kiln.sh demo    build everything and run the main job
#   ./kiln.sh test    build everything and run every test (ctest)
#   ./kiln.sh bench   build in Release and run the benchmarks
#   ./kiln.sh fuzz [SECONDS]  run every loader fuzzer SECONDS each (default 60; KILN_FUZZ_RUNS=N
#                     also stops each after N executions, KILN_FUZZ_TARGETS="csv idx" picks
#                     targets); a finding is kept in fuzz/regressions/<target>/
#   ./kiln.sh deps    only install the Debian packages Kiln needs
set -euo pipefail
cd "$(dirname "$0")"

KILN_LLVM_VERSION=${KILN_LLVM_VERSION:-19}
JOBS=${KILN_JOBS:-$(nproc)}
PACKAGES=(cmake ninja-build g++ clang-format libboost-dev libfmt-dev catch2 libbenchmark-dev
          "libclang-${KILN_LLVM_VERSION}-dev" "libclang-cpp${KILN_LLVM_VERSION}-dev"
          "llvm-${KILN_LLVM_VERSION}-dev" "clang-${KILN_LLVM_VERSION}" libpng-dev
          libcairo2-dev fonts-dejavu-core pkgconf python3
          wamerican  # example 8: /usr/share/dict/words
          libstdc++-12-dev-arm64-cross libc6-dev-arm64-cross  # kiln-gen's aarch64 test
          "libclang-rt-${KILN_LLVM_VERSION}-dev"  # libFuzzer and the sanitizers (build/fuzz)
          libopenmpi-dev openmpi-bin  # kiln_mpi and its mpirun tests
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

build() {  # build PRESET [TARGET...]
  local preset=$1
  shift
  local compilers=()
  [ "$preset" = fuzz ] && compilers=(-DCMAKE_C_COMPILER="clang-$KILN_LLVM_VERSION"
                                     -DCMAKE_CXX_COMPILER="clang++-$KILN_LLVM_VERSION")
  if [ ! -f "build/$preset/CMakeCache.txt" ]; then
    cmake --preset "$preset" -DKILN_LLVM_VERSION="$KILN_LLVM_VERSION" "${compilers[@]}" >/dev/null
  fi
  local targets=()
  [ $# -gt 0 ] && targets=(--target "$@")
  cmake --build --preset "$preset" -j "$JOBS" "${targets[@]}"
}

FUZZ_TARGETS=(csv csv_labels idx npy safetensors checkpoint)

fuzz() {  # fuzz SECONDS: each target from its corpus (fuzz/corpus) and regression inputs
  local seconds=$1 runs=${KILN_FUZZ_RUNS:--1} found=0
  [ -n "${KILN_FUZZ_TARGETS:-}" ] && read -ra FUZZ_TARGETS <<<"$KILN_FUZZ_TARGETS"
  build fuzz "${FUZZ_TARGETS[@]/#/fuzz_}"
  printf '%-12s %14s %8s  %s\n' target executions seconds result
  for t in "${FUZZ_TARGETS[@]}"; do
    local work=build/fuzz/fuzz/work/$t findings=build/fuzz/fuzz/findings/$t/ log
    mkdir -p "$work" "$findings"
    log=$(mktemp)
    local dirs=("$work" "fuzz/corpus/$t")
    [ -d "fuzz/regressions/$t" ] && dirs+=("fuzz/regressions/$t")
    local start=$SECONDS rc=0
    "build/fuzz/fuzz/fuzz_$t" -max_total_time="$seconds" -runs="$runs" -timeout=10 \
      -print_final_stats=1 -artifact_prefix="$findings" "${dirs[@]}" >"$log" 2>&1 || rc=$?
    local execs result=nothing
    execs=$(sed -n 's/^stat::number_of_executed_units: //p' "$log")
    if [ "$rc" -ne 0 ]; then
      found=1
      mkdir -p "fuzz/regressions/$t"
      local f
      for f in "$findings"*; do
        [ -f "$f" ] && mv "$f" "fuzz/regressions/$t/" && result="FOUND: fuzz/regressions/$t/${f##*/}"
      done
      [ "$result" = nothing ] && result="FAILED (exit $rc), see $log"
      [ "$result" != nothing ] && cp "$log" "build/fuzz/fuzz/findings/$t.log"
    fi
    printf '%-12s %14s %8s  %s\n' "$t" "${execs:-?}" $((SECONDS - start)) "$result"
    rm -f "$log"
  done
  return $found
}

case "${1:-}" in
  deps) install_deps ;;
  test)
    install_deps
    build dev
    build fuzz
    ctest --test-dir build/dev --output-on-failure -j "$JOBS"
    # The fuzzers over their corpus and regressions, and the runtime tests, under ASan + UBSan.
    ctest --test-dir build/fuzz --output-on-failure -j "$JOBS"
    ;;
  fuzz)
    install_deps
    fuzz "${2:-60}"
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
    sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//'
    [ -n "${1:-}" ] && exit 2 || exit 0
    ;;
esac
