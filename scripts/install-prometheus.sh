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
command -v apt-get >/dev/null 2>&1 || { say "error: prometheus/promtool not found and apt-get is unavailable; install Prometheus >= 2.42 yourself" >&2; exit 1; }

# sudo only when we are not root (CI and the dev machines run as root and may have no sudo).
as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }
port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
apt_install() { as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends prometheus >/dev/null; }

system_prometheus_was_up=0
if port_open 9090; then system_prometheus_was_up=1; fi

say "installing prometheus with apt-get"
# A fresh machine's package lists may be empty or stale: update once, only when needed.
if ! apt_install; then
  say "apt-get install failed; running apt-get update and retrying"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get update -q >/dev/null
  apt_install
fi

if [ "$system_prometheus_was_up" -eq 0 ] && port_open 9090; then
  say "stopping the system prometheus on 9090 that the install started (the tests run their own)"
  as_root systemctl stop prometheus 2>/dev/null || as_root service prometheus stop >/dev/null 2>&1 || true
fi
say "installed $(prometheus_version)"
