#!/usr/bin/env bash
# A real six-node Redis Cluster (3 masters + 3 replicas) on 127.0.0.1, for tests.
#
#   scripts/redis-cluster.sh start|stop [--purge]|status [--port-base N] [--dir D] [--attached]
#
#   --port-base N   first port; nodes use N..N+5 and cluster-bus ports N+10000..N+10005
#                   (env REDIS_CLUSTER_PORT_BASE, default 7000)
#   --dir D         data dir (env REDIS_CLUSTER_DIR, default .tools/redis-cluster/<port-base>)
#   --attached      start the nodes without daemonizing them: they stay in this script's process
#                   group after it exits, so whoever started the script can kill them with that
#                   group (the e2e tests do, apps/gateway/test/support/children.ts). Without it
#                   they are daemons, in sessions of their own.
#   env REDIS_CLUSTER_TIMEOUT   seconds to wait for cluster_state:ok (default 30)
#
# Layout: <dir>/<port>/{redis.conf,nodes.conf,redis.pid,redis.log}, and <dir>/created once
# `redis-cli --cluster create` succeeded. With that marker a later start only starts the nodes
# again: their nodes.conf files remember ids, roles and slots, so re-creating would be wrong.
# Nothing is persisted (save "", appendonly no, shutdown nosave): a restart keeps the topology,
# not the keys. apps/gateway/test/support/redis-cluster.ts relies on this layout.
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
cmd=""
purge=0
base="${REDIS_CLUSTER_PORT_BASE:-7000}"
dir="${REDIS_CLUSTER_DIR:-}"
timeout="${REDIS_CLUSTER_TIMEOUT:-30}"
attached=0
declare -A node_pids=()

usage() { echo "usage: $0 start|stop [--purge]|status [--port-base N] [--dir D] [--attached]" >&2; exit 2; }
while [ $# -gt 0 ]; do
  case "$1" in
    start | stop | status) cmd="$1" ;;
    --purge) purge=1 ;;
    --attached) attached=1 ;;
    --port-base) [ $# -ge 2 ] || usage; base="$2"; shift ;;
    --port-base=*) base="${1#*=}" ;;
    --dir) [ $# -ge 2 ] || usage; dir="$2"; shift ;;
    --dir=*) dir="${1#*=}" ;;
    -h | --help) usage ;;
    *) echo "redis-cluster: unknown argument '$1'" >&2; usage ;;
  esac
  shift
done
[ -n "$cmd" ] || usage
# The bus port is port+10000, so the last bus port must still be a valid port.
if ! [[ "$base" =~ ^[0-9]+$ ]] || [ "$base" -lt 1024 ] || [ "$base" -gt 55530 ]; then
  echo "redis-cluster: --port-base must be a number in 1024..55530, got '$base'" >&2
  exit 2
fi
dir="${dir:-$root/.tools/redis-cluster/$base}"
case "$dir" in /*) ;; *) dir="$PWD/$dir" ;; esac # redis needs absolute paths: it resolves them itself
ports=()
for i in 0 1 2 3 4 5; do ports+=($((base + i))); done
last="${ports[5]}"

say() { echo "redis-cluster[$base]: $*"; }
die() { say "error: $*" >&2; exit 1; }
cli() { local p="$1"; shift; redis-cli -h 127.0.0.1 -p "$p" "$@"; }
port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
# A node is ours when it answers and was started from our config file (not some other redis).
ours() { cli "$1" info server 2>/dev/null | tr -d '\r' | grep -qxF "config_file:$dir/$1/redis.conf"; }
# The pid from a node's pidfile, only if that process is still a redis-server (pidfiles go stale).
node_pid() {
  local f="$dir/$1/redis.pid" pid
  [ -f "$f" ] || return 1
  pid="$(cat "$f")"
  [ -n "$pid" ] && [ -r "/proc/$pid/cmdline" ] && tr '\0' ' ' <"/proc/$pid/cmdline" | grep -q redis-server && echo "$pid"
}

ensure_redis() {
  if ! command -v redis-server >/dev/null 2>&1 || ! command -v redis-cli >/dev/null 2>&1; then
    "$root/scripts/install-redis.sh"
  fi
}

write_conf() {
  local p="$1" d="$dir/$1"
  mkdir -p "$d"
  cat >"$d/redis.conf" <<EOF
# Written by scripts/redis-cluster.sh on every start; edit the script, not this file.
port $p
bind 127.0.0.1
protected-mode no
daemonize $([ "$attached" -eq 1 ] && echo no || echo yes)
dir "$d"
pidfile "$d/redis.pid"
logfile "$d/redis.log"
cluster-enabled yes
cluster-config-file "$d/nodes.conf"
# Short timeout: a dead master is detected and replaced within a few seconds in tests.
cluster-node-timeout 1000
# A replica may always take over, however long it was cut off: tests want availability.
cluster-replica-validity-factor 0
# Throwaway data: no RDB, no AOF.
appendonly no
save ""
# Replicas sync over the socket at once (the default waits 5 s to batch replicas), so a new
# cluster's replicas are in sync, and able to take over, within milliseconds.
repl-diskless-sync yes
repl-diskless-sync-delay 0
EOF
}

start_node() {
  local p="$1"
  if [ "$attached" -eq 1 ]; then
    # Its stdio must not be this script's: whoever reads this script's output would wait for the node.
    redis-server "$dir/$p/redis.conf" </dev/null >/dev/null 2>&1 &
    node_pids[$p]=$!
  else
    redis-server "$dir/$p/redis.conf" || die "redis-server on port $p failed to start; see $dir/$p/redis.log"
  fi
}

wait_ping() {
  local p="$1" deadline=$((SECONDS + 10))
  until [ "$(cli "$p" ping 2>/dev/null)" = PONG ]; do
    if [ -n "${node_pids[$p]:-}" ] && ! kill -0 "${node_pids[$p]}" 2>/dev/null; then
      die "redis-server on port $p exited; see $dir/$p/redis.log"
    fi
    [ "$SECONDS" -lt "$deadline" ] || die "node $p did not answer PING within 10 s; see $dir/$p/redis.log"
    sleep 0.1
  done
}

# ok = this node sees cluster_state:ok, all 16384 slots served by 3 masters, all 6 nodes, and,
# if it is a replica, a live link to its master (so it could take over right away).
node_ok() {
  local info repl
  info="$(cli "$1" cluster info 2>/dev/null | tr -d '\r')" || return 1
  grep -qx 'cluster_state:ok' <<<"$info" || return 1
  grep -qx 'cluster_slots_ok:16384' <<<"$info" || return 1
  grep -qx 'cluster_size:3' <<<"$info" || return 1
  grep -qx 'cluster_known_nodes:6' <<<"$info" || return 1
  repl="$(cli "$1" info replication 2>/dev/null | tr -d '\r')" || return 1
  if grep -qx 'role:slave' <<<"$repl"; then grep -qx 'master_link_status:up' <<<"$repl" || return 1; fi
}

wait_cluster_ok() {
  local deadline=$((SECONDS + timeout)) p bad
  while :; do
    bad=""
    for p in "${ports[@]}"; do node_ok "$p" || { bad="$p"; break; }; done
    [ -z "$bad" ] && return 0
    if [ "$SECONDS" -ge "$deadline" ]; then
      cli "$bad" cluster info 2>/dev/null | tr -d '\r' | grep -E '^cluster_(state|slots_ok|size|known_nodes):' >&2 || true
      die "node $bad not ok after ${timeout} s; see $dir/$bad/redis.log"
    fi
    sleep 0.2
  done
}

cmd_start() {
  local p running=() stopped=() addrs=()
  for p in "${ports[@]}"; do
    if ours "$p"; then
      running+=("$p")
    elif port_open "$p" || port_open $((p + 10000)); then
      die "port $p or its bus port $((p + 10000)) is in use by another process"
    else
      stopped+=("$p")
    fi
  done
  if [ "${#stopped[@]}" -eq 0 ]; then
    say "already running on 127.0.0.1:$base-$last ($dir)"
    return 0
  fi
  mkdir -p "$dir"

  if [ -f "$dir/created" ]; then
    # Restart: the nodes.conf files know the cluster; just bring the missing nodes back.
    for p in "${stopped[@]}"; do write_conf "$p"; start_node "$p"; done
    for p in "${stopped[@]}"; do wait_ping "$p"; done
    wait_cluster_ok
    say "restarted ${#stopped[@]} node(s); cluster ok on 127.0.0.1:$base-$last ($dir)"
    return 0
  fi

  [ "${#running[@]}" -eq 0 ] || die "nodes ${running[*]} run but the cluster was never created; run: $0 stop --purge --port-base $base --dir $dir"
  for p in "${ports[@]}"; do
    # A nodes.conf without the marker is left from a create that failed: start clean.
    rm -f "$dir/$p/nodes.conf"
    write_conf "$p"
    start_node "$p"
    addrs+=("127.0.0.1:$p")
  done
  for p in "${ports[@]}"; do wait_ping "$p"; done
  if ! redis-cli --cluster create "${addrs[@]}" --cluster-replicas 1 --cluster-yes >"$dir/create.log" 2>&1; then
    cat "$dir/create.log" >&2
    die "redis-cli --cluster create failed (log above; stop with: $0 stop --purge --port-base $base --dir $dir)"
  fi
  touch "$dir/created"
  wait_cluster_ok
  say "created; cluster ok on 127.0.0.1:$base-$last, 3 masters + 3 replicas ($dir)"
}

cmd_stop() {
  local p pid n=0 deadline open
  for p in "${ports[@]}"; do
    if ours "$p"; then
      # nosave: the data is throwaway. The reply may be a dropped connection; that is success.
      cli "$p" shutdown nosave >/dev/null 2>&1 || true
      n=$((n + 1))
    elif pid="$(node_pid "$p")"; then
      # Started by us but not answering (hung or still loading): signal it instead.
      kill -TERM "$pid" 2>/dev/null || true
      n=$((n + 1))
    fi
  done
  # Wait for client and bus ports to close; SIGKILL what is still up after 10 s.
  deadline=$((SECONDS + 10))
  while :; do
    open=""
    for p in "${ports[@]}"; do
      if port_open "$p" || port_open $((p + 10000)); then open="$open $p"; fi
    done
    [ -z "$open" ] && break
    if [ "$SECONDS" -ge "$deadline" ]; then
      for p in $open; do
        if pid="$(node_pid "$p")"; then kill -KILL "$pid" 2>/dev/null || true; fi
      done
      [ "$SECONDS" -lt $((deadline + 5)) ] || die "ports$open still open after stop (not ours?)"
    fi
    sleep 0.1
  done
  if [ "$n" -eq 0 ]; then say "not running on 127.0.0.1:$base-$last"; else say "stopped $n node(s)"; fi

  if [ "$purge" -eq 1 ] && [ -d "$dir" ]; then
    # Delete only what this script made, never the whole tree under a --dir that was mistyped.
    for p in "${ports[@]}"; do rm -rf "${dir:?}/$p"; done
    rm -f "$dir/created" "$dir/create.log"
    if rmdir "$dir" 2>/dev/null; then say "purged $dir"; else say "purged cluster files; kept $dir (it holds other files)"; fi
  fi
}

cmd_status() {
  local p up=0 first=""
  for p in "${ports[@]}"; do
    if ours "$p"; then up=$((up + 1)); first="${first:-$p}"; fi
  done
  if [ "$up" -eq 0 ]; then
    say "not running on 127.0.0.1:$base-$last"
    return 1
  fi
  say "$up/6 nodes up, $(cli "$first" cluster info | tr -d '\r' | grep '^cluster_state:'); CLUSTER NODES from 127.0.0.1:$first:"
  cli "$first" cluster nodes
}

ensure_redis
"cmd_$cmd"
