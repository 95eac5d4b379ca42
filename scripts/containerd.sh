#!/usr/bin/env bash
# Makes sure Skiff's own containerd answers on /run/skiff/containerd/containerd.sock, with the
# sandbox (pause) image imported: starts one (as root) when none answers, with its own config,
# root, state and socket, so it never clashes with the containerd dockerd runs. `make test`,
# `make up` and `make cluster` call it; it does nothing when one is up and the image is there.
#
#   scripts/containerd.sh           start (when none answers) and import the pause image
#   scripts/containerd.sh purge     stop it and remove everything it ran and kept: its pods'
#                                   processes, mounts, root and state (make cluster's per-node ones)
#
# SKIFF_CONTAINERD_RUN (socket, config, state) and SKIFF_CONTAINERD_ROOT (images, snapshots) pick
# another containerd: `make cluster` runs one per node, inside the node's network namespace, so
# the CNI its CRI runs wires pods into that node's network.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=image-archive.sh
. "$here/image-archive.sh"
run_dir=${SKIFF_CONTAINERD_RUN:-/run/skiff/containerd}
root_dir=${SKIFF_CONTAINERD_ROOT:-/var/lib/skiff-containerd}
socket=$run_dir/containerd.sock
config=$run_dir/config.toml
log=${CONTAINERD_LOG:-/var/log/skiff-containerd.log}
pause_image=skiff/pause:1

# Without the socket ctr would retry for 10 s before saying so.
answers() { [ -S "$socket" ] && ctr -a "$socket" --connect-timeout 2s version >/dev/null 2>&1; }

# The settings this machine needs (measured): root lacks CAP_SYS_RESOURCE, so CRI must clamp
# oom_score_adj (restrict_oom_score_adj) or even the sandbox fails in runc; PID 1 is not
# systemd (cgroupfs); no registry (a local pause image). The CNI config dir is the one
# runtime-containerd fills (the network plugin's conflist, or its default bridge).
write_config() {
  mkdir -p "$run_dir/net.d" "$root_dir"
  cat > "$config" <<TOML
version = 2
root = "$root_dir"
state = "$run_dir/state"
oom_score = 0

[grpc]
  address = "$socket"
[ttrpc]
  address = "$socket.ttrpc"
[debug]
  address = ""
[metrics]
  address = ""

[plugins."io.containerd.internal.v1.opt"]
  path = "$root_dir/opt"

[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "docker.io/$pause_image"
  restrict_oom_score_adj = true
  # Pods' network namespaces under the state dir, not the machine's /run/netns: each containerd's
  # are its own, and purge finds them.
  netns_mounts_under_state_dir = true
  stream_server_address = "127.0.0.1"
  stream_server_port = "0"
  enable_tls_streaming = false
  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = "overlayfs"
    default_runtime_name = "runc"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
        SystemdCgroup = false
        Root = "$run_dir/runc"
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "/usr/lib/cni"
    conf_dir = "$run_dir/net.d"
    max_conf_num = 1
TOML
}

start() {
  if [ "$(id -u)" -ne 0 ]; then
    echo "skiff: no containerd answers on $socket; run scripts/containerd.sh as root to start Skiff's own" >&2
    exit 1
  fi
  if [ -f "$run_dir/containerd.pid" ] && kill -0 "$(cat "$run_dir/containerd.pid")" 2>/dev/null; then
    echo "skiff: Skiff's containerd is running but $socket does not answer yet; waiting"
    return
  fi
  write_config
  echo "skiff: starting Skiff's own containerd on $socket (config $config, log: $log)"
  # setsid: the daemon outlives this make target and its Ctrl-C. Descriptors above stderr are
  # closed first: an inherited one may hold a lock (the flock(1) our caller ran under) that the
  # daemon would otherwise keep for its whole life.
  setsid bash -c 'for fd in $(ls /proc/$$/fd); do [ "$fd" -gt 2 ] && eval "exec $fd>&-"; done; echo $$ > "$1"; exec containerd --config "$2"' \
    containerd "$run_dir/containerd.pid" "$config" >"$log" 2>&1 </dev/null &
}

# The pause image's rootfs: one static binary (plugins/runtime-containerd/pause/pause.c).
pause_rootfs() {
  local dir=$1
  mkdir -p "$dir"
  cc -static -Os -o "$dir/pause" "$here/../plugins/runtime-containerd/pause/pause.c"
  echo '{"Entrypoint":["/pause"]}'
}

# Kills every task of the k8s.io namespace through containerd (runc deletes their cgroups and
# unmounts their root filesystems), stops containerd and its shims, and removes its directories.
purge() {
  if answers; then
    local ctr_=(ctr -a "$socket" -n k8s.io)
    for task in $("${ctr_[@]}" tasks ls -q 2>/dev/null); do "${ctr_[@]}" tasks kill -a -s SIGKILL "$task" >/dev/null 2>&1 || true; done
    for task in $("${ctr_[@]}" tasks ls -q 2>/dev/null); do
      for _ in $(seq 1 50); do "${ctr_[@]}" tasks delete -f "$task" >/dev/null 2>&1 && break; sleep 0.1; done
    done
    for container in $("${ctr_[@]}" containers ls -q 2>/dev/null); do "${ctr_[@]}" containers delete "$container" >/dev/null 2>&1 || true; done
  fi
  local pid
  pid=$(cat "$run_dir/containerd.pid" 2>/dev/null || true)
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid"
    for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
  fi
  pkill -KILL -f "containerd-shim-runc-v2 .*-address $socket( |\$)" 2>/dev/null || true
  # What is still mounted below its directories (netns files, root filesystems), deepest first.
  awk -v run="$run_dir/" -v root="$root_dir/" 'index($5, run) == 1 || index($5, root) == 1 { print $5 }' \
    /proc/self/mountinfo | sort -r | while read -r mount; do umount -l "$mount" 2>/dev/null || true; done
  rm -rf "$run_dir" "$root_dir"
}

if [ "${1:-}" = purge ]; then
  purge
  exit 0
fi

if ! answers; then
  mkdir -p "$run_dir"
  start
  for _ in $(seq 1 300); do
    answers && break
    sleep 0.1
  done
  if ! answers; then
    echo "skiff: containerd did not answer on $socket within 30 s; see $log" >&2
    tail -n 20 "$log" >&2 || true
    exit 1
  fi
fi
containerd_import "$socket" "$pause_image" pause_rootfs
