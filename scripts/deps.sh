#!/usr/bin/env bash
# Installs the Debian 12 packages cphform builds with, when any is missing.
# FUZZ=1 adds what the fuzz build needs (clang and its libFuzzer runtime;
# scripts/fuzz.sh).
set -euo pipefail
packages=(g++ cmake ninja-build pkg-config libboost1.81-dev nlohmann-json3-dev libtomlplusplus-dev
          libsqlite3-dev libssl-dev catch2 ca-certificates libpq-dev postgresql)
if [ "${FUZZ:-0}" = 1 ]; then
  packages+=(clang libclang-rt-14-dev)
fi
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "Installing: ${missing[*]}"
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
