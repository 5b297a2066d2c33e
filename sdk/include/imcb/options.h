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
    std::string vendor_ca_file;  ///< PEM bundle of one or more CA certificates (TencentQQAuthCA.crt)
    VendorIdentity vendor_identity;
    TlsVersion min_version = TlsVersion::Tls1_2;
    std::chrono::seconds session_lifetime{3600};  ///< how long a TLS session can be resumed; 0 = never
    std::chrono::hours expiry_warning{24 * 30};   ///< warn when the server certificate expires sooner

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
    std::uint64_t max_bytes = 256ull << 20;  ///< when full, callbacks get 503 until handlers catch up
    unsigned max_attempts = 10;              ///< deliveries of one event before it is dead-lettered
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
    std::string callback_token;    ///< empty = no Sign check; else Sign/RequestTime are required
    std::chrono::seconds request_time_window{60};  ///< allowed |now - RequestTime|
    TlsOptions tls;

    std::size_t max_body_bytes = 256 * 1024;   ///< larger bodies get 413
    std::size_t max_header_bytes = 16 * 1024;  ///< request line plus headers
    std::size_t max_connections = 10000;       ///< further connections are closed at accept
    /// Connections still in the TLS handshake; at the limit, a new connection closes the oldest
    /// handshake in progress (a vendor's handshake completes in milliseconds, a silent one waits).
    std::size_t max_handshaking = 1024;
    /// Open connections (handshaking or established) from one peer address; further ones are
    /// closed at accept. The vendor connects from a few addresses: keep room for its pool.
    std::size_t max_connections_per_ip = 512;
    std::size_t min_threads = 4;               ///< worker threads kept alive
    std::size_t max_threads = 256;             ///< the pool grows up to this while handlers block
    int listen_backlog = 1024;
    std::chrono::milliseconds handshake_timeout{10000};  ///< whole TLS handshake, from accept
    std::chrono::milliseconds request_timeout{10000};    ///< one request, first byte to last
    std::chrono::seconds keep_alive_timeout{75};         ///< idle time allowed between requests
    std::size_t keep_alive_max_requests = 100000;        ///< then the connection is closed
    FailurePolicy before_failure_policy = FailurePolicy::Allow;
    /// A before-handler that has not decided by then is answered following before_failure_policy
    /// (the vendor waits 2 s, then lets the event through); its late result is discarded.
    std::chrono::milliseconds before_deadline{1500};
    JournalOptions journal;
    DedupOptions dedup;
};

}  // namespace imcb
