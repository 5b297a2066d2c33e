#!/usr/bin/env bash
# The cost of the after-event journal: acknowledged after-callbacks per second with the journal
# off and on (fsync before each 200, shared by concurrent callbacks), same server, same machine,
# same run, alternating. Prints a table and, last,
#   journal on/off ratios: conns=1 X conns=8 Y conns=64 Z
# Everything listens on 127.0.0.1 only; the journal lives in a temporary folder on the disk that
# holds $TMPDIR (default /tmp), so the figures are that disk's fsync cost.
#
#   tests/bench/journal-bench.sh [--seconds S] [--rounds N]
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
seconds=5
rounds=2
while [[ $# -gt 0 ]]; do
  case $1 in
    --seconds) seconds=${2:?}; shift 2 ;;
    --rounds) rounds=${2:?}; shift 2 ;;
    *) echo "usage: $0 [--seconds S] [--rounds N]" >&2; exit 2 ;;
  esac
done

"$root/scripts/setup.sh" >/dev/null
build=${IMCB_BUILD_DIR:-$root/build}
certs=$build/certs
bench=$build/tests/bench
work=$(mktemp -d)
server_pid=""
cleanup() { [[ -n $server_pid ]] && kill "$server_pid" 2>/dev/null; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
body=$root/tests/fixtures/Group.CallbackAfterSendMsg.json
target="/?SdkAppid=888888&CallbackCommand=Group.CallbackAfterSendMsg&contenttype=json&ClientIP=203.0.113.7&OptPlatform=iOS"

start() {  # start off|on
  port=$(free_port)
  local extra=()
  [[ $1 == on ]] && { rm -rf "$work/journal"; extra=(--journal "$work/journal"); }
  "$bench/imcb-bench-server" --port "$port" --cert "$certs/server-self.crt" --key "$certs/server-self.key" \
    --ca "$certs/vendor-ca.crt" ${IMCB_BENCH_MIN_THREADS:+--min-threads $IMCB_BENCH_MIN_THREADS} "${extra[@]}" >"$work/server.out" 2>"$work/server.err" &
  server_pid=$!
  for _ in $(seq 100); do grep -q listening "$work/server.out" 2>/dev/null && break; sleep 0.1; done
}
stop() { kill "$server_pid" 2>/dev/null; wait "$server_pid" 2>/dev/null || true; server_pid=""; }

echo "after-callbacks acknowledged per second, journal off vs on; $(nproc) cores, ${seconds}s per measurement, $rounds rounds"
echo "journal folder on: $(df -P "$work" | awk 'NR==2{print $1" ("$6")"}')"
printf '%-10s %-8s %10s %10s %10s %8s\n' conns journal "req/s" "p50 us" "p99 us" errors
results=$work/results.txt
for r in $(seq "$rounds"); do
  for c in 1 8 64; do
    threads=1; [[ $c -ge 8 ]] && threads=2
    for j in off on; do
      start "$j"
      out=$("$bench/imcb-loadgen" keepalive --port "$port" --cert "$certs/vendor-client.crt" \
        --key "$certs/vendor-client.key" --ca "$certs/public-ca.crt" --target "$target" --body "$body" \
        --conns "$c" --threads "$threads" --seconds "$seconds")
      stop
      python3 - "$c" "$j" "$out" <<'PY' | tee -a "$results"
import json, sys
c, j, out = sys.argv[1:4]
r = json.loads(out)
print(f"{c:<10} {j:<8} {r['rate']:>10.0f} {r['p50_us']:>10} {r['p99_us']:>10} {r['errors']:>8}")
PY
    done
  done
done
python3 - "$results" <<'PY'
import sys, collections
rates = collections.defaultdict(list)
for line in open(sys.argv[1]):
    c, j, rate = line.split()[:3]
    rates[(c, j)].append(float(rate))
best = {k: max(v) for k, v in rates.items()}
parts = [f"conns={c} {best[(c,'on')] / best[(c,'off')]:.2f}" for c in ("1", "8", "64")]
print("journal on/off ratios (best of the rounds): " + " ".join(parts))
PY
