#!/usr/bin/env bash
# Builds cmake targets with one line of output: what is built and where the full log is; on a
# failure, the compiler's errors from that log.
# usage: scripts/build-quiet.sh NAME "WHAT IS BUILT" TARGET…   (the log: $BUILD_DIR/build-NAME.log)
set -euo pipefail
cd "$(dirname "$0")/.."
name=$1 what=$2
shift 2
build_dir=${BUILD_DIR:-build}
jobs=${JOBS:-$(nproc)}
mkdir -p "$build_dir"
log=$build_dir/build-$name.log
printf '\033[1m==> building %s (log: %s)\033[0m\n' "$what" "$log"
started=$SECONDS
if ! { [ -f "$build_dir/CMakeCache.txt" ] || cmake --preset dev; } >"$log" 2>&1 ||
   ! cmake --build "$build_dir" -j"$jobs" --target "$@" >>"$log" 2>&1; then
  echo "skiff: the build failed; its errors (all of it in $log):" >&2
  grep -E -A3 'error|Error|CMake Error' "$log" | head -60 >&2
  exit 1
fi
echo "    built in $((SECONDS - started)) s"
