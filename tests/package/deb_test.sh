#!/usr/bin/env bash
# Builds the Debian packages with scripts/package.sh, then checks imcb-server's package: its file
# list and control data, the systemd unit (systemd-analyze verify and security), a real dpkg
# install into a scratch root (maintainer scripts included, chrootless), --check of the shipped
# configuration there, and the installed server serving, reloading on SIGHUP, stopping on SIGTERM.
#   deb_test.sh SOURCE_DIR CERTS_DIR
set -euo pipefail

src=$(cd "$1" && pwd) certs=$(cd "$2" && pwd)
# shellcheck source=tests/package/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

"$src/scripts/package.sh" --build-dir "$work/build" >"$work/package.log" 2>&1 ||
  { tail -n 40 "$work/package.log"; fail "scripts/package.sh failed"; }
deb=$(ls "$work"/build/imcb-server_*.deb)
[[ -f $deb ]] || fail "no imcb-server .deb was built"
echo "built $(basename "$deb") and $(basename "$(ls "$work"/build/libimcb-dev_*.deb)")"

# The file list: exactly these files (directories aside).
dpkg-deb -c "$deb" | awk '$1 !~ /^d/ { print $6 }' | sort >"$work/files"
cat >"$work/expected" <<'LIST'
./etc/imcb/imcb-server.json
./usr/bin/imcb-server
./usr/lib/systemd/system/imcb-server.service
./usr/lib/sysusers.d/imcb-server.conf
./usr/share/doc/imcb-server/callbacks.md
./usr/share/doc/imcb-server/certificates.md
./usr/share/doc/imcb-server/configuration.md
./usr/share/doc/imcb-server/metrics.md
./usr/share/doc/imcb-server/operations.md
./usr/share/doc/imcb-server/protocol.md
./usr/share/doc/imcb-server/reliability.md
./usr/share/man/man1/imcb-server.1.gz
LIST
diff -u "$work/expected" "$work/files" || fail "the package's file list differs (above)"
[[ $(dpkg-deb -f "$deb" Package) == imcb-server ]] || fail "package name"
depends=$(dpkg-deb -f "$deb" Depends)
[[ $depends == *libssl3* ]] || fail "Depends lacks libssl3 (dpkg-shlibdeps): $depends"
dpkg-deb -e "$deb" "$work/control"
grep -qx /etc/imcb/imcb-server.json "$work/control/conffiles" || fail "the configuration is not a conffile"
for script in postinst prerm postrm; do
  [[ -x $work/control/$script ]] || fail "the package has no executable $script"
  sh -n "$work/control/$script" || fail "$script is not valid sh"
done
! grep -q '@[A-Z_]*@' "$work/control/postinst" || fail "postinst holds an unconfigured @VARIABLE@"

# The unit: its promises, then systemd's own checks against the extracted binary.
unit=$work/extract/usr/lib/systemd/system/imcb-server.service
dpkg-deb -x "$deb" "$work/extract"
for line in 'ExecStartPre=/usr/bin/imcb-server --config /etc/imcb/imcb-server.json --check' \
            'ExecStart=/usr/bin/imcb-server --config /etc/imcb/imcb-server.json' \
            'ExecReload=/bin/kill -HUP $MAINPID' 'Restart=on-failure' 'User=imcb' \
            'NoNewPrivileges=yes' 'ProtectSystem=strict' 'PrivateTmp=yes' \
            'CapabilityBoundingSet=CAP_NET_BIND_SERVICE' 'AmbientCapabilities=CAP_NET_BIND_SERVICE'; do
  grep -qxF "$line" "$unit" || fail "the unit lacks: $line"
done
mkdir -p "$work/verify"
sed "s#/usr/bin/imcb-server#$work/extract/usr/bin/imcb-server#" "$unit" >"$work/verify/imcb-server.service"
systemd-analyze verify --man=no "$work/verify/imcb-server.service" 2>"$work/verify.log" ||
  { cat "$work/verify.log"; fail "systemd-analyze verify refused the unit"; }
[[ ! -s $work/verify.log ]] || { cat "$work/verify.log"; fail "systemd-analyze verify warned"; }
# Exposure 0.0 (locked down) .. 10.0 (unprotected); the unit must stay well inside "OK" (< 2.5).
systemd-analyze security --offline=yes --threshold=25 --root="$work/extract" imcb-server.service \
  >"$work/security.log" 2>&1 || { tail -n 20 "$work/security.log"; fail "the unit's exposure rose above 2.5"; }
echo "unit: $(grep -o 'Overall exposure level.*' "$work/security.log")"

# The man page and --help name every option; the man page names every configuration key.
man=$work/imcb-server.1
gzip -dc "$work/extract/usr/share/man/man1/imcb-server.1.gz" >"$man"
"$work/extract/usr/bin/imcb-server" --help >"$work/help"
for opt in $(grep -oE '^ +--[a-z]+' "$work/help"); do
  grep -q -- "${opt//-/\\\\-}" "$man" || fail "the man page does not document $opt"
done
grep -q -- '--version' "$work/help" || fail "--help does not list --version"
for key in $(grep -oE '^\| `[a-z_.0-9]+`' "$src/docs/configuration.md" | sed 's/^| `//; s/`$//' | sort -u); do
  grep -qF "$key" "$man" || fail "the man page does not list the configuration key $key"
done

# A real install into a scratch root: dpkg runs the maintainer scripts against DPKG_ROOT.
root=$work/root
mkdir -p "$root/var/lib/dpkg/info" "$root/var/lib/dpkg/updates" "$root/etc"
: >"$root/var/lib/dpkg/status"
: >"$root/etc/passwd"
: >"$root/etc/group"
dpkg --root="$root" --force-depends --force-script-chrootless --log=/dev/null -i "$deb" >"$work/dpkg.log" 2>&1 ||
  { cat "$work/dpkg.log"; fail "dpkg -i into the scratch root failed"; }
grep -q '^imcb:' "$root/etc/passwd" || fail "postinst did not create the user imcb in the scratch root"
gid=$(awk -F: '$1 == "imcb" { print $3 }' "$root/etc/group")
[[ $(stat -c '%a %g' "$root/etc/imcb") == "750 $gid" ]] || fail "/etc/imcb is not 0750 root:imcb"
[[ $(stat -c '%a %g' "$root/etc/imcb/imcb-server.json") == "640 $gid" ]] || fail "the config is not 0640 root:imcb"
dpkg --root="$root" -s imcb-server | grep -q '^Status: install ok installed' || fail "dpkg does not list imcb-server as installed"

server=$root/usr/bin/imcb-server
config=$root/etc/imcb/imcb-server.json
"$server" --version | grep -qx "imcb-server $(dpkg-deb -f "$deb" Version)" || fail "--version does not print the package version"
# As shipped, --check refuses: the SdkAppID is a placeholder, and the message says so.
rc=0
"$server" --config "$config" --check >"$work/check0.log" 2>&1 || rc=$?
[[ $rc -eq 1 ]] && grep -q sdk_app_id "$work/check0.log" || { cat "$work/check0.log"; fail "--check of the unedited config did not name sdk_app_id"; }
# Filled in as the comment in the file says: the certificates in /etc/imcb, the SdkAppID, the pin.
cp "$certs/server-self.crt" "$root/etc/imcb/server.crt"
cp "$certs/server-self.key" "$root/etc/imcb/server.key"
cp "$certs/vendor-ca.crt" "$root/etc/imcb/TencentQQAuthCA.crt"
python3 - "$config" <<'PY'
import json, sys
path = sys.argv[1]
c = json.load(open(path))
c["sdk_app_id"] = 1400000000
c["tls"]["vendor_identity"]["subject_cn"] = ["im-callback.vendor.dev"]
json.dump(c, open(path, "w"), indent=2)
PY
"$server" --config "$config" --check >"$work/check.log" 2>&1 || { cat "$work/check.log"; fail "--check failed in the scratch root"; }
grep -q "is valid" "$work/check.log" || fail "--check printed no verdict"
echo "--check in the scratch root: $(head -n1 "$work/check.log")"

# The installed server runs from the scratch root: serves, reloads on SIGHUP, stops on SIGTERM.
python3 - "$config" "$work/journal" <<'PY'
import json, sys
path = sys.argv[1]
c = json.load(open(path))
c["listen"] = "127.0.0.1:0"
c["journal"]["dir"] = sys.argv[2]
c.pop("admin")
c["tls"]["watch"] = False
json.dump(c, open(path, "w"), indent=2)
PY
"$server" --config "$config" >"$work/out.log" 2>"$work/err.log" &
server_pid=$!
wait_for_line '"kind":"start"' "$work/err.log"
port=$(sed -n 's/.*"port":\([0-9]*\).*/\1/p' "$work/err.log" | head -n1)
reply=$(curl -sS --max-time 30 --cert "$certs/vendor-client.crt" --key "$certs/vendor-client.key" \
  --cacert "$certs/public-ca.crt" --data-binary @"$src/tests/fixtures/State.StateChange.json" \
  "https://localhost:$port/imcallback?SdkAppid=1400000000&CallbackCommand=State.StateChange&contenttype=json&ClientIP=127.0.0.1&OptPlatform=RESTAPI")
[[ $reply == *'"ActionStatus":"OK"'* ]] || fail "the installed server answered $reply"
kill -HUP "$server_pid"
wait_for_line '"kind":"reload"' "$work/err.log"
kill -TERM "$server_pid"
rc=0
wait "$server_pid" || rc=$?
server_pid=
[[ $rc -eq 0 ]] || { cat "$work/err.log"; fail "the server exited $rc on SIGTERM"; }
grep -q '"kind":"stop"' "$work/err.log" || fail "no stop line"
echo "deb test: ok"
