#!/usr/bin/env bash
# From a fresh Debian 12 machine: install, build, generate the development PKI, run the sample
# server with sample-server/config.example.json, and send it a signed callback with curl using
# the stand-in vendor's client certificate. The server keeps running until Ctrl-C
# (with --once it stops after the demonstration).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
"$root/scripts/setup.sh"

build=${IMCB_BUILD_DIR:-$root/build}
config=$root/sample-server/config.example.json
if [[ $build != "$root/build" ]]; then  # the example config points at build/certs
  config=$build/demo-config.json
  sed "s#\.\./build/certs#$build/certs#g" "$root/sample-server/config.example.json" > "$config"
fi
certs=$build/certs
log=$(mktemp -d)

"$build/sample-server/imcb-server" --config "$config" --check
"$build/sample-server/imcb-server" --config "$config" >"$log/callbacks.jsonl" 2>"$log/server.log" &
server=$!
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null; rm -rf "$log"' EXIT
for _ in $(seq 100); do grep -q "listening on" "$log/server.log" && break; sleep 0.1; done
cat "$log/server.log"

listen=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["listen"])' "$config")
port=${listen##*:}
token=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["callback_token"])' "$config")
now=$(date +%s)
sign=$(printf '%s%s' "$token" "$now" | sha256sum | cut -d' ' -f1)
url="https://localhost:$port/imcallback?SdkAppid=1400000000&CallbackCommand=C2C.CallbackBeforeSendMsg&contenttype=json&ClientIP=203.0.113.7&OptPlatform=iOS&Sign=$sign&RequestTime=$now"

echo
echo "== sending C2C.CallbackBeforeSendMsg as the vendor (client certificate $certs/vendor-client.crt)"
curl -sS --cert "$certs/vendor-client.crt" --key "$certs/vendor-client.key" --cacert "$certs/public-ca.crt" \
  --data-binary @"$root/tests/fixtures/C2C.CallbackBeforeSendMsg.json" "$url"
echo
echo "== the same message with a blocked word (denied by the moderation example)"
sed 's/red packet/a forbidden word/' "$root/tests/fixtures/C2C.CallbackBeforeSendMsg.json" |
  curl -sS --cert "$certs/vendor-client.crt" --key "$certs/vendor-client.key" --cacert "$certs/public-ca.crt" \
    --data-binary @- "$url"
echo
echo "== a client without the vendor's certificate is refused by the TLS handshake"
curl -sS --cacert "$certs/public-ca.crt" --data-binary '{}' "$url" 2>&1 | sed 's/^/   /' || true
sleep 0.2
grep "handshake_failed" "$log/server.log" | sed 's/^/   server: /' || true
echo
echo "== what the server received (one JSON line per callback):"
cat "$log/callbacks.jsonl"

if [[ ${1:-} == --once ]]; then exit 0; fi
echo
echo "The sample server keeps serving on https://localhost:$port/imcallback (Ctrl-C stops it)."
tail -f "$log/callbacks.jsonl" "$log/server.log" &
wait $server
