#!/usr/bin/env bash
# A real one-node Kubernetes cluster for the tests and for people: kube-apiserver, controller-
# manager, scheduler, kubelet, kube-proxy, etcd, containerd and runc, with CoreDNS, metrics-server,
# local-path-provisioner (default StorageClass) and KEDA. Everything runs inside a network
# namespace and a mount namespace of its own, so it changes nothing on the machine outside
# CLUSTER_DIR (default .tools/cluster) and those namespaces. docs/kubernetes.md explains how.
#
#   scripts/cluster.sh build          build (or reuse) the binaries and images (scripts/cluster/build.sh)
#   scripts/cluster.sh up             build if needed, clean any earlier state, start, deploy the add-ons
#   scripts/cluster.sh down           stop everything and remove all state, even after a failed up
#   scripts/cluster.sh status         what runs (exit 0 when the node is Ready, 3 when nothing runs)
#   scripts/cluster.sh addons         (re)deploy the add-ons on a running cluster
#   scripts/cluster.sh kubeconfig     print the kubeconfig's path (works from the host)
#   scripts/cluster.sh paths          every path, name and address of this cluster, as JSON
#   scripts/cluster.sh kubectl ...    kubectl against the cluster
#   scripts/cluster.sh helm ...       helm (scripts/install-helm.sh) against the cluster
#   scripts/cluster.sh ctr ...        ctr against the node's containerd (namespace k8s.io)
#   scripts/cluster.sh import-image FILE.tar   load a docker-archive into the node's containerd
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/cluster/config.sh"

PKI="$CLUSTER_DIR/pki"
CONF="$CLUSTER_DIR/conf"
LOGS="$CLUSTER_DIR/logs"
PIDS="$CLUSTER_DIR/pids"
STORAGE_DIR="$CLUSTER_DIR/storage"
source "$CLUSTER_SCRIPTS/pki.sh"

CONTAINERD_SOCK=/run/containerd/containerd.sock
# Start order; `down` stops them in the reverse order, kubelet first.
COMPONENTS=(etcd containerd kube-apiserver kube-controller-manager kube-scheduler kube-proxy kubelet)
STOP_ORDER=(kubelet kube-proxy kube-scheduler kube-controller-manager kube-apiserver containerd etcd)
WAIT_SECONDS=${CLUSTER_WAIT_SECONDS:-180}

kubectl_() { KUBECONFIG="$KUBECONFIG_FILE" "$K8S_BIN/kubectl" "$@"; }
ctr_() { in_cluster ctr --address "$CONTAINERD_SOCK" --namespace k8s.io "$@"; }

# --- processes ------------------------------------------------------------------------------

# Fields of /proc/PID/stat after the command name (which may hold spaces): state is the 1st,
# the start time the 20th. A zombie counts as gone.
start_time() {
  local rest
  rest=$(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null) || return 0
  set -- $rest
  [ "${1:-Z}" != Z ] && echo "${20}"
  return 0
}

# start NAME COMMAND...: runs COMMAND in both namespaces, in a session of its own (so that it
# outlives `up` and no terminal signal reaches it), with its output in logs/NAME.log. The PID file
# holds the PID and its start time, so that `down` never signals a reused PID.
start() {
  local name=$1 pid
  shift
  setsid nsenter --net="$NETNS_FILE" --mount="$MNTNS_FILE" -- "$@" </dev/null >"$LOGS/$name.log" 2>&1 9>&- &
  pid=$!
  echo "$pid $(start_time "$pid")" >"$PIDS/$name"
}

# pid_of NAME: the PID when that process still runs, else nothing.
pid_of() {
  local pid started
  [ -f "$PIDS/$1" ] || return 0
  read -r pid started <"$PIDS/$1" || return 0
  [ -n "$pid" ] && [ "$(start_time "$pid")" = "$started" ] && echo "$pid"
  return 0
}

stop() {
  local name=$1 pid i
  pid=$(pid_of "$name")
  if [ -n "$pid" ]; then
    kill -TERM "$pid" 2>/dev/null || true
    for i in $(seq 50); do [ -n "$(pid_of "$name")" ] || break; sleep 0.1; done
    if [ -n "$(pid_of "$name")" ]; then kill -KILL "$pid" 2>/dev/null || true; fi
  fi
  rm -f "$PIDS/$name"
}

# wait_for WHAT COMPONENT COMMAND...: polls COMMAND until it succeeds. It fails `up` after
# WAIT_SECONDS, or as soon as COMPONENT exits, with the end of COMPONENT's log.
wait_for() {
  local what=$1 log=$2 deadline=$((SECONDS + WAIT_SECONDS))
  shift 2
  until "$@" >/dev/null 2>&1; do
    if [ "$SECONDS" -ge "$deadline" ]; then
      say "timed out after ${WAIT_SECONDS}s waiting for $what"
      [ -n "$log" ] && [ -f "$LOGS/$log.log" ] && tail -n 30 "$LOGS/$log.log" >&2
      return 1
    fi
    if [ -n "$log" ] && [ -f "$PIDS/$log" ] && [ -z "$(pid_of "$log")" ]; then
      say "$log exited while waiting for $what"
      tail -n 30 "$LOGS/$log.log" >&2
      return 1
    fi
    sleep 0.5
  done
}

# Every PID in the cluster's namespaces or cgroups: what `down` kills when the orderly stop left
# something behind (container shims outlive containerd; a failed `up` may have left anything).
stray_pids() {
  local net='' mnt='' dirs
  # A namespace is known by device and inode; each file counts only while a namespace is bound there.
  if [ -e "$NETNS_FILE" ]; then net=$(stat -L -c %d:%i "$NETNS_FILE" 2>/dev/null || true); fi
  if grep -q " $MNTNS_FILE " /proc/self/mountinfo; then mnt=$(stat -L -c %d:%i "$MNTNS_FILE" 2>/dev/null || true); fi
  # Never the caller's own namespaces, whatever a damaged state dir says: that would be the machine's.
  [ "$net" != "$(stat -L -c %d:%i /proc/self/ns/net)" ] || die "$NETNS_FILE is this shell's own network namespace"
  [ "$mnt" != "$(stat -L -c %d:%i /proc/self/ns/mnt)" ] || die "$MNTNS_FILE is this shell's own mount namespace"
  # One stat over every process (a stat per process would cost seconds).
  if [ -n "$net" ]; then in_namespace net "$net"; fi
  if [ -n "$mnt" ]; then in_namespace mnt "$mnt"; fi
  dirs=$(cgroup_dirs)
  if [ -n "$dirs" ]; then
    # shellcheck disable=SC2086
    find $dirs -name cgroup.procs -exec cat {} + 2>/dev/null || true
  fi
}

# in_namespace TYPE DEV:INODE: the PIDs whose TYPE namespace that is.
in_namespace() {
  stat -L -c '%d:%i %n' /proc/[0-9]*/ns/"$1" 2>/dev/null | awk -v ns="$2" '$1 == ns { split($2, p, "/"); print p[3] }'
  return 0
}

cgroup_dirs() { for d in /sys/fs/cgroup/*"$CGROUP_ROOT"; do [ -d "$d" ] && echo "$d"; done; return 0; }

# --- namespaces -----------------------------------------------------------------------------

setup_netns() {
  ip -4 addr show to "$LINK_NET" | grep -q . && die "the host already has an address in $LINK_NET; set CLUSTER_DIR elsewhere to get another link"
  # Without it, a pod's reply to another pod on the bridge skips the Service's reverse NAT.
  [ -d /proc/sys/net/bridge ] || die "the br_netfilter module is not loaded (modprobe br_netfilter)"
  ip netns add "$NETNS"
  local n=(nsenter --net="$NETNS_FILE" --)
  "${n[@]}" ip link set lo up
  # The node's own link: both veth ends stay inside, so the default route leads nowhere outside.
  "${n[@]}" ip link add eth0 type veth peer name eth0-peer
  "${n[@]}" ip addr add "$NODE_IP/${NODE_CIDR#*/}" dev eth0
  "${n[@]}" ip link set eth0 up
  "${n[@]}" ip link set eth0-peer up
  "${n[@]}" ip route add default dev eth0
  # The host link: one /30, the host's end outside, so the host reaches the API server and NodePorts.
  ip link add "$LINK_HOST_IF" type veth peer name host0 netns "$NETNS"
  ip addr add "$LINK_HOST_IP/30" dev "$LINK_HOST_IF"
  ip link set "$LINK_HOST_IF" up
  "${n[@]}" ip addr add "$LINK_NS_IP/30" dev host0
  "${n[@]}" ip link set host0 up
  "${n[@]}" sysctl -q -w net.ipv4.ip_forward=1 net.bridge.bridge-nf-call-iptables=1
  # Pods answer the host, but never open a connection to it.
  "${n[@]}" iptables -w -I FORWARD -o host0 -m conntrack --ctstate NEW -j REJECT
}

# The mount namespace, persisted to a file on a private bind mount (a namespace file cannot be
# bound where the mount would propagate back into the namespace itself).
setup_mntns() {
  mkdir -p "$MNTNS_DIR" "$CLUSTER_DIR/var-lib" "$CLUSTER_DIR/var-log" "$CLUSTER_DIR/sysctl"
  mount --bind "$MNTNS_DIR" "$MNTNS_DIR"
  mount --make-private "$MNTNS_DIR"
  touch "$MNTNS_FILE"
  # Values kubelet insists on; it finds them in these files and never writes the machine's.
  echo 1 >"$CLUSTER_DIR/sysctl/vm.overcommit_memory"
  echo 0 >"$CLUSTER_DIR/sysctl/vm.panic_on_oom"
  echo 10 >"$CLUSTER_DIR/sysctl/kernel.panic"
  echo 1 >"$CLUSTER_DIR/sysctl/kernel.panic_on_oops"
  unshare --mount="$MNTNS_FILE" --propagation private -- bash -euc '
    dir=$1
    # containerd 1.6 hard-codes /run/containerd; pod network namespaces go to /run/netns.
    mount -t tmpfs -o mode=0755 tmpfs /run
    mount --bind "$dir/var-lib" /var/lib
    mount --bind "$dir/var-log" /var/log
    for f in vm.overcommit_memory vm.panic_on_oom kernel.panic kernel.panic_on_oops; do
      mount --bind "$dir/sysctl/$f" "/proc/sys/${f//.//}"
    done
    # kubelet needs shared mounts for volume propagation; the peers all live in this namespace.
    mount --make-rshared /
  ' _ "$CLUSTER_DIR"
}

setup_cgroups() {
  local hierarchy
  for hierarchy in /sys/fs/cgroup/*/; do
    [ -f "$hierarchy/cgroup.procs" ] || continue
    mkdir -p "$hierarchy${CGROUP_ROOT#/}"
  done
  # A new cpuset cgroup starts with no CPUs and no memory nodes.
  cat /sys/fs/cgroup/cpuset/cpuset.cpus >"/sys/fs/cgroup/cpuset$CGROUP_ROOT/cpuset.cpus"
  cat /sys/fs/cgroup/cpuset/cpuset.mems >"/sys/fs/cgroup/cpuset$CGROUP_ROOT/cpuset.mems"
}

# --- configuration --------------------------------------------------------------------------

write_configs() {
  mkdir -p "$CONF" "$CONF/cni" "$STORAGE_DIR" "$CLUSTER_DIR/containerd"
  cat >"$CONF/containerd.toml" <<EOF
version = 2
root = "$CLUSTER_DIR/containerd"
state = "/run/containerd"
disabled_plugins = ["io.containerd.snapshotter.v1.aufs", "io.containerd.snapshotter.v1.btrfs",
  "io.containerd.snapshotter.v1.zfs", "io.containerd.snapshotter.v1.devmapper"]
[grpc]
  address = "$CONTAINERD_SOCK"
[plugins."io.containerd.internal.v1.opt"]
  path = "$CLUSTER_DIR/containerd/opt"
[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "$PAUSE_IMAGE"
  # The machine lacks CAP_SYS_RESOURCE: kubelet's negative oom_score_adj for sandboxes would fail
  # every pod ("can't get final child's PID from pipe").
  restrict_oom_score_adj = true
  disable_apparmor = true
  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = "overlayfs"
    default_runtime_name = "runc"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
        SystemdCgroup = false
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "/usr/lib/cni"
    conf_dir = "$CONF/cni"
    max_conf_num = 1
EOF
  cat >"$CONF/cni/10-llmhub.conflist" <<EOF
{
  "cniVersion": "1.0.0",
  "name": "llmhub",
  "plugins": [
    {
      "type": "bridge", "bridge": "cni0", "isGateway": true, "ipMasq": false, "hairpinMode": true,
      "ipam": {"type": "host-local", "ranges": [[{"subnet": "$POD_CIDR"}]], "routes": [{"dst": "0.0.0.0/0"}]}
    },
    {"type": "portmap", "capabilities": {"portMappings": true}}
  ]
}
EOF
  cat >"$CONF/kubelet.yaml" <<EOF
apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
authentication:
  anonymous: {enabled: false}
  webhook: {enabled: true}
  x509: {clientCAFile: $PKI/ca.crt}
authorization: {mode: Webhook}
tlsCertFile: $PKI/kubelet.crt
tlsPrivateKeyFile: $PKI/kubelet.key
readOnlyPort: 0
address: $NODE_IP
healthzBindAddress: 127.0.0.1
containerRuntimeEndpoint: unix://$CONTAINERD_SOCK
cgroupDriver: cgroupfs
cgroupRoot: $CGROUP_ROOT
failSwapOn: false
failCgroupV1: false
clusterDNS: [$DNS_SERVICE_IP]
clusterDomain: $CLUSTER_DOMAIN
resolvConf: ""
# Images are imported, never pulled, so none may be collected; and a shared disk's fill level
# must not evict the tests' pods.
imageGCHighThresholdPercent: 100
imageGCLowThresholdPercent: 99
evictionHard: {memory.available: 100Mi, nodefs.available: 1%, imagefs.available: 1%, nodefs.inodesFree: 1%}
serializeImagePulls: false
EOF
  cat >"$CONF/kube-proxy.yaml" <<EOF
apiVersion: kubeproxy.config.k8s.io/v1alpha1
kind: KubeProxyConfiguration
clientConnection: {kubeconfig: $CONF/kube-proxy.kubeconfig}
hostnameOverride: $NODE_NAME
mode: iptables
clusterCIDR: $POD_CIDR
nodePortAddresses: [$NODE_CIDR, $LINK_NET]
metricsBindAddress: 127.0.0.1:10249
healthzBindAddress: 127.0.0.1:10256
# 0: leave the machine-wide nf_conntrack_max alone.
conntrack: {maxPerCore: 0}
EOF
}

# --- up -------------------------------------------------------------------------------------

dirty() {
  [ -e "$NETNS_FILE" ] || [ -d "$PIDS" ] || [ -n "$(cgroup_dirs)" ] || grep -q " $MNTNS_DIR " /proc/self/mountinfo
}

start_control_plane() {
  start etcd etcd --name llmhub --data-dir /run/etcd \
    --listen-client-urls http://127.0.0.1:2379 --advertise-client-urls http://127.0.0.1:2379 \
    --listen-peer-urls http://127.0.0.1:2380 --initial-advertise-peer-urls http://127.0.0.1:2380 \
    --initial-cluster llmhub=http://127.0.0.1:2380 --logger zap --log-level warn
  wait_for "etcd" etcd nsenter --net="$NETNS_FILE" curl -sf http://127.0.0.1:2379/health

  start containerd containerd --config "$CONF/containerd.toml"
  wait_for "containerd" containerd in_cluster ctr --address "$CONTAINERD_SOCK" version
  import_file "$IMAGES/pause.tar"
  # The add-ons' images load while the control plane starts (they take longer than it does).
  if [ "${CLUSTER_ADDONS:-1}" = 1 ]; then
    import_addon_images &
    IMPORTS=$!
  fi

  start kube-apiserver "$K8S_BIN/kube-apiserver" \
    --etcd-servers=http://127.0.0.1:2379 \
    --bind-address=0.0.0.0 --secure-port="$API_PORT" --advertise-address="$NODE_IP" \
    --service-cluster-ip-range="$SERVICE_CIDR" \
    --tls-cert-file="$PKI/apiserver.crt" --tls-private-key-file="$PKI/apiserver.key" \
    --client-ca-file="$PKI/ca.crt" --token-auth-file="$PKI/tokens.csv" \
    --authorization-mode=Node,RBAC --enable-admission-plugins=NodeRestriction --allow-privileged=true \
    --service-account-issuer="https://kubernetes.default.svc.$CLUSTER_DOMAIN" \
    --service-account-key-file="$PKI/sa.pub" --service-account-signing-key-file="$PKI/sa.key" \
    --kubelet-client-certificate="$PKI/apiserver-kubelet-client.crt" --kubelet-client-key="$PKI/apiserver-kubelet-client.key" \
    --kubelet-certificate-authority="$PKI/ca.crt" --kubelet-preferred-address-types=InternalIP \
    --requestheader-client-ca-file="$PKI/front-proxy-ca.crt" --requestheader-allowed-names=front-proxy-client \
    --requestheader-username-headers=X-Remote-User --requestheader-group-headers=X-Remote-Group \
    --requestheader-extra-headers-prefix=X-Remote-Extra- \
    --proxy-client-cert-file="$PKI/front-proxy-client.crt" --proxy-client-key-file="$PKI/front-proxy-client.key" \
    --enable-aggregator-routing=true --profiling=false
  # From the host, through the host link: proves the way the tests will come in.
  wait_for "the API server" kube-apiserver kubectl_ get --raw /readyz

  start kube-controller-manager "$K8S_BIN/kube-controller-manager" \
    --kubeconfig="$CONF/controller-manager.kubeconfig" \
    --authentication-kubeconfig="$CONF/controller-manager.kubeconfig" \
    --authorization-kubeconfig="$CONF/controller-manager.kubeconfig" \
    --bind-address=127.0.0.1 --leader-elect=false --use-service-account-credentials=true \
    --service-account-private-key-file="$PKI/sa.key" --root-ca-file="$PKI/ca.crt" \
    --allocate-node-cidrs=true --cluster-cidr="$POD_CIDR" --node-cidr-mask-size="${POD_CIDR#*/}" \
    --service-cluster-ip-range="$SERVICE_CIDR" --profiling=false
  start kube-scheduler "$K8S_BIN/kube-scheduler" \
    --kubeconfig="$CONF/scheduler.kubeconfig" \
    --authentication-kubeconfig="$CONF/scheduler.kubeconfig" \
    --authorization-kubeconfig="$CONF/scheduler.kubeconfig" \
    --bind-address=127.0.0.1 --leader-elect=false --profiling=false
  start kube-proxy "$K8S_BIN/kube-proxy" --config="$CONF/kube-proxy.yaml"
  start kubelet "$K8S_BIN/kubelet" --config="$CONF/kubelet.yaml" --kubeconfig="$CONF/kubelet.kubeconfig" \
    --hostname-override="$NODE_NAME" --node-ip="$NODE_IP"
  wait_for "the node to be Ready" kubelet \
    kubectl_ wait --for=condition=Ready "node/$NODE_NAME" --timeout=2s
}

# render FILE [MODULE_DIR]: the manifest with this cluster's values in place of ${VARS}.
render() {
  (
    export IMAGE_COREDNS="$IMAGE_PREFIX/coredns:$COREDNS_VERSION" MODULE_DIR="${2:-}" IMAGE_PREFIX CLUSTER_DOMAIN \
      DNS_SERVICE_IP STORAGE_DIR METRICS_SERVER_VERSION LOCAL_PATH_VERSION KEDA_VERSION
    envsubst '$IMAGE_COREDNS $MODULE_DIR $IMAGE_PREFIX $CLUSTER_DOMAIN $DNS_SERVICE_IP $STORAGE_DIR
      $METRICS_SERVER_VERSION $LOCAL_PATH_VERSION $KEDA_VERSION' <"$1"
  )
}

module_dir() { cd "$CLUSTER_SCRIPTS/go/$1" && env "${GO_ENV[@]}" go list -m -f '{{.Dir}}' "$2"; }

# kustomize NAME MODULE-DIR: the add-on's overlay (scripts/cluster/manifests/NAME) over the manifests
# shipped in its Go module. kustomize takes only relative paths to other directories.
kustomize_addon() {
  local overlay="$CLUSTER_DIR/addons/$1"
  mkdir -p "$overlay"
  render "$CLUSTER_SCRIPTS/manifests/$1/kustomization.yaml" "$(realpath --relative-to="$overlay" "$2")" \
    >"$overlay/kustomization.yaml"
  # Upstream's own kustomizations use fields kustomize now calls deprecated; that is theirs to fix.
  kubectl_ kustomize --load-restrictor=LoadRestrictionsNone "$overlay" 2> >(grep -v "^# Warning: '.*' is deprecated" >&2)
}

import_addon_images() {
  local image
  for image in coredns metrics-server local-path-provisioner volume-helper keda keda-metrics-apiserver probe; do
    import_file "$IMAGES/$image.tar"
  done
}

addons() {
  local t=$SECONDS
  if [ -n "${IMPORTS:-}" ]; then wait "$IMPORTS"; else import_addon_images; fi
  render "$CLUSTER_SCRIPTS/manifests/coredns.yaml" | kubectl_ apply --server-side -f - >/dev/null
  kustomize_addon metrics-server "$(module_dir addons sigs.k8s.io/metrics-server)" |
    kubectl_ apply --server-side -f - >/dev/null
  kustomize_addon local-path "$(module_dir addons github.com/rancher/local-path-provisioner)" |
    kubectl_ apply --server-side -f - >/dev/null
  kustomize_addon keda "$(module_dir keda github.com/kedacore/keda/v2)" |
    kubectl_ apply --server-side -f - >/dev/null
  local deployment
  for deployment in kube-system/coredns kube-system/metrics-server local-path-storage/local-path-provisioner \
    keda/keda-operator keda/keda-metrics-apiserver; do
    wait_for "deployment $deployment" kubelet \
      kubectl_ -n "${deployment%/*}" rollout status "deployment/${deployment#*/}" --timeout=2s
  done
  local api
  for api in v1beta1.metrics.k8s.io v1beta1.external.metrics.k8s.io; do
    wait_for "APIService $api" kube-apiserver kubectl_ wait --for=condition=Available "apiservice/$api" --timeout=2s
  done
  say "add-ons ready in $((SECONDS - t))s"
}

up() {
  local t=$SECONDS
  # CLUSTER_BUILD=check (the specs): never start a build of many minutes inside a test hook.
  if [ "${CLUSTER_BUILD:-1}" = check ]; then "$CLUSTER_SCRIPTS/build.sh" --check; else "$CLUSTER_SCRIPTS/build.sh"; fi
  if dirty; then
    say "cleaning what an earlier cluster left"
    down
  fi
  say "starting (state in $CLUSTER_DIR, network namespace $NETNS)"
  rm -rf "$LOGS"
  mkdir -p "$LOGS" "$PIDS"
  trap '[ $? -eq 0 ] || say "up failed; logs in $LOGS; scripts/cluster.sh down removes what it left"' EXIT
  head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$CLUSTER_DIR/generation"
  if [ -n "${CLUSTER_OWNER_PID:-}" ]; then watch_owner "$CLUSTER_OWNER_PID"; fi
  # From here on, a failure leaves the half-built cluster to the next `down` (or `up`).
  make_pki
  write_configs
  setup_netns
  setup_mntns
  setup_cgroups
  start_control_plane
  say "node Ready in $((SECONDS - t))s"
  if [ "${CLUSTER_ADDONS:-1}" = 1 ]; then addons; fi
  say "up in $((SECONDS - t))s; KUBECONFIG=$KUBECONFIG_FILE (API $API_URL)"
}

import_file() {
  [ -f "$1" ] || die "no image archive $1 (scripts/cluster.sh build)"
  # Through stdin: the file may sit where the mount namespace shows something else (/run, /var/lib).
  ctr_ images import - <"$1" >/dev/null
}

# --- owner ----------------------------------------------------------------------------------

# CLUSTER_OWNER_PID (the specs pass their jest worker's PID): should that process end while this
# cluster is up, whatever the reason (a killed worker, a killed jest), a watcher takes the cluster
# down. The cluster outlives `up` by design, so the test runner's own reaping of process groups
# cannot reach it; this watcher is the one process of the cluster's that is outside its namespaces.
watch_owner() {
  local owner=$1 started
  started=$(start_time "$owner")
  [ -n "$started" ] || die "CLUSTER_OWNER_PID $owner is not a running process"
  setsid "$REPO/scripts/cluster.sh" watch "$owner" "$started" "$(cat "$CLUSTER_DIR/generation")" \
    </dev/null >"$LOGS/owner-watch.log" 2>&1 9>&- &
}

# watch OWNER START-TIME GENERATION: ends when this generation of the cluster is gone (taken down,
# or replaced by a new `up`), or takes it down when the owner has ended first.
watch() {
  local owner=$1 started=$2 generation=$3
  while [ "$(cat "$CLUSTER_DIR/generation" 2>/dev/null)" = "$generation" ]; do
    if [ "$(start_time "$owner")" != "$started" ]; then
      say "owner $owner ended with the cluster up: taking it down"
      exec "$REPO/scripts/cluster.sh" down
    fi
    sleep 1
  done
}

# --- down -----------------------------------------------------------------------------------

down() {
  local t=$SECONDS name pid ids i
  if [ -n "$(pid_of kubelet)" ]; then stop kubelet; fi
  # Containers and their shims outlive containerd: kill them through it while it runs.
  if [ -n "$(pid_of containerd)" ]; then
    # One ctr per container, all at once: a dozen in sequence would take seconds.
    # A wedged containerd must not hang `down`: what ctr cannot reach, the sweep below kills.
    local ctr=(ctr_ --timeout 15s)
    ids=$("${ctr[@]}" tasks ls -q 2>/dev/null || true)
    for i in $ids; do "${ctr[@]}" tasks kill -s SIGKILL "$i" >/dev/null 2>&1 & done
    wait
    for i in $ids; do "${ctr[@]}" tasks delete -f "$i" >/dev/null 2>&1 & done
    wait
    ids=$("${ctr[@]}" containers ls -q 2>/dev/null || true)
    for i in $ids; do "${ctr[@]}" containers delete "$i" >/dev/null 2>&1 & done
    wait
  fi
  for name in "${STOP_ORDER[@]}"; do stop "$name"; done
  # Whatever is left in the namespaces or cgroups (after a failed up, or a killed containerd).
  for i in $(seq 20); do
    pid=$(stray_pids | sort -u)
    [ -z "$pid" ] && break
    # shellcheck disable=SC2086
    kill -KILL $pid 2>/dev/null || true
    sleep 0.25
  done
  [ -z "$(stray_pids)" ] || say "warning: processes still in the cluster's namespaces: $(stray_pids | tr '\n' ' ')"
  # cgroups, the deepest first; a cgroup whose last task just died may need a moment.
  local dir
  for i in $(seq 20); do
    for dir in $(cgroup_dirs); do find "$dir" -depth -type d -exec rmdir {} + 2>/dev/null || true; done
    [ -z "$(cgroup_dirs)" ] && break
    sleep 0.25
  done
  [ -z "$(cgroup_dirs)" ] || say "warning: cgroups left: $(cgroup_dirs | tr '\n' ' ')"
  if grep -q " $MNTNS_FILE " /proc/self/mountinfo; then umount "$MNTNS_FILE"; fi
  if grep -q " $MNTNS_DIR " /proc/self/mountinfo; then umount "$MNTNS_DIR"; fi
  if [ -e "$NETNS_FILE" ]; then ip netns delete "$NETNS"; fi
  # Deleting the namespace destroys the veth's inner end, and the kernel then removes the host end
  # on its own, perhaps between our show and delete: only a link still there afterwards is an error.
  if ip link show "$LINK_HOST_IF" >/dev/null 2>&1; then
    ip link delete "$LINK_HOST_IF" 2>/dev/null || ! ip link show "$LINK_HOST_IF" >/dev/null 2>&1
  fi
  # State goes; logs stay for a post-mortem until the next up.
  if [ -d "$CLUSTER_DIR" ]; then
    find "$CLUSTER_DIR" -mindepth 1 -maxdepth 1 ! -name logs ! -name .lock -exec rm -rf --one-file-system {} +
  fi
  say "down in $((SECONDS - t))s"
}

# --- status ---------------------------------------------------------------------------------

status() {
  local name pid running=0
  if ! dirty; then
    say "not running"
    return 3
  fi
  for name in "${COMPONENTS[@]}"; do
    pid=$(pid_of "$name")
    if [ -n "$pid" ]; then
      running=$((running + 1))
      printf '%-24s pid %-8s rss %6s MiB\n' "$name" "$pid" "$(($(awk '/^VmRSS/ { print $2 }' "/proc/$pid/status") / 1024))"
    else
      printf '%-24s not running\n' "$name"
    fi
  done
  echo "network namespace $NETNS, API $API_URL, KUBECONFIG=$KUBECONFIG_FILE"
  if [ "$running" -eq "${#COMPONENTS[@]}" ] && kubectl_ get nodes 2>/dev/null; then
    kubectl_ get pods -A -o wide 2>/dev/null || true
    kubectl_ wait --for=condition=Ready "node/$NODE_NAME" --timeout=1s >/dev/null 2>&1 && return 0
  fi
  return 1
}

# Where things are, for the specs (deploy/test/support/cluster.ts) and other tools, as JSON.
paths() {
  cat <<EOF
{
  "clusterDir": "$CLUSTER_DIR",
  "kubeconfig": "$KUBECONFIG_FILE",
  "apiUrl": "$API_URL",
  "kubectl": "$K8S_BIN/kubectl",
  "helm": "$REPO/.tools/bin/helm",
  "imageScript": "$CLUSTER_SCRIPTS/image.sh",
  "images": "$IMAGES",
  "imagePrefix": "$IMAGE_PREFIX",
  "probeBinary": "$ADDONS_BIN/probe",
  "nodeName": "$NODE_NAME",
  "nodeIp": "$NODE_IP",
  "linkHostIp": "$LINK_HOST_IP",
  "linkNamespaceIp": "$LINK_NS_IP",
  "linkInterface": "$LINK_HOST_IF",
  "netns": "$NETNS",
  "netnsFile": "$NETNS_FILE",
  "mntnsFile": "$MNTNS_FILE",
  "cgroupRoot": "$CGROUP_ROOT",
  "storageDir": "$STORAGE_DIR"
}
EOF
}

# --- dispatch -------------------------------------------------------------------------------

require_root() { [ "$(id -u)" -eq 0 ] || die "the cluster needs root (namespaces, cgroups, mounts)"; }

# Sourced (by a debugging shell): functions only.
if [ "${BASH_SOURCE[0]}" != "$0" ]; then return 0; fi

cmd=${1:-help}
[ $# -gt 0 ] && shift
case "$cmd" in
  build) exec "$CLUSTER_SCRIPTS/build.sh" ;;
  up | down)
    require_root
    mkdir -p "$CLUSTER_DIR"
    # One up or down at a time per cluster; the lock is never passed to the cluster's processes.
    exec 9>"$CLUSTER_DIR/.lock"
    flock -w 300 9 || die "another up or down has held $CLUSTER_DIR/.lock for 5 minutes"
    "$cmd"
    ;;
  addons) addons ;;
  watch) watch "$@" ;;
  status) status ;;
  kubeconfig) echo "$KUBECONFIG_FILE" ;;
  paths) paths ;;
  kubectl) exec env KUBECONFIG="$KUBECONFIG_FILE" "$K8S_BIN/kubectl" "$@" ;;
  helm) exec env KUBECONFIG="$KUBECONFIG_FILE" "$REPO/.tools/bin/helm" "$@" ;;
  ctr) ctr_ "$@" ;;
  import-image)
    [ $# -eq 1 ] || die "usage: scripts/cluster.sh import-image FILE.tar"
    import_file "$1"
    ;;
  *)
    sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'
    [ "$cmd" = help ] || exit 2
    ;;
esac
