#!/usr/bin/env bash
# Fetches the schemas the deployment tests validate every rendered Kubernetes object against, through
# the Go module proxy (the only network CI has besides the package registries), records where they
# are in .tools/k8s-schemas/paths.json, and converts them into the JSON schemas kubeconform reads
# (scripts/k8s-jsonschemas.ts, into .tools/k8s-schemas/kubeconform; deploy/test/support/k8s-schema.ts):
#
#   - Kubernetes 1.34 (k8s.io/kubernetes v1.34.2): the OpenAPI v3 documents of the API server,
#     api/openapi-spec/v3/*.json (core v1, apps/v1, autoscaling/v2, policy/v1, networking.k8s.io/v1, ...)
#   - prometheus-operator v0.85.0: the ServiceMonitor and PrometheusRule CRDs (monitoring.coreos.com/v1)
#   - Gateway API v1.4.1 (standard channel): the HTTPRoute CRD (gateway.networking.k8s.io/v1)
#   - KEDA v2.20.2 (the version the test cluster runs): the ScaledObject CRD (keda.sh/v1alpha1)
#
# `go mod download` keeps the modules in GOMODCACHE, and the converted schemas are stamped with the
# versions and the converter's hash, so a second run only checks that the files are there (well
# under a second). Needs node_modules (the converter reads the CRDs with `yaml`). Prints the paths
# file's location.
set -euo pipefail
cd "$(dirname "$0")/.."

K8S_MODULE=k8s.io/kubernetes
K8S_VERSION=v1.34.2
PROM_OPERATOR_MODULE=github.com/prometheus-operator/prometheus-operator
PROM_OPERATOR_VERSION=v0.85.0
GATEWAY_API_MODULE=sigs.k8s.io/gateway-api
GATEWAY_API_VERSION=v1.4.1
KEDA_MODULE=github.com/kedacore/keda/v2
KEDA_VERSION=v2.20.2

OUT_DIR="$PWD/.tools/k8s-schemas"
PATHS="$OUT_DIR/paths.json"
JSON_SCHEMA_DIR="$OUT_DIR/kubeconform"
CONVERTER=scripts/k8s-jsonschemas.ts
# Bump when the layout of paths.json changes, so that an old file is rewritten.
FORMAT=3
STAMP="format=$FORMAT k8s=$K8S_VERSION prometheus-operator=$PROM_OPERATOR_VERSION gateway-api=$GATEWAY_API_VERSION keda=$KEDA_VERSION"
# The converted schemas: for these sources, made by this converter.
JSON_STAMP="$STAMP converter=$(sha256sum "$CONVERTER" | cut -c1-16)"

say() { echo "k8s-schemas: $*" >&2; }

OPENAPI_REL=api/openapi-spec/v3
PROM_CRDS_REL=(example/prometheus-operator-crd/monitoring.coreos.com_servicemonitors.yaml example/prometheus-operator-crd/monitoring.coreos.com_prometheusrules.yaml)
GATEWAY_CRDS_REL=(config/crd/standard/gateway.networking.k8s.io_httproutes.yaml)
KEDA_CRDS_REL=(config/crd/bases/keda.sh_scaledobjects.yaml)

# Every file the tests read, under a module directory.
complete() {
  local k8s="$1" prom="$2" gw="$3" keda="$4" f
  [ -f "$k8s/$OPENAPI_REL/api__v1_openapi.json" ] && [ -f "$k8s/$OPENAPI_REL/apis__apps__v1_openapi.json" ] || return 1
  for f in "${PROM_CRDS_REL[@]}"; do [ -f "$prom/$f" ] || return 1; done
  for f in "${GATEWAY_CRDS_REL[@]}"; do [ -f "$gw/$f" ] || return 1; done
  for f in "${KEDA_CRDS_REL[@]}"; do [ -f "$keda/$f" ] || return 1; done
}

# One run at a time: the deploy specs run in parallel workers, and each runs this script on first use.
mkdir -p "$OUT_DIR"
exec 9>"$OUT_DIR/.lock"
flock 9
# What the ajv validator that kubeconform replaced compiled there.
rm -rf "$OUT_DIR/compiled"

# kubeconform's schemas from what paths.json names, unless they are there for these sources already.
convert() {
  [ -f "$JSON_SCHEMA_DIR/.stamp" ] && [ "$(cat "$JSON_SCHEMA_DIR/.stamp")" = "$JSON_STAMP" ] && return 0
  [ -d node_modules/yaml ] || { say "error: node_modules is missing (npm ci first): the converter reads the CRDs with yaml"; exit 1; }
  "$(./scripts/ensure-node.sh)/node" --disable-warning=MODULE_TYPELESS_PACKAGE_JSON "$CONVERTER" "$PATHS" "$JSON_SCHEMA_DIR"
  echo "$JSON_STAMP" >"$JSON_SCHEMA_DIR/.stamp"
}

# Fast path: the paths file is for these versions and everything it names is still on disk.
if [ -f "$PATHS" ] && [ "$(sed -n 's/^  "stamp": "\(.*\)",$/\1/p' "$PATHS")" = "$STAMP" ]; then
  dir_of() { sed -n "s/^  \"$1\": \"\(.*\)\",\{0,1\}$/\1/p" "$PATHS"; }
  if complete "$(dir_of kubernetesDir)" "$(dir_of prometheusOperatorDir)" "$(dir_of gatewayApiDir)" "$(dir_of kedaDir)"; then
    convert
    echo "$PATHS"
    exit 0
  fi
fi

command -v go >/dev/null 2>&1 || { say "error: go is required to fetch the Kubernetes schemas through the Go module proxy (install Go >= 1.24)"; exit 1; }

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# `go mod download -json` prints {"Path", "Version", "Dir", ...} (or "Error"). Run it outside any
# module, with no GOFLAGS, so that neither a go.mod nor -mod=... gets in the way.
module_dir() {
  local module="$1" version="$2" json dir
  say "go mod download ${module}@${version}"
  if ! json="$(cd "$work" && GOFLAGS= go mod download -json "${module}@${version}")"; then
    say "error: go mod download ${module}@${version} failed:"
    echo "$json" >&2
    exit 1
  fi
  dir="$(printf '%s\n' "$json" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",\{0,1\}$/\1/p')"
  if [ -z "$dir" ] || [ ! -d "$dir" ]; then
    say "error: no module directory for ${module}@${version}:"
    echo "$json" >&2
    exit 1
  fi
  echo "$dir"
}

k8s_dir="$(module_dir "$K8S_MODULE" "$K8S_VERSION")"
prom_dir="$(module_dir "$PROM_OPERATOR_MODULE" "$PROM_OPERATOR_VERSION")"
gw_dir="$(module_dir "$GATEWAY_API_MODULE" "$GATEWAY_API_VERSION")"
keda_dir="$(module_dir "$KEDA_MODULE" "$KEDA_VERSION")"
complete "$k8s_dir" "$prom_dir" "$gw_dir" "$keda_dir" || { say "error: a schema file is missing from the downloaded modules"; exit 1; }

crds=()
for f in "${PROM_CRDS_REL[@]}"; do crds+=("$prom_dir/$f"); done
for f in "${GATEWAY_CRDS_REL[@]}"; do crds+=("$gw_dir/$f"); done
for f in "${KEDA_CRDS_REL[@]}"; do crds+=("$keda_dir/$f"); done
crds_json="$(sep=''; printf '['; for f in "${crds[@]}"; do printf '%s"%s"' "$sep" "$f"; sep=', '; done; printf ']')"

mkdir -p "$OUT_DIR"
tmp="$PATHS.$$"
cat >"$tmp" <<EOF
{
  "stamp": "$STAMP",
  "kubernetesRelease": "${K8S_VERSION#v}",
  "kubernetesDir": "$k8s_dir",
  "prometheusOperatorDir": "$prom_dir",
  "gatewayApiDir": "$gw_dir",
  "kedaDir": "$keda_dir",
  "openapiV3Dir": "$k8s_dir/$OPENAPI_REL",
  "jsonSchemaDir": "$JSON_SCHEMA_DIR",
  "crds": $crds_json
}
EOF
mv "$tmp" "$PATHS"
convert
say "schemas of Kubernetes ${K8S_VERSION#v}, prometheus-operator ${PROM_OPERATOR_VERSION}, Gateway API ${GATEWAY_API_VERSION}, KEDA ${KEDA_VERSION} recorded"
echo "$PATHS"
