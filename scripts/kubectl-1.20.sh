#!/usr/bin/env bash
# Unpacks Debian's kubectl 1.20 (package kubernetes-client) into a private prefix, for the
# compatibility tests: installing it would clash with the machine's /usr/bin/kubectl.
# usage: scripts/kubectl-1.20.sh DIR   → DIR/usr/bin/kubectl
set -euo pipefail
dir=${1:?usage: $0 DIR}
[ -x "$dir/usr/bin/kubectl" ] && exit 0
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$work" && apt-get download kubernetes-client >/dev/null 2>&1) || {
  [ "$(id -u)" -eq 0 ] && apt-get update -qq && (cd "$work" && apt-get download kubernetes-client >/dev/null)
}
mkdir -p "$dir"
dpkg -x "$work"/kubernetes-client_*.deb "$dir"
"$dir/usr/bin/kubectl" version --client >/dev/null
