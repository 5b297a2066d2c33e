#pragma once

// Why a TLS handshake failed, as one HandshakeFailure: from the client chain's verification error
// when there was one, else from OpenSSL's error reason (no certificate, no common version or suite).

#include <cstdint>

#include "imcb/metrics.h"

namespace imcb::detail {

/// The reason an X509_V_ERR_* verification error stands for.
HandshakeFailure classify_verify_error(int x509_error) noexcept;

/// The reason OpenSSL's packed error codes stand for (the first and last of the queue, as
/// ERR_peek_error / ERR_peek_last_error give them); Other when neither says more.
HandshakeFailure classify_ssl_error(unsigned long first, unsigned long last) noexcept;

}  // namespace imcb::detail
