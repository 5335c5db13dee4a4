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
command -v apt-get >/dev/null 2>&1 || { say "error: redis-server not found and apt-get is unavailable; install Redis >= 7 yourself" >&2; exit 1; }

# sudo only when we are not root (CI and the dev machines run as root and may have no sudo).
as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }
port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
apt_install() { as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q redis-server >/dev/null; }

system_redis_was_up=0
if port_open 6379; then system_redis_was_up=1; fi

say "installing redis-server with apt-get"
# A fresh machine's package lists may be empty or stale: update once, only when needed.
if ! apt_install; then
  say "apt-get install failed; running apt-get update and retrying"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get update -q >/dev/null
  apt_install
fi

if [ "$system_redis_was_up" -eq 0 ] && port_open 6379; then
  say "stopping the system redis-server on 6379 that the install started (the test cluster does not use it)"
  as_root systemctl stop redis-server 2>/dev/null || as_root service redis-server stop >/dev/null 2>&1 || true
fi
say "installed $(redis-server --version | sed -n 's/.* v=\([^ ]*\).*/\1/p')"
