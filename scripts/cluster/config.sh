# shellcheck shell=bash disable=SC2034 # the names are used by the scripts that source this file
# Sourced by scripts/cluster.sh and scripts/cluster/*.sh: versions, paths and the names of one
# cluster instance. Every name below is derived here, once.

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
CLUSTER_SCRIPTS="$REPO/scripts/cluster"

K8S_VERSION=v1.34.2
COREDNS_VERSION=v1.12.4
METRICS_SERVER_VERSION=v0.8.0
LOCAL_PATH_VERSION=v0.0.30
KEDA_VERSION=v2.20.2
# Prometheus 3.16.0 (its Go module's version is v0.316.0): the autoscaling spec's in-cluster scraper.
PROMETHEUS_VERSION=v3.16.0

# Build outputs and Go's caches, shared by every clone and worktree on the machine (a fresh CI
# clone reuses what an earlier run built), keyed by version below.
CLUSTER_CACHE="${CLUSTER_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/llm-connector-hub/cluster}"
GO_ENV=(GOMODCACHE="$CLUSTER_CACHE/go/mod" GOCACHE="$CLUSTER_CACHE/go/build" GOFLAGS=-mod=readonly
  GOTOOLCHAIN=local CGO_ENABLED=0 GOWORK=off)
K8S_BIN="$CLUSTER_CACHE/bin/kubernetes-$K8S_VERSION"
ADDONS_BIN="$CLUSTER_CACHE/bin/addons-coredns-$COREDNS_VERSION-metrics-server-$METRICS_SERVER_VERSION-local-path-$LOCAL_PATH_VERSION"
KEDA_BIN="$CLUSTER_CACHE/bin/keda-$KEDA_VERSION"
PROMETHEUS_BIN="$CLUSTER_CACHE/bin/prometheus-$PROMETHEUS_VERSION"
IMAGES="$CLUSTER_CACHE/images"

# One running cluster: its state (certificates, configs, logs, PIDs, volumes) lives in
# CLUSTER_DIR; its kernel objects are named after a hash of that path, so clusters of two
# worktrees never meet.
CLUSTER_DIR="${CLUSTER_DIR:-$REPO/.tools/cluster}"
CLUSTER_ID="$(printf '%s' "$CLUSTER_DIR" | sha256sum | cut -c1-6)"
NETNS="llmhub-$CLUSTER_ID"
NETNS_FILE="/var/run/netns/$NETNS"
MNTNS_DIR="$CLUSTER_DIR/ns"
MNTNS_FILE="$MNTNS_DIR/mnt"
CGROUP_ROOT="/llmhub-$CLUSTER_ID"
KUBECONFIG_FILE="$CLUSTER_DIR/kubeconfig"
NODE_NAME=llmhub-node

# Addresses, all private to the network namespace except the host link (a /30 whose host end is
# the only address the host gets; derived from the ID so that two clusters' links differ).
NODE_IP=10.240.0.2
NODE_CIDR=10.240.0.0/24
POD_CIDR=10.244.0.0/24
SERVICE_CIDR=10.96.0.0/16
KUBERNETES_SERVICE_IP=10.96.0.1
DNS_SERVICE_IP=10.96.0.10
CLUSTER_DOMAIN=cluster.local
link_octet3=$((16#${CLUSTER_ID:0:2} % 250 + 1))
link_octet4=$(((16#${CLUSTER_ID:2:2} % 64) * 4))
LINK_NET="169.254.$link_octet3.$link_octet4/30"
LINK_HOST_IP="169.254.$link_octet3.$((link_octet4 + 1))"
LINK_NS_IP="169.254.$link_octet3.$((link_octet4 + 2))"
LINK_HOST_IF="llmhub-$CLUSTER_ID"
API_PORT=6443
API_URL="https://$LINK_NS_IP:$API_PORT"

# Images: no registry, no pulls; every reference below is imported into the node's containerd.
IMAGE_PREFIX=llmhub.local
PAUSE_IMAGE="$IMAGE_PREFIX/pause:1"

# Runs a command inside the cluster's network and mount namespaces. nsenter, never `ip netns exec`:
# the latter remounts /sys, which hides the cgroup mounts from runc.
in_cluster() { nsenter --net="$NETNS_FILE" --mount="$MNTNS_FILE" -- "$@"; }

say() { echo "cluster: $*" >&2; }
die() { say "error: $*"; exit 1; }
