#!/usr/bin/env bash
# README command 2: install what is missing, build, run every test (unit and
# end-to-end over HTTP). SANITIZE=1 runs them in the sanitizer build instead
# (clang, AddressSanitizer + UBSan, in build-fuzz/; scripts/build.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "${SANITIZE:-0}" = 1 ]; then
  FUZZ=1 ./scripts/deps.sh
  SANITIZE=1 ./scripts/build.sh
  cd build-fuzz
else
  ./scripts/deps.sh
  ./scripts/build.sh
  cd build
fi
ctest --output-on-failure -j 2
