#!/usr/bin/env bash
# Debian packages nodegit 0.27 needs to build from source (it links Kerberos and OpenSSL).
set -euo pipefail
missing=()
for pkg in libkrb5-dev libssl-dev; do
  dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
done
if [ "${#missing[@]}" -gt 0 ]; then
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}"
fi
