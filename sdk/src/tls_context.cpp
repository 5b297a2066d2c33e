#include "tls_context.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <limits>
#include <fstream>
#include <sstream>
#include <vector>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include "imcb/errors.h"
#include "crl.h"
#include "handshake_reason.h"
#include "tls_clock.h"

namespace imcb::detail {

std::string read_trust_file(const std::string& path, const std::string& key) {
    if (path.empty()) {
        throw ConfigError(ErrorCode::InvalidOption, key + " is not set: give the path of the PEM file");
    }
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        const int err = errno;
        throw ConfigError(ErrorCode::FileUnreadable,
                          key + ": cannot read \"" + path + "\": " + std::strerror(err) +
                              "; check the path (relative paths resolve against the config "
                              "file's folder) and that this user may read it");
    }
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

namespace {

// TLS 1.2 suites offered by default: forward secret (ECDHE) and AEAD only, as the common
// "intermediate" server profiles do; no CBC (LUCKY13), no static RSA key exchange.
constexpr const char* kDefaultCiphers =
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"
    "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"
    "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305";

// What OpenSSL's default security level (2 on Debian) refuses in a chain: a SHA-1 (or MD5)
// signature on any certificate but a self-signed root (whose signature is not checked), and an
// RSA or DSA key under 2048 bits. Such a certificate fails every handshake it is part of.
void security_level_warnings(X509& cert, const std::string& what, const std::string& fix,
                             std::vector<std::string>& out) {
    int md = NID_undef;
    int pk = NID_undef;
    const bool self_signed = (X509_get_extension_flags(&cert) & EXFLAG_SS) != 0;
    if (!self_signed && OBJ_find_sigid_algs(X509_get_signature_nid(&cert), &md, &pk) == 1 &&
        (md == NID_sha1 || md == NID_md5)) {
        out.push_back(what + " is signed with " + OBJ_nid2sn(md) +
                      ", which OpenSSL's default security level refuses (every handshake through it "
                      "fails): " +
                      fix);
    }
    if (EVP_PKEY* key = X509_get0_pubkey(&cert)) {
        const int type = EVP_PKEY_get_base_id(key);
        const int bits = EVP_PKEY_get_bits(key);
        if ((type == EVP_PKEY_RSA || type == EVP_PKEY_RSA_PSS || type == EVP_PKEY_DSA) && bits < 2048) {
            out.push_back(what + " has a " + std::to_string(bits) + "-bit " +
                          (type == EVP_PKEY_DSA ? "DSA" : "RSA") +
                          " key, under the 2048 bits OpenSSL's default security level requires "
                          "(every handshake through it fails): " +
                          fix);
        }
    }
    ERR_clear_error();
}

std::vector<X509Ptr> parse_certificates(const std::string& pem, const std::string& path,
                                        const std::string& key) {
    BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
    std::vector<X509Ptr> certs;
    while (X509* c = PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr)) certs.emplace_back(c);
    const std::string reason = openssl_errors();  // ends with "no start line" at end of input
    if (certs.empty()) {
        std::string hint = "expected one or more '-----BEGIN CERTIFICATE-----' blocks";
        if (pem.find("PRIVATE KEY-----") != std::string::npos) {
            hint = "the file holds a private key, not a certificate: are the cert and key swapped?";
        } else if (!pem.empty() && static_cast<unsigned char>(pem[0]) == 0x30) {
            hint = "the file looks like DER: convert it with openssl x509 -inform DER -in \"" + path +
                   "\" -out cert.pem";
        }
        throw ConfigError(ErrorCode::BadPem, key + ": no PEM certificate in \"" + path + "\": " + hint +
                                                 " (OpenSSL: " + reason + ")");
    }
    return certs;
}

int no_password(char*, int, int, void*) { return -1; }  // never prompt on a terminal

EvpPkeyPtr parse_private_key(const std::string& pem, const std::string& path, const std::string& key) {
    BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
    EvpPkeyPtr pkey(PEM_read_bio_PrivateKey(bio.get(), nullptr, no_password, nullptr));
    const std::string reason = openssl_errors();
    if (pkey) return pkey;
    std::string hint =
        "expected a PEM private key (a BEGIN PRIVATE KEY, RSA PRIVATE KEY or EC PRIVATE KEY block)";
    if (pem.find("ENCRYPTED") != std::string::npos) {
        hint = "the key is encrypted: store it unencrypted with mode 0600 (openssl pkey -in \"" + path +
               "\" -out key.pem)";
    } else if (pem.find("BEGIN CERTIFICATE") != std::string::npos) {
        hint = "the file holds a certificate, not a private key: are the cert and key swapped?";
    }
    throw ConfigError(ErrorCode::BadPem, key + ": no usable private key in \"" + path + "\": " + hint +
                                             " (OpenSSL: " + reason + ")");
}

CertificateSummary summarise(X509& cert) {
    CertificateSummary s;
    const PeerIdentity id = describe_certificate(cert);
    s.subject = id.subject;
    BioPtr bio(BIO_new(BIO_s_mem()));
    X509_NAME_print_ex(bio.get(), X509_get_issuer_name(&cert), 0, XN_FLAG_RFC2253);
    char* data = nullptr;
    const long n = BIO_get_mem_data(bio.get(), &data);
    s.issuer.assign(data, static_cast<std::size_t>(n));
    s.not_before = iso_time(X509_get0_notBefore(&cert));
    s.not_after = iso_time(X509_get0_notAfter(&cert));
    s.not_before_unix = unix_time(X509_get0_notBefore(&cert));
    s.not_after_unix = unix_time(X509_get0_notAfter(&cert));
    int days = 0;
    int secs = 0;
    if (ASN1_TIME_diff(&days, &secs, nullptr, X509_get0_notAfter(&cert)) == 1) s.days_left = days;
    s.dns_names = id.dns_names;
    s.ip_addresses = id.ip_addresses;
    s.spki_sha256 = id.spki_sha256;
    s.is_ca = X509_check_ca(&cert) != 0;
    return s;
}

void check_dates(X509& cert, const std::string& what, const std::string& fix) {
    if (X509_cmp_current_time(X509_get0_notBefore(&cert)) > 0) {
        throw ConfigError(ErrorCode::CertExpired, what + " is not valid before " +
                                                      iso_time(X509_get0_notBefore(&cert)) +
                                                      ": check this machine's clock, or " + fix);
    }
    if (X509_cmp_current_time(X509_get0_notAfter(&cert)) < 0) {
        throw ConfigError(ErrorCode::CertExpired,
                          what + " expired on " + iso_time(X509_get0_notAfter(&cert)) + ": " + fix);
    }
}

std::string describe(X509& cert, std::size_t index, const std::string& path) {
    return "certificate #" + std::to_string(index + 1) + " (" + describe_certificate(cert).subject +
           ") in \"" + path + "\"";
}

struct LoadedTls {
    std::vector<X509Ptr> chain;
    EvpPkeyPtr key;
    std::vector<X509Ptr> cas;
    std::vector<LoadedCrl> crls;
    TlsSummary summary;
};

LoadedTls load_tls(const TlsOptions& tls) {
    const bool self = tls.mode == ServerCertMode::SelfProvided;
    const std::string prefix = self ? "tls.self_provided" : "tls.vendor_issued";
    const ServerCertFiles& files = tls.active();
    const std::string renew =
        self ? "renew it with your CA and replace the files"
             : "download a new certificate and key from the vendor's console and replace the files";

    LoadedTls out;
    TlsSummary& sum = out.summary;
    sum.mode = tls.mode;
    sum.client_auth = tls.client_auth;
    sum.crl_expired = tls.crl_expired;
    sum.cert_chain_file = files.cert_chain_file;
    sum.private_key_file = files.private_key_file;

    // Server chain: leaf first, each certificate issued by the next.
    out.chain = parse_certificates(read_trust_file(files.cert_chain_file, prefix + ".cert"),
                                   files.cert_chain_file, prefix + ".cert");
    for (std::size_t i = 0; i + 1 < out.chain.size(); ++i) {
        X509& child = *out.chain[i];
        X509& parent = *out.chain[i + 1];
        if (X509_check_issued(&parent, &child) != X509_V_OK ||
            X509_verify(&child, X509_get0_pubkey(&parent)) != 1) {
            openssl_errors();
            throw ConfigError(ErrorCode::ChainOrder,
                              prefix + ".cert: " + describe(child, i, files.cert_chain_file) +
                                  " is not issued by the certificate after it (" +
                                  describe_certificate(parent).subject +
                                  "): put the server certificate first, then the intermediate "
                                  "that signed it, and so on up to (optionally) the root");
        }
    }
    X509& leaf = *out.chain.front();
    if (out.chain.size() > 1 && X509_check_ca(&leaf) != 0) {
        throw ConfigError(ErrorCode::ChainOrder, prefix + ".cert: the first certificate in \"" +
                                                     files.cert_chain_file +
                                                     "\" is a CA: put the server certificate first");
    }
    for (std::size_t i = 0; i < out.chain.size(); ++i) {
        check_dates(*out.chain[i], prefix + ".cert: " + describe(*out.chain[i], i, files.cert_chain_file),
                    renew);
    }

    out.key = parse_private_key(read_trust_file(files.private_key_file, prefix + ".key"),
                                files.private_key_file, prefix + ".key");
    if (X509_check_private_key(&leaf, out.key.get()) != 1) {
        const std::string reason = openssl_errors();
        throw ConfigError(ErrorCode::KeyMismatch,
                          prefix + ".key: the private key in \"" + files.private_key_file +
                              "\" does not belong to the certificate in \"" + files.cert_chain_file + "\" (" +
                              describe_certificate(leaf).subject +
                              "): use the key that was generated with this certificate (OpenSSL: " + reason +
                              ")");
    }
    for (std::size_t i = 0; i < out.chain.size(); ++i) {
        sum.server_chain.push_back(summarise(*out.chain[i]));
        security_level_warnings(*out.chain[i],
                                prefix + ".cert: " + describe(*out.chain[i], i, files.cert_chain_file),
                                "the vendor's TLS client may refuse it too; " + renew +
                                    " with a SHA-256 signature and an RSA key of 2048 bits or more "
                                    "(or an EC key)",
                                sum.warnings);
    }
    const long warn_days = static_cast<long>(tls.expiry_warning.count() / 24);
    if (sum.server_chain.front().days_left < warn_days) {
        sum.warnings.push_back(prefix + ".cert: the server certificate expires in " +
                               std::to_string(sum.server_chain.front().days_left) + " days (" +
                               sum.server_chain.front().not_after + "): " + renew);
    }

    if (tls.client_auth == ClientAuth::None) {
        // No client certificate is requested: the vendor CAs, CRLs and pins have nothing to check.
        std::vector<std::string> unused;
        if (!tls.vendor_ca_files.empty()) unused.emplace_back("tls.vendor_ca");
        if (!tls.crl_files.empty()) unused.emplace_back("tls.crl");
        if (!tls.vendor_identity.subject_names.empty() || !tls.vendor_identity.spki_sha256.empty()) {
            unused.emplace_back("tls.vendor_identity");
        }
        if (!unused.empty()) {
            std::string keys;
            for (const auto& k : unused) keys += (keys.empty() ? "" : ", ") + k;
            sum.warnings.push_back(keys + (unused.size() == 1 ? " is" : " are") +
                                   " set but not used: tls.client_auth is \"none\", so no client "
                                   "certificate is requested; remove " +
                                   (unused.size() == 1 ? "it" : "them") +
                                   ", or set tls.client_auth to \"required\" to use " +
                                   (unused.size() == 1 ? "it" : "them"));
        }
        return out;
    }

    // Vendor CA bundles (several during a rotation); each certificate remembers its file.
    sum.vendor_ca_files = tls.vendor_ca_files;
    std::vector<std::string> ca_paths;
    std::vector<std::size_t> ca_index;
    if (tls.vendor_ca_files.empty()) read_trust_file("", "tls.vendor_ca");  // throws: not set
    for (const auto& path : tls.vendor_ca_files) {
        auto certs = parse_certificates(read_trust_file(path, "tls.vendor_ca"), path, "tls.vendor_ca");
        for (std::size_t k = 0; k < certs.size(); ++k) {
            out.cas.push_back(std::move(certs[k]));
            ca_paths.push_back(path);
            ca_index.push_back(k);
        }
    }
    for (std::size_t i = 0; i < out.cas.size(); ++i) {
        X509& ca = *out.cas[i];
        const std::string what = "tls.vendor_ca: " + describe(ca, ca_index[i], ca_paths[i]);
        if (X509_check_ca(&ca) == 0) {
            throw ConfigError(ErrorCode::BadPem,
                              what +
                                  " is not a CA certificate: this file must hold the vendor's CA "
                                  "(TencentQQAuthCA.crt), not a client or server certificate");
        }
        check_dates(ca, what, "get the vendor's current CA certificate");
        sum.vendor_cas.push_back(summarise(ca));
        security_level_warnings(ca, what,
                                "get the vendor's current CA certificate (the vendor reissues its CA "
                                "with SHA-256 and a larger key) and add it to tls.vendor_ca",
                                sum.warnings);
    }
    // Verification needs a complete path to a root: an intermediate whose issuer is missing from
    // the files would pass here and then fail every handshake.
    for (std::size_t i = 0; i < out.cas.size(); ++i) {
        X509& ca = *out.cas[i];
        const bool has_issuer = std::any_of(out.cas.begin(), out.cas.end(), [&](const X509Ptr& other) {
            return X509_check_issued(other.get(), &ca) == X509_V_OK;
        });
        openssl_errors();
        if (!has_issuer) {
            throw ConfigError(ErrorCode::BadPem,
                              "tls.vendor_ca: " + describe(ca, ca_index[i], ca_paths[i]) +
                                  " is an intermediate CA whose issuer is not in the file: add the "
                                  "issuing CA certificates up to the root to \"" +
                                  ca_paths[i] + "\"");
        }
    }

    // CRLs, each from one of the vendor CAs.
    out.crls = load_crls(tls.crl_files, out.cas, static_cast<std::int64_t>(std::time(nullptr)));
    for (const auto& l : out.crls) {
        sum.crls.push_back(l.summary);
        if (!l.summary.expired) continue;
        sum.warnings.push_back(
            "tls.crl: CRL #" + std::to_string(l.index + 1) + " in \"" + l.file + "\" (issuer " +
            l.summary.issuer + ") is past its next update (" + l.summary.next_update + "): " +
            (tls.crl_expired == CrlExpiry::Warn
                 ? "it is still used (tls.crl_expired \"warn\"); "
                 : "every client certificate it covers is refused (tls.crl_expired \"refuse\"); ") +
            "download the vendor's current CRL and replace the file");
    }
    if (!out.crls.empty()) {
        for (std::size_t i = 0; i < out.cas.size(); ++i) {
            X509* ca = out.cas[i].get();
            const bool covered = std::any_of(out.crls.begin(), out.crls.end(),
                                             [&](const LoadedCrl& l) { return crl_of(*l.crl, *ca); });
            if (!covered) {
                sum.warnings.push_back("tls.crl: no CRL of " + describe(*ca, ca_index[i], ca_paths[i]) +
                                       ": the certificates it issues are not checked for revocation; "
                                       "add its CRL to tls.crl if the vendor publishes one");
            }
        }
    }

    for (const auto& n : tls.vendor_identity.subject_names) sum.pinned_subject_names.push_back(n);
    for (const auto& p : tls.vendor_identity.spki_sha256) sum.pinned_spki_sha256.push_back(p);
    if (sum.pinned_subject_names.empty() && sum.pinned_spki_sha256.empty()) {
        sum.warnings.push_back(
            "tls.vendor_identity is empty: any client certificate issued by the vendor CA is "
            "accepted. That CA also issues certificates to the vendor's other customers, so pin "
            "the vendor's client certificate with tls.vendor_identity.subject_cn and/or "
            "tls.vendor_identity.spki_sha256");
    }
    return out;
}

int note_index() {
    static const int idx = SSL_get_ex_new_index(0, nullptr, nullptr, nullptr, nullptr);
    return idx;
}

// True when the store holds a CRL of the CA that issued the certificate at `depth` of the chain
// (a root issues its own): one with that CA's name and signed by its key (a re-keyed CA of the
// same name has CRLs of its own). Without the issuer in the chain, a CRL of its name counts.
bool has_crl_for(X509_STORE_CTX* store, X509& cert, int depth) {
    STACK_OF(X509_CRL)* crls = X509_STORE_CTX_get1_crls(store, X509_get_issuer_name(&cert));
    STACK_OF(X509)* chain = X509_STORE_CTX_get0_chain(store);
    X509* issuer =
        chain != nullptr && depth + 1 < sk_X509_num(chain) ? sk_X509_value(chain, depth + 1) : nullptr;
    if (issuer == nullptr && X509_check_issued(&cert, &cert) == X509_V_OK) issuer = &cert;  // a root
    bool found = false;
    for (int i = 0; crls != nullptr && i < sk_X509_CRL_num(crls) && !found; ++i) {
        found = issuer == nullptr || crl_of(*sk_X509_CRL_value(crls, i), *issuer);
    }
    sk_X509_CRL_pop_free(crls, X509_CRL_free);
    ERR_clear_error();
    return found;
}

int verify_callback(int preverify_ok, X509_STORE_CTX* store) {
    auto* ssl = static_cast<SSL*>(X509_STORE_CTX_get_ex_data(store, SSL_get_ex_data_X509_STORE_CTX_idx()));
    auto* note = static_cast<HandshakeNote*>(SSL_get_ex_data(ssl, note_index()));
    const auto* snap = static_cast<const TrustSnapshot*>(SSL_CTX_get_app_data(SSL_get_SSL_CTX(ssl)));
    const int depth = X509_STORE_CTX_get_error_depth(store);
    X509* cert = X509_STORE_CTX_get_current_cert(store);
    if (preverify_ok != 1) {
        const int err = X509_STORE_CTX_get_error(store);
        // Revocation is checked against the CRLs that are configured (docs/certificates.md): a
        // certificate whose issuer has no CRL in tls.crl is not checked, and does not fail.
        // OpenSSL picks CRLs by issuer name: for a CA re-keyed under the same name, a CRL of the
        // other key fails with one of the errors classified as revocation, and is not this
        // certificate's CRL.
        if (classify_verify_error(err) == HandshakeFailure::Revoked && cert != nullptr &&
            !has_crl_for(store, *cert, depth)) {
            X509_STORE_CTX_set_error(store, X509_V_OK);
            return 1;
        }
        // An outdated CRL under tls.crl_expired "warn": still checked against (a revoked serial on
        // it still fails), and the chain is not cached, so that each handshake reports it.
        if (err == X509_V_ERR_CRL_HAS_EXPIRED && snap != nullptr && snap->crl_policy == CrlExpiry::Warn) {
            if (note != nullptr && note->expired_crl.empty() && cert != nullptr) {
                char issuer[256] = {};
                X509_NAME_oneline(X509_get_issuer_name(cert), issuer, sizeof issuer);
                note->expired_crl = issuer;
            }
            return 1;
        }
        if (note != nullptr && !note->classified) {
            note->reason = "client certificate rejected at depth " + std::to_string(depth) +
                           (cert ? " (" + describe_certificate(*cert).subject + ")" : "") + ": " +
                           X509_verify_cert_error_string(err);
            if (err == X509_V_ERR_CRL_HAS_EXPIRED) {
                note->reason += " (tls.crl_expired is \"refuse\": install the vendor's current CRL)";
            }
            note->failure = classify_verify_error(err);
            note->classified = true;
        }
        return 0;
    }
    if (depth == 0 && cert != nullptr) {
        ERR_set_mark();  // parsing names must not leave errors that would fail the handshake
        std::string why = snap->rules.mismatch(*cert);
        ERR_pop_to_mark();
        if (!why.empty()) {
            X509_STORE_CTX_set_error(store, X509_V_ERR_APPLICATION_VERIFICATION);
            if (note != nullptr) {
                note->reason = std::move(why);
                note->identity_rejected = true;
                note->failure = HandshakeFailure::IdentityMismatch;
                note->classified = true;
            }
            return 0;
        }
    }
    return 1;
}

// Replaces OpenSSL's call to X509_verify_cert for client chains: a chain that passed full
// verification under this snapshot is accepted again without chain building while every one of
// its certificates is within its dates; the identity rules are checked every time.
int verify_client_chain(X509_STORE_CTX* store, void* arg) {
    const auto* snap = static_cast<const TrustSnapshot*>(arg);
    X509* leaf = X509_STORE_CTX_get0_cert(store);
    const std::time_t now = tls_now();
    X509_STORE_CTX_set_time(store, 0, now);  // the cache and the full verification agree on "now"
    VerifiedChainCache::Key key{};
    const bool keyed =
        leaf != nullptr && VerifiedChainCache::key_of(*leaf, X509_STORE_CTX_get0_untrusted(store), key);
    if (keyed && snap->verified_chains.contains(key, now)) {
        ERR_set_mark();
        std::string why = snap->rules.mismatch(*leaf);
        ERR_pop_to_mark();
        if (why.empty()) {
            X509_STORE_CTX_set_error(store, X509_V_OK);
            return 1;
        }
        auto* ssl =
            static_cast<SSL*>(X509_STORE_CTX_get_ex_data(store, SSL_get_ex_data_X509_STORE_CTX_idx()));
        if (auto* note = static_cast<HandshakeNote*>(SSL_get_ex_data(ssl, note_index()))) {
            note->reason = std::move(why);
            note->identity_rejected = true;
            note->failure = HandshakeFailure::IdentityMismatch;
            note->classified = true;
        }
        X509_STORE_CTX_set_error(store, X509_V_ERR_APPLICATION_VERIFICATION);
        return 0;
    }
    const int ok = X509_verify_cert(store);
    if (ok == 1 && keyed && X509_STORE_CTX_get_error(store) == X509_V_OK) {
        snap->verified_chains.insert(key, X509_STORE_CTX_get0_chain(store),
                                     static_cast<std::time_t>(snap->crl_next_update));
    }
    return ok;
}

// Every resumption passes here (the stateful cache is off): a session is resumed only if its
// client certificate is still within its validity dates and still matches the identity rules.
std::time_t not_after(X509& cert) { return static_cast<std::time_t>(unix_time(X509_get0_notAfter(&cert))); }

// When a ticket is issued, it records until when the whole chain behind it is valid: the client's
// certificate, the intermediates it sent, and (conservatively) every vendor CA of the snapshot.
// A session holds the client's certificate but not its intermediates, so a ticket issued on a
// resumed connection (TLS 1.3 renews it every time) keeps the bound of the ticket it came from.
int generate_ticket(SSL* ssl, void* arg) {
    const auto* snap = static_cast<const TrustSnapshot*>(arg);
    SSL_SESSION* session = SSL_get0_session(ssl);
    if (session == nullptr) return 0;
    std::int64_t until = snap->ca_not_after;
    // With tls.crl_expired "refuse", a session must not outlive the CRL it was checked against.
    if (snap->crl_policy == CrlExpiry::Refuse) until = std::min(until, snap->crl_next_update);
    if (X509* peer = SSL_get0_peer_certificate(ssl)) until = std::min<std::int64_t>(until, not_after(*peer));
    if (STACK_OF(X509)* chain = SSL_get_peer_cert_chain(ssl)) {
        for (int i = 0; i < sk_X509_num(chain); ++i) {
            until = std::min<std::int64_t>(until, not_after(*sk_X509_value(chain, i)));
        }
    }
    void* data = nullptr;
    std::size_t len = 0;
    if (SSL_SESSION_get0_ticket_appdata(session, &data, &len) == 1 && len == sizeof until) {
        std::int64_t earlier = 0;
        std::memcpy(&earlier, data, sizeof earlier);
        until = std::min(until, earlier);
    } else if (SSL_session_reused(ssl) == 1) {
        until = 0;  // resumed without a bound: the new ticket will not be accepted
    }
    return SSL_SESSION_set1_ticket_appdata(session, &until, sizeof until) == 1;
}

// Every resumption passes here (the stateful cache is off): a session is resumed only while its
// whole chain is within its dates and its certificate still matches the identity rules.
SSL_TICKET_RETURN decrypt_ticket(SSL* ssl, SSL_SESSION* session, const unsigned char*, size_t,
                                 SSL_TICKET_STATUS status, void*) {
    if (status != SSL_TICKET_SUCCESS && status != SSL_TICKET_SUCCESS_RENEW) {
        return SSL_TICKET_RETURN_IGNORE_RENEW;
    }
    X509* peer = SSL_SESSION_get0_peer(session);
    const auto* snap = static_cast<const TrustSnapshot*>(SSL_CTX_get_app_data(SSL_get_SSL_CTX(ssl)));
    void* data = nullptr;
    std::size_t len = 0;
    std::int64_t until = 0;
    if (SSL_SESSION_get0_ticket_appdata(session, &data, &len) == 1 && len == sizeof until) {
        std::memcpy(&until, data, sizeof until);
    }
    std::time_t now = tls_now();
    ERR_set_mark();
    // With client_auth "none" there is no client certificate: only the ticket's bound applies.
    const bool ok = snap->client_auth == ClientAuth::None
                        ? now <= until
                        : peer != nullptr && now <= until &&
                              X509_cmp_time(X509_get0_notBefore(peer), &now) < 0 &&  // 0: unreadable
                              snap->rules.mismatch(*peer).empty();
    ERR_pop_to_mark();
    if (!ok) return SSL_TICKET_RETURN_IGNORE;  // full handshake: everything is verified again
    return status == SSL_TICKET_SUCCESS_RENEW ? SSL_TICKET_RETURN_USE_RENEW : SSL_TICKET_RETURN_USE;
}

[[noreturn]] void setup_failed(const std::string& what) {
    throw ConfigError(ErrorCode::TlsSetup,
                      "TLS setup failed: " + what + " (OpenSSL: " + openssl_errors() + ")");
}

}  // namespace

std::shared_ptr<const PeerIdentity> TrustSnapshot::known_identity(const VerifiedChainCache::Key& leaf) const {
    std::lock_guard<std::mutex> lock(identities_mu_);
    const auto it = identities_.find(leaf);
    return it == identities_.end() ? nullptr : it->second;
}

void TrustSnapshot::remember_identity(const VerifiedChainCache::Key& leaf,
                                      std::shared_ptr<const PeerIdentity> identity) const {
    std::lock_guard<std::mutex> lock(identities_mu_);
    if (identities_.size() >= 256) identities_.clear();  // bounded; the vendor has a handful
    identities_[leaf] = std::move(identity);
}

PeerAdmission TrustSnapshot::admit(SSL& ssl) const {
    PeerAdmission out;
    if (client_auth == ClientAuth::None) {
        out.identity = std::make_shared<const PeerIdentity>();  // no certificate was requested
        return out;
    }
    X509* peer = SSL_get0_peer_certificate(&ssl);
    VerifiedChainCache::Key leaf{};
    const bool keyed = peer != nullptr && VerifiedChainCache::key_of(*peer, nullptr, leaf);
    std::shared_ptr<const PeerIdentity> known = keyed ? known_identity(leaf) : nullptr;
    if (peer == nullptr) {
        out.why = "no client certificate";
        out.failure = HandshakeFailure::NoCertificate;
    } else if (X509_cmp_current_time(X509_get0_notAfter(peer)) < 0) {
        out.why = "client certificate outside its validity dates";
        out.failure = HandshakeFailure::Expired;
    } else if (X509_cmp_current_time(X509_get0_notBefore(peer)) > 0) {
        out.why = "client certificate outside its validity dates";
        out.failure = HandshakeFailure::NotYetValid;
    } else if (!known) {
        out.why = rules.mismatch(*peer);
    }
    if (!out.why.empty()) return out;
    if (!known) {
        known = std::make_shared<const PeerIdentity>(describe_certificate(*peer));
        if (keyed) remember_identity(leaf, known);
    }
    out.newly_seen = std::atomic_exchange(&last_reported_identity, known) != known;
    out.not_after = unix_time(X509_get0_notAfter(peer));
    out.identity = std::move(known);
    return out;
}

std::string openssl_errors() {
    std::string out;
    while (const unsigned long e = ERR_get_error()) {
        char buf[256];
        ERR_error_string_n(e, buf, sizeof buf);
        if (!out.empty()) out += "; ";
        out += buf;
    }
    return out.empty() ? "no details" : out;
}

void attach_note(SSL* ssl, HandshakeNote* note) { SSL_set_ex_data(ssl, note_index(), note); }

std::shared_ptr<const TrustSnapshot> make_trust_snapshot(const TlsOptions& tls, std::uint64_t generation) {
    auto snap = std::make_shared<TrustSnapshot>(tls.vendor_identity);
    LoadedTls loaded = load_tls(tls);
    snap->generation = generation;
    snap->summary = std::move(loaded.summary);
    snap->client_auth = tls.client_auth;
    snap->crl_policy = tls.crl_expired;

    SslCtxPtr ctx(SSL_CTX_new(TLS_server_method()));
    if (!ctx) setup_failed("SSL_CTX_new");
    SSL_CTX* c = ctx.get();
    const int min = tls.min_version == TlsVersion::Tls1_3 ? TLS1_3_VERSION : TLS1_2_VERSION;
    if (SSL_CTX_set_min_proto_version(c, min) != 1) setup_failed("minimum TLS version");
    SSL_CTX_set_options(c, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE);
    SSL_CTX_set_mode(c, SSL_MODE_RELEASE_BUFFERS);
    SSL_CTX_set_read_ahead(c, 1);  // one read() per burst of records, not two per record
    const std::string ciphers = tls.ciphers.empty() ? kDefaultCiphers : tls.ciphers;
    if (SSL_CTX_set_cipher_list(c, ciphers.c_str()) != 1) {
        throw ConfigError(ErrorCode::InvalidOption,
                          "tls.ciphers: \"" + tls.ciphers +
                              "\" selects no TLS 1.2 cipher suite OpenSSL knows: give a list in "
                              "OpenSSL's syntax (see `openssl ciphers -v 'ECDHE+AESGCM'`), or remove "
                              "the key for the default (OpenSSL: " +
                              openssl_errors() + ")");
    }
    if (!tls.ciphersuites.empty() && SSL_CTX_set_ciphersuites(c, tls.ciphersuites.c_str()) != 1) {
        throw ConfigError(ErrorCode::InvalidOption,
                          "tls.ciphersuites: \"" + tls.ciphersuites +
                              "\" is not a list of TLS 1.3 suites OpenSSL knows: give names such as "
                              "TLS_AES_128_GCM_SHA256:TLS_CHACHA20_POLY1305_SHA256 separated by ':', "
                              "or remove the key for the default (OpenSSL: " +
                              openssl_errors() + ")");
    }

    if (SSL_CTX_use_certificate(c, loaded.chain.front().get()) != 1) {
        throw ConfigError(
            ErrorCode::TlsSetup,
            "tls." +
                std::string(tls.mode == ServerCertMode::SelfProvided ? "self_provided" : "vendor_issued") +
                ".cert: OpenSSL refuses the server certificate in \"" + tls.active().cert_chain_file +
                "\" (at its security level a key under 2048 bits RSA or a SHA-1 "
                "signature is refused): reissue it with an RSA key of 2048 bits or "
                "more, or an EC key (OpenSSL: " +
                openssl_errors() + ")");
    }
    for (std::size_t i = 1; i < loaded.chain.size(); ++i) {
        if (SSL_CTX_add1_chain_cert(c, loaded.chain[i].get()) != 1) setup_failed("chain certificate");
    }
    if (SSL_CTX_use_PrivateKey(c, loaded.key.get()) != 1 || SSL_CTX_check_private_key(c) != 1) {
        setup_failed("private key");
    }

    snap->crl_next_update = std::numeric_limits<std::int64_t>::max();
    if (tls.client_auth == ClientAuth::None) {
        // No CertificateRequest, no client CA list: the vendor is authenticated by Sign alone
        // (Receiver refuses this mode without a callback token).
        SSL_CTX_set_verify(c, SSL_VERIFY_NONE, nullptr);
    } else {
        X509_STORE* store = SSL_CTX_get_cert_store(c);
        X509NameStackPtr ca_names(sk_X509_NAME_new_null());
        for (auto& ca : loaded.cas) {
            if (X509_STORE_add_cert(store, ca.get()) != 1) setup_failed("vendor CA certificate");
            sk_X509_NAME_push(ca_names.get(), X509_NAME_dup(X509_get_subject_name(ca.get())));
        }
        if (!loaded.crls.empty()) {
            for (auto& l : loaded.crls) {
                if (X509_STORE_add_crl(store, l.crl.get()) != 1) setup_failed("CRL");
                if (l.next_update != 0)
                    snap->crl_next_update = std::min(snap->crl_next_update, l.next_update);
            }
            // Every level of the chain is checked against the CRLs present; a level whose issuer
            // has no CRL in tls.crl is let through by verify_callback (docs/certificates.md).
            X509_STORE_set_flags(store, X509_V_FLAG_CRL_CHECK | X509_V_FLAG_CRL_CHECK_ALL);
        }
        SSL_CTX_set_client_CA_list(c, ca_names.release());
        SSL_CTX_set_verify(c, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, verify_callback);
        SSL_CTX_set_verify_depth(c, 8);
        SSL_CTX_set_cert_verify_callback(c, verify_client_chain, snap.get());
    }

    // Sessions are bound to this snapshot: its id context carries the generation, its ticket
    // keys are its own, and the decrypt callback re-checks the identity rules.
    const std::string sid = "imcb:" + std::to_string(generation);
    SSL_CTX_set_session_id_context(c, reinterpret_cast<const unsigned char*>(sid.data()),
                                   static_cast<unsigned int>(sid.size()));
    SSL_CTX_set_session_cache_mode(c, SSL_SESS_CACHE_OFF);
    if (tls.session_lifetime.count() > 0) {
        SSL_CTX_set_timeout(c, static_cast<long>(tls.session_lifetime.count()));
        // One TLS 1.3 ticket per connection, not OpenSSL's two: a ticket costs about as much as a
        // sixth of a full handshake here, and a callback client opens one connection at a time.
        SSL_CTX_set_num_tickets(c, 1);
    } else {
        SSL_CTX_set_options(c, SSL_OP_NO_TICKET);  // with the cache off: no resumption at all
        SSL_CTX_set_num_tickets(c, 0);
    }
    snap->ca_not_after = std::numeric_limits<std::int64_t>::max();
    for (auto& ca : loaded.cas)
        snap->ca_not_after = std::min<std::int64_t>(snap->ca_not_after, not_after(*ca));
    if (SSL_CTX_set_session_ticket_cb(c, generate_ticket, decrypt_ticket, snap.get()) != 1) {
        setup_failed("session ticket callback");
    }
    SSL_CTX_set_app_data(c, snap.get());
    snap->ctx = std::move(ctx);
    return snap;
}

}  // namespace imcb::detail
