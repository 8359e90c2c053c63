#!/usr/bin/env bash
# A CI pipeline for a cphform fleet, in three jobs:
#   pipeline.sh pr       plan on every pull request: saves the plan and a
#                        markdown summary as artifacts (for a PR comment)
#   pipeline.sh merge    apply exactly the reviewed plan on merge
#   pipeline.sh nightly  drift check: fails (exit 2) when the fleet was
#                        changed outside cphform, with a markdown report
# Environment: CPHFORM (the binary), ARTIFACTS (a directory kept between jobs),
# CPH_ENDPOINT (the CPH endpoint URL) and the HW_* credentials.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
cphform="${CPHFORM:-cphform}"
artifacts="${ARTIFACTS:?set ARTIFACTS to a directory kept between jobs}"
mkdir -p "$artifacts"
cd "$here"
# The endpoint is configuration of the pipeline, not of the fleet.
printf '[provider]\nendpoint = "%s"\n' "${CPH_ENDPOINT:?set CPH_ENDPOINT}" > provider.toml

case "${1:-}" in
  pr)
    set +e
    "$cphform" plan -detailed-exitcode -out="$artifacts/fleet.plan" > "$artifacts/plan.txt"
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
    } > "$artifacts/plan.md"
    cat "$artifacts/plan.md"
    ;;
  merge)
    "$cphform" apply -lock-timeout=5m "$artifacts/fleet.plan"
    ;;
  nightly)
    "$cphform" drift -format=markdown -out="$artifacts/drift.md"
    ;;
  *)
    echo "usage: pipeline.sh pr|merge|nightly" >&2
    exit 64
    ;;
esac
