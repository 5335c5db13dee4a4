#!/usr/bin/env bash
# Assembles a container image without Docker or a registry and writes it as a docker-archive
# tarball that `scripts/cluster.sh import-image` (ctr -n k8s.io images import) loads into the node.
#
#   image.sh --ref REF --out FILE.tar [--from LAYOUT] [--layout DIR] [--base DIR]...
#            [--file SRC:DEST[:MODE]]... [--dir DEST[:MODE[:UID:GID]]]... [--link DEST:TARGET]...
#            [--entrypoint ARG]... [--cmd ARG]... [--env K=V]... [--user UID[:GID]] [--workdir DIR]
#            [--label K=V]... [--expose PORT[/PROTO]]... [--stopsignal SIGNAL]
#
# --base copies a directory tree into the root filesystem (e.g. an unpacked runtime), --file one
# file, --dir makes an empty directory, --link a symbolic link. The image starts empty (no shell,
# no libc): static binaries, or a base that brings what the entrypoint needs.
# --from starts from the image in an OCI layout (tag "image") that an earlier --layout wrote, and
# adds one layer on top: images built from the same base share its layer (the same blob), which
# containerd stores and unpacks once. --layout keeps this image's OCI layout in DIR; --out is then
# optional. Entrypoint and cmd are always those given here; env, labels and ports add to the base's.
# Steps: umoci init/new (or the --from layout), unpack, copy, umoci repack/config, skopeo copy
# oci: -> docker-archive:.
set -euo pipefail

say() { echo "image: $*" >&2; }
die() { say "error: $*"; exit 1; }

ref='' out='' from='' keep='' user='' workdir=''
bases=() files=() dirs=() links=() config=()
while [ $# -gt 0 ]; do
  case "$1" in
    --ref) ref=$2 ;;
    --out) out=$2 ;;
    --from) from=$2 ;;
    --layout) keep=$2 ;;
    --base) bases+=("$2") ;;
    --file) files+=("$2") ;;
    --dir) dirs+=("$2") ;;
    --link) links+=("$2") ;;
    --entrypoint) config+=(--config.entrypoint "$2") ;;
    --cmd) config+=(--config.cmd "$2") ;;
    --env) config+=(--config.env "$2") ;;
    --label) config+=(--config.label "$2") ;;
    --expose) config+=(--config.exposedports "$2") ;;
    --stopsignal) config+=(--config.stopsignal "$2") ;;
    --user) user=$2 ;;
    --workdir) workdir=$2 ;;
    *) die "unknown argument $1" ;;
  esac
  shift 2 || die "$1 needs a value"
done
[ -n "$ref" ] || die "--ref is required"
[ -n "$out" ] || [ -n "$keep" ] || die "--out or --layout is required"
[ -z "$from" ] || [ -f "$from/index.json" ] || die "--from $from is not an OCI layout"
for tool in umoci skopeo; do command -v "$tool" >/dev/null || die "$tool is missing (scripts/install-cluster-deps.sh)"; done

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
layout="$work/oci:image"
rootfs="$work/bundle/rootfs"

if [ -n "$from" ]; then
  cp -a "$from" "$work/oci"
else
  umoci init --layout "$work/oci"
  umoci new --image "$layout"
fi
umoci unpack --image "$layout" "$work/bundle" >/dev/null

for base in "${bases[@]}"; do
  [ -d "$base" ] || die "--base $base is not a directory"
  cp -a "$base/." "$rootfs/"
done
for spec in "${dirs[@]}"; do
  IFS=: read -r dest mode uid gid <<<"$spec"
  install -d -m "${mode:-0755}" -o "${uid:-0}" -g "${gid:-0}" "$rootfs/$dest"
done
for spec in "${files[@]}"; do
  IFS=: read -r src dest mode <<<"$spec"
  [ -f "$src" ] || die "--file $src is not a file"
  install -D -m "${mode:-0755}" "$src" "$rootfs/$dest"
done
for spec in "${links[@]}"; do
  IFS=: read -r dest target <<<"$spec"
  mkdir -p "$(dirname "$rootfs/$dest")"
  ln -sfn "$target" "$rootfs/$dest"
done

umoci repack --image "$layout" "$work/bundle"
[ -n "$user" ] && config+=(--config.user "$user")
[ -n "$workdir" ] && config+=(--config.workingdir "$workdir")
umoci config --image "$layout" --os linux --architecture amd64 \
  --clear=config.entrypoint --clear=config.cmd "${config[@]}"

if [ -n "$keep" ]; then
  # Unreferenced blobs (the layer a --from image's repack replaced, none today) stay out of it.
  umoci gc --layout "$work/oci"
  rm -rf "$keep.partial" && cp -a "$work/oci" "$keep.partial" && rm -rf "$keep" && mv "$keep.partial" "$keep"
  say "$ref -> $keep (OCI layout)"
fi
if [ -n "$out" ]; then
  mkdir -p "$(dirname "$out")"
  rm -f "$out.partial"
  skopeo copy --quiet "oci:$layout" "docker-archive:$out.partial:$ref"
  mv "$out.partial" "$out"
  say "$ref -> $out"
fi
