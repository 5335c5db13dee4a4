#!/usr/bin/env bash
# Installs Debian's redis-server (which pulls in redis-tools, i.e. redis-cli) when it is missing,
# so `make test` can run a real Redis Cluster on a fresh machine. Idempotent: does nothing when
# both binaries are on PATH.
#
# The test cluster (scripts/redis-cluster.sh) runs its own nodes on 127.0.0.1 ports 7000+.
# Debian's package may start a system service on 6379 that nothing here uses; if this install
# is what started it, we stop it again so no stray server is left listening.
set -euo pipefail

say() { echo "install-redis: $*"; }

if command -v redis-server >/dev/null 2>&1 && command -v redis-cli >/dev/null 2>&1; then
  say "redis-server $(redis-server --version | sed -n 's/.* v=\([^ ]*\).*/\1/p') already installed"
  exit 0
fi
source "$(dirname "$0")/lib/debian-package.sh"
install_debian_package redis-server redis-server 6379
say "installed $(redis-server --version | sed -n 's/.* v=\([^ ]*\).*/\1/p')"
