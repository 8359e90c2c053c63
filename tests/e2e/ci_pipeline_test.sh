#!/usr/bin/env bash
# Runs examples/ci/pipeline.sh as a CI system would: every job (pr, merge,
# nightly) on its own fresh clone of the example, sharing only the artifacts
# directory and the state in a throw-away PostgreSQL (run by
# scripts/pg-test-cluster.sh, which sets CPHFORM_TEST_PG), against one
# `cphform emulator serve`. Checks: the PR job saves the plan and its
# markdown; the merge job applies exactly that plan (the servers exist in the
# emulator) and a second merge of it is refused as stale; a second PR sees no
# changes; a rename made outside cphform shows in the nightly markdown report
# with exit 2. Bounded: the emulator runs 1000x.
set -euo pipefail
cphform="${CPHFORM_BINARY:?}"
src="${CPHFORM_SOURCE_DIR:?}"
export CPHFORM_PG_CONN="${CPHFORM_TEST_PG:?run me through scripts/pg-test-cluster.sh run}"
work="$(mktemp -d)"
emu_pid=""
cleanup() { [ -n "$emu_pid" ] && kill "$emu_pid" 2>/dev/null; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

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

# The repository the runners clone: the example's files as committed (no
# .cphform/, no provider.toml, even when a developer ran it in the source tree).
git init -q "$work/origin"
cp -r "$src/examples/ci/." "$work/origin/"
rm -rf "$work/origin/.cphform" "$work/origin/provider.toml"
git -C "$work/origin" add -A
git -C "$work/origin" -c user.name=ci -c user.email=ci@example.invalid commit -qm fleet

# One job: a fresh clone, the pipeline run in it; its output in $work/NAME.log,
# its exit status in $job_status.
runs=0
job() {
  local stage="$1" name="$2"
  runs=$((runs + 1))
  local clone="$work/runner$runs"
  git clone -q "$work/origin" "$clone"
  set +e
  "$clone/pipeline.sh" "$stage" > "$work/$name.log" 2>&1
  job_status=$?
  set -e
  [ ! -e "$clone/.cphform/state.db" ] || fail "$name kept a local state in its clone: the state must be in PostgreSQL"
}
# The servers the emulator has, seen through the CPH API from a directory with
# a state of its own (so every server is unmanaged there): "name id" lines.
mkdir "$work/console"
printf '[provider]\nendpoint = "%s"\n' "$CPH_ENDPOINT" > "$work/console/provider.toml"
servers() {
  set +e
  "$cphform" -chdir="$work/console" drift -format=json -name-prefix=game- > "$work/servers.json"
  set -e
  grep -o '"server_id":"[^"]*","server_name":"[^"]*"' "$work/servers.json" |
    sed 's/"server_id":"\([^"]*\)","server_name":"\([^"]*\)"/\2 \1/' | sort
}

# The pipeline says which shared state it needs when it has none.
git clone -q "$work/origin" "$work/no-state"
if (unset CPHFORM_PG_CONN PGHOST PGSERVICE PGDATABASE; "$work/no-state/pipeline.sh" pr > "$work/no-state.log" 2>&1); then
  fail "the pipeline ran without a shared state"
fi
grep -q 'CPHFORM_PG_CONN' "$work/no-state.log" || fail "no word on the shared state: $(cat "$work/no-state.log")"

job pr pr1
[ $job_status = 0 ] || fail "pr: $(cat "$work/pr1.log")"
[ -s "$work/artifacts/fleet.plan" ] || fail "pr saved no plan"
grep -q 'Plan: 3 to add, 0 to change, 0 to destroy.' "$work/artifacts/plan.md" || fail "PR summary: $(cat "$work/artifacts/plan.md")"
grep -q '^### cphform plan' "$work/artifacts/plan.md" || fail "plan.md is not the markdown summary"
grep -q '"format_version"' "$work/artifacts/plan.json" || fail "plan.json is not the JSON plan"
[ -z "$(servers)" ] || fail "pr bought servers: $(servers)"

job merge merge1
[ $job_status = 0 ] || fail "merge: $(cat "$work/merge1.log")"
grep -q 'Apply complete! Resources: 3 added, 0 changed, 0 destroyed.' "$work/merge1.log" || fail "merge did not apply: $(cat "$work/merge1.log")"
[ "$(servers | cut -d' ' -f1 | tr '\n' ' ')" = "game-0001 game-0002 game-0003 " ] ||
  fail "the emulator does not have the planned servers: $(servers)"

# The same plan again, on another fresh runner: the state moved on.
job merge merge2
[ $job_status != 0 ] || fail "the same plan applied twice"
grep -q 'stale' "$work/merge2.log" || fail "second merge not refused as stale: $(cat "$work/merge2.log")"
[ "$(servers | wc -l)" = 3 ] || fail "the stale plan changed the fleet: $(servers)"

job pr pr2
[ $job_status = 0 ] || fail "second pr: $(cat "$work/pr2.log")"
grep -q 'No changes.' "$work/artifacts/plan.md" || fail "second PR should have no changes: $(cat "$work/artifacts/plan.md")"

job nightly nightly1
[ $job_status = 0 ] || fail "nightly drift on an untouched fleet: $(cat "$work/nightly1.log")"
grep -q 'No drift' "$work/artifacts/drift.md" || fail "drift report: $(cat "$work/artifacts/drift.md")"

# Someone renames game-0002 by hand (here through cphform with a state of its
# own, as another tool would): the next nightly reports it and fails.
game2="$(servers | sed -n 's/^game-0002 //p')"
[ -n "$game2" ] || fail "no game-0002 in the emulator"
sed -e '/^\[server.game\]/,$!d' -e 's/^\[server.game\]/[server.hand]/' -e '/^count/d' \
    -e 's/^name .*/name = "by-hand"/' "$work/origin/main.toml" > "$work/console/main.toml"
"$cphform" -chdir="$work/console" import server.hand "$game2" > "$work/import.log" 2>&1 || fail "import: $(cat "$work/import.log")"
"$cphform" -chdir="$work/console" apply -auto-approve > "$work/rename.log" 2>&1 || fail "rename: $(cat "$work/rename.log")"
grep -q '0 added, 1 changed, 0 destroyed' "$work/rename.log" || fail "rename: $(cat "$work/rename.log")"

job nightly nightly2
[ $job_status = 2 ] || fail "nightly with drift exited $job_status: $(cat "$work/nightly2.log")"
grep -q '^### cphform drift report' "$work/artifacts/drift.md" || fail "drift.md: $(cat "$work/artifacts/drift.md")"
grep -q '| `server.game\[1\]` | name | `"game-0002"` | `"by-hand"` | `"game-0002"` |' "$work/artifacts/drift.md" ||
  fail "the rename is not in the drift report: $(cat "$work/artifacts/drift.md")"
grep -q 'by-hand' "$work/nightly2.log" || fail "the nightly job did not print its report"

! grep -rqF "$HW_SECRET_KEY" "$work/artifacts" "$work"/*.log || fail "a secret reached an artifact or a log"
! grep -rqF "$CPHFORM_PG_CONN" "$work/artifacts" || fail "the state's connection reached an artifact"
echo "pipeline: 1 passed, 0 failed"
