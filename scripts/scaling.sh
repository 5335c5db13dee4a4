#!/usr/bin/env bash
# The scaling measure in the project's test cluster (scripts/cluster.sh; docs/kubernetes.md,
# "Measuring scaling in your cluster", for any other cluster):
#
#   scripts/scaling.sh setup         import the images, then in SCALING_NAMESPACE (default scaling)
#                                    the fake provider (loadtest/scaling/fake-provider.yaml) and the
#                                    chart as release "hub" with loadtest/scaling/values.yaml
#   scripts/scaling.sh run [FLAG...] setup, then the runner (node dist/loadtest/scaling/main.js) at
#                                    1, 2, 4, 8 replicas; FLAGs go to the runner (--help lists them);
#                                    results in .tools/scaling/ (scaling.md, scaling.svg, scaling.json)
#
# `make scaling` runs `run` (SCALING_ARGS: extra flags). Needs `make cluster-up` and `make build`.
set -euo pipefail
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$REPO"
NAMESPACE="${SCALING_NAMESPACE:-scaling}"
RELEASE=hub
say() { echo "scaling: $*" >&2; }

setup() {
  local refs
  refs="$(scripts/images.sh import)"
  ref() { awk -v name="$1" '$1 == name { print $2 }' <<<"$refs"; }
  split() { local r="$1"; echo "--set $2.repository=${r%:*} --set $2.tag=${r##*:}"; }
  scripts/cluster.sh kubectl create namespace "$NAMESPACE" --dry-run=client -o yaml | scripts/cluster.sh kubectl apply -f - >/dev/null
  sed "s#FAKE_PROVIDER_IMAGE#$(ref fake-provider)#" loadtest/scaling/fake-provider.yaml | scripts/cluster.sh kubectl -n "$NAMESPACE" apply -f - >/dev/null
  say "installing the chart as $RELEASE in $NAMESPACE (bundled Redis Cluster, CPU limit from loadtest/scaling/values.yaml)"
  # shellcheck disable=SC2046 # the --set pairs are meant to split
  scripts/cluster.sh helm upgrade --install "$RELEASE" deploy/helm/llm-connector-hub -n "$NAMESPACE" \
    -f loadtest/scaling/values.yaml $(split "$(ref gateway)" image) $(split "$(ref redis)" redis.bundled.image) \
    --wait --timeout 10m >/dev/null
  scripts/cluster.sh kubectl -n "$NAMESPACE" rollout status deployment/fake-provider --timeout=5m >/dev/null
  echo "load-runner $(ref load-runner)"
}

case "${1:-}" in
  setup) setup ;;
  run)
    shift
    runner="$(setup | awk '$1 == "load-runner" { print $2 }')"
    PATH="$(scripts/ensure-node.sh):$PATH" exec node dist/loadtest/scaling/main.js \
      --kubeconfig "$(scripts/cluster.sh kubeconfig)" --namespace "$NAMESPACE" --deployment "$RELEASE-llm-connector-hub" \
      --image "$runner" --model openai/gpt-4o-mini --prompt-suffix '[[fake latency=500]]' --out .tools/scaling "$@"
    ;;
  *) sed -n '2,13p' "$0" >&2; exit 64 ;;
esac
