#!/usr/bin/env bash
# From a fresh Debian 12 machine: install, build, and run every test (unit and integration,
# over real TLS on 127.0.0.1). With --sanitize LIST (e.g. address,undefined or thread), builds
# into build-sanitize/ with those sanitizers instead.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
args=(-DIMCB_WARNINGS_AS_ERRORS=ON)
ctest_args=()
if [[ ${1:-} == --sanitize ]]; then
  [[ -n ${2:-} ]] || { echo "usage: $0 [--sanitize address,undefined|thread]" >&2; exit 2; }
  export IMCB_BUILD_DIR=${IMCB_BUILD_DIR:-$root/build-${2//,/-}}
  args+=("-DIMCB_SANITIZE=${2//,/;}")
  export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1} UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}
  # The package tests build and install imcb again without sanitizers: the plain run has them.
  ctest_args=(-LE package)
  export TSAN_OPTIONS=${TSAN_OPTIONS:-halt_on_error=1 second_deadlock_stack=1 suppressions=$root/tests/tsan.supp}
fi
build=${IMCB_BUILD_DIR:-$root/build}

"$root/scripts/setup.sh" "${args[@]}"
ctest --test-dir "$build" --output-on-failure --timeout 300 -j2 "${ctest_args[@]}"
