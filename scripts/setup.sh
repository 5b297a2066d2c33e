#!/usr/bin/env bash
# Installs what imcb needs from Debian's packages (only what is missing), then configures and
# builds into build/ (or $IMCB_BUILD_DIR). Extra arguments go to CMake's configure step.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${IMCB_BUILD_DIR:-$root/build}

packages=(g++ cmake ninja-build pkg-config libssl-dev libcpp-httplib-dev nlohmann-json3-dev
          libgtest-dev libbenchmark-dev prometheus-cpp-dev curl openssl ca-certificates
          dpkg-dev file systemd)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "imcb setup: installing ${missing[*]}"
  if [[ $(id -u) -ne 0 ]]; then
    if command -v sudo >/dev/null; then sudo=sudo; else
      echo "imcb setup: run as root, or install first: apt-get install -y ${missing[*]}" >&2; exit 1
    fi
  fi
  ${sudo:-} apt-get update -qq
  DEBIAN_FRONTEND=noninteractive ${sudo:-} apt-get install -y -qq "${missing[@]}" >/dev/null
fi

cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE="${IMCB_BUILD_TYPE:-RelWithDebInfo}" "$@" >/dev/null
cmake --build "$build" --parallel "$(nproc)"
