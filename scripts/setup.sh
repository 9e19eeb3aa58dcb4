#!/usr/bin/env bash
# Installs everything mirage-ts needs on a fresh Debian machine with Node 20, then builds it.
# Idempotent: a second run skips what is already there.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-system-deps.sh
# nodegit builds from source (~5-7 minutes); --omit=optional skips two native extras of the
# shell engine that cannot be fetched offline.
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ] \
   || [ ! -f node_modules/nodegit/build/Release/nodegit.node ]; then
  npm ci --omit=optional --no-audit --no-fund
fi
npm run build
