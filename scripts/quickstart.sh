#!/usr/bin/env bash
# README command 1: install what is missing, build the cphform binary (not
# the tests: README command 2 builds those), then plan and apply the
# quickstart against the built-in emulator.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/deps.sh
TARGET=cphform ./scripts/build.sh
cd examples/quickstart
../../build/cphform plan
../../build/cphform apply -auto-approve
