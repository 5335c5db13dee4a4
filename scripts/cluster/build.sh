#!/usr/bin/env bash
# Builds what the test cluster runs, from the Go module proxy and Debian's gcc, into CLUSTER_CACHE
# (scripts/cluster/config.sh): the six Kubernetes binaries, the add-ons (CoreDNS, metrics-server,
# local-path-provisioner and its volume helper, KEDA's operator and metrics API server), Prometheus
# with Kubernetes service discovery (the autoscaling spec's; imported by that spec only), the specs' probe, the pause binary, and a docker-archive image of each in-cluster component.
#
# Each part is skipped when its stamp (a hash of its go.mod, go.sum, sources and flags) matches, so
# a warm run takes about a second; a changed pin rebuilds only what it touches, and Go's build
# cache (also under CLUSTER_CACHE) turns a rebuild of the same packages into a relink.
# Builds run under `nice -n 19`: the machine is shared.
#
#   build.sh           build what is missing or stale
#   build.sh --check   build nothing; exit 1 naming what is missing or stale (the specs' `up`)
set -euo pipefail
source "$(dirname "$0")/config.sh"

mkdir -p "$CLUSTER_CACHE" "$IMAGES"
# Two worktrees building at once would race on the same outputs: one builds, the other waits.
exec 9>"$CLUSTER_CACHE/.build.lock"
flock 9

command -v go >/dev/null || die "go is required to build the cluster (Go >= 1.26)"
command -v gcc >/dev/null || die "gcc is required to build the pause binary"

# go_build NAME ARGS...: go build in the current module, reporting wall and CPU time (the CPU time
# is what a machine with no other load would need, shared across its cores).
go_build() {
  local name=$1 TIMEFORMAT
  shift
  TIMEFORMAT="cluster: $name: built in %0R s (CPU %0U s user + %0S s system)"
  time nice -n 19 env "${GO_ENV[@]}" go build -trimpath "$@"
}
hash_of() { cat "$@" | sha256sum | cut -c1-16; }
elapsed() { echo "$((SECONDS - $1))s"; }

CHECK=0
[ "${1:-}" = --check ] && CHECK=1
STALE=()

# fresh DIR KEY: true when DIR holds a build made with KEY. Under --check a stale part is only
# recorded, and counts as fresh so that nothing is built.
fresh() {
  [ -f "$1/.stamp" ] && [ "$(cat "$1/.stamp")" = "$2" ] && return 0
  [ "$CHECK" = 1 ] || return 1
  STALE+=("$(basename "$1")")
}
stamp() { echo "$2" >"$1/.stamp"; }

go_version="$(go env GOVERSION)"

build_kubernetes() {
  local mod="$CLUSTER_SCRIPTS/go/kubernetes" key
  local ldflags="-s -w -X k8s.io/component-base/version.gitVersion=$K8S_VERSION
    -X k8s.io/component-base/version.gitMajor=1 -X k8s.io/component-base/version.gitMinor=34
    -X k8s.io/component-base/version.gitTreeState=clean"
  key="$(hash_of "$mod/go.mod" "$mod/go.sum" <(echo "$ldflags $go_version"))"
  if fresh "$K8S_BIN" "$key"; then say "kubernetes $K8S_VERSION: up to date"; return; fi
  say "kubernetes $K8S_VERSION: building kube-apiserver, kube-controller-manager, kube-scheduler, kubelet, kube-proxy, kubectl (about 13 min cold on 2 cores)"
  mkdir -p "$K8S_BIN"
  (cd "$mod" && go_build "kubernetes $K8S_VERSION" -tags=selinux,notest -ldflags "$ldflags" -o "$K8S_BIN/" tool)
  stamp "$K8S_BIN" "$key"
}

build_addons() {
  local mod="$CLUSTER_SCRIPTS/go/addons" key
  local ldflags="-s -w -X sigs.k8s.io/metrics-server/pkg/version.gitVersion=$METRICS_SERVER_VERSION
    -X k8s.io/component-base/version.gitVersion=$K8S_VERSION"
  key="$(hash_of "$mod/go.mod" "$mod/go.sum" "$mod"/cmd/*/*.go <(echo "$ldflags $go_version"))"
  if fresh "$ADDONS_BIN" "$key"; then say "add-ons: up to date"; return; fi
  say "add-ons: building CoreDNS $COREDNS_VERSION, metrics-server $METRICS_SERVER_VERSION, local-path-provisioner $LOCAL_PATH_VERSION, volume-helper, probe"
  mkdir -p "$ADDONS_BIN"
  (cd "$mod" && go_build add-ons -ldflags "$ldflags" -o "$ADDONS_BIN/" ./cmd/... tool)
  stamp "$ADDONS_BIN" "$key"
}

build_keda() {
  local mod="$CLUSTER_SCRIPTS/go/keda" key
  local ldflags="-s -w -X github.com/kedacore/keda/v2/version.Version=$KEDA_VERSION"
  key="$(hash_of "$mod/go.mod" "$mod/go.sum" <(echo "$ldflags $go_version"))"
  if fresh "$KEDA_BIN" "$key"; then say "KEDA $KEDA_VERSION: up to date"; return; fi
  say "KEDA $KEDA_VERSION: building the operator and the metrics API server"
  mkdir -p "$KEDA_BIN"
  (cd "$mod" && go_build "KEDA $KEDA_VERSION" -ldflags "$ldflags" -o "$KEDA_BIN/" tool)
  stamp "$KEDA_BIN" "$key"
}

# Debian's prometheus has no Kubernetes service discovery (patched out), so the autoscaling spec's
# in-cluster Prometheus is built here, with that discovery plugin only (upstream's build tags).
build_prometheus() {
  local mod="$CLUSTER_SCRIPTS/go/prometheus" key
  local ldflags="-s -w -X github.com/prometheus/common/version.Version=${PROMETHEUS_VERSION#v}
    -X github.com/prometheus/common/version.Branch=HEAD"
  key="$(hash_of "$mod/go.mod" "$mod/go.sum" <(echo "$ldflags $go_version"))"
  if fresh "$PROMETHEUS_BIN" "$key"; then say "Prometheus $PROMETHEUS_VERSION: up to date"; return; fi
  say "Prometheus $PROMETHEUS_VERSION: building, with Kubernetes service discovery only"
  mkdir -p "$PROMETHEUS_BIN"
  (cd "$mod" && go_build "Prometheus $PROMETHEUS_VERSION" -tags=remove_all_sd,enable_kubernetes_sd -ldflags "$ldflags" -o "$PROMETHEUS_BIN/" tool)
  stamp "$PROMETHEUS_BIN" "$key"
}

PAUSE_BIN="$CLUSTER_CACHE/bin/pause"
build_pause() {
  local key
  key="$(hash_of "$CLUSTER_SCRIPTS/pause.c" <(gcc --version | head -1))"
  if fresh "$PAUSE_BIN" "$key"; then return; fi
  mkdir -p "$PAUSE_BIN"
  gcc -static -Os -s -Wall -Wextra -o "$PAUSE_BIN/pause" "$CLUSTER_SCRIPTS/pause.c"
  stamp "$PAUSE_BIN" "$key"
  say "pause: built"
}

# image NAME REF image.sh-arguments...: (re)writes $IMAGES/NAME.tar when its inputs changed.
image() {
  local name=$1 ref=$2 key files=()
  shift 2
  local a
  for a in "$@"; do
    case "$a" in /*:/*) files+=("${a%%:*}") ;; esac
  done
  # Binaries are known by size and time (hashing them all on every `up` would cost seconds).
  key="$(hash_of "$CLUSTER_SCRIPTS/image.sh" <(stat -c '%n %s %Y' "${files[@]}") <(echo "$ref $*"))"
  if [ -f "$IMAGES/$name.tar" ] && [ "$(cat "$IMAGES/$name.key" 2>/dev/null)" = "$key" ]; then return; fi
  if [ "$CHECK" = 1 ]; then STALE+=("image $name"); return; fi
  "$CLUSTER_SCRIPTS/image.sh" --ref "$ref" --out "$IMAGES/$name.tar" "$@"
  echo "$key" >"$IMAGES/$name.key"
}

build_images() {
  # Non-root components run as 65532, the uid their upstream images use.
  image pause "$PAUSE_IMAGE" --file "$PAUSE_BIN/pause:/pause" --entrypoint /pause
  image coredns "$IMAGE_PREFIX/coredns:$COREDNS_VERSION" --file "$ADDONS_BIN/coredns:/coredns" \
    --entrypoint /coredns --user 65532:65532
  image metrics-server "$IMAGE_PREFIX/metrics-server:$METRICS_SERVER_VERSION" \
    --file "$ADDONS_BIN/metrics-server:/metrics-server" --dir /tmp:1777 --entrypoint /metrics-server --user 65532:65532
  image local-path-provisioner "$IMAGE_PREFIX/local-path-provisioner:$LOCAL_PATH_VERSION" \
    --file "$ADDONS_BIN/local-path-provisioner:/usr/bin/local-path-provisioner" --entrypoint local-path-provisioner \
    --env PATH=/usr/bin
  image volume-helper "$IMAGE_PREFIX/volume-helper:$LOCAL_PATH_VERSION" --file "$ADDONS_BIN/volume-helper:/volume-helper" \
    --entrypoint /volume-helper
  image probe "$IMAGE_PREFIX/probe:1" --file "$ADDONS_BIN/probe:/probe" --entrypoint /probe
  image keda "$IMAGE_PREFIX/keda:$KEDA_VERSION" --file "$KEDA_BIN/operator:/keda" --entrypoint /keda --user 65532:65532
  # 65534 (nobody), the uid of upstream's image; /prometheus is its TSDB (an emptyDir in the spec).
  image prometheus "$IMAGE_PREFIX/prometheus:$PROMETHEUS_VERSION" --file "$PROMETHEUS_BIN/prometheus:/bin/prometheus" \
    --dir /tmp:1777 --dir /prometheus:0777 --entrypoint /bin/prometheus --user 65534:65534
  image keda-metrics-apiserver "$IMAGE_PREFIX/keda-metrics-apiserver:$KEDA_VERSION" \
    --file "$KEDA_BIN/adapter:/keda-adapter" --dir /tmp:1777 --entrypoint /keda-adapter --user 65532:65532
}

start=$SECONDS
if [ "$CHECK" = 1 ]; then
  build_kubernetes 2>/dev/null
  build_addons 2>/dev/null
  build_keda 2>/dev/null
  build_prometheus 2>/dev/null
  build_pause 2>/dev/null
  build_images 2>/dev/null
  [ ${#STALE[@]} -eq 0 ] && exit 0
  die "not built: ${STALE[*]}; run scripts/cluster.sh build (make system-deps does; about 38 min cold)"
fi
build_kubernetes
build_addons
build_keda
build_prometheus
build_pause
build_images
say "build complete in $(elapsed $start) (cache: $CLUSTER_CACHE)"
