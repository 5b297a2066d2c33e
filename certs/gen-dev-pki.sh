#!/usr/bin/env bash
# Build the imcb development PKI (development-only identities, never for production).
#
# Usage: gen-dev-pki.sh [OUT_DIR] [--force]
#   OUT_DIR  where to put the PEM files (default: ./dev-pki)
#   --force  regenerate even if OUT_DIR/.complete exists
#
# Requires only the openssl CLI (set $OPENSSL to use a specific binary).
# See README.md next to this script for what every file is for.
set -Eeuo pipefail

OUT="${1:-./dev-pki}"
FORCE="${2:-}"
OPENSSL="${OPENSSL:-openssl}"

case "$FORCE" in
  "" | --force) ;;
  *) echo "usage: $0 [OUT_DIR] [--force]" >&2; exit 2 ;;
esac

if [[ -e "$OUT/.complete" && "$FORCE" != --force ]]; then
  exit 0
fi

LEAF_DAYS=825
CA_DAYS=3650
ORG="imcb development"
VENDOR_CN="im-callback.vendor.dev"
LOCALHOST_SAN="DNS:localhost, IP:127.0.0.1, IP:::1"
# Fixed windows for the deliberately invalid certificates (UTCTime format).
PAST_START=200101000000Z   PAST_END=210101000000Z
FUTURE_START=400101000000Z FUTURE_END=410101000000Z

mkdir -p "$OUT"
rm -f "$OUT/.complete"
WORK="$(mktemp -d "$OUT/.tmp.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT
trap 'echo "gen-dev-pki: failed (line $LINENO); $OUT left incomplete" >&2' ERR
STAGE="$WORK/out"     # finished files, moved into $OUT at the end
SCRATCH="$WORK/state" # CSRs, configs and `openssl ca` databases; discarded
LOG="$WORK/openssl.log"
mkdir -p "$STAGE" "$SCRATCH"

# Run a command with its chatter sent to $LOG; show the log if it fails.
quiet() {
  : >"$LOG"
  "$@" >>"$LOG" 2>&1 || { echo "failed: $*" >&2; cat "$LOG" >&2; return 1; }
}

# new_key NAME [ec|rsa] -> $STAGE/NAME.key (mode 600)
new_key() {
  local name="$1" type="${2:-ec}" key="$STAGE/$1.key"
  local -a opts
  case "$type" in
    ec) opts=(-algorithm EC -pkeyopt ec_paramgen_curve:P-256) ;;
    rsa) opts=(-algorithm RSA -pkeyopt rsa_keygen_bits:2048) ;;
    *) echo "unknown key type: $type" >&2; return 1 ;;
  esac
  # $WORK is mode 700 (mktemp -d), so the key is never exposed before chmod.
  quiet "$OPENSSL" genpkey "${opts[@]}" -out "$key"
  chmod 600 "$key"
}

# make_ca NAME CN [PARENT] -> $STAGE/NAME.{crt,key}: a self-signed root, or with PARENT an
# intermediate CA signed by it; plus an `openssl ca` database and config in $SCRATCH/NAME.
make_ca() {
  local name="$1" cn="$2" dir="$SCRATCH/$1"
  mkdir -p "$dir/newcerts"
  : >"$dir/index.txt"
  "$OPENSSL" rand -hex 16 >"$dir/serial" # required by `openssl ca`; -rand_serial is used
  cat >"$dir/ca.cnf" <<EOF
[ req ]
distinguished_name = req_dn
prompt             = no
[ req_dn ]
[ root_ext ]
basicConstraints       = critical, CA:TRUE
keyUsage               = critical, keyCertSign, cRLSign
subjectKeyIdentifier   = hash
authorityKeyIdentifier = keyid:always

[ ca ]
default_ca = this_ca
[ this_ca ]
database        = $dir/index.txt
new_certs_dir   = $dir/newcerts
serial          = $dir/serial
certificate     = $STAGE/$name.crt
private_key     = $STAGE/$name.key
default_md      = sha256
policy          = policy_any
unique_subject  = no
copy_extensions = none
email_in_dn     = no
preserve        = yes
[ policy_any ]
commonName       = supplied
organizationName = optional
EOF
  new_key "$name"
  if [[ -z "${3:-}" ]]; then
    quiet "$OPENSSL" req -new -x509 -config "$dir/ca.cnf" -extensions root_ext \
      -key "$STAGE/$name.key" -subj "/CN=$cn/O=$ORG" -sha256 \
      -days "$CA_DAYS" -set_serial "0x$("$OPENSSL" rand -hex 8)" \
      -out "$STAGE/$name.crt"
  else # an intermediate, signed by the CA named in $3
    quiet "$OPENSSL" req -new -config "$dir/ca.cnf" \
      -key "$STAGE/$name.key" -subj "/CN=$cn/O=$ORG" -out "$SCRATCH/$name.csr"
    quiet "$OPENSSL" ca -batch -notext -rand_serial -config "$SCRATCH/$3/ca.cnf" \
      -extfile "$dir/ca.cnf" -extensions root_ext -days "$CA_DAYS" \
      -in "$SCRATCH/$name.csr" -out "$STAGE/$name.crt"
  fi
}

# issue_leaf CA NAME CN EKU SAN [KEYTYPE [NOT_BEFORE NOT_AFTER]]
#   -> $STAGE/NAME.{crt,key}, signed by $STAGE/CA.crt with a random serial.
#   Without dates the certificate is valid from now for $LEAF_DAYS days.
issue_leaf() {
  local ca="$1" name="$2" cn="$3" eku="$4" san="$5" type="${6:-ec}"
  local ku="digitalSignature"
  local -a validity=(-days "$LEAF_DAYS")
  if [[ $# -ge 8 ]]; then
    validity=(-startdate "$7" -enddate "$8")
  fi
  if [[ "$type" == rsa ]]; then
    ku="digitalSignature, keyEncipherment" # for TLS 1.2 static-RSA key exchange
  fi

  cat >"$SCRATCH/$name.ext.cnf" <<EOF
[ leaf_ext ]
basicConstraints       = critical, CA:FALSE
keyUsage               = critical, $ku
extendedKeyUsage       = $eku
subjectAltName         = $san
subjectKeyIdentifier   = hash
authorityKeyIdentifier = keyid:always
EOF
  new_key "$name" "$type"
  quiet "$OPENSSL" req -new -config "$SCRATCH/$ca/ca.cnf" \
    -key "$STAGE/$name.key" -subj "/CN=$cn/O=$ORG" -out "$SCRATCH/$name.csr"
  quiet "$OPENSSL" ca -batch -notext -rand_serial -config "$SCRATCH/$ca/ca.cnf" \
    -extfile "$SCRATCH/$name.ext.cnf" -extensions leaf_ext "${validity[@]}" \
    -in "$SCRATCH/$name.csr" -out "$STAGE/$name.crt"
}

# add_issuer NAME CA -> append the issuing CA so NAME.crt is a leaf-first chain.
add_issuer() {
  cat "$STAGE/$2.crt" >>"$STAGE/$1.crt"
}

# ---------------------------------------------------------------- generate
make_ca vendor-ca "imcb Dev Vendor CA"
make_ca public-ca "imcb Dev Public CA"
make_ca other-ca "imcb Dev Other CA"
make_ca vendor-sub-ca "imcb Dev Vendor Sub CA" vendor-ca

# The vendor's client identity and its misbehaving variants.
issue_leaf vendor-ca vendor-client       "$VENDOR_CN" clientAuth "DNS:$VENDOR_CN"
issue_leaf vendor-ca expired-client      "$VENDOR_CN" clientAuth "DNS:$VENDOR_CN" ec "$PAST_START" "$PAST_END"
issue_leaf vendor-ca notyet-client       "$VENDOR_CN" clientAuth "DNS:$VENDOR_CN" ec "$FUTURE_START" "$FUTURE_END"
issue_leaf vendor-ca noclientauth-client "$VENDOR_CN" serverAuth "DNS:$VENDOR_CN"
issue_leaf vendor-ca sibling-client      other-customer.example clientAuth "DNS:other-customer.example"
issue_leaf other-ca  other-client        "$VENDOR_CN" clientAuth "DNS:$VENDOR_CN"
issue_leaf vendor-sub-ca vendor-sub-client "$VENDOR_CN" clientAuth "DNS:$VENDOR_CN"

# Server identities.
issue_leaf public-ca server-self    localhost serverAuth "$LOCALHOST_SAN"
issue_leaf public-ca server-self-rsa localhost serverAuth "$LOCALHOST_SAN" rsa
issue_leaf public-ca expired-server localhost serverAuth "$LOCALHOST_SAN" ec "$PAST_START" "$PAST_END"
issue_leaf vendor-ca server-vendor  localhost serverAuth "$LOCALHOST_SAN"

# Wrong order on purpose: CA first, leaf second (taken before add_issuer).
cat "$STAGE/public-ca.crt" "$STAGE/server-self.crt" >"$STAGE/bad-chain-order.crt"

add_issuer server-self public-ca
add_issuer server-self-rsa public-ca
add_issuer expired-server public-ca
add_issuer server-vendor vendor-ca
add_issuer vendor-sub-client vendor-sub-ca

"$OPENSSL" x509 -in "$STAGE/vendor-client.crt" -pubkey -noout \
  | "$OPENSSL" pkey -pubin -outform DER \
  | "$OPENSSL" dgst -sha256 -r | cut -d' ' -f1 >"$STAGE/vendor-client.spki.sha256"

# ---------------------------------------------------------------- self-check
# expect ok|fail CA CERT [extra openssl verify options...]
expect() {
  local want="$1" ca="$2" cert="$3" got=fail
  shift 3
  "$OPENSSL" verify -x509_strict -CAfile "$STAGE/$ca.crt" "$@" "$STAGE/$cert.crt" \
    >/dev/null 2>&1 && got=ok
  if [[ "$got" != "$want" ]]; then
    echo "self-check: verify $cert against $ca $* gave '$got', expected '$want'" >&2
    return 1
  fi
}

expect ok   vendor-ca vendor-client -purpose sslclient
expect ok   vendor-ca vendor-sub-client -purpose sslclient -untrusted "$STAGE/vendor-sub-ca.crt"
expect ok   vendor-ca sibling-client -purpose sslclient
expect ok   vendor-ca server-vendor -purpose sslserver
expect ok   public-ca server-self -purpose sslserver
expect ok   public-ca server-self-rsa -purpose sslserver
expect ok   other-ca  other-client -purpose sslclient
expect fail vendor-ca other-client
# The broken certificates must fail for exactly one reason: the one they test.
expect fail vendor-ca noclientauth-client -purpose sslclient
expect ok   vendor-ca noclientauth-client
expect fail vendor-ca expired-client -purpose sslclient
expect ok   vendor-ca expired-client -purpose sslclient -no_check_time
expect fail vendor-ca notyet-client -purpose sslclient
expect ok   vendor-ca notyet-client -purpose sslclient -no_check_time
expect fail public-ca expired-server -purpose sslserver
expect ok   public-ca expired-server -purpose sslserver -no_check_time

spki="$(cat "$STAGE/vendor-client.spki.sha256")"
if [[ ! "$spki" =~ ^[0-9a-f]{64}$ ]]; then
  echo "self-check: bad SPKI digest '$spki'" >&2
  exit 1
fi

# ---------------------------------------------------------------- publish
mv -f "$STAGE"/* "$OUT"/
date -u +%Y-%m-%dT%H:%M:%SZ >"$OUT/.complete"
echo "dev PKI ready in $OUT"
