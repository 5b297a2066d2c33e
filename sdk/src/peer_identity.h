#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <openssl/x509.h>

#include "imcb/context.h"
#include "imcb/options.h"

namespace imcb::detail {

/// Everything PeerIdentity holds, read from a certificate (borrowed).
PeerIdentity describe_certificate(X509& cert);

std::string spki_sha256_hex(X509& cert);
/// The Unix time of an ASN.1 time; false when it is absent or unreadable.
bool read_unix_time(const ASN1_TIME* t, std::int64_t& out);
/// Unix time of an ASN.1 time; 0 when it is absent or unreadable.
std::int64_t unix_time(const ASN1_TIME* t);
/// ISO 8601 UTC, e.g. "2027-03-07T14:06:21Z"; empty when the ASN.1 time is unreadable.
std::string iso_time(const ASN1_TIME* t);
std::string iso_time(std::int64_t unix_seconds);

/// The vendor identity rules, normalised once (lower-case names and hex).
class IdentityRules {
  public:
    /// Throws ConfigError when a pin is not 64 hex digits (colons are allowed).
    explicit IdentityRules(const VendorIdentity& identity);

    bool empty() const noexcept { return names_.empty() && spki_.empty(); }
    /// Empty when the certificate matches every configured rule, else why it does not.
    std::string mismatch(X509& cert) const;

    const std::vector<std::string>& names() const noexcept { return names_; }
    const std::vector<std::string>& spki() const noexcept { return spki_; }

  private:
    std::vector<std::string> names_;
    std::vector<std::string> spki_;
};

}  // namespace imcb::detail
