#!/usr/bin/env bash
# The provider seam (issue 13, docs/architecture.md "Adding a provider"):
# no line of planner/, engine/, cli/, cloud/ or the provider-neutral files of
# resources/ may name a CPH API path, a CPS code or the CPH client: CPH
# lives in resources/cph and Huawei's signing in resources/huawei. Exits 1
# on a match, naming the file and the lines.
set -euo pipefail
cd "$(dirname "$0")/.."
pattern='cloud-phone|CPS\.|/v1/|/v2/|myhuaweicloud|CphClient'
mapfile -t matching < <(grep -rlE "$pattern" planner engine cli cloud resources/*.h resources/*.cc | sort || true)
status=0
for f in "${matching[@]}"; do
  echo "check-seam: $f names CPH (an API path, a CPS code or CphClient) outside resources/cph and resources/huawei:" >&2
  grep -nE "$pattern" "$f" | head -5 >&2
  status=1
done
[ "$status" = 0 ] && echo "check-seam: no CPH names in planner/, engine/, cli/, cloud/ or the provider interface"
exit "$status"
