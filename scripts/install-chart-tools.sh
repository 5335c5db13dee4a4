#!/usr/bin/env bash
# Installs the pinned chart tools into .tools/bin with `go install` (Go is on the machine; the Go
# module proxy is reachable from CI), when they are missing or at another version. A no-op when
# they are there. Prints the bin directory.
#
#   - kubeconform: validates every rendered Kubernetes object against the schemas that
#     scripts/k8s-schemas.sh prepares (deploy/test/support/k8s-schema.ts)
#   - helm-docs: writes the chart README's values table from the `# --` comments of values.yaml
#     (`make chart-docs`; deploy/test/chart-docs.spec.ts fails when the committed table differs)
set -euo pipefail
cd "$(dirname "$0")/.."

KUBECONFORM_VERSION=v0.8.0
HELM_DOCS_VERSION=v1.14.2
BIN="$PWD/.tools/bin"
mkdir -p "$BIN"
# One run at a time: the deploy specs run in parallel workers, and each runs this script on first use.
exec 9>"$BIN/.install-chart-tools.lock"
flock 9
say() { echo "install-chart-tools: $*" >&2; }

# `go install` stamps the module version into the binary: read it back instead of trusting a name.
built_version() { go version -m "$1" 2>/dev/null | awk '$1 == "mod" { print $3 }'; }

install() {
  local name="$1" package="$2" version="$3"
  if [ -x "$BIN/$name" ] && command -v go >/dev/null 2>&1 && [ "$(built_version "$BIN/$name")" = "$version" ]; then
    return 0
  fi
  command -v go >/dev/null 2>&1 || { say "error: go is required to build $name (install Go >= 1.24)"; exit 1; }
  say "building $name ${version} with go install"
  GOBIN="$BIN" GOFLAGS=-mod=mod go install "${package}@${version}"
}

install kubeconform github.com/yannh/kubeconform/cmd/kubeconform "$KUBECONFORM_VERSION"
install helm-docs github.com/norwoodj/helm-docs/cmd/helm-docs "$HELM_DOCS_VERSION"
echo "$BIN"
