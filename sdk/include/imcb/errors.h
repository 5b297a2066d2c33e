#pragma once

#include <stdexcept>
#include <string>

#include "imcb/export.h"

namespace imcb {

/// Setup errors: why building, starting or reloading a Receiver (or loading a configuration)
/// failed. Carried by ConfigError; request-time problems are ErrorKind values instead.
enum class ErrorCode {
    InvalidOption,   ///< an option has a value that cannot work
    FileUnreadable,  ///< a certificate, key or CA file cannot be read
    BadPem,          ///< a file is not the PEM it should be
    KeyMismatch,     ///< the private key does not belong to the certificate
    CertExpired,     ///< the server certificate is expired or not yet valid
    ChainOrder,      ///< the chain file is not leaf first, each certificate signed by the next
    TlsSetup,        ///< OpenSSL refused a setting
    PortInUse,       ///< the listen address is taken (also by another imcb instance)
    BindFailed,      ///< the listen address cannot be bound for another reason
    AlreadyStarted,  ///< the call is not allowed once the receiver serves
    StartFailed,     ///< the system refused what serving needs (file descriptors, threads)
};

/// Base of every exception the SDK throws. Request-time problems never throw out of the SDK:
/// they become replies and ErrorReports (see Receiver::on_error).
class IMCB_API Error : public std::runtime_error {
  public:
    explicit Error(const std::string& message) : std::runtime_error(message) {}
};

/// Thrown while building, starting or reloading a Receiver, or loading a configuration: the
/// message names the option (the ReceiverOptions field, or the JSON key when the options came
/// from a file) or the file, says what is wrong and how to fix it, and includes OpenSSL's reason
/// where there is one.
class IMCB_API ConfigError : public Error {
  public:
    ConfigError(ErrorCode code, const std::string& message) : Error(message), code_(code) {}
    ErrorCode code() const noexcept { return code_; }

  private:
    ErrorCode code_;
};

/// Thrown when a callback body does not decode into its typed event.
class IMCB_API DecodeError : public Error {
  public:
    explicit DecodeError(const std::string& message) : Error(message) {}
};

/// What went wrong while serving; delivered to Receiver::on_error, never thrown.
enum class ErrorKind {
    HandshakeFailed,      ///< TLS handshake failed (no/invalid client certificate, protocol, timeout)
    IdentityRejected,     ///< the client certificate chains to the vendor CA but is not the vendor
    BadRequest,           ///< wrong method/path/size/encoding, or an unparsable request
    Unauthorized,         ///< SdkAppid, Sign or RequestTime check failed
    MalformedJson,        ///< the body is not JSON
    DecodeFailed,         ///< the JSON does not have the command's documented shape
    UnknownCommand,       ///< no handler knows the CallbackCommand
    HandlerFailed,        ///< a handler threw
    InvalidDecision,      ///< a handler returned a decision the command does not allow
    DeadlineMissed,       ///< a before-handler had not decided by timeouts.before_deadline_ms: the
                          ///< reply followed before_failure_policy and its late result was discarded
    Journal,              ///< the journal is full or cannot be written (the callback got 503/500), an
                          ///< event was dead-lettered, or records were skipped when it was read back
    ConnectionLimit,      ///< a connection was refused or closed by a connection limit (at most one
                          ///< report per second per limit, with the count of those not reported)
    SourceRefused,        ///< a connection from an address outside allow_sources was closed at accept
    ReloadFailed,         ///< new trust material was refused (a broken or half-written file, a key
                          ///< that does not match): the last good material stays in force
    TrustReloaded,        ///< a watched file changed and the new trust material is in force (notice)
    CertificateExpiring,  ///< a server certificate, vendor CA or the vendor's client certificate
                          ///< expires within tls.expiry_warning (at start, on reload and daily)
    ConfigWarning,        ///< the configuration works but is risky (no pinned vendor identity, an
                          ///< admin listener off loopback, a CRL past its next update, SHA-1 or a
                          ///< short RSA key): at start and on each reload
    WorkerStartFailed,    ///< the system refused another worker thread: serving goes on with the
                          ///< workers there are (raise the process's thread limit, or threads.max)
    ResourceExhausted,    ///< the process ran out of file descriptors, memory or socket buffers
                          ///< (EMFILE, ENFILE, ENOMEM, ENOBUFS) accepting or setting up a connection
    InternalError,        ///< an unexpected exception inside the SDK closed one connection; the
                          ///< others are served (the message says where: please report it)
};

IMCB_API const char* to_string(ErrorKind kind) noexcept;

/// The text fields hold no control character and no malformed UTF-8: CR, LF and tab a request
/// carried appear as \r, \n, \t, other such bytes as \xHH, so a report is always one safe log line.
struct ErrorReport {
    ErrorKind kind;
    std::string message;      ///< what happened; never contains secrets or key material
    std::string command;      ///< CallbackCommand when known
    std::string remote_addr;  ///< "ip:port" of the peer
    std::string request_id;   ///< the request's id (CallbackContext::request_id) when there is one
};

}  // namespace imcb
