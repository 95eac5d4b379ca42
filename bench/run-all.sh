#!/usr/bin/env bash
# `make bench`: runs every benchmark in bench/ against the given build dir.
set -euo pipefail
build=${1:-build}
for bench in bus_bench kernel_start_bench store_bench api_bench ha_bench scheduler_bench packing_bench controller_bench kubelet_bench kubelet_containerd_bench kubelet_runc_bench network_bench cloud_bench volume_bench \
  hollow_nodes_bench metrics_bench logging_bench dashboard_bench proxy_bench dns_bench ingress_bench; do
  echo "== $bench"
  "$build/bench/$bench"
  echo
done
