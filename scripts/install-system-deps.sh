#!/usr/bin/env bash
# Debian packages the project needs: nodegit 0.27 builds from source (it links Kerberos and OpenSSL);
# the sandbox engine runs commands in bubblewrap (docs/engines.md); fuse3 and rclone are for s3 mounts
# in the sandbox (a later slice).
set -euo pipefail
missing=()
for pkg in libkrb5-dev libssl-dev bubblewrap fuse3 rclone; do
  dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
done
if [ "${#missing[@]}" -gt 0 ]; then
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}"
fi
