#!/usr/bin/env bash
# Runs clang-tidy (Debian's clang-tidy-14, installed if missing) with .clang-tidy's checks over the
# SDK's sources, using build/compile_commands.json (configured here if missing). Fails on a finding.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${IMCB_BUILD_DIR:-$root/build}
if ! command -v clang-tidy-14 >/dev/null; then
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq clang-tidy-14 >/dev/null
fi
if [[ ! -f $build/compile_commands.json ]]; then
  "$root/scripts/setup.sh" -DCMAKE_EXPORT_COMPILE_COMMANDS=ON
fi
status=0
for f in "$root"/sdk/src/*.cpp "$root"/tools/*.cpp "$root"/sample-server/*.cpp; do
  # GCC's default is C++17, which CMake does not spell out; clang's is not.
  clang-tidy-14 -p "$build" --quiet --extra-arg=-std=c++17 "$f" 2>/dev/null || status=1
done
exit $status
