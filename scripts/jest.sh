#!/usr/bin/env bash
# Runs jest with a last-resort time limit, then kills whatever test child processes are still
# running, whatever became of jest (docs/testing.md). `make test` runs through here.
#
#   scripts/jest.sh [jest arguments...]
#
#   env JEST_TIME_LIMIT   coreutils duration, default 30m (CI's job limit is 90 min; a full run
#                         takes a few minutes). On it jest gets SIGTERM, on which it kills the
#                         children it recorded and exits; SIGKILL one minute later if it has not.
set -uo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
export PATH="$("$root/scripts/ensure-node.sh"):$PATH"
limit="${JEST_TIME_LIMIT:-30m}"

# jest's global setup records every child a test starts here (children.ts); the reaper reads it.
run_dir="$(mktemp -d "${TMPDIR:-/tmp}/llm-hub-jest-XXXXXX")"
export LLM_HUB_TEST_RUN_DIR="$run_dir"

# --foreground keeps jest in this shell's process group, so Ctrl-C still reaches it and its
# workers; on the time limit only jest itself is signalled (its workers end once idle).
timeout --foreground --kill-after=1m "$limit" "$root/node_modules/.bin/jest" "$@"
status=$?
case "$status" in
  124 | 137) echo "scripts/jest.sh: jest stopped at its time limit of $limit (JEST_TIME_LIMIT)" >&2 ;;
esac

# reap.ts is TypeScript that Node runs by stripping the types (as an ES module, hence the warning).
node --disable-warning=MODULE_TYPELESS_PACKAGE_JSON "$root/apps/gateway/test/support/reap.ts" "$run_dir" || true
rm -rf "$run_dir"
exit "$status"
