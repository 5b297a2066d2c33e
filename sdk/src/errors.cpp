#include "imcb/errors.h"
#include "imcb/metrics.h"

namespace imcb {

const char* to_string(ErrorKind kind) noexcept {
    switch (kind) {
        case ErrorKind::HandshakeFailed:
            return "handshake_failed";
        case ErrorKind::IdentityRejected:
            return "identity_rejected";
        case ErrorKind::BadRequest:
            return "bad_request";
        case ErrorKind::Unauthorized:
            return "unauthorized";
        case ErrorKind::MalformedJson:
            return "malformed_json";
        case ErrorKind::DecodeFailed:
            return "decode_failed";
        case ErrorKind::UnknownCommand:
            return "unknown_command";
        case ErrorKind::HandlerFailed:
            return "handler_failed";
        case ErrorKind::InvalidDecision:
            return "invalid_decision";
        case ErrorKind::DeadlineMissed:
            return "deadline_missed";
        case ErrorKind::Journal:
            return "journal";
        case ErrorKind::ConnectionLimit:
            return "connection_limit";
        case ErrorKind::SourceRefused:
            return "source_refused";
        case ErrorKind::ReloadFailed:
            return "reload_failed";
        case ErrorKind::TrustReloaded:
            return "trust_reloaded";
        case ErrorKind::CertificateExpiring:
            return "certificate_expiring";
        case ErrorKind::ConfigWarning:
            return "config_warning";
        case ErrorKind::WorkerStartFailed:
            return "worker_start_failed";
        case ErrorKind::ResourceExhausted:
            return "resource_exhausted";
        case ErrorKind::InternalError:
            return "internal_error";
    }
    return "unknown";
}

const char* to_string(HandshakeFailure reason) noexcept {
    switch (reason) {
        case HandshakeFailure::NoCertificate:
            return "no_certificate";
        case HandshakeFailure::UnknownCa:
            return "unknown_ca";
        case HandshakeFailure::Expired:
            return "expired";
        case HandshakeFailure::NotYetValid:
            return "not_yet_valid";
        case HandshakeFailure::Revoked:
            return "revoked";
        case HandshakeFailure::BadKeyUsage:
            return "bad_key_usage";
        case HandshakeFailure::IdentityMismatch:
            return "identity_mismatch";
        case HandshakeFailure::ProtocolVersion:
            return "protocol_version";
        case HandshakeFailure::SourceRefused:
            return "source_refused";
        case HandshakeFailure::Other:
            return "other";
    }
    return "other";
}

}  // namespace imcb
