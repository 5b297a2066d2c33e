#include "imcb/errors.h"

namespace imcb {

const char* to_string(ErrorKind kind) noexcept {
    switch (kind) {
        case ErrorKind::HandshakeFailed: return "handshake_failed";
        case ErrorKind::IdentityRejected: return "identity_rejected";
        case ErrorKind::BadRequest: return "bad_request";
        case ErrorKind::Unauthorized: return "unauthorized";
        case ErrorKind::MalformedJson: return "malformed_json";
        case ErrorKind::DecodeFailed: return "decode_failed";
        case ErrorKind::UnknownCommand: return "unknown_command";
        case ErrorKind::HandlerFailed: return "handler_failed";
        case ErrorKind::InvalidDecision: return "invalid_decision";
        case ErrorKind::DeadlineMissed: return "deadline_missed";
        case ErrorKind::Journal: return "journal";
        case ErrorKind::ConnectionLimit: return "connection_limit";
    }
    return "unknown";
}

}  // namespace imcb
