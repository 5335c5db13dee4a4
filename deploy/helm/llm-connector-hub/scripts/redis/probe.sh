#!/bin/sh
# Probes of a bundled Redis Cluster node: `probe.sh ready` (answers PONG) or `probe.sh live`
# (answers at all: PONG, or LOADING while it replays a large AOF, which must not get it killed).
# Ready does not wait for cluster_state:ok: nodes must be Ready before the cluster exists
# (helm install --wait runs the cluster-create hook only after that), and the gateway's cache
# fails open anyway.
# Auth: REDISCLI_AUTH from the environment.
set -u
reply="$(timeout 4 redis-cli -h 127.0.0.1 -p "${REDIS_PORT:-6379}" ping 2>&1)"
case "${1:-ready}:$reply" in
  *:PONG) exit 0 ;;
  live:*LOADING*) exit 0 ;;
  *) echo "redis: $reply"; exit 1 ;;
esac
