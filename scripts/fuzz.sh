#!/usr/bin/env bash
# libFuzzer targets of tests/fuzz (see docs/reliability.md): installs what is missing (Debian's
# clang-14 and libFuzzer), builds the SDK and the targets into build-fuzz/ (or
# $IMCB_FUZZ_BUILD_DIR) with -fsanitize=fuzzer-no-link,address,undefined, writes the seed corpus
# from tests/fixtures, then runs each target for a bounded time. A crash, leak, timeout or
# failed check fails the script; the input is kept in build-fuzz/fuzz/artifacts/.
#
#   scripts/fuzz.sh [--time SECONDS] [TARGET...]    targets: head query request event (default all)
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${IMCB_FUZZ_BUILD_DIR:-$root/build-fuzz}
seconds=${IMCB_FUZZ_SECONDS:-30}
all_targets=(head query request event)
targets=()
while (($#)); do
  case $1 in
    --time) [[ ${2:-} =~ ^[0-9]+$ ]] || { echo "usage: $0 [--time SECONDS] [TARGET...]" >&2; exit 2; }
            seconds=$2; shift 2 ;;
    head|query|request|event) targets+=("$1"); shift ;;
    *) echo "usage: $0 [--time SECONDS] [TARGET...] (targets: ${all_targets[*]})" >&2; exit 2 ;;
  esac
done
((${#targets[@]})) || targets=("${all_targets[@]}")

packages=(clang-14 libclang-rt-14-dev libfuzzer-14-dev cmake ninja-build pkg-config libssl-dev
          libcpp-httplib-dev nlohmann-json3-dev openssl)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "imcb fuzz: installing ${missing[*]}"
  if [[ $(id -u) -ne 0 ]]; then
    if command -v sudo >/dev/null; then sudo=sudo; else
      echo "imcb fuzz: run as root, or install first: apt-get install -y ${missing[*]}" >&2; exit 1
    fi
  fi
  ${sudo:-} apt-get update -qq
  DEBIAN_FRONTEND=noninteractive ${sudo:-} apt-get install -y -qq "${missing[@]}" >/dev/null
fi

# -O1 with line tables and without NDEBUG: assertions (nlohmann's included) stay on.
CC=clang-14 CXX=clang++-14 cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -gline-tables-only" -DIMCB_BUILD_FUZZERS=ON \
  -DIMCB_BUILD_TESTS=OFF -DIMCB_BUILD_SAMPLE=OFF -DIMCB_WARNINGS_AS_ERRORS=ON >/dev/null
cmake --build "$build" --target imcb_fuzzers --parallel "$(nproc)"

work=$build/fuzz
rm -rf "$work/seeds"
"$build/tests/fuzz/imcb-fuzz-seeds" "$root/tests/fixtures" "$work/seeds"
mkdir -p "$work/artifacts"

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:symbolize=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}
failed=()
for t in "${targets[@]}"; do
  dict=$root/tests/fuzz/http.dict
  [[ $t == event ]] && dict=$root/tests/fuzz/json.dict
  mkdir -p "$work/corpus/$t"
  log=$work/$t.log
  echo "imcb fuzz: $t for ${seconds} s (log: $log)"
  # The first directory collects new inputs (kept between runs); the seeds are only read.
  if "$build/tests/fuzz/imcb_fuzz_$t" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
       -max_len=16384 -dict="$dict" -print_final_stats=1 -artifact_prefix="$work/artifacts/$t-" \
       "$work/corpus/$t" "$work/seeds/$t" >"$log" 2>&1; then
    grep '^Done' "$log" || true
  else
    echo "imcb fuzz: $t FAILED; the end of its log:" >&2
    tail -n 60 "$log" >&2
    failed+=("$t")
  fi
done
if ((${#failed[@]})); then
  echo "imcb fuzz: failing targets: ${failed[*]}; inputs in $work/artifacts/ (see docs/reliability.md)" >&2
  exit 1
fi
echo "imcb fuzz: ${targets[*]}: no crash in ${seconds} s each"
