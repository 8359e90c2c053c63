#!/usr/bin/env bash
# Builds the libFuzzer targets of fuzz/ with clang into ./build-fuzz (or
# $BUILD_DIR) and runs each for FUZZ_SECONDS seconds (default 10) on its
# corpus (docs/fuzzing.md). Exits non-zero when a target crashes, hangs
# (over 10 s on one input) or exceeds its memory limit; the input is left in
# build-fuzz/fuzz/artifacts/TARGET/.
#   scripts/fuzz.sh [TARGET...]      default: every target
set -euo pipefail
cd "$(dirname "$0")/.."
FUZZ=1 ./scripts/deps.sh
build="${BUILD_DIR:-build-fuzz}"
seconds="${FUZZ_SECONDS:-10}"
launcher=()
if command -v ccache >/dev/null; then launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache); fi
# -O1 with assertions on: what libFuzzer's documentation recommends.
cmake -S . -B "$build" -G Ninja -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g1" -DCPHFORM_FUZZ=ON "${launcher[@]}" >/dev/null
cmake --build "$build" -j "${JOBS:-$(nproc)}" --target fuzzers
# Absolute paths: the manifest target works in a directory of its own
# (public_key_file resolves against it), and libFuzzer reads the corpus lazily.
build="$(realpath "$build")"

targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  targets=(manifest expression plan state_columns cloud_responses emulator_requests)
fi
failed=()
for t in "${targets[@]}"; do
  mkdir -p "$build/fuzz/artifacts/$t"
  echo "== fuzz_$t for ${seconds}s"
  if ! "$build/fuzz/fuzz_$t" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
      -print_final_stats=1 -artifact_prefix="$build/fuzz/artifacts/$t/" "$build/fuzz/corpus/$t" \
      >"$build/fuzz/artifacts/$t.log" 2>&1; then
    failed+=("$t")
    tail -n 60 "$build/fuzz/artifacts/$t.log"
  fi
  grep -E '^stat::number_of_executed_units|^Done ' "$build/fuzz/artifacts/$t.log" || true
done
if [ ${#failed[@]} -gt 0 ]; then
  echo "fuzzing found a crash, hang or leak in: ${failed[*]} (inputs in $build/fuzz/artifacts/)" >&2
  exit 1
fi
