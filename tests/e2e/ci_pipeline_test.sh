#!/usr/bin/env bash
# Runs examples/ci/pipeline.sh end to end against `cphform emulator serve`:
# PR plan with artifacts, merge applying that plan, nightly drift, and a
# second PR showing no changes. Bounded: the emulator runs 1000x.
set -euo pipefail
cphform="${CPHFORM_BINARY:?}"
src="${CPHFORM_SOURCE_DIR:?}"
work="$(mktemp -d)"
emu_pid=""
cleanup() { [ -n "$emu_pid" ] && kill "$emu_pid" 2>/dev/null; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

cp -r "$src/examples/ci" "$work/ci"
export HW_ACCESS_KEY=CIPIPELINEACCESSKEY1 HW_SECRET_KEY=ci-pipeline-secret-0123456789
export HW_PROJECT_ID=0a1b2c3d4e5f67890a1b2c3d4e5f6789 HW_REGION_NAME=cn-east-3
export CPHFORM="$cphform" ARTIFACTS="$work/artifacts" CPHFORM_POLL_INITIAL_MS=50 CPHFORM_POLL_MAX_MS=200
# The emulator's keys through the environment: on argv, ps would show the secret key.
CPHFORM_EMULATOR_CREDENTIALS="$HW_ACCESS_KEY:$HW_SECRET_KEY:$HW_PROJECT_ID" \
  "$cphform" emulator serve --listen 127.0.0.1:0 --data "$work/emulator.db" --time-scale 1000 > "$work/emulator.out" &
emu_pid=$!
for _ in $(seq 100); do grep -q '^listening on ' "$work/emulator.out" && break; sleep 0.05; done
export CPH_ENDPOINT="$(sed -n 's/^listening on //p' "$work/emulator.out")"
[ -n "$CPH_ENDPOINT" ] || fail "emulator did not start"

pipeline="$work/ci/pipeline.sh"
"$pipeline" pr > "$work/pr1.log"
grep -q 'Plan: 3 to add, 0 to change, 0 to destroy.' "$work/artifacts/plan.md" || fail "PR summary: $(cat "$work/artifacts/plan.md")"
grep -q '"add":3' "$work/artifacts/plan.json" || fail "plan.json has no summary"
! grep -q "$HW_SECRET_KEY" "$work/artifacts/"* || fail "a secret reached an artifact"

"$pipeline" merge > "$work/merge.log" || fail "merge: $(cat "$work/merge.log")"
grep -q 'Apply complete! Resources: 3 added, 0 changed, 0 destroyed.' "$work/merge.log" || fail "merge did not apply"
if "$pipeline" merge > "$work/merge2.log" 2>&1; then fail "the same plan applied twice"; fi
grep -q 'stale' "$work/merge2.log" || fail "second merge not refused as stale"

"$pipeline" nightly > "$work/nightly.log" || fail "nightly drift on an untouched fleet: $(cat "$work/nightly.log")"
grep -q 'No drift' "$work/artifacts/drift.md" || fail "drift report: $(cat "$work/artifacts/drift.md")"

"$pipeline" pr > "$work/pr2.log"
grep -q 'No changes.' "$work/artifacts/plan.md" || fail "second PR should have no changes"
echo "pipeline: 1 passed, 0 failed"
