#include "crl.h"

#include <algorithm>

#include <openssl/err.h>
#include <openssl/pem.h>

#include "imcb/errors.h"
#include "peer_identity.h"
#include "tls_context.h"

namespace imcb::detail {
namespace {

constexpr const char* kPemBegin = "-----BEGIN X509 CRL-----";

std::size_t count_of(const std::string& text, const std::string& needle) {
    std::size_t n = 0;
    for (std::size_t pos = text.find(needle); pos != std::string::npos; pos = text.find(needle, pos + 1)) ++n;
    return n;
}

[[noreturn]] void bad_crl(const std::string& path, const std::string& what) {
    throw ConfigError(ErrorCode::BadPem, "tls.crl: \"" + path + "\": " + what);
}

std::vector<X509CrlPtr> parse(const std::string& data, const std::string& path) {
    std::vector<X509CrlPtr> out;
    const std::size_t blocks = count_of(data, kPemBegin);
    if (blocks > 0) {
        BioPtr bio(BIO_new_mem_buf(data.data(), static_cast<int>(data.size())));
        while (X509_CRL* c = PEM_read_bio_X509_CRL(bio.get(), nullptr, nullptr, nullptr)) out.emplace_back(c);
        const std::string reason = openssl_errors();
        if (out.size() != blocks) {
            bad_crl(path, "CRL #" + std::to_string(out.size() + 1) + " of " + std::to_string(blocks) +
                              " cannot be read (a file still being written, or damaged): write the "
                              "whole file again, ideally to a temporary name and then rename it "
                              "(OpenSSL: " +
                              reason + ")");
        }
        return out;
    }
    if (data.empty() || static_cast<unsigned char>(data[0]) != 0x30) {
        std::string hint = "expected a CRL in PEM ('-----BEGIN X509 CRL-----') or DER form";
        if (data.find("-----BEGIN CERTIFICATE-----") != std::string::npos) {
            hint =
                "the file holds a certificate, not a CRL: give the CRL the vendor publishes for "
                "its CA (its CRL distribution point)";
        } else if (data.empty()) {
            hint = "the file is empty";
        }
        bad_crl(path, hint);
    }
    // DER: one or more CRLs back to back, nothing after the last.
    const auto* p = reinterpret_cast<const unsigned char*>(data.data());
    const auto* end = p + data.size();
    while (p < end) {
        X509_CRL* c = d2i_X509_CRL(nullptr, &p, static_cast<long>(end - p));
        if (c == nullptr) {
            bad_crl(path, "DER CRL #" + std::to_string(out.size() + 1) +
                              " cannot be read (a file still being written, or damaged): write the "
                              "whole file again, ideally to a temporary name and then rename it "
                              "(OpenSSL: " +
                              openssl_errors() + ")");
        }
        out.emplace_back(c);
    }
    return out;
}

std::string name_of(const X509_NAME* name) {
    BioPtr bio(BIO_new(BIO_s_mem()));
    if (!bio || X509_NAME_print_ex(bio.get(), name, 0, XN_FLAG_RFC2253) < 0) return {};
    char* data = nullptr;
    const long n = BIO_get_mem_data(bio.get(), &data);
    return std::string(data, static_cast<std::size_t>(n));
}

}  // namespace

bool crl_of(X509_CRL& crl, X509& ca) {
    if (X509_NAME_cmp(X509_get_subject_name(&ca), X509_CRL_get_issuer(&crl)) != 0) return false;
    const bool ok = X509_CRL_verify(&crl, X509_get0_pubkey(&ca)) == 1;
    ERR_clear_error();
    return ok;
}

std::vector<LoadedCrl> load_crls(const std::vector<std::string>& files, const std::vector<X509Ptr>& cas,
                                 std::int64_t now) {
    std::vector<LoadedCrl> out;
    for (const auto& path : files) {
        auto crls = parse(read_trust_file(path, "tls.crl"), path);
        for (std::size_t i = 0; i < crls.size(); ++i) {
            X509_CRL* crl = crls[i].get();
            const std::string what =
                "CRL #" + std::to_string(i + 1) + " (issuer " + name_of(X509_CRL_get_issuer(crl)) + ")";
            // A re-issued CA often keeps its name with a new key: during a rotation two listed
            // CAs share the issuer name, and the CRL belongs to the one whose key signed it.
            const bool named = std::any_of(cas.begin(), cas.end(), [&](const X509Ptr& ca) {
                return X509_NAME_cmp(X509_get_subject_name(ca.get()), X509_CRL_get_issuer(crl)) == 0;
            });
            const bool signed_by_one =
                std::any_of(cas.begin(), cas.end(), [&](const X509Ptr& ca) { return crl_of(*crl, *ca); });
            if (!named) {
                bad_crl(path, what +
                                  " is not issued by any certificate of tls.vendor_ca: give the CRL "
                                  "of the vendor's CA, or add the CA that issued this CRL to "
                                  "tls.vendor_ca");
            }
            if (!signed_by_one) {
                bad_crl(path, what +
                                  " does not carry a valid signature of a vendor CA of that name: the "
                                  "file is damaged or not the CA's CRL; download it again");
            }
            LoadedCrl l;
            l.file = path;
            l.index = i;
            l.next_update = unix_time(X509_CRL_get0_nextUpdate(crl));
            CrlSummary& s = l.summary;
            s.file = path;
            s.issuer = name_of(X509_CRL_get_issuer(crl));
            s.this_update = iso_time(X509_CRL_get0_lastUpdate(crl));
            s.next_update = iso_time(X509_CRL_get0_nextUpdate(crl));
            const STACK_OF(X509_REVOKED)* revoked = X509_CRL_get_REVOKED(crl);
            s.revoked = revoked != nullptr ? static_cast<std::size_t>(sk_X509_REVOKED_num(revoked)) : 0;
            s.expired = l.next_update != 0 && l.next_update < now;
            l.crl = std::move(crls[i]);
            out.push_back(std::move(l));
        }
    }
    return out;
}

}  // namespace imcb::detail
