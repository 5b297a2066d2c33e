#include "tls_context.h"

#include <algorithm>
#include <cerrno>
#include <ctime>
#include <cstring>
#include <limits>
#include <cstring>
#include <fstream>
#include <sstream>
#include <vector>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include "imcb/errors.h"
#include "tls_clock.h"

namespace imcb::detail {
namespace {

std::string read_file(const std::string& path, const std::string& key) {
    if (path.empty()) {
        throw ConfigError(ErrorCode::InvalidOption,
                          key + " is not set: give the path of the PEM file");
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
            hint = "the file looks like DER: convert it with openssl x509 -inform DER -in \"" +
                   path + "\" -out cert.pem";
        }
        throw ConfigError(ErrorCode::BadPem, key + ": no PEM certificate in \"" + path + "\": " +
                                                 hint + " (OpenSSL: " + reason + ")");
    }
    return certs;
}

int no_password(char*, int, int, void*) { return -1; }  // never prompt on a terminal

EvpPkeyPtr parse_private_key(const std::string& pem, const std::string& path,
                             const std::string& key) {
    BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
    EvpPkeyPtr pkey(PEM_read_bio_PrivateKey(bio.get(), nullptr, no_password, nullptr));
    const std::string reason = openssl_errors();
    if (pkey) return pkey;
    std::string hint = "expected a PEM private key (a BEGIN PRIVATE KEY, RSA PRIVATE KEY or EC PRIVATE KEY block)";
    if (pem.find("ENCRYPTED") != std::string::npos) {
        hint = "the key is encrypted: store it unencrypted with mode 0600 (openssl pkey -in \"" +
               path + "\" -out key.pem)";
    } else if (pem.find("BEGIN CERTIFICATE") != std::string::npos) {
        hint = "the file holds a certificate, not a private key: are the cert and key swapped?";
    }
    throw ConfigError(ErrorCode::BadPem, key + ": no usable private key in \"" + path + "\": " +
                                             hint + " (OpenSSL: " + reason + ")");
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
        throw ConfigError(ErrorCode::CertExpired,
                          what + " is not valid before " + iso_time(X509_get0_notBefore(&cert)) +
                              ": check this machine's clock, or " + fix);
    }
    if (X509_cmp_current_time(X509_get0_notAfter(&cert)) < 0) {
        throw ConfigError(ErrorCode::CertExpired, what + " expired on " +
                                                      iso_time(X509_get0_notAfter(&cert)) + ": " +
                                                      fix);
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
    sum.cert_chain_file = files.cert_chain_file;
    sum.private_key_file = files.private_key_file;
    sum.vendor_ca_file = tls.vendor_ca_file;

    // Server chain: leaf first, each certificate issued by the next.
    out.chain = parse_certificates(read_file(files.cert_chain_file, prefix + ".cert"),
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
        throw ConfigError(ErrorCode::ChainOrder,
                          prefix + ".cert: the first certificate in \"" + files.cert_chain_file +
                              "\" is a CA: put the server certificate first");
    }
    for (std::size_t i = 0; i < out.chain.size(); ++i) {
        check_dates(*out.chain[i], prefix + ".cert: " + describe(*out.chain[i], i, files.cert_chain_file),
                    renew);
    }

    out.key = parse_private_key(read_file(files.private_key_file, prefix + ".key"),
                                files.private_key_file, prefix + ".key");
    if (X509_check_private_key(&leaf, out.key.get()) != 1) {
        const std::string reason = openssl_errors();
        throw ConfigError(ErrorCode::KeyMismatch,
                          prefix + ".key: the private key in \"" + files.private_key_file +
                              "\" does not belong to the certificate in \"" +
                              files.cert_chain_file + "\" (" + describe_certificate(leaf).subject +
                              "): use the key that was generated with this certificate (OpenSSL: " +
                              reason + ")");
    }
    for (auto& c : out.chain) sum.server_chain.push_back(summarise(*c));
    const long warn_days = static_cast<long>(tls.expiry_warning.count() / 24);
    if (sum.server_chain.front().days_left < warn_days) {
        sum.warnings.push_back(prefix + ".cert: the server certificate expires in " +
                               std::to_string(sum.server_chain.front().days_left) + " days (" +
                               sum.server_chain.front().not_after + "): " + renew);
    }

    // Vendor CA bundle.
    out.cas = parse_certificates(read_file(tls.vendor_ca_file, "tls.vendor_ca"),
                                 tls.vendor_ca_file, "tls.vendor_ca");
    for (std::size_t i = 0; i < out.cas.size(); ++i) {
        X509& ca = *out.cas[i];
        if (X509_check_ca(&ca) == 0) {
            throw ConfigError(ErrorCode::BadPem,
                              "tls.vendor_ca: " + describe(ca, i, tls.vendor_ca_file) +
                                  " is not a CA certificate: this file must hold the vendor's CA "
                                  "(TencentQQAuthCA.crt), not a client or server certificate");
        }
        check_dates(ca, "tls.vendor_ca: " + describe(ca, i, tls.vendor_ca_file),
                    "get the vendor's current CA certificate");
        sum.vendor_cas.push_back(summarise(ca));
    }
    // Verification needs a complete path to a root: an intermediate whose issuer is missing from
    // the file would pass here and then fail every handshake.
    for (std::size_t i = 0; i < out.cas.size(); ++i) {
        X509& ca = *out.cas[i];
        const bool has_issuer = std::any_of(out.cas.begin(), out.cas.end(), [&](const X509Ptr& other) {
            return X509_check_issued(other.get(), &ca) == X509_V_OK;
        });
        openssl_errors();
        if (!has_issuer) {
            throw ConfigError(ErrorCode::BadPem,
                              "tls.vendor_ca: " + describe(ca, i, tls.vendor_ca_file) +
                                  " is an intermediate CA whose issuer is not in the file: add the "
                                  "issuing CA certificates up to the root to \"" +
                                  tls.vendor_ca_file + "\"");
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

int verify_callback(int preverify_ok, X509_STORE_CTX* store) {
    auto* ssl = static_cast<SSL*>(
        X509_STORE_CTX_get_ex_data(store, SSL_get_ex_data_X509_STORE_CTX_idx()));
    auto* note = static_cast<HandshakeNote*>(SSL_get_ex_data(ssl, note_index()));
    const int depth = X509_STORE_CTX_get_error_depth(store);
    X509* cert = X509_STORE_CTX_get_current_cert(store);
    if (preverify_ok != 1) {
        if (note != nullptr && note->reason.empty()) {
            const int err = X509_STORE_CTX_get_error(store);
            note->reason = "client certificate rejected at depth " + std::to_string(depth) +
                           (cert ? " (" + describe_certificate(*cert).subject + ")" : "") + ": " +
                           X509_verify_cert_error_string(err);
        }
        return 0;
    }
    if (depth == 0 && cert != nullptr) {
        const auto* snap =
            static_cast<const TrustSnapshot*>(SSL_CTX_get_app_data(SSL_get_SSL_CTX(ssl)));
        ERR_set_mark();  // parsing names must not leave errors that would fail the handshake
        std::string why = snap->rules.mismatch(*cert);
        ERR_pop_to_mark();
        if (!why.empty()) {
            X509_STORE_CTX_set_error(store, X509_V_ERR_APPLICATION_VERIFICATION);
            if (note != nullptr) {
                note->reason = std::move(why);
                note->identity_rejected = true;
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
    const bool keyed = leaf != nullptr &&
                       VerifiedChainCache::key_of(*leaf, X509_STORE_CTX_get0_untrusted(store), key);
    if (keyed && snap->verified_chains.contains(key, now)) {
        ERR_set_mark();
        std::string why = snap->rules.mismatch(*leaf);
        ERR_pop_to_mark();
        if (why.empty()) {
            X509_STORE_CTX_set_error(store, X509_V_OK);
            return 1;
        }
        auto* ssl = static_cast<SSL*>(X509_STORE_CTX_get_ex_data(store, SSL_get_ex_data_X509_STORE_CTX_idx()));
        if (auto* note = static_cast<HandshakeNote*>(SSL_get_ex_data(ssl, note_index()))) {
            note->reason = std::move(why);
            note->identity_rejected = true;
        }
        X509_STORE_CTX_set_error(store, X509_V_ERR_APPLICATION_VERIFICATION);
        return 0;
    }
    const int ok = X509_verify_cert(store);
    if (ok == 1 && keyed && X509_STORE_CTX_get_error(store) == X509_V_OK) {
        snap->verified_chains.insert(key, X509_STORE_CTX_get0_chain(store));
    }
    return ok;
}

// Every resumption passes here (the stateful cache is off): a session is resumed only if its
// client certificate is still within its validity dates and still matches the identity rules.
std::time_t not_after(X509& cert) {
    std::tm tm{};
    return ASN1_TIME_to_tm(X509_get0_notAfter(&cert), &tm) == 1 ? timegm(&tm) : 0;
}

// When a ticket is issued, it records until when the whole chain behind it is valid: the client's
// certificate, the intermediates it sent, and (conservatively) every vendor CA of the snapshot.
// A session holds the client's certificate but not its intermediates, so a ticket issued on a
// resumed connection (TLS 1.3 renews it every time) keeps the bound of the ticket it came from.
int generate_ticket(SSL* ssl, void* arg) {
    const auto* snap = static_cast<const TrustSnapshot*>(arg);
    SSL_SESSION* session = SSL_get0_session(ssl);
    if (session == nullptr) return 0;
    std::int64_t until = snap->ca_not_after;
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
    const bool ok = peer != nullptr && now <= until &&
                    X509_cmp_time(X509_get0_notBefore(peer), &now) < 0 &&  // 0: unreadable
                    snap->rules.mismatch(*peer).empty();
    ERR_pop_to_mark();
    if (!ok) return SSL_TICKET_RETURN_IGNORE;  // full handshake: everything is verified again
    return status == SSL_TICKET_SUCCESS_RENEW ? SSL_TICKET_RETURN_USE_RENEW : SSL_TICKET_RETURN_USE;
}

[[noreturn]] void setup_failed(const std::string& what) {
    throw ConfigError(ErrorCode::TlsSetup, "TLS setup failed: " + what + " (OpenSSL: " +
                                               openssl_errors() + ")");
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

std::shared_ptr<const TrustSnapshot> make_trust_snapshot(const TlsOptions& tls,
                                                         std::uint64_t generation) {
    auto snap = std::make_shared<TrustSnapshot>(tls.vendor_identity);
    LoadedTls loaded = load_tls(tls);
    snap->generation = generation;
    snap->summary = std::move(loaded.summary);

    SslCtxPtr ctx(SSL_CTX_new(TLS_server_method()));
    if (!ctx) setup_failed("SSL_CTX_new");
    SSL_CTX* c = ctx.get();
    const int min = tls.min_version == TlsVersion::Tls1_3 ? TLS1_3_VERSION : TLS1_2_VERSION;
    if (SSL_CTX_set_min_proto_version(c, min) != 1) setup_failed("minimum TLS version");
    SSL_CTX_set_options(c, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION |
                               SSL_OP_CIPHER_SERVER_PREFERENCE);
    SSL_CTX_set_mode(c, SSL_MODE_RELEASE_BUFFERS);
    SSL_CTX_set_read_ahead(c, 1);  // one read() per burst of records, not two per record

    if (SSL_CTX_use_certificate(c, loaded.chain.front().get()) != 1) setup_failed("server certificate");
    for (std::size_t i = 1; i < loaded.chain.size(); ++i) {
        if (SSL_CTX_add1_chain_cert(c, loaded.chain[i].get()) != 1) setup_failed("chain certificate");
    }
    if (SSL_CTX_use_PrivateKey(c, loaded.key.get()) != 1 || SSL_CTX_check_private_key(c) != 1) {
        setup_failed("private key");
    }

    X509_STORE* store = SSL_CTX_get_cert_store(c);
    X509NameStackPtr ca_names(sk_X509_NAME_new_null());
    for (auto& ca : loaded.cas) {
        if (X509_STORE_add_cert(store, ca.get()) != 1) setup_failed("vendor CA certificate");
        sk_X509_NAME_push(ca_names.get(), X509_NAME_dup(X509_get_subject_name(ca.get())));
    }
    SSL_CTX_set_client_CA_list(c, ca_names.release());
    SSL_CTX_set_verify(c, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, verify_callback);
    SSL_CTX_set_verify_depth(c, 8);
    SSL_CTX_set_cert_verify_callback(c, verify_client_chain, snap.get());

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
    for (auto& ca : loaded.cas) snap->ca_not_after = std::min<std::int64_t>(snap->ca_not_after, not_after(*ca));
    if (SSL_CTX_set_session_ticket_cb(c, generate_ticket, decrypt_ticket, snap.get()) != 1) {
        setup_failed("session ticket callback");
    }
    SSL_CTX_set_app_data(c, snap.get());
    snap->ctx = std::move(ctx);
    return snap;
}

TlsSummary check_tls(const TlsOptions& tls) {
    IdentityRules rules(tls.vendor_identity);  // validates the pins
    return load_tls(tls).summary;
}

}  // namespace imcb::detail

namespace imcb {

TlsSummary check_tls(const TlsOptions& tls) { return detail::check_tls(tls); }

const char* to_string(ServerCertMode mode) noexcept {
    return mode == ServerCertMode::SelfProvided ? "self_provided" : "vendor_issued";
}

std::string to_string(const TlsSummary& s) {
    std::ostringstream out;
    out << "mode: " << to_string(s.mode) << "\n";
    out << "server certificate: " << s.cert_chain_file << " (key " << s.private_key_file << ")\n";
    for (const auto& c : s.server_chain) {
        out << "  - " << c.subject << "\n    issuer " << c.issuer << "\n    valid " << c.not_before
            << " .. " << c.not_after << " (" << c.days_left << " days left)\n";
        for (const auto& d : c.dns_names) out << "    DNS " << d << "\n";
        for (const auto& ip : c.ip_addresses) out << "    IP " << ip << "\n";
    }
    out << "vendor CA: " << s.vendor_ca_file << "\n";
    for (const auto& c : s.vendor_cas) {
        out << "  - " << c.subject << "\n    valid " << c.not_before << " .. " << c.not_after
            << "\n";
    }
    out << "vendor identity:\n";
    if (s.pinned_subject_names.empty() && s.pinned_spki_sha256.empty()) out << "  (none pinned)\n";
    for (const auto& n : s.pinned_subject_names) out << "  subject CN/DNS: " << n << "\n";
    for (const auto& p : s.pinned_spki_sha256) out << "  SPKI SHA-256: " << p << "\n";
    for (const auto& w : s.warnings) out << "warning: " << w << "\n";
    return out.str();
}

}  // namespace imcb
