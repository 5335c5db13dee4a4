#!/usr/bin/env bash
# Installs Debian's prometheus package (it ships both `prometheus` and `promtool`) when either
# binary is missing, so `make test` can check the chart's alert rules with promtool and run a real
# Prometheus against a live gateway (apps/gateway/test/observability-prometheus.e2e-spec.ts).
# Idempotent: does nothing when both binaries are on PATH.
#
# The e2e spec runs its own Prometheus on a free 127.0.0.1 port with a temp config. Debian's
# package may start a system service on 9090 that nothing here uses; if this install is what
# started it, we stop it again so no stray server is left listening. Recommends are skipped:
# they would add prometheus-node-exporter, another system service (on 9100) nothing here uses.
set -euo pipefail

say() { echo "install-prometheus: $*"; }
prometheus_version() { prometheus --version 2>&1 | sed -n 's/^prometheus, version \([^ ]*\).*/\1/p'; }

if command -v prometheus >/dev/null 2>&1 && command -v promtool >/dev/null 2>&1; then
  say "prometheus $(prometheus_version) already installed"
  exit 0
fi
source "$(dirname "$0")/lib/debian-package.sh"
install_debian_package prometheus prometheus 9090 --no-install-recommends
say "installed $(prometheus_version)"
