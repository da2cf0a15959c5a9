#!/usr/bin/env bash
# The one command that prepares a fresh machine and runs every test (README: "Run the tests").
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-test-prereqs.sh
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  ELECTRON_SKIP_BINARY_DOWNLOAD=1 npm ci --no-audit --no-fund
fi
exec node scripts/run-tests.mjs "$@"
