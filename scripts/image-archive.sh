# Sourced by scripts/images.sh and scripts/containerd.sh: builds images with no registry and no
# Docker — a rootfs directory packed as a `docker save` style archive (one layer), the format
# `ctr images import` reads.

# busybox_rootfs DIR: busybox-static and its applets, /etc/passwd, /www/index.html.
busybox_rootfs() {
  local dir=$1 busybox=/bin/busybox
  mkdir -p "$dir/bin" "$dir/tmp" "$dir/etc" "$dir/www"
  cp "$busybox" "$dir/bin/busybox"
  for applet in $("$busybox" --list); do
    [ "$applet" = busybox ] || ln -sf busybox "$dir/bin/$applet"
  done
  echo 'root:x:0:0:root:/root:/bin/sh' > "$dir/etc/passwd"
  echo 'hello from skiff' > "$dir/www/index.html"
}

# image_archive OUT NAME ROOTFS CONFIG: OUT becomes an archive of image NAME (repo:tag) whose
# layer is ROOTFS; CONFIG is the image config's "config" object as JSON ('{"Cmd":["/bin/sh"]}').
image_archive() {
  local out=$1 name=$2 rootfs=$3 config=$4 work layer_sum config_sum
  work=$(mktemp -d)
  tar --numeric-owner --owner=0 --group=0 -C "$rootfs" -cf "$work/layer.tar" .
  layer_sum=$(sha256sum "$work/layer.tar" | cut -d' ' -f1)
  mkdir "$work/$layer_sum"
  mv "$work/layer.tar" "$work/$layer_sum/layer.tar"
  printf '{"architecture":"amd64","os":"linux","config":%s,"rootfs":{"type":"layers","diff_ids":["sha256:%s"]}}' \
    "$config" "$layer_sum" > "$work/config.json"
  config_sum=$(sha256sum "$work/config.json" | cut -d' ' -f1)
  mv "$work/config.json" "$work/$config_sum.json"
  printf '[{"Config":"%s.json","RepoTags":["%s"],"Layers":["%s/layer.tar"]}]' "$config_sum" "$name" "$layer_sum" \
    > "$work/manifest.json"
  tar -C "$work" -cf "$out" manifest.json "$config_sum.json" "$layer_sum"
  rm -rf "$work"
}

# containerd_import SOCKET NAME BUILD: imports image NAME into containerd's k8s.io namespace
# unless it is there; BUILD is a function called with a rootfs directory to fill and prints the
# image's config object.
containerd_import() {
  local socket=$1 name=$2 build=$3 ref="docker.io/$2" dir archive config
  if ctr -a "$socket" -n k8s.io images ls -q "name==$ref" 2>/dev/null | grep -qx "$ref"; then return; fi
  dir=$(mktemp -d)
  archive=$(mktemp)
  config=$("$build" "$dir/rootfs")
  image_archive "$archive" "$name" "$dir/rootfs" "$config"
  ctr -a "$socket" -n k8s.io images import "$archive" >/dev/null
  rm -rf "$dir" "$archive"
  echo "images: imported $name into containerd ($socket, namespace k8s.io)"
}
