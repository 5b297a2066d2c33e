// Startup validation of the TLS files (imcb::check_tls) and the vendor identity rules, against the
// generated development PKI (certs/README.md).

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include <openssl/err.h>
#include <openssl/pem.h>

#include "imcb/config_check.h"
#include "imcb/errors.h"
#include "openssl_ptr.h"
#include "peer_identity.h"

#ifndef IMCB_TEST_CERTS_DIR
#error "IMCB_TEST_CERTS_DIR must point at the generated development PKI"
#endif

namespace {

using imcb::check_tls;
using imcb::ConfigError;
using imcb::ErrorCode;
using imcb::ServerCertMode;
using imcb::TlsOptions;
using imcb::TlsSummary;
using imcb::detail::BioPtr;
using imcb::detail::IdentityRules;
using imcb::detail::X509Ptr;

std::string pki(const std::string& name) { return std::string(IMCB_TEST_CERTS_DIR) + "/" + name; }

bool contains(const std::string& haystack, const std::string& needle) {
    return haystack.find(needle) != std::string::npos;
}

/// The one-line pin file of vendor-client, trimmed.
std::string vendor_client_pin() {
    std::ifstream in(pki("vendor-client.spki.sha256"));
    std::string pin;
    in >> pin;
    EXPECT_EQ(pin.size(), 64u) << "vendor-client.spki.sha256 should hold one 64-digit hex line";
    return pin;
}

X509Ptr load_cert(const std::string& name) {
    const std::string path = pki(name);
    BioPtr bio(BIO_new_file(path.c_str(), "r"));
    if (!bio) {
        ERR_clear_error();
        ADD_FAILURE() << "cannot open " << path;
        return nullptr;
    }
    X509Ptr cert(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
    ERR_clear_error();
    EXPECT_TRUE(cert) << "no certificate in " << path;
    return cert;
}

/// self_provided with server-self and the vendor CA: a configuration that must pass.
TlsOptions self_provided() {
    TlsOptions t;
    t.mode = ServerCertMode::SelfProvided;
    t.self_provided.cert_chain_file = pki("server-self.crt");
    t.self_provided.private_key_file = pki("server-self.key");
    t.vendor_ca_file = pki("vendor-ca.crt");
    return t;
}

struct Caught {
    bool thrown = false;
    ErrorCode code = ErrorCode::InvalidOption;
    std::string message;
};

Caught tls_error(const TlsOptions& t) {
    try {
        (void)check_tls(t);
    } catch (const ConfigError& e) {
        return {true, e.code(), e.what()};
    }
    return {};
}

/// check_tls must refuse the options with this code and a message naming `needle` (a file).
void expect_refused(const TlsOptions& t, ErrorCode code, const std::string& needle) {
    const Caught c = tls_error(t);
    ASSERT_TRUE(c.thrown) << "accepted; expected a ConfigError naming " << needle;
    EXPECT_EQ(static_cast<int>(c.code), static_cast<int>(code)) << c.message;
    EXPECT_TRUE(contains(c.message, needle)) << "expected \"" << needle << "\" in: " << c.message;
}

bool has_warning_about(const TlsSummary& s, const std::string& what) {
    return std::any_of(s.warnings.begin(), s.warnings.end(),
                       [&](const std::string& w) { return contains(w, what); });
}

// ------------------------------------------------------------------ valid configurations

TEST(CheckTls, SelfProvidedSummary) {
    const TlsSummary s = check_tls(self_provided());
    EXPECT_EQ(s.mode, ServerCertMode::SelfProvided);
    EXPECT_EQ(s.cert_chain_file, pki("server-self.crt"));
    EXPECT_EQ(s.private_key_file, pki("server-self.key"));
    ASSERT_EQ(s.server_chain.size(), 2u);  // leaf, then public-ca
    EXPECT_TRUE(contains(s.server_chain[0].subject, "CN=localhost")) << s.server_chain[0].subject;
    EXPECT_TRUE(contains(s.server_chain[0].issuer, "CN=imcb Dev Public CA")) << s.server_chain[0].issuer;
    EXPECT_FALSE(s.server_chain[0].is_ca);
    EXPECT_GT(s.server_chain[0].days_left, 0);
    EXPECT_LE(s.server_chain[0].days_left, 825);
    EXPECT_NE(std::find(s.server_chain[0].dns_names.begin(), s.server_chain[0].dns_names.end(),
                        "localhost"),
              s.server_chain[0].dns_names.end());
    EXPECT_NE(std::find(s.server_chain[0].ip_addresses.begin(), s.server_chain[0].ip_addresses.end(),
                        "127.0.0.1"),
              s.server_chain[0].ip_addresses.end());
    EXPECT_TRUE(contains(s.server_chain[1].subject, "CN=imcb Dev Public CA"));
    EXPECT_TRUE(s.server_chain[1].is_ca);
    ASSERT_EQ(s.vendor_cas.size(), 1u);
    EXPECT_TRUE(contains(s.vendor_cas[0].subject, "CN=imcb Dev Vendor CA")) << s.vendor_cas[0].subject;
    EXPECT_TRUE(s.vendor_cas[0].is_ca);
}

TEST(CheckTls, WarnsWhenNoIdentityIsPinned) {
    const TlsSummary s = check_tls(self_provided());
    EXPECT_TRUE(s.pinned_subject_names.empty());
    EXPECT_TRUE(s.pinned_spki_sha256.empty());
    EXPECT_TRUE(has_warning_about(s, "tls.vendor_identity")) << imcb::to_string(s);
}

TEST(CheckTls, NoWarningWhenASubjectIsPinned) {
    TlsOptions t = self_provided();
    t.vendor_identity.subject_names = {"im-callback.vendor.dev"};
    const TlsSummary s = check_tls(t);
    EXPECT_TRUE(s.warnings.empty()) << imcb::to_string(s);
    EXPECT_EQ(s.pinned_subject_names, std::vector<std::string>{"im-callback.vendor.dev"});
}

TEST(CheckTls, NoWarningWhenAnSpkiIsPinned) {
    TlsOptions t = self_provided();
    t.vendor_identity.spki_sha256 = {vendor_client_pin()};
    const TlsSummary s = check_tls(t);
    EXPECT_TRUE(s.warnings.empty()) << imcb::to_string(s);
    EXPECT_EQ(s.pinned_spki_sha256.size(), 1u);
}

TEST(CheckTls, WarnsWhenTheServerCertificateExpiresSoon) {
    TlsOptions t = self_provided();
    t.vendor_identity.subject_names = {"im-callback.vendor.dev"};
    t.expiry_warning = std::chrono::hours(24 * 900);  // longer than the 825-day validity
    const TlsSummary s = check_tls(t);
    EXPECT_TRUE(has_warning_about(s, "expires")) << imcb::to_string(s);
}

TEST(CheckTls, VendorIssuedSummary) {
    TlsOptions t;
    t.mode = ServerCertMode::VendorIssued;
    t.vendor_issued.cert_chain_file = pki("server-vendor.crt");
    t.vendor_issued.private_key_file = pki("server-vendor.key");
    t.vendor_ca_file = pki("vendor-ca.crt");
    t.vendor_identity.subject_names = {"im-callback.vendor.dev"};
    const TlsSummary s = check_tls(t);
    EXPECT_EQ(s.mode, ServerCertMode::VendorIssued);
    EXPECT_EQ(s.cert_chain_file, pki("server-vendor.crt"));
    ASSERT_FALSE(s.server_chain.empty());
    EXPECT_TRUE(contains(s.server_chain[0].subject, "CN=localhost"));
    EXPECT_TRUE(contains(s.server_chain[0].issuer, "CN=imcb Dev Vendor CA")) << s.server_chain[0].issuer;
    EXPECT_GT(s.server_chain[0].days_left, 0);
}

TEST(CheckTls, OnlyTheActiveModesFilesAreRead) {
    TlsOptions t = self_provided();
    t.vendor_issued.cert_chain_file = pki("does-not-exist.crt");
    t.vendor_issued.private_key_file = pki("does-not-exist.key");
    EXPECT_NO_THROW((void)check_tls(t));
    t.mode = ServerCertMode::VendorIssued;
    expect_refused(t, ErrorCode::FileUnreadable, pki("does-not-exist.crt"));
}

// ------------------------------------------------------------------ failures

TEST(CheckTls, MissingCertFileIsUnreadable) {
    TlsOptions t = self_provided();
    t.self_provided.cert_chain_file = pki("no-such.crt");
    expect_refused(t, ErrorCode::FileUnreadable, pki("no-such.crt"));
}

TEST(CheckTls, MissingKeyFileIsUnreadable) {
    TlsOptions t = self_provided();
    t.self_provided.private_key_file = pki("no-such.key");
    expect_refused(t, ErrorCode::FileUnreadable, pki("no-such.key"));
}

TEST(CheckTls, MissingVendorCaIsUnreadable) {
    TlsOptions t = self_provided();
    t.vendor_ca_file = pki("no-such-ca.crt");
    expect_refused(t, ErrorCode::FileUnreadable, pki("no-such-ca.crt"));
}

TEST(CheckTls, EmptyPathIsInvalidOption) {
    TlsOptions t = self_provided();
    t.self_provided.private_key_file.clear();
    expect_refused(t, ErrorCode::InvalidOption, "tls.self_provided.key");
}

TEST(CheckTls, KeyGivenAsCertIsBadPem) {
    TlsOptions t = self_provided();
    t.self_provided.cert_chain_file = pki("server-self.key");
    expect_refused(t, ErrorCode::BadPem, pki("server-self.key"));
}

TEST(CheckTls, CertGivenAsKeyIsBadPem) {
    TlsOptions t = self_provided();
    t.self_provided.private_key_file = pki("server-self.crt");
    expect_refused(t, ErrorCode::BadPem, pki("server-self.crt"));
    EXPECT_TRUE(contains(tls_error(t).message, "tls.self_provided.key"));
}

TEST(CheckTls, KeyOfAnotherCertIsKeyMismatch) {
    TlsOptions t = self_provided();
    t.self_provided.private_key_file = pki("server-vendor.key");
    expect_refused(t, ErrorCode::KeyMismatch, pki("server-vendor.key"));
    EXPECT_TRUE(contains(tls_error(t).message, pki("server-self.crt")));
}

TEST(CheckTls, ExpiredServerCertIsCertExpired) {
    TlsOptions t = self_provided();
    t.self_provided.cert_chain_file = pki("expired-server.crt");
    t.self_provided.private_key_file = pki("expired-server.key");
    expect_refused(t, ErrorCode::CertExpired, pki("expired-server.crt"));
}

TEST(CheckTls, CaFirstChainIsChainOrder) {
    TlsOptions t = self_provided();
    t.self_provided.cert_chain_file = pki("bad-chain-order.crt");
    expect_refused(t, ErrorCode::ChainOrder, pki("bad-chain-order.crt"));
}

TEST(CheckTls, ChainOfUnrelatedCertificatesIsChainOrder) {
    // The server-vendor leaf followed by public-ca, which did not sign it.
    char tmpl[] = "/tmp/imcb-chain-test-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    const std::string dir = tmpl;
    const std::string path = dir + "/wrong-chain.crt";
    {
        std::ifstream leaf(pki("server-vendor.crt"));
        std::ifstream ca(pki("public-ca.crt"));
        std::ofstream out(path);
        std::string line;
        // Only the first certificate (the leaf) of server-vendor.crt.
        while (std::getline(leaf, line)) {
            out << line << "\n";
            if (line == "-----END CERTIFICATE-----") break;
        }
        out << ca.rdbuf();
    }
    TlsOptions t = self_provided();
    t.self_provided.cert_chain_file = path;
    t.self_provided.private_key_file = pki("server-vendor.key");
    const Caught c = tls_error(t);
    std::remove(path.c_str());
    std::remove(dir.c_str());
    ASSERT_TRUE(c.thrown);
    EXPECT_EQ(static_cast<int>(c.code), static_cast<int>(ErrorCode::ChainOrder)) << c.message;
    EXPECT_TRUE(contains(c.message, path)) << c.message;
}

TEST(CheckTls, VendorCaThatIsNotACaIsBadPem) {
    TlsOptions t = self_provided();
    t.vendor_ca_file = pki("vendor-client.crt");
    expect_refused(t, ErrorCode::BadPem, pki("vendor-client.crt"));
}

TEST(CheckTls, VendorCaWithOnlyAnIntermediateIsRefused) {
    TlsOptions t = self_provided();
    t.vendor_ca_file = pki("vendor-sub-ca.crt");
    expect_refused(t, ErrorCode::BadPem, "intermediate");
}

TEST(CheckTls, VendorCaBundleWithIntermediateAndRootIsAccepted) {
    char tmpl[] = "/tmp/imcb-ca-bundle-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    const std::string path = std::string(tmpl) + "/bundle.crt";
    {
        std::ifstream sub(pki("vendor-sub-ca.crt"));
        std::ifstream root(pki("vendor-ca.crt"));
        std::ofstream out(path);
        out << sub.rdbuf() << root.rdbuf();
    }
    TlsOptions t = self_provided();
    t.vendor_ca_file = path;
    const Caught c = tls_error(t);
    std::remove(path.c_str());
    std::remove(tmpl);
    EXPECT_FALSE(c.thrown) << c.message;
}

TEST(CheckTls, PinThatIsNotSha256HexIsInvalidOption) {
    const std::string pin = vendor_client_pin();
    for (const std::string& bad : {pin.substr(0, 63), pin + "0", std::string("not-a-pin"),
                                  "g" + pin.substr(1), std::string()}) {
        TlsOptions t = self_provided();
        t.vendor_identity.spki_sha256 = {bad};
        expect_refused(t, ErrorCode::InvalidOption, "tls.vendor_identity.spki_sha256");
    }
}

TEST(CheckTls, PinWithColonsIsAccepted) {
    const std::string pin = vendor_client_pin();
    std::string colons;
    for (std::size_t i = 0; i < pin.size(); i += 2) {
        if (!colons.empty()) colons += ':';
        colons += pin.substr(i, 2);
    }
    std::transform(colons.begin(), colons.end(), colons.begin(),
                   [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
    TlsOptions t = self_provided();
    t.vendor_identity.spki_sha256 = {colons};
    const TlsSummary s = check_tls(t);
    EXPECT_TRUE(s.warnings.empty()) << imcb::to_string(s);

    // The same spelling also works as a rule.
    const IdentityRules rules(t.vendor_identity);
    ASSERT_EQ(rules.spki(), std::vector<std::string>{pin});
    X509Ptr vendor = load_cert("vendor-client.crt");
    ASSERT_TRUE(vendor);
    EXPECT_EQ(rules.mismatch(*vendor), "");
}

TEST(CheckTls, EmptySubjectNameIsInvalidOption) {
    TlsOptions t = self_provided();
    t.vendor_identity.subject_names = {""};
    expect_refused(t, ErrorCode::InvalidOption, "tls.vendor_identity.subject_cn");
}

// ------------------------------------------------------------------ identity rules

class IdentityRulesTest : public ::testing::Test {
  protected:
    void SetUp() override {
        vendor_ = load_cert("vendor-client.crt");
        sibling_ = load_cert("sibling-client.crt");
        ASSERT_TRUE(vendor_);
        ASSERT_TRUE(sibling_);
    }
    static std::string mismatch(const imcb::VendorIdentity& id, X509& cert) {
        return IdentityRules(id).mismatch(cert);
    }
    X509Ptr vendor_;
    X509Ptr sibling_;
};

TEST_F(IdentityRulesTest, SpkiFileMatchesTheCertificate) {
    EXPECT_EQ(imcb::detail::spki_sha256_hex(*vendor_), vendor_client_pin());
    EXPECT_NE(imcb::detail::spki_sha256_hex(*sibling_), vendor_client_pin());
}

TEST_F(IdentityRulesTest, NoRulesAcceptEveryone) {
    const IdentityRules rules(imcb::VendorIdentity{});
    EXPECT_TRUE(rules.empty());
    EXPECT_EQ(rules.mismatch(*vendor_), "");
    EXPECT_EQ(rules.mismatch(*sibling_), "");
}

TEST_F(IdentityRulesTest, SubjectNameMatchesVendorNotSibling) {
    imcb::VendorIdentity id;
    id.subject_names = {"im-callback.vendor.dev"};
    EXPECT_EQ(mismatch(id, *vendor_), "");
    const std::string why = mismatch(id, *sibling_);
    EXPECT_NE(why, "");
    EXPECT_TRUE(contains(why, "other-customer.example")) << why;
}

TEST_F(IdentityRulesTest, SubjectNameIsCaseInsensitive) {
    imcb::VendorIdentity id;
    id.subject_names = {"IM-Callback.Vendor.DEV"};
    EXPECT_EQ(mismatch(id, *vendor_), "");
    EXPECT_NE(mismatch(id, *sibling_), "");
}

TEST_F(IdentityRulesTest, AnyListedNameMatches) {
    imcb::VendorIdentity id;
    id.subject_names = {"nobody.example", "other-customer.example"};
    EXPECT_EQ(mismatch(id, *sibling_), "");
    EXPECT_NE(mismatch(id, *vendor_), "");
}

TEST_F(IdentityRulesTest, SubjectNameMustMatchWhole) {
    imcb::VendorIdentity id;
    id.subject_names = {"vendor.dev"};
    EXPECT_NE(mismatch(id, *vendor_), "");
    id.subject_names = {"im-callback.vendor.dev.evil"};
    EXPECT_NE(mismatch(id, *vendor_), "");
}

TEST_F(IdentityRulesTest, SpkiPinMatchesVendorNotSibling) {
    imcb::VendorIdentity id;
    id.spki_sha256 = {vendor_client_pin()};
    EXPECT_EQ(mismatch(id, *vendor_), "");
    const std::string why = mismatch(id, *sibling_);
    EXPECT_NE(why, "");
    EXPECT_TRUE(contains(why, "spki_sha256")) << why;
}

TEST_F(IdentityRulesTest, BothRulesAreRequired) {
    imcb::VendorIdentity vendor_pins;
    vendor_pins.subject_names = {"im-callback.vendor.dev"};
    vendor_pins.spki_sha256 = {vendor_client_pin()};
    EXPECT_EQ(mismatch(vendor_pins, *vendor_), "");
    EXPECT_NE(mismatch(vendor_pins, *sibling_), "");

    // The sibling's name with the vendor's key: each certificate satisfies only one rule.
    imcb::VendorIdentity crossed;
    crossed.subject_names = {"other-customer.example"};
    crossed.spki_sha256 = {vendor_client_pin()};
    EXPECT_NE(mismatch(crossed, *vendor_), "");   // key matches, name does not
    EXPECT_NE(mismatch(crossed, *sibling_), "");  // name matches, key does not

    // The sibling satisfies each rule on its own.
    imcb::VendorIdentity name_only;
    name_only.subject_names = {"other-customer.example"};
    EXPECT_EQ(mismatch(name_only, *sibling_), "");
}

}  // namespace
