#!/usr/bin/env bash
# `make up`: run an all-in-one Skiff node in the foreground (Ctrl-C stops it cleanly).
set -euo pipefail
cd "$(dirname "$0")/.."
DATA_DIR=${DATA_DIR:-$PWD/.skiff}
skiffd=build/bin/skiffd

cat <<INFO
skiff: starting an all-in-one node
  profile   allinone (print it: $skiffd profile allinone)
  data dir  $DATA_DIR
  bus       embedded nats-server on 127.0.0.1, secret in $DATA_DIR/connection.yaml
In another terminal:
  export KUBECONFIG=$DATA_DIR/kubeconfig   # written once the API is up
  kubectl get nodes,pods -A
  $skiffd status --data-dir $DATA_DIR     # plugins, state, health
  $skiffd plugins                          # what is built, with manifests
Ctrl-C stops the node (plugins in reverse order, then the bus).
INFO
exec "$skiffd" --profile allinone --data-dir "$DATA_DIR"
