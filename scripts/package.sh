#!/usr/bin/env bash
# Builds the Debian packages: imcb-server (the sample server as a systemd service) and
# libimcb-dev (library, headers, CMake and pkg-config files). Installs what it needs from
# Debian's packages, builds a Release tree for /usr into build-deb/ (or --build-dir DIR), and
# leaves the .deb files there. Install with: apt-get install ./build-deb/imcb-server_*.deb
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=$root/build-deb
while (($#)); do
  case $1 in
  --build-dir) build=$(realpath -m "$2"); shift 2 ;;
  *) echo "usage: $0 [--build-dir DIR]" >&2; exit 2 ;;
  esac
done

IMCB_BUILD_DIR=$build IMCB_BUILD_TYPE=Release "$root/scripts/setup.sh" \
  -DCMAKE_INSTALL_PREFIX=/usr -DCMAKE_INSTALL_SYSCONFDIR=/etc -DIMCB_BUILD_TESTS=OFF
(cd "$build" && cpack -G DEB >cpack.log) || { cat "$build/cpack.log" >&2; exit 1; }
ls "$build"/*.deb
