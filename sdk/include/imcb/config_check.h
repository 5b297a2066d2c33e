#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "imcb/export.h"
#include "imcb/options.h"

namespace imcb {

struct CertificateSummary {
    std::string subject;
    std::string issuer;
    std::string not_before;            ///< ISO 8601 UTC
    std::string not_after;             ///< ISO 8601 UTC
    std::int64_t not_before_unix = 0;  ///< not_before as Unix time
    std::int64_t not_after_unix = 0;   ///< not_after as Unix time
    long days_left = 0;                ///< whole days until not_after (negative when expired)
    std::vector<std::string> dns_names;
    std::vector<std::string> ip_addresses;
    std::string spki_sha256;  ///< lower-case hex, usable as a vendor_identity.spki_sha256 pin
    bool is_ca = false;
};

/// One CRL of tls.crl.
struct CrlSummary {
    std::string file;
    std::string issuer;       ///< RFC 2253 name of the vendor CA that issued it
    std::string this_update;  ///< ISO 8601 UTC
    std::string next_update;  ///< ISO 8601 UTC; empty when the CRL gives none
    std::size_t revoked = 0;  ///< certificates it lists
    bool expired = false;     ///< past next_update when the summary was made
};

/// What the TLS options resolve to: the active server chain, the vendor CAs, the identity rules,
/// and the warnings a careful operator should read.
struct TlsSummary {
    ServerCertMode mode = ServerCertMode::SelfProvided;
    ClientAuth client_auth = ClientAuth::Required;
    std::string cert_chain_file;
    std::string private_key_file;
    std::vector<CertificateSummary> server_chain;  ///< leaf first
    std::vector<std::string> vendor_ca_files;
    std::vector<CertificateSummary> vendor_cas;
    std::vector<CrlSummary> crls;
    CrlExpiry crl_expired = CrlExpiry::Warn;
    std::vector<std::string> pinned_subject_names;
    std::vector<std::string> pinned_spki_sha256;
    std::vector<std::string> warnings;
};

/// Validates the certificate files the options name (readable, PEM, key matches certificate,
/// validity dates, chain order, vendor CA bundle) and the identity rules. Throws ConfigError
/// naming the file, what is wrong and how to fix it. TlsOptions carry no origin, so the option is
/// named by its ReceiverOptions field (ReceiverOptions::tls.crl_files); for options read from a
/// file, construct a Receiver instead (it checks the same and names the JSON keys).
IMCB_API TlsSummary check_tls(const TlsOptions& tls);

/// A readable multi-line rendering of a summary (used by `imcb-server --check`).
IMCB_API std::string to_string(const TlsSummary& summary);

IMCB_API const char* to_string(ServerCertMode mode) noexcept;
IMCB_API const char* to_string(ClientAuth mode) noexcept;  ///< "required" or "none"

}  // namespace imcb
