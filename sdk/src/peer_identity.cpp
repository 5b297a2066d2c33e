#include "peer_identity.h"

#include <algorithm>
#include <cctype>
#include <arpa/inet.h>
#include <ctime>

#include <openssl/evp.h>
#include <openssl/x509v3.h>

#include "imcb/errors.h"
#include "openssl_ptr.h"
#include "hex.h"

namespace imcb::detail {
namespace {

std::string lower(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return s;
}

std::string name_oneline(const X509_NAME* name) {
    BioPtr bio(BIO_new(BIO_s_mem()));
    if (!bio || X509_NAME_print_ex(bio.get(), name, 0, XN_FLAG_RFC2253) < 0) return {};
    char* data = nullptr;
    const long n = BIO_get_mem_data(bio.get(), &data);
    return std::string(data, static_cast<std::size_t>(n));
}

std::string common_name(X509& cert) {
    const X509_NAME* name = X509_get_subject_name(&cert);
    const int idx = X509_NAME_get_index_by_NID(name, NID_commonName, -1);
    if (idx < 0) return {};
    const ASN1_STRING* data = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, idx));
    unsigned char* utf8 = nullptr;
    const int len = ASN1_STRING_to_UTF8(&utf8, data);
    if (len < 0) return {};
    std::string out(reinterpret_cast<char*>(utf8), static_cast<std::size_t>(len));
    OPENSSL_free(utf8);
    return out;
}

void subject_alt_names(X509& cert, std::vector<std::string>& dns, std::vector<std::string>& ips) {
    GeneralNamesPtr names(
        static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(&cert, NID_subject_alt_name, nullptr, nullptr)));
    if (!names) return;
    for (int i = 0; i < sk_GENERAL_NAME_num(names.get()); ++i) {
        const GENERAL_NAME* gn = sk_GENERAL_NAME_value(names.get(), i);
        if (gn->type == GEN_DNS) {
            const ASN1_STRING* s = gn->d.dNSName;
            dns.emplace_back(reinterpret_cast<const char*>(ASN1_STRING_get0_data(s)),
                             static_cast<std::size_t>(ASN1_STRING_length(s)));
        } else if (gn->type == GEN_IPADD) {
            const ASN1_OCTET_STRING* s = gn->d.iPAddress;
            const int len = ASN1_STRING_length(s);
            char buf[INET6_ADDRSTRLEN] = {};
            const int family = len == 4 ? AF_INET : len == 16 ? AF_INET6 : 0;
            if (family != 0 && inet_ntop(family, ASN1_STRING_get0_data(s), buf, sizeof buf)) {
                ips.emplace_back(buf);
            }
        }
    }
}

std::string normalise_pin(const std::string& pin) {
    std::string out;
    for (const char c : pin) {
        if (c == ':' || c == ' ') continue;
        if (!std::isxdigit(static_cast<unsigned char>(c))) return {};
        out.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
    }
    return out.size() == 64 ? out : std::string{};
}

}  // namespace

bool read_unix_time(const ASN1_TIME* t, std::int64_t& out) {
    std::tm tm{};
    if (t == nullptr || ASN1_TIME_to_tm(t, &tm) != 1) return false;
    out = static_cast<std::int64_t>(timegm(&tm));
    return true;
}

std::string iso_time(std::int64_t unix_seconds) {
    const std::time_t tt = static_cast<std::time_t>(unix_seconds);
    std::tm tm{};
    ::gmtime_r(&tt, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buf;
}

std::string iso_time(const ASN1_TIME* t) {
    std::int64_t seconds = 0;
    return read_unix_time(t, seconds) ? iso_time(seconds) : std::string{};
}

std::int64_t unix_time(const ASN1_TIME* t) {
    std::int64_t seconds = 0;
    return read_unix_time(t, seconds) ? seconds : 0;
}

std::string spki_sha256_hex(X509& cert) {
    unsigned char* der = nullptr;
    const int len = i2d_X509_PUBKEY(X509_get_X509_PUBKEY(&cert), &der);
    if (len <= 0) return {};
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int md_len = 0;
    const bool ok = EVP_Digest(der, static_cast<std::size_t>(len), md, &md_len, EVP_sha256(), nullptr) == 1;
    OPENSSL_free(der);
    return ok ? hex_lower(md, md_len) : std::string{};
}

PeerIdentity describe_certificate(X509& cert) {
    PeerIdentity id;
    id.subject = name_oneline(X509_get_subject_name(&cert));
    id.common_name = common_name(cert);
    subject_alt_names(cert, id.dns_names, id.ip_addresses);
    if (BIGNUM* bn = ASN1_INTEGER_to_BN(X509_get0_serialNumber(&cert), nullptr)) {
        if (char* h = BN_bn2hex(bn)) {
            id.serial_hex = h;
            OPENSSL_free(h);
        }
        BN_free(bn);
    }
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int md_len = 0;
    if (X509_digest(&cert, EVP_sha256(), md, &md_len) == 1) id.sha256_fingerprint = hex_lower(md, md_len);
    id.spki_sha256 = spki_sha256_hex(cert);
    id.not_after = iso_time(X509_get0_notAfter(&cert));
    return id;
}

IdentityRules::IdentityRules(const VendorIdentity& identity) {
    for (const auto& n : identity.subject_names) {
        if (n.empty()) {
            throw ConfigError(ErrorCode::InvalidOption,
                              "tls.vendor_identity.subject_cn: an entry is empty; list the CN or "
                              "DNS name of the vendor's client certificate, or remove the entry");
        }
        names_.push_back(lower(n));
    }
    for (const auto& p : identity.spki_sha256) {
        const std::string pin = normalise_pin(p);
        if (pin.empty()) {
            throw ConfigError(ErrorCode::InvalidOption,
                              "tls.vendor_identity.spki_sha256: \"" + p +
                                  "\" is not a SHA-256 in hex (64 hex digits, colons allowed); "
                                  "compute it with: openssl x509 -in vendor-client.crt -pubkey "
                                  "-noout | openssl pkey -pubin -outform DER | openssl dgst -sha256");
        }
        spki_.push_back(pin);
    }
}

std::string IdentityRules::mismatch(X509& cert) const {
    if (!names_.empty()) {
        std::vector<std::string> dns;
        std::vector<std::string> ips;
        subject_alt_names(cert, dns, ips);
        const std::string cn = lower(common_name(cert));
        const auto listed = [&](const std::string& v) {
            return std::find(names_.begin(), names_.end(), lower(v)) != names_.end();
        };
        const bool ok = (!cn.empty() && listed(cn)) || std::any_of(dns.begin(), dns.end(), listed);
        if (!ok) {
            return "client certificate CN \"" + cn +
                   "\" and its DNS names are not in tls.vendor_identity.subject_cn";
        }
    }
    if (!spki_.empty()) {
        const std::string spki = spki_sha256_hex(cert);
        if (std::find(spki_.begin(), spki_.end(), spki) == spki_.end()) {
            return "client certificate public key (SPKI SHA-256 " + spki +
                   ") is not in tls.vendor_identity.spki_sha256";
        }
    }
    return {};
}

}  // namespace imcb::detail
