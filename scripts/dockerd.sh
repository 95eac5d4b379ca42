#!/usr/bin/env bash
# Makes sure a Docker daemon answers on /var/run/docker.sock: starts dockerd (as root) when
# none is running and says so. `make test` and `make up` call it; it does nothing when one is up.
set -euo pipefail
docker=${DOCKER:-/usr/bin/docker}
socket=/var/run/docker.sock
log=${DOCKERD_LOG:-/var/log/skiff-dockerd.log}

if "$docker" -H "unix://$socket" version >/dev/null 2>&1; then exit 0; fi
if [ "$(id -u)" -ne 0 ]; then
  echo "skiff: no Docker daemon answers on $socket; start one (sudo systemctl start docker) or run as root" >&2
  exit 1
fi
if pgrep -x dockerd >/dev/null; then
  echo "skiff: dockerd is running but $socket does not answer yet; waiting"
else
  echo "skiff: no Docker daemon was running; starting dockerd (log: $log)"
  # setsid: the daemon outlives this make target and its Ctrl-C. Descriptors above stderr are
  # closed first: an inherited one may hold a lock (the flock(1) our caller ran under) that the
  # daemon would otherwise keep for its whole life.
  setsid bash -c 'for fd in $(ls /proc/$$/fd); do [ "$fd" -gt 2 ] && eval "exec $fd>&-"; done; exec dockerd' \
    >"$log" 2>&1 < /dev/null &
fi
for _ in $(seq 1 300); do
  "$docker" -H "unix://$socket" version >/dev/null 2>&1 && exit 0
  sleep 0.1
done
echo "skiff: dockerd did not answer on $socket within 30 s; see $log" >&2
tail -n 20 "$log" >&2 || true
exit 1
