#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace imcb {

/// Which server certificate the receiver presents to the vendor.
enum class ServerCertMode {
    SelfProvided,  ///< your own chain and key, from any CA the vendor trusts
    VendorIssued,  ///< the certificate and key the vendor issues for your domain
};

/// Lowest TLS version accepted. There is deliberately no value below 1.2.
enum class TlsVersion { Tls1_2, Tls1_3 };

/// Whether the vendor must present a client certificate.
enum class ClientAuth {
    Required,  ///< mutual TLS: a client certificate from a vendor CA, matching vendor_identity
    None,      ///< no client certificate is requested: the vendor is authenticated by Sign alone,
               ///< so ReceiverOptions::callback_tokens must not be empty
};

/// What a CRL past its nextUpdate means for handshakes (see docs/certificates.md).
enum class CrlExpiry {
    Warn,    ///< keep checking against it, warn and count; an outdated list still names revocations
    Refuse,  ///< fail every client chain it covers (reason "revoked") until a current CRL is loaded
};

/// What the receiver answers when a before-callback handler throws or returns an invalid decision.
enum class FailurePolicy {
    Allow,      ///< reply ErrorCode 0: the event proceeds (the vendor's own timeout default)
    Deny,       ///< reply ErrorCode 1: the event is refused
    HttpError,  ///< reply HTTP 500: the vendor applies its console timeout policy
};

struct ServerCertFiles {
    std::string cert_chain_file;   ///< PEM, leaf first, then intermediates
    std::string private_key_file;  ///< PEM; never logged
};

/// Who the vendor is. A client certificate that chains to the vendor CA is accepted only if it
/// also matches every rule configured here. Both empty = any certificate from the vendor CA
/// (the receiver warns at startup: in vendor_issued mode the same CA signs other customers).
struct VendorIdentity {
    std::vector<std::string> subject_names;  ///< subject CN or a DNS SAN must equal one of these
    std::vector<std::string> spki_sha256;    ///< hex SHA-256 of the DER SubjectPublicKeyInfo
};

struct TlsOptions {
    ServerCertMode mode = ServerCertMode::SelfProvided;
    ServerCertFiles self_provided;
    ServerCertFiles vendor_issued;
    ClientAuth client_auth = ClientAuth::Required;
    /// PEM bundles of the vendor's CA certificates (TencentQQAuthCA.crt); during a CA rotation, the
    /// old and the new one. Required with ClientAuth::Required.
    std::vector<std::string> vendor_ca_files;
    std::vector<std::string> crl_files;  ///< PEM or DER CRLs for the vendor chain; empty = none
    CrlExpiry crl_expired = CrlExpiry::Warn;
    VendorIdentity vendor_identity;
    TlsVersion min_version = TlsVersion::Tls1_2;
    /// TLS 1.2 cipher list in OpenSSL's syntax; empty = forward-secret AEAD suites only (ECDHE with
    /// AES-GCM or ChaCha20-Poly1305).
    std::string ciphers;
    std::string ciphersuites;  ///< TLS 1.3 suites in OpenSSL's syntax; empty = OpenSSL's default
    std::chrono::seconds session_lifetime{3600};  ///< how long a TLS session can be resumed; 0 = never
    /// Warn when a server certificate, a vendor CA or the vendor's client certificate expires sooner.
    std::chrono::hours expiry_warning{24 * 30};
    /// Reload by itself when one of the files above changes on disk (inotify; an atomic rename and
    /// a symlink swap count as changes).
    bool watch = true;

    /// The files of the active mode.
    const ServerCertFiles& active() const {
        return mode == ServerCertMode::SelfProvided ? self_provided : vendor_issued;
    }
};

/// The durable after-event journal (see docs/reliability.md). An after-callback it covers is
/// acknowledged only once it is on disk; its handler then runs from the journal, at least once,
/// retried with backoff, and after max_attempts the event goes to dead-letter.jsonl in `dir`.
struct JournalOptions {
    std::string dir;  ///< empty = no journal (handlers run before the reply, as without it)
    /// "after" = every after-callback; otherwise command names (after-callbacks, or commands the
    /// SDK does not know that you handle with on_raw).
    std::vector<std::string> commands{"after"};
    std::uint64_t max_bytes = 256ull << 20;         ///< when full, callbacks get 503 until handlers catch up
    unsigned max_attempts = 10;                     ///< deliveries of one event before it is dead-lettered
    std::chrono::milliseconds retry_backoff{1000};  ///< after the first failure; doubles, up to 1 h
};

/// Deduplication of after-callbacks by event_key(): an event seen again within the window (a
/// vendor retry) is acknowledged and not handled again. With a journal, the window also covers
/// restarts (the journal keeps the window's events).
struct DedupOptions {
    std::chrono::seconds window{0};    ///< 0 = off
    std::size_t max_entries = 100000;  ///< the oldest keys are forgotten first beyond this
};

struct ReceiverOptions {
    std::string host = "127.0.0.1";
    std::uint16_t port = 0;  ///< 0 = an ephemeral port; Receiver::start() returns the bound one
    std::string path = "/";
    std::uint64_t sdk_app_id = 0;  ///< required: requests whose SdkAppid differs get 403
    /// Tokens the Sign may be made with; empty = no Sign check, else Sign/RequestTime are required.
    /// Several during a rotation (old, then old and new, then new). Never logged.
    std::vector<std::string> callback_tokens;
    std::chrono::seconds request_time_window{60};  ///< allowed |now - RequestTime|
    TlsOptions tls;
    /// Peer address ranges ("192.0.2.0/24", "2001:db8::/32", a bare address) allowed to connect;
    /// others are closed at accept, before any TLS work. Empty = any address.
    std::vector<std::string> allow_sources;
    /// "host:port" of the admin listener (GET /metrics, /healthz, /readyz), plain HTTP, meant for
    /// 127.0.0.1; empty = none.
    std::string admin_listen;

    std::size_t max_body_bytes = 256 * 1024;   ///< larger bodies get 413
    std::size_t max_header_bytes = 16 * 1024;  ///< request line plus headers
    std::size_t max_connections = 10000;       ///< further connections are closed at accept
    /// Connections still in the TLS handshake; at the limit, a new connection closes the oldest
    /// handshake in progress (a vendor's handshake completes in milliseconds, a silent one waits).
    std::size_t max_handshaking = 1024;
    /// Open connections (handshaking or established) from one peer address; further ones are
    /// closed at accept. The vendor connects from a few addresses: keep room for its pool.
    std::size_t max_connections_per_ip = 512;
    std::size_t min_threads = 4;    ///< worker threads kept alive
    std::size_t max_threads = 256;  ///< the pool grows up to this while handlers block
    int listen_backlog = 1024;
    std::chrono::milliseconds handshake_timeout{10000};  ///< whole TLS handshake, from accept
    std::chrono::milliseconds request_timeout{10000};    ///< one request, first byte to last
    std::chrono::seconds keep_alive_timeout{75};         ///< idle time allowed between requests
    std::size_t keep_alive_max_requests = 100000;        ///< then the connection is closed
    FailurePolicy before_failure_policy = FailurePolicy::Allow;
    /// A before-handler that has not decided by then is answered following before_failure_policy
    /// (the vendor waits 2 s, then lets the event through); its late result is discarded.
    std::chrono::milliseconds before_deadline{1500};
    /// stop() (and SIGTERM in imcb-server) waits this long for callbacks in flight to finish.
    std::chrono::milliseconds shutdown_timeout{5000};
    JournalOptions journal;
    DedupOptions dedup;
    /// Where these options came from: the configuration file load_config_file read them from
    /// ("(JSON)" from config_from_json), or empty when they were built in code. ConfigError
    /// messages name the file's JSON keys when it is set, the ReceiverOptions fields otherwise.
    std::string config_file;
};

}  // namespace imcb
