#!/usr/bin/env bash
# Builds the local images Skiff needs, with no registry: a busybox-static rootfs imported into
# Docker as skiff/busybox:1 (the example app and tests) and skiff/pause:1 (pod sandboxes), and
# skiff/busybox:1 into the k8s.io namespace of Skiff's containerd when it runs
# (scripts/containerd.sh, which imports its own pause image).
# Idempotent: an image that is there is left alone.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=image-archive.sh
. "$here/image-archive.sh"
docker=${DOCKER:-/usr/bin/docker}
containerd_socket=${SKIFF_CONTAINERD_SOCKET:-/run/skiff/containerd/containerd.sock}
busybox=/bin/busybox
if [ ! -x "$busybox" ] || ! "$busybox" --list >/dev/null 2>&1 || ldd "$busybox" >/dev/null 2>&1; then
  echo "images: $busybox must be the static busybox (apt-get install busybox-static)" >&2
  exit 1
fi

build() {
  local name=$1 change=$2
  if "$docker" image inspect "$name" >/dev/null 2>&1; then return; fi
  local dir
  dir=$(mktemp -d)
  busybox_rootfs "$dir"
  tar -C "$dir" -c . | "$docker" import --change "$change" - "$name" >/dev/null
  rm -rf "$dir"
  echo "images: built $name"
}

build skiff/busybox:1 'CMD ["/bin/sh"]'
# The sandbox only holds the pod's namespaces: it sleeps (docker-init forwards SIGTERM).
build skiff/pause:1 'ENTRYPOINT ["/bin/sleep", "2147483647"]'

# For containerd the image is packed as an archive (no Docker needed) with the same rootfs.
busybox_image() {
  busybox_rootfs "$1"
  echo '{"Cmd":["/bin/sh"]}'
}
if [ -S "$containerd_socket" ] && ctr -a "$containerd_socket" --connect-timeout 2s version >/dev/null 2>&1; then
  containerd_import "$containerd_socket" skiff/busybox:1 busybox_image
fi
