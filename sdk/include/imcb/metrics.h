#pragma once

// The receiver's figures as a plain C++ snapshot (Receiver::metrics()), for applications with their
// own metrics stack. The admin listener (ReceiverOptions::admin_listen) serves the same figures at
// GET /metrics in the Prometheus text format; docs/operations.md says what each one means.

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "imcb/export.h"

namespace imcb {

/// Why a TLS handshake (or a connection before it) failed; the label of
/// imcb_handshake_failures_total{reason}.
enum class HandshakeFailure {
    NoCertificate,     ///< the client sent no certificate (client_auth "required")
    UnknownCa,         ///< its chain does not lead to a configured vendor CA
    Expired,           ///< a certificate of its chain is past its notAfter
    NotYetValid,       ///< a certificate of its chain is before its notBefore
    Revoked,           ///< a certificate of its chain is on a configured CRL (or the CRL is
                       ///< expired and tls.crl_expired is "refuse")
    BadKeyUsage,       ///< its key usage or extended key usage does not allow TLS client auth
    IdentityMismatch,  ///< from the vendor CA but not matching tls.vendor_identity
    ProtocolVersion,   ///< the client offered no TLS version or suite the receiver accepts
    SourceRefused,     ///< the peer address is outside allow_sources (closed before TLS)
    Other,             ///< anything else (a malformed hello, a reset, the handshake deadline)
};
constexpr std::size_t kHandshakeFailureCount = 10;
/// The metric label: "no_certificate", "unknown_ca", ... "other".
IMCB_API const char* to_string(HandshakeFailure reason) noexcept;

/// Callbacks answered, by command and outcome (imcb_callbacks_total{command,outcome}).
/// command: the CallbackCommand when the receiver knows or handles it, "unknown" for others,
/// "none" when the request was refused before its command was read. outcome: "ok" (200, the
/// handler accepted or allowed), "denied" (200 with a refusing decision), "duplicate" (200, seen
/// within the dedup window), "rejected" (4xx: the request or its signature was refused),
/// "failed" (5xx or a failure policy reply: handler error, invalid decision, journal refusal),
/// "deadline" (answered by the deadline guard).
struct CallbackCount {
    std::string command;
    std::string outcome;
    std::uint64_t count = 0;
};

/// Time from a request's last byte to its reply (imcb_callback_duration_seconds).
struct DurationHistogram {
    std::vector<double> upper_bounds;    ///< seconds, increasing; +Inf is implied
    std::vector<std::uint64_t> buckets;  ///< cumulative counts, one per bound, then +Inf
    std::uint64_t count = 0;
    double sum = 0;  ///< seconds
};

/// One tracked certificate (imcb_certificate_expiry_timestamp_seconds{role}).
struct CertificateExpiry {
    std::string role;            ///< "server", "vendor_ca" or "vendor_client" (the last one seen)
    std::string subject;         ///< RFC 2253
    std::int64_t not_after = 0;  ///< Unix time
};

struct Metrics {
    std::vector<CallbackCount> callbacks;
    DurationHistogram callback_duration;
    std::uint64_t handler_errors = 0;  ///< handlers that threw or returned an invalid decision
    std::array<std::uint64_t, kHandshakeFailureCount> handshake_failures{};  ///< by HandshakeFailure
    std::uint64_t reloads_ok = 0;      ///< imcb_reloads_total{result="ok"}
    std::uint64_t reloads_failed = 0;  ///< imcb_reloads_total{result="failed"}
    std::vector<CertificateExpiry> certificates;
    std::uint64_t connections_open = 0;
    std::uint64_t source_refused = 0;  ///< connections closed at accept by allow_sources
    bool ready = false;                ///< listening with valid trust material (GET /readyz)
};

}  // namespace imcb
