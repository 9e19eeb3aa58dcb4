#!/usr/bin/env bash
# The main job: create a workspace from examples/ram.yaml (the CLI spawns the daemon), run a
# command in it, print the result, then delete the workspace (the daemon exits when idle).
set -euo pipefail
cd "$(dirname "$0")/.."
mirage() { node apps/cli/bin/run.js "$@"; }
export MIRAGE_IDLE_GRACE_SECONDS="${MIRAGE_IDLE_GRACE_SECONDS:-5}"

workspace_json=$(mirage workspace create examples/ram.yaml)
echo "$workspace_json"
workspace_id=$(printf '%s' "$workspace_json" | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).id))')

printf 'alpha\nbeta\ngamma\n' | mirage execute -w "$workspace_id" \
  -c 'cat > /notes.txt; echo "hello from mirage workspace $PWD"; wc -l /notes.txt; ls -l /'

mirage workspace delete "$workspace_id" >/dev/null
echo "workspace $workspace_id deleted; the daemon exits after ${MIRAGE_IDLE_GRACE_SECONDS}s idle" >&2
