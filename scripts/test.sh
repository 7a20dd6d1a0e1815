#!/usr/bin/env bash
# The whole test suite after setup: the tests' types, lint, then unit + integration tests. Integration tests need
# redis-server at REDIS_URL (default 127.0.0.1:6379): started here if absent. The SQS
# emulator and the app processes are started by the tests themselves.
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$REPO_ROOT"
export PATH="$REPO_ROOT/node_modules/.bin:$PATH"

if ! redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then
  echo "[test] starting redis-server on 127.0.0.1:6379" >&2
  mkdir -p .coldstart/test-redis
  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save '' --appendonly no \
    --dir "$REPO_ROOT/.coldstart/test-redis" --logfile "$REPO_ROOT/.coldstart/test-redis/redis.log"
  for _ in $(seq 50); do redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1 && break; sleep 0.1; done
fi

echo "[test] type-checking the tests, then lint (no floating or misused promises)" >&2
tsc -p tsconfig.tests.json
eslint .

mkdir -p test-artifacts
status=0
vitest run --reporter=default --reporter=json --outputFile.json=test-artifacts/vitest.json "$@" || status=$?
# One plain summary line ("N passed, N failed") that any CI can read.
node -e '
  const r = JSON.parse(require("fs").readFileSync("test-artifacts/vitest.json", "utf8"));
  console.log(`tests: ${r.numPassedTests} passed, ${r.numFailedTests} failed` + (r.numPendingTests ? `, ${r.numPendingTests} skipped` : ""));
' || true
exit $status
