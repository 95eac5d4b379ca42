#!/usr/bin/env bash
# `make up`: an all-in-one Skiff node (control plane + kubelet on Docker) in the foreground,
# with the bundled example deployed. Ctrl-C stops everything: the node, then the pods'
# containers (the objects stay in the data dir; the next `make up` starts them again).
set -euo pipefail
cd "$(dirname "$0")/.."
DATA_DIR=${DATA_DIR:-$PWD/.skiff}
skiffd=build/bin/skiffd
example=examples/hello.yaml
kubeconfig=$DATA_DIR/kubeconfig

say() { printf '\033[1m==> %s\033[0m\n' "$*" || true; }
# Output may go to a pipe (`make up | tee log`) that Ctrl-C closes first: a write there fails
# instead of killing this script before it has stopped the node and removed the containers.
trap '' PIPE

# The machine's kubectl if it has one, else Debian's (unpacked privately: it clashes with others).
if command -v kubectl >/dev/null; then
  kubectl=$(command -v kubectl)
else
  scripts/kubectl-1.20.sh build/tools/kubectl-1.20
  kubectl=$PWD/build/tools/kubectl-1.20/usr/bin/kubectl
fi
k() { KUBECONFIG=$kubeconfig "$kubectl" "$@"; }

node_log=$DATA_DIR/skiffd.log
mkdir -p "$DATA_DIR"
say "starting an all-in-one node: profile allinone, data in $DATA_DIR (log: $node_log)"
rm -f "$kubeconfig"
# The DNS addon answers names outside the cluster SERVFAIL: nothing a demo asks leaves the machine.
SKIFF_DNS_UPSTREAMS=${SKIFF_DNS_UPSTREAMS:-[]} "$skiffd" --profile allinone --data-dir "$DATA_DIR" >"$node_log" 2>&1 &
node_pid=$!
node_name=""
stop() {
  # Ctrl-C also ends a `make up | tee log`: writing to the closed pipe must not end the cleanup.
  trap '' PIPE INT TERM
  set +e
  say "stopping the node (plugins in reverse order, then the bus)" 2>/dev/null
  kill -INT "$node_pid" 2>/dev/null || true
  wait "$node_pid" 2>/dev/null || true
  if [ -n "$node_name" ]; then
    ids=$("${DOCKER:-/usr/bin/docker}" ps -aq --filter "label=io.skiff.node=$node_name")
    if [ -n "$ids" ]; then
      say "removing the $(echo "$ids" | wc -l) containers of node $node_name's pods (the Deployment stays in $DATA_DIR)" 2>/dev/null
      echo "$ids" | xargs "${DOCKER:-/usr/bin/docker}" rm -f >/dev/null
    fi
  fi
  exit 0
}
trap stop INT TERM

wait_for() {  # wait_for SECONDS what command…
  local deadline=$((SECONDS + $1)) what=$2
  shift 2
  until "$@" >/dev/null 2>&1; do
    if ! kill -0 "$node_pid" 2>/dev/null; then
      echo "skiff: the node stopped while waiting for $what; the end of its log ($node_log):" >&2
      tail -n 20 "$node_log" >&2
      exit 1
    fi
    [ $SECONDS -lt $deadline ] || { echo "skiff: $what did not happen within $1 s; see $node_log" >&2; stop; }
    sleep 0.2
  done
}

wait_for 30 "the API (kubeconfig $kubeconfig)" test -s "$kubeconfig"
wait_for 30 "the node to be Ready" k wait node --all --for=condition=Ready --timeout=1s
node_name=$(k get nodes -o jsonpath='{.items[0].metadata.name}')
say "node Ready; deploying the example ($example)"
k apply -f "$example"
wait_for 120 "the example's 3 pods to be Ready" k rollout status deployment/hello --timeout=1s
k get pods -o wide
ip=$(k get pods -l app=hello -o jsonpath='{.items[0].status.podIP}')
if command -v curl >/dev/null && [ -n "$ip" ]; then
  say "the example answers on its pod IP: curl http://$ip:8080/ → $(curl -s --max-time 2 "http://$ip:8080/" || echo '(no answer)')"
  cluster_ip=$(k get service hello -o jsonpath='{.spec.clusterIP}')
  # The proxy programs the Service a moment after its endpoints are ready.
  wait_for 30 "the Service hello to answer" curl -s --max-time 1 -o /dev/null "http://$cluster_ip/"
  say "and on its Service: curl http://$cluster_ip/ → $(curl -s --max-time 2 "http://$cluster_ip/" || echo '(no answer)'),"\
" NodePort curl http://127.0.0.1:30080/ → $(curl -s --max-time 2 http://127.0.0.1:30080/ || echo '(no answer)')"
  # The ingress addon serves port 80 unless something else holds it (its health then says so).
  ingress_answer() { curl -s --max-time 1 -H 'Host: hello.local' http://127.0.0.1/; }
  for _ in $(seq 1 50); do ingress_answer >/dev/null && break; sleep 0.2; done
  say "and through the Ingress: curl -H 'Host: hello.local' http://127.0.0.1/ → $(ingress_answer ||
    echo "(no answer: see the ingress plugin's health in \`$skiffd status --data-dir $DATA_DIR\`)")"
fi
# Cluster DNS, from a pod: the name through the pod's search list (the dns addon on this node).
pod=$(k get pods -l app=hello -o jsonpath='{.items[0].metadata.name}')
if [ -n "$pod" ]; then
  wait_for 30 "the cluster DNS to answer" k exec "$pod" -- nslookup hello.default.svc.cluster.local
  say "and by name: kubectl exec $pod -- ping -c1 hello → $(k exec "$pod" -- ping -c1 -W1 hello 2>/dev/null | head -1 | sed -n 's/.*(\(.*\)).*/\1/p')"
fi
cat <<INFO
$(say "ready. In another terminal:")
  export KUBECONFIG=$kubeconfig
  kubectl get nodes,pods -o wide
  kubectl logs deploy/hello -f              # httpd's access log
  kubectl exec deploy/hello -- ls /www
  kubectl exec deploy/hello -- nslookup kubernetes.default.svc.cluster.local   # cluster DNS
  kubectl scale deploy/hello --replicas=5
  docker ps --filter label=io.skiff.node=$node_name   # the pods' containers
  $skiffd status --data-dir $DATA_DIR        # plugins, state, health
  tail -f $node_log                         # the node's log
Ctrl-C here stops the node and removes its pods' containers.
INFO
# Ctrl-C runs stop() from the trap; a node that ends cleanly without it (a signal to skiffd
# alone, or a Ctrl-C this shell was started ignoring) takes its pods' containers along too. A
# crashed node leaves them running: its kubelet adopts them at the next start.
if wait "$node_pid"; then
  stop
fi
echo "skiff: the node stopped on its own; the end of its log ($node_log):" >&2
tail -n 20 "$node_log" >&2
exit 1
