#!/usr/bin/env bash
# Soak: imcb under a realistic mixed load for a while, to see that nothing grows or fails with
# time. Not part of ctest. Load, all at once, on 127.0.0.1:
#   - before-callbacks (C2C.CallbackBeforeSendMsg): 32 keep-alive connections, 20/s each
#   - after-callbacks (Group.CallbackAfterSendMsg), through the journal: 32 connections, 20/s each
#   - new connections with a full handshake, one callback each, back to back
#   - resumed connections (TLS session tickets), one callback each, back to back
#   - 200 idle keep-alive connections, and 100 silent or half-open TCP connections (a misbehaving
#     client that never finishes its handshake; they are dropped at timeouts.handshake_ms and
#     reopened)
# Every --sample seconds it prints the server's RSS and open file descriptors; at the end, each
# load's requests and errors, and the growth of RSS and descriptors from the first sample on.
#
#   tests/soak/soak.sh [--minutes M] [--sample S]
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
minutes=10
sample=30
while [[ $# -gt 0 ]]; do
  case $1 in
    --minutes) minutes=${2:?}; shift 2 ;;
    --sample) sample=${2:?}; shift 2 ;;
    *) echo "usage: $0 [--minutes M] [--sample S]" >&2; exit 2 ;;
  esac
done
seconds=$(python3 -c "print(int(float('$minutes') * 60))")

"$root/scripts/setup.sh" >/dev/null
build=${IMCB_BUILD_DIR:-$root/build}
certs=$build/certs
bench=$build/tests/bench
work=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$bench/imcb-bench-server" --port "$port" --cert "$certs/server-self.crt" --key "$certs/server-self.key" \
  --ca "$certs/vendor-ca.crt" --journal "$work/journal" >"$work/server.out" 2>"$work/server.err" &
server=$!; pids+=("$server")
for _ in $(seq 100); do grep -q listening "$work/server.out" 2>/dev/null && break; sleep 0.1; done
grep -q listening "$work/server.out" || { echo "imcb-bench-server did not start:" >&2; cat "$work/server.err" >&2; exit 1; }

before="/?SdkAppid=888888&CallbackCommand=C2C.CallbackBeforeSendMsg&contenttype=json&ClientIP=203.0.113.7&OptPlatform=iOS"
after="/?SdkAppid=888888&CallbackCommand=Group.CallbackAfterSendMsg&contenttype=json&ClientIP=203.0.113.7&OptPlatform=iOS"
load() {  # load NAME MODE TARGET BODY [args...]
  local name=$1 mode=$2 target=$3 body=$4; shift 4
  "$bench/imcb-loadgen" "$mode" --port "$port" --cert "$certs/vendor-client.crt" --key "$certs/vendor-client.key" \
    --ca "$certs/public-ca.crt" --target "$target" --body "$body" --seconds "$seconds" "$@" >"$work/$name.json" 2>"$work/$name.err" &
  pids+=($!)
}
fx=$root/tests/fixtures
load before paced "$before" "$fx/C2C.CallbackBeforeSendMsg.json" --conns 32 --interval-ms 50
load after paced "$after" "$fx/Group.CallbackAfterSendMsg.json" --conns 32 --interval-ms 50
load new_handshakes handshake "$before" "$fx/C2C.CallbackBeforeSendMsg.json" --conns 1
load resumed handshake "$after" "$fx/Group.CallbackAfterSendMsg.json" --conns 1 --resume
load idle idle "$after" "$fx/Group.CallbackAfterSendMsg.json" --conns 200 --threads 2
misbehave() {  # silent connections, reopened as the server drops them
  local end=$((SECONDS + seconds))
  while ((SECONDS < end)); do
    "$bench/imcb-loadgen" silent --port "$port" --conns 100 --seconds 15 >/dev/null 2>&1 || true
  done
}
misbehave & pids+=($!)

rss() { awk '/VmRSS/{print $2}' "/proc/$server/status"; }
fds() { ls "/proc/$server/fd" | wc -l; }
echo "soak: ${minutes} min on 127.0.0.1:$port, sample every ${sample}s"
printf '%8s %10s %6s %8s\n' "time_s" "rss_kb" "fds" "threads"
first_rss=""; first_fds=""
start=$SECONDS
while ((SECONDS - start < seconds)); do
  sleep "$sample"
  kill -0 "$server" 2>/dev/null || { echo "the server died" >&2; cat "$work/server.err" >&2; exit 1; }
  r=$(rss); f=$(fds); t=$(ls "/proc/$server/task" | wc -l)
  [[ -z $first_rss ]] && first_rss=$r && first_fds=$f
  printf '%8d %10d %6d %8d\n' $((SECONDS - start)) "$r" "$f" "$t"
done
wait "${pids[@]:1:5}" 2>/dev/null || true
last_rss=$(rss); last_fds=$(fds)
echo
printf '%-16s %10s %8s %10s\n' load requests errors "p99 us"
for n in before after new_handshakes resumed idle; do
  python3 - "$n" "$work/$n.json" <<'PY'
import json, sys
name, path = sys.argv[1:3]
try:
    r = json.loads(open(path).read().strip().splitlines()[-1])
    print(f"{name:<16} {r['requests']:>10} {r['errors']:>8} {r['p99_us']:>10}")
except Exception as e:
    print(f"{name:<16} no result ({e})")
PY
done
kill "$server"; wait "$server" 2>/dev/null || true
echo "server: $(cat "$work/server.err" | tail -1)"
echo "growth from the first sample: rss $((last_rss - first_rss)) kB, file descriptors $((last_fds - first_fds))"
