#!/usr/bin/env bash
# Builds tests/package/consumer (the README quickstart and a smoke receiver) against imcb as a
# user would, runs both, and checks what each way of consuming promises.
#   consumer_test.sh install   BUILD_DIR SOURCE_DIR CERTS_DIR  cmake --install BUILD_DIR into a
#                              temporary prefix; find_package(imcb) and pkg-config consumers
#   consumer_test.sh subdir    BUILD_DIR SOURCE_DIR CERTS_DIR  add_subdirectory(imcb) with
#                              BUILD_SHARED_LIBS=ON: SONAME, hidden internals, the shared library
set -euo pipefail

mode=$1
build=$(cd "$2" && pwd) src=$(cd "$3" && pwd) certs=$(cd "$4" && pwd)
# shellcheck source=tests/package/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

jobs=$(nproc)
cmake_consumer() {  # BINARY_DIR extra cmake args...
  local bin=$1; shift
  cmake -S "$src/tests/package/consumer" -B "$bin" -G Ninja -DCMAKE_BUILD_TYPE=Release \
    -DQUICKSTART="$src/sample-server/quickstart.cpp" "$@" >"$work/configure.log" 2>&1 ||
    { cat "$work/configure.log"; fail "the consumer project does not configure"; }
  cmake --build "$bin" --parallel "$jobs" >"$work/build.log" 2>&1 ||
    { cat "$work/build.log"; fail "the consumer project does not build"; }
}

# The quickstart as the README shows it: with no certificates at its /etc/imcb paths it must
# stop with a ConfigError naming the first missing file (and not crash or serve).
run_quickstart() {  # EXECUTABLE
  local rc=0
  "$1" >"$work/quickstart.out" 2>&1 || rc=$?
  [[ $rc -eq 1 ]] || { cat "$work/quickstart.out"; fail "the quickstart exited $rc, expected 1"; }
  grep -q "/etc/imcb/www.example.com.crt" "$work/quickstart.out" ||
    { cat "$work/quickstart.out"; fail "the quickstart's error does not name its certificate file"; }
  echo "quickstart: $(head -c 300 "$work/quickstart.out")"
}

# The smoke receiver serves one real mutual-TLS callback sent by curl.
run_smoke() {  # EXECUTABLE
  local out=$work/smoke.out
  "$1" "$certs" >"$out" 2>&1 &
  server_pid=$!
  wait_for_line '^port [0-9]+$' "$out"
  local port
  port=$(sed -n 's/^port \([0-9]*\)$/\1/p' "$out")
  [[ -n $port ]] || { cat "$out"; fail "consumer-smoke did not start"; }
  local url="https://localhost:$port/imcallback?SdkAppid=1400000000&CallbackCommand=State.StateChange&contenttype=json&ClientIP=127.0.0.1&OptPlatform=RESTAPI"
  local reply
  reply=$(curl -sS --max-time 30 --cert "$certs/vendor-client.crt" --key "$certs/vendor-client.key" \
    --cacert "$certs/public-ca.crt" --data-binary @"$src/tests/fixtures/State.StateChange.json" "$url")
  [[ $reply == *'"ActionStatus":"OK"'* ]] || fail "the callback got $reply"
  local rc=0
  wait "$server_pid" || rc=$?
  server_pid=
  [[ $rc -eq 0 ]] || { cat "$out"; fail "consumer-smoke exited $rc"; }
  grep -q "handled State.StateChange of .* from im-callback.vendor.dev" "$out" || { cat "$out"; fail "no handled line"; }
  echo "smoke: $(tail -n1 "$out")"
}

case $mode in
install)
  prefix=$work/prefix
  cmake --install "$build" --prefix "$prefix" >"$work/install.log" ||
    { cat "$work/install.log"; fail "cmake --install failed"; }
  for f in include/imcb/imcb.h include/imcb/export.h bin/imcb-server bin/imcb-catalogue; do
    [[ -e $prefix/$f ]] || fail "not installed: $f"
  done
  cfg=$(find "$prefix" -name imcbConfig.cmake) pc=$(find "$prefix" -name imcb.pc)
  [[ -n $cfg && -e $(dirname "$cfg")/imcbConfigVersion.cmake && -e $(dirname "$cfg")/imcbTargets.cmake ]] ||
    fail "the CMake package files are not installed"
  [[ -n $pc ]] || fail "imcb.pc is not installed"
  # Nothing internal leaks into the installed headers.
  grep -rl '#include "\(transport\|pipeline\|tls_context\|openssl_ptr\)\.h"\|<openssl/' "$prefix/include" &&
    fail "an installed header includes an internal or OpenSSL header"

  cmake_consumer "$work/consumer" -DIMCB_CONSUME=find_package -DCMAKE_PREFIX_PATH="$prefix"
  run_quickstart "$work/consumer/my-callbacks"
  run_smoke "$work/consumer/consumer-smoke"

  # A version that is not compatible is refused by find_package.
  echo 'cmake_minimum_required(VERSION 3.22)
project(v LANGUAGES CXX)
find_package(imcb 99 CONFIG REQUIRED)' >"$work/CMakeLists.txt"
  if cmake -S "$work" -B "$work/v" -DCMAKE_PREFIX_PATH="$prefix" >"$work/v.log" 2>&1; then
    fail "find_package(imcb 99) succeeded against $(grep -o 'set(PACKAGE_VERSION "[^"]*")' "$(dirname "$cfg")/imcbConfigVersion.cmake")"
  fi

  # pkg-config: the same smoke program, built without CMake.
  export PKG_CONFIG_PATH=$(dirname "$pc")
  flags=$(pkg-config --cflags --libs --static imcb) || fail "pkg-config cannot resolve imcb"
  # shellcheck disable=SC2086
  g++ -std=c++17 -O1 "$src/tests/package/consumer/smoke.cpp" -o "$work/smoke-pc" $flags ||
    fail "the pkg-config build failed with: $flags"
  run_smoke "$work/smoke-pc"
  ;;
subdir)
  # pkg-config sees no module at all (cpp-httplib included): the SDK's build must not need one.
  PKG_CONFIG_LIBDIR=$work/no-pkgconfig PKG_CONFIG_PATH= \
    cmake_consumer "$work/consumer" -DIMCB_CONSUME=add_subdirectory -DIMCB_SOURCE_DIR="$src" -DBUILD_SHARED_LIBS=ON
  ! grep -qi httplib "$work/consumer/build.ninja" || fail "the SDK's build refers to cpp-httplib"
  lib=$(find "$work/consumer/imcb" -name 'libimcb.so.*.*.*' | head -n1)
  [[ -n $lib ]] || fail "BUILD_SHARED_LIBS=ON built no libimcb.so"
  soname=$(readelf -d "$lib" | sed -n 's/.*(SONAME).*\[\(.*\)\]/\1/p')
  version=$(sed -n 's/#define IMCB_VERSION_\(MAJOR\|MINOR\) \([0-9]*\)/\2/p' "$src/sdk/include/imcb/version.h" | paste -sd.)
  [[ $soname == libimcb.so.${version%%.*}* ]] || fail "SONAME $soname does not carry the version $version"
  [[ ${version%%.*} != 0 || $soname == "libimcb.so.$version" ]] || fail "a 0.x SONAME must be libimcb.so.$version, not $soname"
  readelf -d "$work/consumer/consumer-smoke" | grep -q "NEEDED.*\[$soname\]" ||
    fail "consumer-smoke is not linked against $soname"
  # Exported: the public API only. Nothing of the socket layer, the pipeline or the TLS code.
  # (Template instantiations over standard types only, e.g. std::map<std::string, std::string>,
  # keep libstdc++'s default visibility; they are weak and not counted as foreign.)
  nm -D -C --defined-only "$lib" | cut -d' ' -f3- >"$work/exports"
  nm -D -C --defined-only "$lib" | awk '$2 ~ /^[TDBR]$/' | cut -d' ' -f3- >"$work/strong"
  echo "exported symbols: $(wc -l <"$work/exports")"
  internal=$(grep -E 'imcb::detail::(Transport|Connection|Pipeline|HttpEngine|Journal|Deliverer|TrustSnapshot|FileWatcher|AdminServer|MetricsRegistry|DedupStore|SourceFilter|http1::|check_query|compute_sign|sign_matches|make_trust_snapshot)' "$work/exports" | head -n5 || true)
  [[ -z $internal ]] || fail "internal symbols are exported: $internal"
  foreign=$(grep -vE '^(imcb::|typeinfo for imcb::|typeinfo name for imcb::|vtable for imcb::|_init$|_fini$|_edata$|_end$|__bss_start$)' "$work/strong" | head -n5 || true)
  [[ -z $foreign ]] || fail "symbols outside imcb:: are exported: $foreign"
  for sym in 'imcb::Receiver::start()' 'imcb::Receiver::run_until_signal()' 'imcb::check_tls(' 'imcb::load_config_file(' 'typeinfo for imcb::ConfigError'; do
    grep -qF "$sym" "$work/exports" || fail "public symbol not exported: $sym"
  done
  run_quickstart "$work/consumer/my-callbacks"
  run_smoke "$work/consumer/consumer-smoke"
  ;;
*) fail "unknown mode $mode" ;;
esac
echo "consumer test $mode: ok"
