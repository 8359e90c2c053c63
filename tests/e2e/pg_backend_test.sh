#!/usr/bin/env bash
# The PostgreSQL backend through the CLI, against a throw-away cluster
# (run by scripts/pg-test-cluster.sh, which sets CPHFORM_TEST_PG) and
# `cphform emulator serve`: apply and plan on pg, 8 concurrent applies that
# must serialize without buying twice (each waiter naming the holder), a
# runner killed mid-apply whose lock dies with it and whose journal the next
# runner resumes, workspaces, and state migrate both ways with byte-equal
# `state pull`.
set -euo pipefail
cphform="${CPHFORM_BINARY:?}"
export CPHFORM_PG_CONN="${CPHFORM_TEST_PG:?run me through scripts/pg-test-cluster.sh run}"
work="$(mktemp -d)"
emu_pid=""
cleanup() { [ -n "$emu_pid" ] && kill "$emu_pid" 2>/dev/null; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

export HW_ACCESS_KEY=PGBACKENDTESTKEY0001 HW_SECRET_KEY=pg-backend-test-secret-0123 HW_PROJECT_ID=0a1b2c3d4e5f67890a1b2c3d4e5f6789
export CPHFORM_POLL_INITIAL_MS=50 CPHFORM_POLL_MAX_MS=200
# The emulator's keys through the environment: on argv, ps would show the secret key.
CPHFORM_EMULATOR_CREDENTIALS="$HW_ACCESS_KEY:$HW_SECRET_KEY:$HW_PROJECT_ID" \
  "$cphform" emulator serve --listen 127.0.0.1:0 --data "$work/emulator.db" --time-scale 1000 > "$work/emulator.out" &
emu_pid=$!
for _ in $(seq 100); do grep -q '^listening on ' "$work/emulator.out" && break; sleep 0.05; done
url="$(sed -n 's/^listening on //p' "$work/emulator.out")"
[ -n "$url" ] || fail "emulator did not start"
# Purchase requests the emulator received, from its admin stats (bash's /dev/tcp: no curl needed).
stats() {
  exec 3<>"/dev/tcp/127.0.0.1/${url##*:}"
  printf 'GET /_emulator/stats HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n' >&3
  cat <&3
  exec 3<&-
}
purchases() {
  stats | tr -d '\r' | grep -o '"POST /v2/{project_id}/cloud-phone/servers":{"count":[0-9]*' |
    grep -o '[0-9]*$' || echo 0
}

mkdir "$work/fleet" && cd "$work/fleet"
write_manifest() {
  cat > main.toml <<TOML
[provider]
endpoint = "$url"

[backend]
type = "$1"

[server.web]
name = "web"
count = $2
server_model = "physical.rx1.xlarge"
phone_model  = "rx1.cp.c105.d6.e5v5"
image_id     = "20060220200717f201120a2300000e91"
vpc_id       = "fca063f6-b942-42a8-9004-e5545f58d6a2"
subnet_id    = "f1cbfc37-eb42-4357-a0ec-9e4f11950908"
bandwidth    = { share_type = "dedicated", charge_mode = "traffic", size = 300 }
TOML
}

write_manifest pg 2
"$cphform" apply -auto-approve > apply1.log || fail "apply on pg: $(cat apply1.log)"
[ ! -e .cphform/state.db ] || fail "a pg backend must not write .cphform/state.db"
"$cphform" plan -detailed-exitcode > plan1.log || fail "plan after apply on pg: $(cat plan1.log)"
[ "$(purchases)" = 1 ] || fail "expected 1 purchase, got $(purchases)"

# Eight applies at once against one workspace: they take turns; only the
# first that runs buys web-0003, the others find nothing to do.
write_manifest pg 3
pids=()
for i in 1 2 3 4 5 6 7 8; do
  "$cphform" apply -auto-approve -lock-timeout=120s > "concurrent$i.log" 2>&1 &
  pids+=($!)
done
for p in "${pids[@]}"; do wait "$p" || fail "a concurrent apply failed: $(cat concurrent*.log)"; done
[ "$(purchases)" = 2 ] || fail "concurrent applies bought $(purchases) orders, expected 2"
[ "$(grep -l 'Apply complete! Resources: 1 added' concurrent*.log | wc -l)" = 1 ] || fail "not exactly one apply bought"
"$cphform" plan -detailed-exitcode > plan2.log || fail "plan after concurrent applies: $(cat plan2.log)"
waited=$(grep -l 'Waiting up to' concurrent*.log | wc -l)
named=$(grep -l 'for the state lock held by .*@.* pid [0-9]* (apply' concurrent*.log | wc -l)
[ "$waited" -ge 1 ] || fail "no apply had to wait: the test did not contend"
[ "$named" = "$waited" ] || fail "$waited applies waited but only $named named the holder"
"$cphform" history | grep -q "@.* pid " || fail "history does not say who changed the state"

# A runner killed while its purchase is in flight: its session (and lock)
# dies with it; the next runner resumes the journal instead of buying again.
slow_dir="$work/slow" && mkdir "$slow_dir"
CPHFORM_EMULATOR_CREDENTIALS="$HW_ACCESS_KEY:$HW_SECRET_KEY:$HW_PROJECT_ID" \
  "$cphform" emulator serve --listen 127.0.0.1:0 --data "$work/slow.db" --time-scale 30 > "$work/slow.out" &
slow_pid=$!
for _ in $(seq 100); do grep -q '^listening on ' "$work/slow.out" && break; sleep 0.05; done
slow_url="$(sed -n 's/^listening on //p' "$work/slow.out")"
main_url="$url"; url="$slow_url"
"$cphform" workspace new slow > /dev/null
write_manifest pg 2
"$cphform" apply -auto-approve > killed.log 2>&1 &
victim=$!
for _ in $(seq 200); do [ "$(purchases)" -ge 1 ] && break; sleep 0.05; done
[ "$(purchases)" = 1 ] || fail "the slow apply never purchased"
sleep 0.3
kill -9 "$victim"; wait "$victim" 2>/dev/null || true
"$cphform" plan > resume-plan.log
grep -q 'resuming: purchase of server.web\[0\]..server.web\[1\]' resume-plan.log || fail "no resume planned: $(cat resume-plan.log)"
# No -lock-timeout: the dead runner's lock must already be gone.
"$cphform" apply -auto-approve > resumed.log 2>&1 || fail "resume: $(cat resumed.log)"
[ "$(purchases)" = 1 ] || fail "the resumed apply bought again ($(purchases) purchases)"
"$cphform" plan -detailed-exitcode > /dev/null || fail "not converged after the resume"
kill "$slow_pid"; url="$main_url"

# Two workspaces apply at the same time, neither waiting (no -lock-timeout).
"$cphform" workspace new east > /dev/null
"$cphform" workspace new west > /dev/null
write_manifest pg 1
CPHFORM_WORKSPACE=east "$cphform" apply -auto-approve > east.log 2>&1 &
east=$!
CPHFORM_WORKSPACE=west "$cphform" apply -auto-approve > west.log 2>&1 &
west=$!
wait "$east" || fail "east: $(cat east.log)"
wait "$west" || fail "west: $(cat west.log)"
"$cphform" workspace select default > /dev/null

# Workspaces are independent states on the same database.
"$cphform" workspace new staging > /dev/null
[ "$("$cphform" state list)" = "" ] || fail "a new workspace must be empty"
"$cphform" workspace list | grep -q '^\* staging$' || fail "staging not selected"
"$cphform" workspace select default > /dev/null
[ "$("$cphform" state list | wc -l)" = 3 ] || fail "default lost its rows"

# Migration pg -> sqlite -> pg keeps the state byte for byte.
"$cphform" state pull > pull-pg.json
"$cphform" state migrate -to=sqlite > /dev/null || fail "migrate to sqlite"
write_manifest sqlite 3
"$cphform" state pull > pull-sqlite.json
cmp -s pull-pg.json pull-sqlite.json || fail "pg -> sqlite changed the state: $(diff pull-pg.json pull-sqlite.json | head)"
"$cphform" plan -detailed-exitcode > plan3.log || fail "plan on the migrated sqlite state: $(cat plan3.log)"
"$cphform" workspace delete staging > /dev/null 2>&1 || true   # staging exists on pg, not on sqlite
"$cphform" state migrate -to=pg -force > /dev/null || fail "migrate back to pg"
write_manifest pg 3
"$cphform" state pull > pull-pg2.json
cmp -s pull-pg.json pull-pg2.json || fail "sqlite -> pg changed the state"
"$cphform" history -limit=5 | grep -q 'SERIAL' || fail "history"
echo "pg backend: 1 passed, 0 failed"
