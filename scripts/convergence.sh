#!/usr/bin/env bash
# Runs the convergence property test (tests/convergence) over many seeds, in
# chunks, and lists the seeds that failed with their replay commands.
#
#   scripts/convergence.sh N [FIRST] [JOBS]   N seeds from FIRST (default 1),
#                                             JOBS chunks at once (default 1)
#   CONVERGENCE_STEPS=S                       steps per seed (default 6)
#
# Needs a build (BUILD_DIR, default ./build) with cphform and convergence_test.
# Each failing seed's report (steps, problems, manifests) is in
# $OUT_DIR/seed-N.txt (default ./convergence-out).
set -euo pipefail
cd "$(dirname "$0")/.."
n="${1:?usage: scripts/convergence.sh N [FIRST] [JOBS]}"
first="${2:-1}"
jobs="${3:-1}"
build="${BUILD_DIR:-build}"
out="${OUT_DIR:-convergence-out}"
mkdir -p "$out"
rm -f "$out"/seed-*.txt
export CPHFORM_BINARY="$PWD/$build/cphform" CPHFORM_SOURCE_DIR="$PWD"

run_seed() {
  if CONVERGENCE_SEED="$1" "$build/tests/convergence_test" >"$out/seed-$1.txt" 2>&1; then
    rm -f "$out/seed-$1.txt"
  else
    echo "seed $1 failed: CONVERGENCE_SEED=$1 CONVERGENCE_STEPS=${CONVERGENCE_STEPS:-6} $build/tests/convergence_test"
  fi
}
export -f run_seed
export build out
seq "$first" $((first + n - 1)) | xargs -P "$jobs" -I{} bash -c 'run_seed {}'
failed=$(ls "$out" | grep -c '^seed-' || true)
echo "$n seeds run, $failed failed (reports in $out/)"
[ "$failed" -eq 0 ]
