#!/usr/bin/env bash
# Configures and builds into ./build (or $BUILD_DIR): every target, or only
# $TARGET (the quickstart builds just cphform). Extra arguments go to cmake.
#   SANITIZE=1  the one sanitizer build, in ./build-fuzz: clang with ASan,
#               UBSan and libFuzzer's coverage (docs/fuzzing.md), so that the
#               tests and the fuzz targets share its objects.
# Optimised code carries line tables only (-g1): enough for backtraces and
# sanitizer reports, and a third less compile time than full debug info.
set -euo pipefail
cd "$(dirname "$0")/.."
launcher=()
if command -v ccache >/dev/null; then launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache); fi
if [ "${SANITIZE:-0}" = 1 ]; then
  build="${BUILD_DIR:-build-fuzz}"
  # -O1 with assertions on: what libFuzzer's documentation recommends.
  cmake -S . -B "$build" -G Ninja -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g1" -DCPHFORM_FUZZ=ON "${launcher[@]}" "$@" >/dev/null
else
  build="${BUILD_DIR:-build}"
  cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE="${BUILD_TYPE:-RelWithDebInfo}" \
    -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O2 -g1 -DNDEBUG" "${launcher[@]}" "$@" >/dev/null
fi
cmake --build "$build" -j "${JOBS:-$(nproc)}" ${TARGET:+--target "$TARGET"}
