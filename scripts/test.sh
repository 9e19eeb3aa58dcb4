#!/usr/bin/env bash
# Runs the whole test suite on a built tree, then prints one plain closing line
# `N passed, N failed` (CI reads it; jest's own summary is not read).
set -uo pipefail
cd "$(dirname "$0")/.."
results=$(mktemp -t mirage-jest-XXXXXX.json)
node --experimental-vm-modules node_modules/jest/bin/jest.js --ci --json --outputFile="$results" "$@" </dev/null
status=$?
node -e '
  const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
  const skipped = r.numPendingTests + r.numTodoTests;
  // Suites that fail to load count as failures even though they ran no test.
  const failed = r.numFailedTests + r.numRuntimeErrorTestSuites;
  console.log(`${r.numPassedTests} passed, ${failed} failed` + (skipped ? `, ${skipped} skipped` : ""));
' "$results" || echo "0 passed, 1 failed"
rm -f "$results"
exit $status
