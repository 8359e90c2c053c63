#!/usr/bin/env bash
# A CI pipeline for a cphform fleet, in three jobs. Each job may run on a
# fresh runner with a fresh clone of this directory: the only things shared
# between jobs are the state, in the team's PostgreSQL (backend.toml), and
# the ARTIFACTS directory (the CI system's artifact store).
#   pipeline.sh pr       plan on every pull request: saves the plan and a
#                        markdown summary as artifacts (for a PR comment)
#   pipeline.sh merge    apply exactly the reviewed plan on merge; a plan made
#                        before another change reached the state is refused
#                        as stale (run the PR job again)
#   pipeline.sh nightly  drift check: prints a markdown report (to post where
#                        the team reads it) and exits 2 when the fleet was
#                        changed outside cphform
# Environment: CPHFORM (the binary), ARTIFACTS (a directory kept between jobs),
# CPH_ENDPOINT (the CPH endpoint URL), the HW_* credentials and the state's
# connection: CPHFORM_PG_CONN (a postgres:// URL or key=value string) or
# libpq's PG* variables (PGHOST, PGSERVICE, ...). CPHFORM_WORKSPACE picks
# one of several states in that database (staging, prod).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
cphform="${CPHFORM:-cphform}"
artifacts="${ARTIFACTS:?set ARTIFACTS to a directory kept between jobs}"
if [ -z "${CPHFORM_PG_CONN:-}${PGHOST:-}${PGSERVICE:-}${PGDATABASE:-}" ]; then
  echo "pipeline.sh: the fleet's state is shared in PostgreSQL (backend.toml): set CPHFORM_PG_CONN" \
       "(or libpq's PGHOST/PGSERVICE/PGDATABASE) to reach it" >&2
  exit 1
fi
mkdir -p "$artifacts"
cd "$here"
# The endpoint is configuration of the pipeline, not of the fleet.
printf '[provider]\nendpoint = "%s"\n' "${CPH_ENDPOINT:?set CPH_ENDPOINT}" > provider.toml

case "${1:-}" in
  pr)
    set +e
    "$cphform" plan -input=false -detailed-exitcode -out="$artifacts/fleet.plan" > "$artifacts/plan.txt"
    status=$?
    set -e
    [ $status -eq 1 ] && { cat "$artifacts/plan.txt"; exit 1; }
    "$cphform" show -json "$artifacts/fleet.plan" > "$artifacts/plan.json"
    {
      echo "### cphform plan"
      echo
      echo '```'
      grep -E '^(Plan:|No changes)' "$artifacts/plan.txt"
      echo '```'
      echo
      echo '<details><summary>Full plan</summary>'
      echo
      echo '```'
      cat "$artifacts/plan.txt"
      echo '```'
      echo '</details>'
    } > "$artifacts/plan.md"
    cat "$artifacts/plan.md"
    ;;
  merge)
    [ -f "$artifacts/fleet.plan" ] || { echo "pipeline.sh: no saved plan $artifacts/fleet.plan: run the pr job first" >&2; exit 1; }
    # Only the reviewed plan: cphform refuses it when the state or the
    # manifests changed since it was made.
    "$cphform" apply -input=false -lock-timeout=5m "$artifacts/fleet.plan"
    ;;
  nightly)
    set +e
    "$cphform" drift -format=markdown -out="$artifacts/drift.md"
    status=$?
    set -e
    [ $status -eq 1 ] && exit 1
    cat "$artifacts/drift.md"   # the report to post, drift or not
    exit $status                # 2: drift found, the job fails so that someone looks
    ;;
  *)
    echo "usage: pipeline.sh pr|merge|nightly" >&2
    exit 64
    ;;
esac
