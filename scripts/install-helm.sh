#!/usr/bin/env bash
# Installs the pinned Helm and kustomize into .tools/bin with `go install` (Go is on the machine;
# the Go module proxy is reachable from CI), when they are missing or at another version.
# Used by `make test` for the chart's lint, template, unit and schema tests (offline after this).
set -euo pipefail
cd "$(dirname "$0")/.."

HELM_VERSION=v3.22.0
KUSTOMIZE_VERSION=v5.7.1
BIN="$PWD/.tools/bin"
mkdir -p "$BIN"
say() { echo "install-helm: $*"; }

command -v go >/dev/null 2>&1 || { say "error: go is required to build helm (install Go >= 1.24)" >&2; exit 1; }

# `go install` does not stamp helm's own version string, so read the module version from the binary.
built_version() { go version -m "$1" 2>/dev/null | awk '$1 == "mod" { print $3 }'; }

if [ -x "$BIN/helm" ] && [ "$(built_version "$BIN/helm")" = "$HELM_VERSION" ]; then
  say "helm ${HELM_VERSION} already installed"
else
  say "building helm ${HELM_VERSION} with go install (a few minutes the first time)"
  GOBIN="$BIN" GOFLAGS=-mod=mod go install "helm.sh/helm/v3/cmd/helm@${HELM_VERSION}"
fi

if [ -x "$BIN/kustomize" ] && [ "$(built_version "$BIN/kustomize")" = "$KUSTOMIZE_VERSION" ]; then
  say "kustomize ${KUSTOMIZE_VERSION} already installed"
else
  say "building kustomize ${KUSTOMIZE_VERSION} with go install"
  GOBIN="$BIN" GOFLAGS=-mod=mod go install "sigs.k8s.io/kustomize/kustomize/v5@${KUSTOMIZE_VERSION}"
fi
