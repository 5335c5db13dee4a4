# Sourced by scripts/install-*.sh: installs one Debian package with apt-get, for a fresh machine.
#
# install_debian_package PACKAGE SERVICE PORT [apt-get options...]
#   Runs apt-get install (apt-get update and a retry when the package lists are empty or stale),
#   with sudo only when not root (CI and the dev machines run as root and may have no sudo).
#   Debian's package may start a system SERVICE on PORT that nothing here uses (the tests run
#   their own servers on loopback); if this install is what started it, it is stopped again so no
#   stray server is left listening. Expects a `say` function for messages.
install_debian_package() {
  local package=$1 service=$2 port=$3
  shift 3
  command -v apt-get >/dev/null 2>&1 || { say "error: $package is missing and apt-get is unavailable; install it yourself" >&2; return 1; }
  local was_up=0
  if port_open "$port"; then was_up=1; fi
  say "installing $package with apt-get"
  if ! apt_install "$package" "$@"; then
    say "apt-get install failed; running apt-get update and retrying"
    as_root env DEBIAN_FRONTEND=noninteractive apt-get update -q >/dev/null
    apt_install "$package" "$@"
  fi
  if [ "$was_up" -eq 0 ] && port_open "$port"; then
    say "stopping the system $service on $port that the install started (the tests run their own)"
    as_root systemctl stop "$service" 2>/dev/null || as_root service "$service" stop >/dev/null 2>&1 || true
  fi
}

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }
port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
apt_install() {
  local package=$1
  shift
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$@" "$package" >/dev/null
}
