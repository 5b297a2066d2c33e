# Shared by the package tests: a scratch folder removed on exit (with the server a test started),
# failing with a message, and waiting for a line a process writes.
# shellcheck shell=bash

work=$(mktemp -d "${TMPDIR:-/tmp}/imcb-package.XXXXXX")
server_pid=
cleanup() {
  [[ -n $server_pid ]] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

# Waits until FILE holds a line matching PATTERN (grep -E), at most 60 s: follows the file as it is
# written rather than polling it.
wait_for_line() {  # PATTERN FILE
  local follow found=0
  exec {follow}< <(timeout 60 tail -n +1 -F "$2" 2>/dev/null)
  local tail_pid=$!
  grep -E -m1 -q -- "$1" <&"$follow" && found=1
  kill "$tail_pid" 2>/dev/null || true
  exec {follow}<&-
  ((found)) || { cat "$2" >&2; fail "no line matching $1 in $2 within 60 s"; }
}
