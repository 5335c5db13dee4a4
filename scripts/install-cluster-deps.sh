#!/usr/bin/env bash
# Installs the Debian packages the test cluster (scripts/cluster.sh) runs on, when any is missing:
# containerd, runc, the CNI plugins, etcd, umoci and skopeo (images without Docker), iptables and
# conntrack (kube-proxy), gettext-base (envsubst), gcc (the pause binary) and openssl.
# Idempotent: does nothing when every command is on PATH. No service is started: Debian's
# policy-rc.d keeps the packages' services down during the install, and a helper put in its place
# for the duration when the machine has none.
set -euo pipefail

say() { echo "install-cluster-deps: $*"; }

# command -> package
declare -A NEEDS=(
  [containerd]=containerd [runc]=runc [etcd]=etcd-server [/usr/lib/cni/bridge]=containernetworking-plugins
  [umoci]=umoci [skopeo]=skopeo [iptables]=iptables [conntrack]=conntrack [envsubst]=gettext-base
  [gcc]=gcc [openssl]=openssl [nsenter]=util-linux [ip]=iproute2 [curl]=curl
)
missing=()
for cmd in "${!NEEDS[@]}"; do
  if [[ $cmd == /* ]]; then [ -e "$cmd" ] || missing+=("${NEEDS[$cmd]}"); else command -v "$cmd" >/dev/null 2>&1 || missing+=("${NEEDS[$cmd]}"); fi
done
if [ ${#missing[@]} -eq 0 ]; then
  say "containerd $(containerd --version | awk '{ print $3 }'), runc, etcd, CNI plugins, umoci, skopeo already installed"
  exit 0
fi
[ "$(id -u)" -eq 0 ] || { say "error: run as root to install ${missing[*]} (the cluster itself needs root too)" >&2; exit 1; }
command -v apt-get >/dev/null 2>&1 || { say "error: ${missing[*]} missing and apt-get is unavailable; install them yourself" >&2; exit 1; }

POLICY=/usr/sbin/policy-rc.d
if [ ! -e "$POLICY" ]; then
  printf '#!/bin/sh\n# scripts/install-cluster-deps.sh: no service starts during the install.\nexit 101\n' >"$POLICY"
  chmod +x "$POLICY"
  trap 'rm -f "$POLICY"' EXIT
fi
say "installing ${missing[*]} with apt-get"
install() { DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "$@" >/dev/null; }
if ! install "${missing[@]}"; then
  say "apt-get install failed; running apt-get update and retrying"
  DEBIAN_FRONTEND=noninteractive apt-get update -q >/dev/null
  install "${missing[@]}"
fi
say "installed ${missing[*]}"
