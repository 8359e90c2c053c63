#!/usr/bin/env bash
# README command 2: install what is missing, build, run every test (unit and
# end-to-end over HTTP). Set SANITIZE=1 for an AddressSanitizer+UBSan build.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/deps.sh
if [ "${SANITIZE:-0}" = 1 ]; then
  BUILD_DIR=build-asan BUILD_TYPE=Debug ./scripts/build.sh -DCPHFORM_SANITIZE=ON
  cd build-asan
else
  ./scripts/build.sh
  cd build
fi
ctest --output-on-failure -j 2
