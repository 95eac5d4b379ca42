#!/usr/bin/env bash
# Builds the local images Skiff needs, with no registry: a busybox-static rootfs imported into
# Docker as skiff/busybox:1 (the example app and tests) and skiff/pause:1 (pod sandboxes).
# Idempotent: an image that is there is left alone.
set -euo pipefail
docker=${DOCKER:-/usr/bin/docker}
busybox=/bin/busybox
if [ ! -x "$busybox" ] || ! "$busybox" --list >/dev/null 2>&1 || ldd "$busybox" >/dev/null 2>&1; then
  echo "images: $busybox must be the static busybox (apt-get install busybox-static)" >&2
  exit 1
fi

rootfs() {
  local dir=$1
  mkdir -p "$dir/bin" "$dir/tmp" "$dir/etc" "$dir/www"
  cp "$busybox" "$dir/bin/busybox"
  for applet in $("$busybox" --list); do
    [ "$applet" = busybox ] || ln -sf busybox "$dir/bin/$applet"
  done
  echo 'root:x:0:0:root:/root:/bin/sh' > "$dir/etc/passwd"
  echo 'hello from skiff' > "$dir/www/index.html"
}

build() {
  local name=$1 change=$2
  if "$docker" image inspect "$name" >/dev/null 2>&1; then return; fi
  local dir
  dir=$(mktemp -d)
  rootfs "$dir"
  tar -C "$dir" -c . | "$docker" import --change "$change" - "$name" >/dev/null
  rm -rf "$dir"
  echo "images: built $name"
}

build skiff/busybox:1 'CMD ["/bin/sh"]'
# The sandbox only holds the pod's namespaces: it sleeps (docker-init forwards SIGTERM).
build skiff/pause:1 'ENTRYPOINT ["/bin/sleep", "2147483647"]'
