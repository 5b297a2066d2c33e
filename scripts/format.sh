#!/usr/bin/env bash
# Formats the C++ sources with .clang-format (Debian's clang-format-14, installed if missing).
# With --check, changes nothing and fails naming each file that differs (.ci/run runs this).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
if ! command -v clang-format-14 >/dev/null; then
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq clang-format-14 >/dev/null
fi
cd "$root"
mapfile -t files < <(git ls-files '*.cpp' '*.h')
if [[ ${1:-} == --check ]]; then
  bad=0
  for f in "${files[@]}"; do
    if ! clang-format-14 --style=file "$f" | cmp -s - "$f"; then
      echo "not formatted: $f (run scripts/format.sh)" >&2
      bad=1
    fi
  done
  exit $bad
fi
clang-format-14 --style=file -i "${files[@]}"
