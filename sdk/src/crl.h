#pragma once

// Certificate revocation lists for the vendor chain (tls.crl): read from PEM or DER files (one or
// more CRLs each), each checked at load to be complete, issued and signed by one of the vendor CAs.

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include <openssl/x509.h>

#include "imcb/config_check.h"
#include "openssl_ptr.h"

namespace imcb::detail {

using X509CrlPtr = OsslPtr<X509_CRL, X509_CRL_free>;

struct LoadedCrl {
    X509CrlPtr crl;
    std::string file;
    std::size_t index = 0;         ///< position in its file
    std::int64_t next_update = 0;  ///< Unix time; 0 = the CRL gives none
    CrlSummary summary;
};

/// True when `crl` is a CRL of `ca`: issued under its name and signed by its key.
bool crl_of(X509_CRL& crl, X509& ca);

/// Reads every CRL of `files` and checks each against `cas` (the vendor CAs). Throws ConfigError
/// naming tls.crl, the file and the fix.
std::vector<LoadedCrl> load_crls(const std::vector<std::string>& files, const std::vector<X509Ptr>& cas,
                                 std::int64_t now);

}  // namespace imcb::detail
