#pragma once

#include <string>
#include <vector>

#include "imcb/options.h"

namespace imcb {

struct CertificateSummary {
    std::string subject;
    std::string issuer;
    std::string not_before;  ///< ISO 8601 UTC
    std::string not_after;   ///< ISO 8601 UTC
    long days_left = 0;      ///< whole days until not_after (negative when expired)
    std::vector<std::string> dns_names;
    std::vector<std::string> ip_addresses;
    std::string spki_sha256;  ///< lower-case hex, usable as a vendor_identity.spki_sha256 pin
    bool is_ca = false;
};

/// What the TLS options resolve to: the active server chain, the vendor CAs, the identity rules,
/// and the warnings a careful operator should read.
struct TlsSummary {
    ServerCertMode mode = ServerCertMode::SelfProvided;
    std::string cert_chain_file;
    std::string private_key_file;
    std::vector<CertificateSummary> server_chain;  ///< leaf first
    std::string vendor_ca_file;
    std::vector<CertificateSummary> vendor_cas;
    std::vector<std::string> pinned_subject_names;
    std::vector<std::string> pinned_spki_sha256;
    std::vector<std::string> warnings;
};

/// Validates the certificate files the options name (readable, PEM, key matches certificate,
/// validity dates, chain order, vendor CA bundle) and the identity rules. Throws ConfigError
/// naming the file, what is wrong and how to fix it.
TlsSummary check_tls(const TlsOptions& tls);

/// A readable multi-line rendering of a summary (used by `imcb-server --check`).
std::string to_string(const TlsSummary& summary);

const char* to_string(ServerCertMode mode) noexcept;

}  // namespace imcb
