#!/usr/bin/env bash
# The project's images without Docker or a registry: gateway (the Dockerfile's runtime stage),
# fake provider, load runner and Redis, as docker-archive tarballs in .tools/images (IMAGES_DIR).
# scripts/images/images.ts says what each holds; docs/kubernetes.md ("The project's images").
#
#   scripts/images.sh build [NAME...]    build what changed (all four by default); print images.json
#   scripts/images.sh import [NAME...]   build, then load into the test cluster (scripts/cluster.sh)
#                                        what its node does not have yet; print the refs
#   scripts/images.sh refs               NAME REF per line, from the last build
#
# An image whose inputs are unchanged is not rebuilt (well under a second when all four are up to
# date). Needs `make build` (dist/: the builder, the fake provider and the load runner), Node
# NODE_VERSION (scripts/ensure-node.sh), umoci and skopeo (scripts/install-cluster-deps.sh) and
# redis-server (scripts/install-redis.sh). The build runs under `nice -n 10`: the machine is shared.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/cluster/config.sh"
say() { echo "images: $*" >&2; }
die() { say "error: $*"; exit 1; }

IMAGES_DIR="${IMAGES_DIR:-$REPO/.tools/images}"
export IMAGES_DIR IMAGE_PREFIX
PATH="$("$REPO/scripts/ensure-node.sh"):$PATH"
export PATH

build() {
  [ -f "$REPO/dist/scripts/images/main.js" ] || die "dist/scripts/images/main.js is missing: run make build"
  mkdir -p "$IMAGES_DIR"
  # One build at a time per directory (two specs, or a spec and a person, may ask at once).
  exec 8>"$IMAGES_DIR/.lock"
  flock -w 900 8 || die "another build has held $IMAGES_DIR/.lock for 15 minutes"
  nice -n 10 node "$REPO/dist/scripts/images/main.js" "$@"
  exec 8>&-
}

# NAME REF ARCHIVE per line, from images.json.
listing() {
  node -e '
    const manifest = require(process.argv[1]);
    const names = process.argv.slice(2);
    for (const [name, image] of Object.entries(manifest)) {
      if (names.length === 0 || names.includes(name)) console.log(`${name} ${image.ref} ${image.archive}`);
    }' "$IMAGES_DIR/images.json" "$@"
}

import_images() {
  build "$@" >/dev/null
  local present name ref archive
  present=$("$REPO/scripts/cluster.sh" ctr images ls -q) || die "the cluster does not answer (scripts/cluster.sh up)"
  while read -r name ref archive; do
    if grep -qxF "$ref" <<<"$present"; then
      say "$name: $ref already in the node"
    else
      local t=$SECONDS
      "$REPO/scripts/cluster.sh" import-image "$archive"
      say "$name: imported $ref in $((SECONDS - t)) s"
    fi
    echo "$name $ref"
  done < <(listing "$@")
}

cmd=${1:-help}
[ $# -gt 0 ] && shift
case "$cmd" in
  build) build "$@" ;;
  import) import_images "$@" ;;
  refs)
    [ -f "$IMAGES_DIR/images.json" ] || die "nothing built yet (scripts/images.sh build)"
    listing "$@" | cut -d' ' -f1,2
    ;;
  *)
    sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'
    [ "$cmd" = help ] || exit 2
    ;;
esac
