#!/bin/sh
# Forms the chart's bundled Redis Cluster. Runs as a Helm post-install/post-upgrade hook Job and
# is idempotent:
#   1. waits until every node in $NODES answers PING;
#   2. if no node owns a slot, the cluster is not formed yet: creates it with
#      `redis-cli --cluster create ... --cluster-replicas 1` (three masters, three replicas);
#   3. otherwise leaves it alone, except for nodes that came back empty (their volume was lost:
#      they know no other node and own no slot), which join again as replicas; the identity they
#      replaced (a failed node announcing the same hostname) is then forgotten;
#   4. waits until every node reports cluster_state:ok.
# Env: NODES (space-separated node hostnames), REDISCLI_AUTH (the password, read by redis-cli).
# Optional: REDIS_PORT (default 6379), POLL_SECONDS (default 2).
set -eu

PORT="${REDIS_PORT:-6379}"
POLL="${POLL_SECONDS:-2}"

log() { echo "cluster-create: $*"; }
# redis-cli --cluster and CLUSTER MEET need IP addresses: resolve a hostname (an IP is kept as is).
resolve() {
  case "$1" in
    *[!0-9.]*) getent hosts "$1" 2>/dev/null | awk '{ print $1; exit }' ;;
    *) echo "$1" ;;
  esac
}
# redis-cli on one node, by its current IP (fails like an unreachable node when it does not resolve).
cli() { ip="$(resolve "$1")"; shift; redis-cli -h "${ip:-unresolved.invalid}" -p "$PORT" "$@"; }
# One field of CLUSTER INFO on a node (empty when the node does not answer).
info() { cli "$1" cluster info 2>/dev/null | tr -d '\r' | sed -n "s/^$2://p"; }
address() {
  ip="$(resolve "$1")"
  [ -n "$ip" ] || { log "error: $1 does not resolve"; exit 1; }
  echo "$ip:$PORT"
}

# 1. Every node up.
for host in $NODES; do
  until [ "$(cli "$host" ping 2>/dev/null)" = PONG ]; do
    log "waiting for $host to answer"
    sleep "$POLL"
  done
done
log "all nodes answer"

# 2./3. Formed already?
anchor=""
for host in $NODES; do
  if [ "$(info "$host" cluster_slots_assigned)" != 0 ]; then anchor="$host"; break; fi
done

healed=""
if [ -z "$anchor" ]; then
  # No slots anywhere, so there is no data to lose: nodes left half-met by an interrupted
  # attempt are reset so that `--cluster create` accepts them.
  addresses=""
  for host in $NODES; do
    if [ "$(info "$host" cluster_known_nodes)" != 1 ]; then
      log "$host knows other nodes but owns no slot: CLUSTER RESET SOFT"
      cli "$host" cluster reset soft >/dev/null
    fi
    addresses="$addresses $(address "$host")"
  done
  log "creating the cluster:$addresses"
  # shellcheck disable=SC2086 # one argument per node
  redis-cli --cluster create $addresses --cluster-replicas 1 --cluster-yes
else
  log "the cluster is formed (seen from $anchor)"
  for host in $NODES; do
    if [ "$(info "$host" cluster_known_nodes)" = 1 ] && [ "$(info "$host" cluster_slots_assigned)" = 0 ]; then
      log "$host is empty and alone (volume lost?): adding it as a replica"
      redis-cli --cluster add-node "$(address "$host")" "$(address "$anchor")" --cluster-slave
      healed="yes"
    fi
  done
fi

# 4. Everyone agrees.
for host in $NODES; do
  until [ "$(info "$host" cluster_state)" = ok ]; do
    log "waiting for $host to report cluster_state:ok"
    sleep "$POLL"
  done
done

if [ -n "$healed" ]; then
  # A failed node that announces the hostname of a live node is the identity a re-added node
  # replaced: forget it everywhere (it owns no slot; its replacement took its place).
  sleep "$POLL"
  stale="$(cli "$anchor" cluster nodes | tr -d '\r' | awk '
    { split($2, a, ","); id[NR] = $1; host[NR] = a[2]; failed[NR] = ($3 ~ /(^|,)fail(,|$)/) && NF <= 8
      if ($3 !~ /fail/ && a[2] != "") alive[a[2]] = 1 }
    END { for (i = 1; i <= NR; i++) if (failed[i] && host[i] != "" && (host[i] in alive)) print id[i] }')"
  for id in $stale; do
    log "forgetting the replaced node $id"
    for host in $NODES; do cli "$host" cluster forget "$id" >/dev/null 2>&1 || true; done
  done
fi

first="$(echo "$NODES" | awk '{ print $1 }')"
redis-cli --cluster check "$(address "${anchor:-$first}")" || true
log "cluster ready"
