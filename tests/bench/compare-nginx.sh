#!/usr/bin/env bash
# Side-by-side benchmark: imcb against nginx doing `ssl_verify_client on` with `return 200` of the
# same reply envelope, same certificates, same machine, same run. Prints a table and, last,
#   imcb/nginx ratios: handshake_full=X handshake_resumed=Y keepalive=Z
# (higher is better for imcb). Everything listens on 127.0.0.1 only.
#
#   tests/bench/compare-nginx.sh [--seconds S] [--only REGEX]
#     --seconds S    per measurement (default 5)
#     --only REGEX   run only the cases whose name matches (e.g. 'keepalive'); the ratio line then
#                    covers only what was measured
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
seconds=5
only=.
while [[ $# -gt 0 ]]; do
  case $1 in
    --seconds) seconds=${2:?}; shift 2 ;;
    --only) only=${2:?}; shift 2 ;;
    *) echo "usage: $0 [--seconds S] [--only REGEX]" >&2; exit 2 ;;
  esac
done

"$root/scripts/setup.sh" >/dev/null
if ! command -v nginx >/dev/null && [[ ! -x /usr/sbin/nginx ]]; then
  echo "installing nginx (Debian package) for the comparison"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx >/dev/null
fi
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
build=${IMCB_BUILD_DIR:-$root/build}
certs=$build/certs
bench=$build/tests/bench
work=$(mktemp -d)
results=$work/results.jsonl
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
token=bench-token
body=$root/tests/fixtures/C2C.CallbackBeforeSendMsg.json
target() {  # a freshly signed callback URL (RequestTime must be within 60 s)
  local now; now=$(date +%s)
  echo "/?SdkAppid=888888&CallbackCommand=C2C.CallbackBeforeSendMsg&contenttype=json&ClientIP=203.0.113.7&OptPlatform=iOS&Sign=$(printf '%s%s' "$token" "$now" | sha256sum | cut -d' ' -f1)&RequestTime=$now"
}

# server_pids NAME -> the PIDs whose CPU and memory count for that server
imcb_pid=""; nginx_master=""
server_pids() {
  if [[ $1 == imcb ]]; then echo "$imcb_pid"; else echo "$nginx_master" $(pgrep -P "$nginx_master"); fi
}
cpu_ticks() { local t=0 p; for p in $(server_pids "$1"); do t=$((t + $(awk '{print $14+$15}' "/proc/$p/stat"))); done; echo $t; }
rss_kb() { local t=0 p; for p in $(server_pids "$1"); do t=$((t + $(awk '/VmRSS/{print $2}' "/proc/$p/status"))); done; echo $t; }

start_servers() {  # start_servers CERT KEY
  local cert=$1 key=$2
  stop_servers
  imcb_port=$(free_port)
  "$bench/imcb-bench-server" --port "$imcb_port" --cert "$cert" --key "$key" --ca "$certs/vendor-ca.crt" \
    --token "$token" >"$work/imcb.out" 2>"$work/imcb.err" &
  imcb_pid=$!; pids+=("$imcb_pid")
  nginx_port=$(free_port)
  mkdir -p "$work/nginx/logs"
  cat >"$work/nginx/nginx.conf" <<CONF
worker_processes auto;
pid $work/nginx/nginx.pid;
error_log $work/nginx/logs/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path $work/nginx/body;
  keepalive_requests 100000;
  keepalive_timeout 75s;
  server {
    listen 127.0.0.1:$nginx_port ssl backlog=1024;
    ssl_certificate $cert;
    ssl_certificate_key $key;
    ssl_protocols TLSv1.2 TLSv1.3;
    ssl_client_certificate $certs/vendor-ca.crt;
    ssl_verify_client on;
    location / {
      default_type application/json;
      return 200 '{"ActionStatus":"OK","ErrorCode":0,"ErrorInfo":""}';
    }
  }
}
CONF
  "$NGINX" -p "$work/nginx" -c "$work/nginx/nginx.conf" -g 'daemon off; user root;' 2>>"$work/nginx/logs/stderr" &
  nginx_master=$!; pids+=("$nginx_master")
  for _ in $(seq 100); do
    grep -q listening "$work/imcb.out" 2>/dev/null && [[ -n $(pgrep -P "$nginx_master") ]] && break
    sleep 0.1
  done
  sleep 0.3
}
stop_servers() {
  [[ -n $imcb_pid ]] && kill "$imcb_pid" 2>/dev/null && wait "$imcb_pid" 2>/dev/null || true
  [[ -n $nginx_master ]] && kill "$nginx_master" 2>/dev/null && wait "$nginx_master" 2>/dev/null || true
  imcb_pid=""; nginx_master=""
}
port_of() { if [[ $1 == imcb ]]; then echo "$imcb_port"; else echo "$nginx_port"; fi; }

# measure CASE SERVER MODE [loadgen args...] -> appends one JSON line to $results
measure() {
  local case=$1 server=$2 mode=$3; shift 3
  [[ $case =~ $only ]] || return 0
  local ticks0 ticks1 out
  ticks0=$(cpu_ticks "$server")
  out=$("$bench/imcb-loadgen" "$mode" --port "$(port_of "$server")" --cert "$certs/vendor-client.crt" \
    --key "$certs/vendor-client.key" --ca "$certs/public-ca.crt" --target "$(target)" --body "$body" "$@")
  ticks1=$(cpu_ticks "$server")
  python3 - "$case" "$server" "$(( ticks1 - ticks0 ))" "$(getconf CLK_TCK)" "$out" >>"$results" <<'PY'
import json, sys
case, server, ticks, hz, out = sys.argv[1:6]
r = json.loads(out)
r.update(case=case, server=server, server_cpu_s=int(ticks) / int(hz))
print(json.dumps(r))
PY
}

# memory CASE SERVER CONNS -> RSS with CONNS idle keep-alive connections open
memory() {
  local case=$1 server=$2 conns=$3 base fifo
  [[ $case =~ $only ]] || return 0
  base=$(rss_kb "$server")
  fifo=$work/idle.out
  "$bench/imcb-loadgen" idle --port "$(port_of "$server")" --cert "$certs/vendor-client.crt" \
    --key "$certs/vendor-client.key" --ca "$certs/public-ca.crt" --target "$(target)" --body "$body" \
    --conns "$conns" --seconds 30 --threads 2 >"$fifo" &
  local lg=$!
  for _ in $(seq 300); do grep -qs ready "$fifo" && break; sleep 0.1; done
  sleep 0.5
  local now; now=$(rss_kb "$server")
  kill "$lg" 2>/dev/null; wait "$lg" 2>/dev/null || true
  echo "{\"case\":\"$case\",\"server\":\"$server\",\"mode\":\"memory\",\"conns\":$conns,\"rss_base_kb\":$base,\"rss_kb\":$now,\"ready\":\"$(head -1 "$fifo")\"}" >>"$results"
}

# slowloris CASE SERVER -> callbacks (new connection each) while 350 silent/half-open connections are held
slowloris() {
  local case=$1 server=$2
  [[ $case =~ $only ]] || return 0
  "$bench/imcb-loadgen" silent --port "$(port_of "$server")" --conns 350 --seconds 30 >"$work/silent.out" &
  local holder=$!
  for _ in $(seq 100); do grep -qs ready "$work/silent.out" && break; sleep 0.1; done
  measure "$case" "$server" handshake --conns 1 --seconds 3
  kill "$holder" 2>/dev/null; wait "$holder" 2>/dev/null || true
  sleep 0.5
}

echo "imcb vs nginx $("$NGINX" -v 2>&1 | sed 's/.*nginx\///'), $(openssl version | cut -d' ' -f1-2), $(nproc) cores, ${seconds}s per measurement"

start_servers "$certs/server-self.crt" "$certs/server-self.key"
for s in imcb nginx; do
  [[ "rss idle" =~ $only ]] && rss=$(rss_kb "$s") && echo "{\"case\":\"rss idle\",\"server\":\"$s\",\"mode\":\"memory\",\"conns\":0,\"rss_base_kb\":$rss,\"rss_kb\":$rss}" >>"$results"
  memory "memory 64 idle" "$s" 64
  memory "memory 512 idle" "$s" 512
done

for c in 2 8 64; do
  # Two generator threads from 8 connections on: one saturates against nginx there.
  gen_threads=1; [[ $c -ge 8 ]] && gen_threads=2
  for s in imcb nginx; do
    measure "keepalive $c conns" "$s" keepalive --conns "$c" --threads "$gen_threads" --seconds "$seconds"
  done
done
for s in imcb nginx; do measure "paced 64 conns x 20/s" "$s" paced --conns 64 --interval-ms 50 --seconds "$seconds"; done
for v in 1.3 1.2; do
  for s in imcb nginx; do measure "handshake full ECDSA TLS$v" "$s" handshake --conns 8 --tls-max "$v" --seconds "$seconds"; done
  for s in imcb nginx; do measure "handshake resumed TLS$v" "$s" handshake --conns 8 --tls-max "$v" --resume --seconds "$seconds"; done
done
for s in imcb nginx; do measure "burst 500 new connections" "$s" burst --conns 500 --threads 2 --seconds 60; done
for s in imcb nginx; do slowloris "callback beside 350 idle TCP" "$s"; done

start_servers "$certs/server-self-rsa.crt" "$certs/server-self-rsa.key"
for v in 1.3 1.2; do
  for s in imcb nginx; do measure "handshake full RSA TLS$v" "$s" handshake --conns 8 --tls-max "$v" --seconds "$seconds"; done
done
stop_servers

mkdir -p "$build/bench"
saved=$build/bench/compare-nginx-$(date -u +%Y%m%dT%H%M%SZ).jsonl
cp "$results" "$saved"
echo "raw measurements: $saved"
python3 "$root/tests/bench/report.py" "$results"
