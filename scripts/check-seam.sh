#!/usr/bin/env bash
# The provider seam (issue 13, docs/architecture.md "Adding a provider"):
# no line of planner/, engine/, cli/, cloud/ or the provider-neutral files of
# resources/ may name a CPH API path, a CPS code or the CPH client. Files
# that still do are listed in ALLOWED below, each to be moved behind the
# provider interface; the list only shrinks. Exits 1 on a match elsewhere,
# and on an allowed file that no longer matches (so the list stays true).
set -euo pipefail
cd "$(dirname "$0")/.."
pattern='cloud-phone|CPS\.|/v1/|/v2/|myhuaweicloud|CphClient'
ALLOWED=(
  engine/run_context.h
  engine/steps.cc
  engine/workspace.h
)
mapfile -t matching < <(grep -rlE "$pattern" planner engine cli cloud resources/*.h resources/*.cc | sort)
status=0
for f in "${matching[@]}"; do
  if [[ ! " ${ALLOWED[*]} " == *" $f "* ]]; then
    echo "check-seam: $f names CPH (an API path, a CPS code or CphClient) outside resources/cph and resources/huawei:" >&2
    grep -nE "$pattern" "$f" | head -5 >&2
    status=1
  fi
done
for f in "${ALLOWED[@]}"; do
  if [[ ! " ${matching[*]} " == *" $f "* ]]; then
    echo "check-seam: $f no longer names CPH: remove it from ALLOWED in scripts/check-seam.sh" >&2
    status=1
  fi
done
[ "$status" = 0 ] && echo "check-seam: ${#matching[@]} files still to move behind the provider interface"
exit "$status"
