#!/usr/bin/env bash
# `make cluster`: a master and NODES workers on this machine, each skiffd in a network
# namespace of its own, joined by a "LAN" bridge this script makes (the host has an address on
# it too, so the machine's kubectl reaches the master's API). Runs in the foreground; Ctrl-C
# (or `make cluster-down` from elsewhere) removes every namespace, link, rule and container it
# made — also after a failed start. All traffic stays inside these namespaces and loopback.
#
#   scripts/cluster.sh [up]     NODES=2 DATA_DIR=.skiff-cluster LAN=10.213.0 CLUSTER_CIDR=10.244.0.0/16 NETWORK=cni
#                               RUNTIME=docker|containerd CLOUD=local|none LB_POOL=$LAN.200-$LAN.250 CLOUD_ROUTES=0|1
#   scripts/cluster.sh down     remove what a cluster under DATA_DIR left
#   scripts/cluster.sh env      print the KUBECONFIG line for a running cluster
#   scripts/cluster.sh restart NODE   stop one node's skiffd (SIGTERM) and start it again
#   scripts/cluster.sh stop NODE      stop one node's skiffd (SIGTERM: it announces a clean stop, so
#                                     cloud-local reports the machine shut down); the others go on
#   scripts/cluster.sh kill NODE      a crash: one node's skiffd killed with SIGKILL, its containers
#                                     run on; `start NODE` brings it back
#   scripts/cluster.sh start NODE     start a stopped or killed node's skiffd again
#   scripts/cluster.sh remove NODE    the machine goes: its skiffd killed (a deleted machine says
#                                     nothing), its containers and namespace deleted
#
# MASTERS=3 (or 5): a highly available control plane. The LAN's layout then:
#   .1 the host   .10+i worker i (.11-.90)   .100 the VIP (VIP=)   .100+i master i (.101-.105)
#   .200-.250 the LoadBalancer pool
# Masters are <cluster>-master-1..N; each namespace runs its own etcd member (client
# $ip:2379 and 127.0.0.1:2379, peer $ip:2380, data $DATA_DIR/<master>/etcd; 100/500 ms
# heartbeat/election for the lab), its nats-server (embedded, routed to the others' :6222) and its
# skiffd: store-etcd (its own member first), apiserver on 0.0.0.0:6443, scheduler,
# controller-manager, metrics, logging, vip (the VIP on eth0 of the master holding its lease) and
# the node plugins with the control-plane taint. cloud-local and the cloud-controller-manager
# run on master-1 only (cloud-local's pool and routes are one master's own state). master-2..N
# start from master-1's secrets (`skiffd join-secrets`); workers list every master's bus. The
# kubeconfig's server is the VIP. With MASTERS>1:
#   scripts/cluster.sh kill MASTER    the machine dies: kill -9 of its skiffd, its nats-server and
#                                     its etcd member (and the VIP leaves its eth0)
#   scripts/cluster.sh start MASTER   all three back; the etcd member rejoins with its data dir
# MASTERS=1 (the default) is exactly the single master above: <cluster>-master at .10, store-lmdb.
set -euo pipefail
cd "$(dirname "$0")/.."
NODES=${NODES:-2}
MASTERS=${MASTERS:-1}
DATA_DIR=$(realpath -m "${DATA_DIR:-$PWD/.skiff-cluster}")
LAN=${LAN:-10.213.0}                  # the LAN is $LAN.0/24: the host .1, the master .10, worker i .(10+i)
CLUSTER_CIDR=${CLUSTER_CIDR:-10.244.0.0/16}
SERVICE_CIDR=${SERVICE_CIDR:-10.96.0.0/12}
BRIDGE=${BRIDGE:-skiff-lan}
# Names outside the cluster: asked of the machine on the LAN at this port, where nothing answers
# (SERVFAIL) unless a test runs a fake upstream there; nothing leaves the machine.
DNS_UPSTREAM=${DNS_UPSTREAM:-$LAN.1:5353}
CLUSTER=${CLUSTER:-skiff}
# The ingress addon's ports on every node's address: high ones, so that pods asking hostPort
# 80/443 (whose DNAT would come before the addon's sockets) keep working next to it.
INGRESS_HTTP_PORT=${INGRESS_HTTP_PORT:-8080}
INGRESS_HTTPS_PORT=${INGRESS_HTTPS_PORT:-8443}
NETWORK=${NETWORK:-cni}               # runtime-docker's network: cni, or docker-bridge (pods then reach only their node)
# The nodes' runtime: docker (the machine's dockerd, CNI run by runtime-docker in the node's
# namespace) or containerd (a containerd of each node's own, started in the node's namespace, so
# that the CNI its CRI runs wires pods into that node's network).
RUNTIME=${RUNTIME:-docker}
# The cloud provider: local (cloud-local and the cloud-controller-manager on the master; every
# kubelet registers uninitialised, as with --cloud-provider=external) or none. LoadBalancer IPs
# come from LB_POOL, addresses of the LAN that no node uses (nodes are .10 to .90), answered on
# the LAN by the master (cloud-local adds each one given out to its eth0; its proxy DNATs them).
CLOUD=${CLOUD:-local}
LB_POOL=${LB_POOL:-$LAN.200-$LAN.250}
# CLOUD_ROUTES=1: cloud-local owns the master's host-gw routes (`routes: true`, proto 75: the
# master as the pod network's router) and the master's network plugin installs none
# (`routes: false`); the workers' network plugins keep theirs.
CLOUD_ROUTES=${CLOUD_ROUTES:-0}
# A worker whose skiffd has not answered this long counts as a removed machine: its Node goes and
# its pods are replaced (`cluster.sh remove NODE`). Short in the lab; cloud-local's default is 5m.
INSTANCE_GONE_AFTER=${INSTANCE_GONE_AFTER:-15s}
VIP=${VIP:-$LAN.100}                  # MASTERS>1: the address kubectl uses, held by one live master
skiffd=$PWD/build/bin/skiffd
docker=${DOCKER:-docker}
state=$DATA_DIR/cluster.state         # one line per thing made: "netns X", "link X", "rule", "pid N", "node X", "containerd X", "etcd X"

say() { printf '\033[1m==> %s\033[0m\n' "$*"; }
die() { echo "cluster: $*" >&2; exit 1; }

ha() { [ "$MASTERS" -gt 1 ]; }
master_names() {
  if ha; then for i in $(seq 1 "$MASTERS"); do echo "$CLUSTER-master-$i"; done; else echo "$CLUSTER-master"; fi
}
# No `master_names | grep -q`: with pipefail, grep leaving early fails the pipe at random (SIGPIPE).
first_master() { if ha; then echo "$CLUSTER-master-1"; else echo "$CLUSTER-master"; fi; }
is_master() {
  local master
  for master in $(master_names); do [ "$master" != "$1" ] || return 0; done
  return 1
}
node_names() { master_names; for i in $(seq 1 "$NODES"); do echo "$CLUSTER-worker-$i"; done; }
node_ip() {
  if [ "$1" = "$CLUSTER-master" ]; then echo "$LAN.10"
  elif is_master "$1"; then echo "$LAN.$((100 + ${1##*-}))"
  else echo "$LAN.$((10 + ${1##*-}))"; fi
}
master_ip() { node_ip "$(first_master)"; }

# --- teardown: everything the state file lists, in reverse; safe to run twice -------------
down() {
  [ -f "$state" ] || return 0
  local pids=() nodes=() netnses=() links=() containerds=() rule=false
  while read -r kind value; do
    case $kind in
      pid | etcd) pids+=("$value") ;;
      node) nodes+=("$value") ;;
      containerd) containerds+=("$value") ;;
      netns) netnses+=("$value") ;;
      link) links+=("$value") ;;
      rule) rule=true ;;
    esac
  done < "$state"
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do
    for _ in $(seq 1 150); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
  done
  # A node's containerd goes with its pods (processes, mounts, images): nothing of it is kept.
  local purges=()
  for node in "${containerds[@]}"; do node_containerd "$node" scripts/containerd.sh purge & purges+=($!); done
  for pid in "${purges[@]}"; do wait "$pid" || true; done
  for node in "${nodes[@]}"; do
    ids=$($docker ps -aq --filter "label=io.skiff.node=$node" 2>/dev/null || true)
    [ -z "$ids" ] || echo "$ids" | xargs "$docker" rm -f >/dev/null 2>&1 || true
    # Their addresses went with them: host-local's leases would otherwise leak.
    rm -rf "$DATA_DIR/$node/plugins/network/ipam"
    # storage-local's volumes: their loop devices go; the images stay, re-mounted on the next start.
    for mnt in "$DATA_DIR/$node"/volumes/pvc-*; do
      if [ -d "$mnt" ] && mountpoint -q "$mnt"; then umount "$mnt" 2>/dev/null || true; fi
    done
  done
  for netns in "${netnses[@]}"; do ip netns delete "$netns" 2>/dev/null || true; done
  for link in "${links[@]}"; do ip link delete "$link" 2>/dev/null || true; done
  if $rule; then
    iptables -D DOCKER-USER -i "$BRIDGE" -o "$BRIDGE" -j ACCEPT -m comment --comment skiff-cluster 2>/dev/null || true
  fi
  rm -f "$state" "$DATA_DIR/kubeconfig" "$DATA_DIR"/*.pid "$DATA_DIR"/*.etcd-pid
}

remember() { echo "$*" >> "$state"; }

# --- the LAN ---------------------------------------------------------------------------------
check_machine() {
  [ "$(id -u)" -eq 0 ] || die "needs root (network namespaces, links, routes)"
  [ -x "$skiffd" ] || die "$skiffd not found; run make build"
  [ "$NODES" -ge 1 ] 2>/dev/null || die "NODES=$NODES: give a number of workers, at least 1"
  [ "$NODES" -le 80 ] || die "NODES=$NODES: at most 80 workers fit the LAN's addresses"
  case $MASTERS in 1 | 3 | 5) ;; *) die "MASTERS=$MASTERS: give 1, or 3 or 5 (an etcd cluster needs an odd number)" ;; esac
  if ha; then
    command -v etcd >/dev/null || die "MASTERS=$MASTERS needs etcd (apt-get install etcd-server)"
    [ -e "$PWD/build/lib/skiff/plugins/store-etcd.so" ] || die "MASTERS=$MASTERS needs the store-etcd plugin; run make build"
  fi
  case $CLOUD in local | none) ;; *) die "CLOUD=$CLOUD: give local or none" ;; esac
  case $RUNTIME in
    docker) $docker info >/dev/null 2>&1 || die "no dockerd answers; scripts/dockerd.sh starts one" ;;
    containerd) command -v containerd >/dev/null || die "RUNTIME=containerd needs containerd (apt-get install containerd)" ;;
    *) die "RUNTIME=$RUNTIME: give docker or containerd" ;;
  esac
  if ip -4 route show | grep -v "dev $BRIDGE" | grep -q "^$LAN\."; then
    die "the LAN $LAN.0/24 is already routed on this machine; pick another with LAN=a.b.c"
  fi
}

make_lan() {
  ip link add "$BRIDGE" type bridge && remember link "$BRIDGE"
  ip addr add "$LAN.1/24" dev "$BRIDGE"
  ip link set "$BRIDGE" up
  # Docker sets FORWARD to DROP; with bridge netfilter, frames between the nodes cross it.
  if iptables -L DOCKER-USER -n >/dev/null 2>&1; then
    iptables -I DOCKER-USER -i "$BRIDGE" -o "$BRIDGE" -j ACCEPT -m comment --comment skiff-cluster
    remember rule
  fi
}

# A namespace for a node, its end of a veth pair named eth0 with the node's LAN address. No
# default route: nothing a pod sends can leave the LAN.
make_netns() {
  local node=$1 ip=$2 netns=$1 host_end="sk${1#"$CLUSTER"}"
  host_end=${host_end:0:15}
  ip netns add "$netns" && remember netns "$netns"
  ip link add "$host_end" type veth peer name eth0 netns "$netns" && remember link "$host_end"
  ip link set "$host_end" master "$BRIDGE" up
  ip -n "$netns" addr add "$ip/24" dev eth0
  ip -n "$netns" link set eth0 up
  ip -n "$netns" link set lo up
}

# --- a node's containerd (RUNTIME=containerd) ---------------------------------------------------
# Its socket, state and CNI conf dir under /run (a socket path must stay short), its images and
# snapshots under /var/lib (overlayfs needs a real filesystem below).
containerd_run_dir() { echo "/run/skiff/cluster/$1"; }

# node_containerd NODE command…: the command with that node's containerd's paths, in its namespace.
node_containerd() {
  local node=$1
  shift
  SKIFF_CONTAINERD_RUN=$(containerd_run_dir "$node") SKIFF_CONTAINERD_ROOT=/var/lib/skiff-cluster/$node \
    SKIFF_CONTAINERD_SOCKET=$(containerd_run_dir "$node")/containerd.sock CONTAINERD_LOG=$DATA_DIR/$node-containerd.log \
    nsenter --net="/run/netns/$node" "$@"
}

# nsenter, not `ip netns exec`: containerd stays in the machine's mount namespace, so what it
# mounts (pods' root filesystems, network namespaces) is visible to the kubelet and to purge.
start_containerd() {
  local node=$1
  remember containerd "$node"
  node_containerd "$node" scripts/containerd.sh >> "$DATA_DIR/$node.log" 2>&1 ||
    die "$node's containerd did not start; its log: $DATA_DIR/$node-containerd.log"
  node_containerd "$node" scripts/images.sh >> "$DATA_DIR/$node.log" 2>&1 ||
    die "the images could not be imported into $node's containerd; see $DATA_DIR/$node.log"
}

# --- the nodes -------------------------------------------------------------------------------
runtime_plugin() {  # runtime_plugin NODE
  if [ "$RUNTIME" = containerd ]; then
    local run
    run=$(containerd_run_dir "$1")
    echo "  - name: runtime-containerd"
    echo "    config: {socket: $run/containerd.sock, containerd_cni_conf_dir: $run/net.d}"
  else
    echo "  - name: runtime-docker"
    echo "    config: {network: $NETWORK}"
  fi
}

node_plugins() {  # node_plugins NODE IP [taint]
  cat <<EOF
  - name: kubelet
    config: {node_ip: $2${3:+, register_with_taints: ["$3"]}$([ "$CLOUD" = local ] && echo ", cloud_provider: external")}
$(runtime_plugin "$1")
  - name: network
    config: {cluster_cidr: $CLUSTER_CIDR, service_cidr: $SERVICE_CIDR$(cloud_owns_routes_on "$1" && echo ", routes: false")}
  - name: proxy
    config: {cluster_cidr: $CLUSTER_CIDR, service_cidr: $SERVICE_CIDR}
  - name: dns
    config: {cluster_cidr: $CLUSTER_CIDR, service_cidr: $SERVICE_CIDR, upstreams: [$DNS_UPSTREAM]}
  - name: ingress
    config: {http_port: $INGRESS_HTTP_PORT, https_port: $INGRESS_HTTPS_PORT, workers: 1}
  - name: storage-local
EOF
}

# Does cloud-local own the routes of this node (the master — the first of several — with CLOUD_ROUTES=1)?
cloud_owns_routes_on() { [ "$CLOUD" = local ] && [ "$CLOUD_ROUTES" = 1 ] && [ "$1" = "$(first_master)" ]; }

cloud_plugins() {  # cloud_plugins MASTER: on the first master only
  [ "$CLOUD" = local ] && [ "$1" = "$(first_master)" ] || return 0
  cat <<EOF
  - name: cloud-local
    config: {pool: ["$LB_POOL"], announce_interface: eth0, instance_gone_after: $INSTANCE_GONE_AFTER$([ "$CLOUD_ROUTES" = 1 ] && echo ", routes: true")}
  - {name: cloud-controller-manager}
EOF
}

write_master_profile() {
  local node=$CLUSTER-master ip
  ip=$(master_ip)
  mkdir -p "$DATA_DIR/$node"
  cat > "$DATA_DIR/$node/profile.yaml" <<EOF
# Written by scripts/cluster.sh: the control plane, and a kubelet tainted as kubeadm's are.
node: $node
cluster: $CLUSTER
roles: [control-plane]
bus: {embedded: true, host: $ip, port: 4222}
plugins:
  - {name: store-lmdb}
  - name: apiserver
    config: {address: "$ip:6443", service_cidr: $SERVICE_CIDR}
  - {name: scheduler-default}
  - name: controller-manager
    config: {cluster_cidr: $CLUSTER_CIDR, service_cidr: $SERVICE_CIDR}
  - {name: metrics}
  - {name: logging}
$(cloud_plugins "$node")
$(node_plugins "$node" "$ip" "node-role.kubernetes.io/control-plane:NoSchedule")
EOF
}

# --- several masters (MASTERS>1) ---------------------------------------------------------------
# "ip:PORT" of every master but $1 (of all with "" as $1), one a line, with the port $2.
other_masters() {
  local master
  for master in $(master_names); do [ "$master" = "$1" ] || echo "$(node_ip "$master"):$2"; done
}
yaml_list() { echo "[$(sed 's/.*/"&"/' | paste -sd, | sed 's/,/, /g')]"; }
# Every master's bus, comma-separated: the workers' `bus.url` (they fail over between them).
bus_urls() { other_masters "" 4222 | sed 's#^#nats://#' | paste -sd,; }

etcd_member() {  # etcd_member MASTER: its etcd, in its namespace, with its data dir (kept across starts)
  local node=$1 ip initial
  ip=$(node_ip "$node")
  initial=$(for m in $(master_names); do echo "$m=http://$(node_ip "$m"):2380"; done | paste -sd,)
  mkdir -p "$DATA_DIR/$node/etcd"
  chmod 700 "$DATA_DIR/$node/etcd"
  ip netns exec "$node" etcd --name "$node" --data-dir "$DATA_DIR/$node/etcd" \
    --listen-client-urls "http://$ip:2379,http://127.0.0.1:2379" --advertise-client-urls "http://$ip:2379" \
    --listen-peer-urls "http://$ip:2380" --initial-advertise-peer-urls "http://$ip:2380" \
    --initial-cluster "$initial" --initial-cluster-token "$CLUSTER-etcd" --initial-cluster-state new \
    --heartbeat-interval 100 --election-timeout 500 >> "$DATA_DIR/$node-etcd.log" 2>&1 &
  remember etcd $!
  echo $! > "$DATA_DIR/$node.etcd-pid"
}
etcd_healthy() {  # etcd_healthy MASTER
  ip netns exec "$1" env ETCDCTL_API=3 etcdctl --endpoints "http://$(node_ip "$1"):2379" --command-timeout 2s endpoint health
}

write_ha_master_profile() {
  local node=$1 ip
  ip=$(node_ip "$node")
  mkdir -p "$DATA_DIR/$node"
  cat > "$DATA_DIR/$node/profile.yaml" <<EOF
# Written by scripts/cluster.sh: one of $MASTERS masters — the state in etcd, the bus a NATS
# cluster, the API on every master and at the VIP $VIP, and a kubelet tainted as kubeadm's are.
node: $node
cluster: $CLUSTER
roles: [control-plane]
bus: {embedded: true, host: $ip, port: 4222, cluster_port: 6222, routes: $(other_masters "$node" 6222 | yaml_list)}
plugins:
  - name: store-etcd
    config: {endpoints: $( (echo "$ip:2379"; other_masters "$node" 2379) | yaml_list), prefix: /skiff/$CLUSTER, request_timeout: 5s, lease_ttl: 3s}
  - name: apiserver
    config: {address: "0.0.0.0:6443", advertise_address: $ip, advertise_host: $VIP, extra_sans: [$VIP], service_cidr: $SERVICE_CIDR}
  - {name: scheduler-default}
  - name: controller-manager
    config: {cluster_cidr: $CLUSTER_CIDR, service_cidr: $SERVICE_CIDR}
  - {name: metrics}
  - {name: logging}
  - name: vip
    config: {address: $VIP/24, interface: eth0}
$(cloud_plugins "$node")
$(node_plugins "$node" "$ip" "node-role.kubernetes.io/control-plane:NoSchedule")
EOF
}

# The etcd members first (store-etcd refuses to start without its cluster), then the first
# master, the workers' bus users (minted there, so that the others get them too), then the other
# masters from the first one's secrets.
start_masters() {
  local first node
  first=$(first_master)
  for node in $(master_names); do etcd_member "$node"; done
  for node in $(master_names); do wait_for 60 "$node's etcd member healthy" etcd_healthy "$node"; done
  write_ha_master_profile "$first"
  start_node "$first"
  wait_for 30 "$first's bus" test -s "$DATA_DIR/$first/connection.yaml"
  wait_for 60 "$first's API (its CA and keys)" test -s "$DATA_DIR/$first/kubeconfig"
  for node in $(node_names | tail -n +$((MASTERS + 1))); do write_worker_profile "$node"; done
  for node in $(master_names | tail -n +2); do
    "$skiffd" join-secrets --from "$DATA_DIR/$first" --data-dir "$DATA_DIR/$node" >> "$DATA_DIR/$node.log" 2>&1 ||
      die "$node could not take $first's secrets; see $DATA_DIR/$node.log"
    write_ha_master_profile "$node"
    start_node "$node"
  done
}

# The machine dies: its etcd member, nats-server and skiffd at once with SIGKILL; the VIP leaves
# its eth0 (a dead machine's kernel answers no ARP for it either).
kill_master() {
  local node=$1 pids=()
  [ -f "$DATA_DIR/$node.pid" ] || die "no node $node is running under $DATA_DIR"
  touch "$DATA_DIR/$node.stopped"
  pids+=("$(cat "$DATA_DIR/$node.pid")")
  if [ -s "$DATA_DIR/$node/bus/nats.pid" ]; then pids+=("$(cat "$DATA_DIR/$node/bus/nats.pid")"); fi
  if [ -s "$DATA_DIR/$node.etcd-pid" ]; then pids+=("$(cat "$DATA_DIR/$node.etcd-pid")"); fi
  kill -KILL "${pids[@]}" 2>/dev/null || true
  for pid in "${pids[@]}"; do while kill -0 "$pid" 2>/dev/null; do sleep 0.1; done; done
  ip -n "$node" addr del "$VIP/24" dev eth0 2>/dev/null || true
}

# Each worker joins the bus as its own user (`skiffd node-credentials`, run on the master): it
# reaches only its own subjects, and the API as that node (Node authorizer).
write_worker_profile() {
  local node=$1 credentials urls=()
  mkdir -p "$DATA_DIR/$node"
  if ha; then urls=(--url "$(bus_urls)"); fi  # every master's bus: the worker fails over between them
  credentials=$("$skiffd" node-credentials "$node" --data-dir "$DATA_DIR/$(first_master)" "${urls[@]}") ||
    die "the master could not mint $node's bus credentials (see above)"
  cat > "$DATA_DIR/$node/profile.yaml" <<EOF
# Written by scripts/cluster.sh: a worker joining the master's bus with its own credentials.
node: $node
cluster: $CLUSTER
roles: [worker]
$credentials
plugins:
$(node_plugins "$node" "$(node_ip "$node")")
EOF
}

# Is the node's skiffd running (or being restarted on purpose)?
node_alive() {
  [ -e "$DATA_DIR/$1.restarting" ] || [ -e "$DATA_DIR/$1.stopped" ] || kill -0 "$(cat "$DATA_DIR/$1.pid")" 2>/dev/null
}

start_node() {
  local node=$1
  ip netns exec "$node" "$skiffd" --profile "$DATA_DIR/$node/profile.yaml" --data-dir "$DATA_DIR/$node" \
    >> "$DATA_DIR/$node.log" 2>&1 &
  remember pid $!
  remember node "$node"
  echo $! > "$DATA_DIR/$node.pid"
}

wait_for() {  # wait_for SECONDS what command…
  local deadline=$((SECONDS + $1)) what=$2
  shift 2
  until "$@" >/dev/null 2>&1; do
    [ $SECONDS -lt $deadline ] || die "$what did not happen within $1 s (logs: $DATA_DIR/*.log)"
    for pid_file in "$DATA_DIR"/*.pid; do
      [ -e "$pid_file" ] || continue  # no skiffd started yet (the etcd members come first)
      node_alive "$(basename "$pid_file" .pid)" || die "$(basename "$pid_file" .pid) stopped; its log: $DATA_DIR/$(basename "$pid_file" .pid).log"
    done
    sleep 0.2
  done
}

kubectl_bin() { command -v kubectl || echo "$PWD/build/tools/kubectl-1.20/usr/bin/kubectl"; }
k() { KUBECONFIG=$DATA_DIR/$(first_master)/kubeconfig "$(kubectl_bin)" "$@"; }
all_ready() {
  [ "$(k get nodes --no-headers 2>/dev/null | grep -c ' Ready')" -eq $((NODES + MASTERS)) ] || return 1
  # With a cloud provider, a node takes pods once the cloud-controller-manager initialised it.
  ! k get nodes -o jsonpath='{.items[*].spec.taints[*].key}' | grep -q node.cloudprovider.kubernetes.io/uninitialized
}

up() {
  check_machine
  mkdir -p "$DATA_DIR"
  down  # what an earlier run left
  trap 'say "stopping the cluster"; down; exit 0' INT TERM
  trap 'status=$?; if [ $status -ne 0 ]; then echo "cluster: start failed; removing what was made" >&2; down; fi' EXIT
  rm -f "$DATA_DIR"/*.log "$DATA_DIR"/*.pid
  say "$MASTERS master(s) and $NODES workers on $RUNTIME in network namespaces on bridge $BRIDGE ($LAN.0/24; data in $DATA_DIR)"
  make_lan
  for node in $(node_names); do make_netns "$node" "$(node_ip "$node")"; done
  if [ "$RUNTIME" = containerd ]; then
    for node in $(node_names); do start_containerd "$node"; done
  fi
  if ha; then
    start_masters
  else
    write_master_profile
    start_node "$CLUSTER-master"
    wait_for 30 "the master's bus" test -s "$DATA_DIR/$CLUSTER-master/connection.yaml"
  fi
  for node in $(node_names | tail -n +$((MASTERS + 1))); do
    ha || write_worker_profile "$node"
    start_node "$node"
  done
  wait_for 60 "the API" test -s "$DATA_DIR/$(first_master)/kubeconfig"
  wait_for 120 "all $((NODES + MASTERS)) nodes Ready (and initialised by the cloud provider)" all_ready
  cp "$DATA_DIR/$(first_master)/kubeconfig" "$DATA_DIR/kubeconfig"
  chmod 600 "$DATA_DIR/kubeconfig"
  trap - EXIT
  k get nodes -o wide
  say "ready. In another terminal:"
  echo "  export KUBECONFIG=$DATA_DIR/kubeconfig"
  echo "  kubectl get nodes -o wide; kubectl get pods -A -o wide"
  echo "Ctrl-C here (or make cluster-down) removes the cluster: namespaces, links, rules, containers."
  trap 'say "stopping the cluster"; down; exit 0' INT TERM
  while true; do
    for pid_file in "$DATA_DIR"/*.pid; do
      node=$(basename "$pid_file" .pid)
      node_alive "$node" || { echo "cluster: $node stopped (log: $DATA_DIR/$node.log)" >&2; down; exit 1; }
    done
    sleep 1 &
    wait $! || true
  done
}

# SIGTERM (or SIGKILL with a second argument KILL) to one node's skiffd, and wait for it to end
# (its pods keep running, as on a node whose agent stopped); the cluster goes on without it.
stop_node() {
  local node=${1:?usage: $0 stop NODE} signal=${2:-TERM} pid
  [ -f "$DATA_DIR/$node.pid" ] || die "no node $node is running under $DATA_DIR"
  touch "$DATA_DIR/$node.stopped"
  pid=$(cat "$DATA_DIR/$node.pid")
  kill -"$signal" "$pid" 2>/dev/null || true
  while kill -0 "$pid" 2>/dev/null; do sleep 0.1; done
}

# A stopped node's skiffd again, in its namespace (still there), until it reports ready.
start_stopped_node() {
  local node=${1:?usage: $0 start NODE} seen
  [ -e "$DATA_DIR/$node.stopped" ] || die "node $node was not stopped with \`$0 stop $node\`"
  [ -e "/run/netns/$node" ] || die "node $node's namespace is gone (removed); it cannot start again"
  seen=$(wc -l < "$DATA_DIR/$node.log")
  # A master of several: its etcd member first (it rejoins with its data dir and catches up).
  if ha && is_master "$node" && ! kill -0 "$(cat "$DATA_DIR/$node.etcd-pid" 2>/dev/null)" 2>/dev/null; then
    etcd_member "$node"
  fi
  start_node "$node"
  # Only now: until the new pid is written, `up`'s watch would take the old one for a crash.
  rm -f "$DATA_DIR/$node.stopped"
  started_again() { tail -n +$((seen + 1)) "$DATA_DIR/$node.log" | grep -q "node $node ready"; }
  wait_for 30 "$node to start again" started_again
}

# The machine goes for good, as a cloud instance deleted: its skiffd killed (no clean stop to
# announce, which would make it a machine shut down), its pods' containers removed, its network
# namespace deleted. Its Node stays until the cloud-controller-manager finds the instance gone.
remove_node() {
  local node=${1:?usage: $0 remove NODE} ids
  ! is_master "$node" || die "$node is a master; \`$0 kill $node\` stops it (a master is not removed)"
  stop_node "$node" KILL
  ids=$($docker ps -aq --filter "label=io.skiff.node=$node" 2>/dev/null || true)
  [ -z "$ids" ] || echo "$ids" | xargs "$docker" rm -f >/dev/null 2>&1 || true
  # Its own containerd (RUNTIME=containerd) goes with the machine; down then finds nothing left.
  if grep -qx "containerd $node" "$state" 2>/dev/null; then node_containerd "$node" scripts/containerd.sh purge || true; fi
  ip netns delete "$node" 2>/dev/null || true
}

restart() {
  local node=${1:?usage: $0 restart NODE}
  touch "$DATA_DIR/$node.restarting"
  stop_node "$node"
  rm -f "$DATA_DIR/$node.stopped"
  local seen
  seen=$(wc -l < "$DATA_DIR/$node.log")
  start_node "$node"
  rm -f "$DATA_DIR/$node.restarting"
  started_again() { tail -n +$((seen + 1)) "$DATA_DIR/$node.log" | grep -q "node $node ready"; }
  wait_for 30 "$node to start again" started_again
}

case ${1:-up} in
  up) up ;;
  down) down; say "cluster under $DATA_DIR removed" ;;
  restart) restart "${2:-}" ;;
  stop) stop_node "${2:-}" ;;
  kill)  # a crash: no clean stop; `start` brings it back
    if ha && is_master "${2:?usage: $0 kill NODE}"; then kill_master "$2"; else stop_node "$2" KILL; fi ;;
  start) start_stopped_node "${2:-}" ;;
  remove) remove_node "${2:-}" ;;
  env) [ -s "$DATA_DIR/kubeconfig" ] && echo "export KUBECONFIG=$DATA_DIR/kubeconfig" || die "no cluster is up under $DATA_DIR" ;;
  *) echo "usage: $0 [up|down|env|restart|stop|kill|start|remove] [NODE]" >&2; exit 2 ;;
esac
