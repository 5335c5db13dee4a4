#!/bin/sh
# Starts one node of the chart's bundled Redis Cluster (StatefulSet pod <name>-<ordinal>).
#
# Each node announces a stable hostname, its pod's DNS name under the headless Service
# (cluster-announce-hostname, cluster-preferred-endpoint-type hostname), so clients are sent to
# names that survive rescheduling. Between themselves, nodes still know each other by IP in
# nodes.conf (on the PVC). A rescheduled pod gets a new IP, and when every pod restarts at once
# (a full cluster restart) no node knows where the others are. nodes.conf keeps each peer's
# hostname next to its IP, so before starting, this script re-resolves every hostname and writes
# the current IPs back (the headless Service publishes not-ready pods, so peers resolve before
# they are ready). A name that does not resolve yet is left alone: gossip updates it later.
#
# Env: POD_NAME, POD_NAMESPACE, POD_IP, HEADLESS_SERVICE, CLUSTER_DOMAIN, REDIS_PASSWORD.
# Optional (tests): REDIS_CONF (default /etc/redis/redis.conf), NODES_CONF (default /data/nodes.conf),
# SELF_HOSTNAME (default <pod>.<headless>.<namespace>.svc.<domain>), EXTRA_ARGS.
set -eu

SELF="${SELF_HOSTNAME:-${POD_NAME}.${HEADLESS_SERVICE}.${POD_NAMESPACE}.svc.${CLUSTER_DOMAIN}}"
NODES_CONF="${NODES_CONF:-/data/nodes.conf}"
REDIS_CONF="${REDIS_CONF:-/etc/redis/redis.conf}"

log() { echo "start: $*"; }

# The first address a name resolves to, or nothing.
resolve() { getent hosts "$1" 2>/dev/null | awk '{ print $1; exit }'; }

# Rewrites the IP of every nodes.conf entry whose hostname is $1 to $2. Address field format:
# ip:port@cport[,hostname[,aux=value]*]; only the part before ":port@cport" changes.
set_ip() {
  awk -v host="$1" -v ip="$2" '
    $1 != "vars" {
      n = split($2, a, ",")
      if (n >= 2 && a[2] == host && match(a[1], /:[0-9]+@[0-9]+$/)) {
        addr = ip substr(a[1], RSTART)
        for (i = 2; i <= n; i++) addr = addr "," a[i]
        $2 = addr
      }
    }
    { print }' "$NODES_CONF" > "$NODES_CONF.tmp"
  mv "$NODES_CONF.tmp" "$NODES_CONF"
}

if [ -s "$NODES_CONF" ]; then
  for host in $(awk '$1 != "vars" { split($2, a, ","); if (a[2] != "") print a[2] }' "$NODES_CONF" | sort -u); do
    if [ "$host" = "$SELF" ]; then ip="$POD_IP"; else ip="$(resolve "$host")"; fi
    if [ -n "$ip" ]; then
      set_ip "$host" "$ip"
    else
      log "$host does not resolve yet; gossip will update its address"
    fi
  done
  log "refreshed peer addresses in $NODES_CONF"
fi

# The password goes on the command line, not in a file: redis-server hides its arguments from
# the process title, and the root filesystem is read-only.
# shellcheck disable=SC2086 # EXTRA_ARGS is a list of arguments.
exec redis-server "$REDIS_CONF" \
  --requirepass "$REDIS_PASSWORD" \
  --masterauth "$REDIS_PASSWORD" \
  --cluster-announce-hostname "$SELF" \
  ${EXTRA_ARGS:-}
