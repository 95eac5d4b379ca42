#!/usr/bin/env bash
# Installs the Debian packages one entry point needs; does nothing (fast) when all are present.
# usage: scripts/deps.sh build|test|up|bench
set -euo pipefail

build_packages=(cmake g++ make pkg-config ccache git libboost1.81-dev libboost-json1.81-dev
  libnats-dev protobuf-compiler libprotobuf-dev libspdlog-dev libyaml-cpp-dev liblmdb-dev libssl-dev zlib1g-dev
  libgrpc++-dev protobuf-compiler-grpc libmnl-dev libnftables-dev libnftnl-dev libnetfilter-conntrack-dev libknot-dev
  libarchive-dev nodejs npm)
test_packages=(nats-server etcd-server etcd-client libgtest-dev libgmock-dev openssl python3-kubernetes docker.io containerd busybox-static
  containernetworking-plugins iproute2 iptables nftables conntrack wrk curl knot-dnsutils runc skopeo docker-registry
  prometheus chromium fonts-dejavu-core)
bench_packages=(libbenchmark-dev etcd-server wrk hey curl iperf3 haproxy iptables dnsperf dnsmasq-base unbound nginx-light)
up_packages=(nats-server docker.io containerd runc busybox-static containernetworking-plugins iproute2 iptables nftables)

case "${1:-build}" in
  build) wanted=("${build_packages[@]}") ;;
  test) wanted=("${build_packages[@]}" "${test_packages[@]}") ;;
  bench) wanted=("${build_packages[@]}" "${test_packages[@]}" "${bench_packages[@]}") ;;
  up) wanted=("${build_packages[@]}" "${up_packages[@]}") ;;
  *) echo "usage: $0 build|test|up|bench" >&2; exit 2 ;;
esac

# Node may come from elsewhere (NodeSource's nodejs bundles npm and conflicts with Debian's):
# a node or npm on the PATH will do.
provided_by_command() {
  case "$1" in
    nodejs) command -v node >/dev/null ;;
    npm) command -v npm >/dev/null ;;
    *) return 1 ;;
  esac
}

missing=()
for package in "${wanted[@]}"; do
  dpkg-query -W -f='${db:Status-Status}' "$package" 2>/dev/null | grep -q '^installed$' || provided_by_command "$package" ||
    missing+=("$package")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "skiff: installing missing packages: ${missing[*]}"
if [ "$(id -u)" -eq 0 ]; then
  apt_get=(apt-get)
elif command -v sudo >/dev/null; then
  apt_get=(sudo apt-get)
else
  echo "skiff: run as root or install them yourself: apt-get install ${missing[*]}" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
"${apt_get[@]}" update -qq
"${apt_get[@]}" install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
