// Startup validation of the TLS files (imcb::check_tls) and the vendor identity rules, against the
// generated development PKI (certs/README.md).

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <iterator>
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
#include "imcb/receiver.h"
#include "support/test_pki.h"

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
    t.vendor_ca_files = {pki("vendor-ca.crt")};
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
    EXPECT_NE(std::find(s.server_chain[0].dns_names.begin(), s.server_chain[0].dns_names.end(), "localhost"),
              s.server_chain[0].dns_names.end());
    EXPECT_NE(
        std::find(s.server_chain[0].ip_addresses.begin(), s.server_chain[0].ip_addresses.end(), "127.0.0.1"),
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
    t.vendor_ca_files = {pki("vendor-ca.crt")};
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
    t.vendor_ca_files = {pki("no-such-ca.crt")};
    expect_refused(t, ErrorCode::FileUnreadable, pki("no-such-ca.crt"));
}

TEST(CheckTls, EmptyPathIsInvalidOption) {
    TlsOptions t = self_provided();
    t.self_provided.private_key_file.clear();
    expect_refused(t, ErrorCode::InvalidOption, "ReceiverOptions::tls.self_provided.private_key_file");
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
    EXPECT_TRUE(contains(tls_error(t).message, "ReceiverOptions::tls.self_provided.private_key_file"));
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
    t.vendor_ca_files = {pki("vendor-client.crt")};
    expect_refused(t, ErrorCode::BadPem, pki("vendor-client.crt"));
}

TEST(CheckTls, VendorCaWithOnlyAnIntermediateIsRefused) {
    TlsOptions t = self_provided();
    t.vendor_ca_files = {pki("vendor-sub-ca.crt")};
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
    t.vendor_ca_files = {path};
    const Caught c = tls_error(t);
    std::remove(path.c_str());
    std::remove(tmpl);
    EXPECT_FALSE(c.thrown) << c.message;
}

TEST(CheckTls, PinThatIsNotSha256HexIsInvalidOption) {
    const std::string pin = vendor_client_pin();
    for (const std::string& bad :
         {pin.substr(0, 63), pin + "0", std::string("not-a-pin"), "g" + pin.substr(1), std::string()}) {
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
    expect_refused(t, ErrorCode::InvalidOption, "ReceiverOptions::tls.vendor_identity.subject_names");
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

// ------------------------------------------------------------------ client_auth, CRLs, ciphers

namespace {

using imcb::ClientAuth;
using imcb::CrlExpiry;
using imcb::test::Issued;
using imcb::test::TempPki;

constexpr std::time_t kDay = 24 * 3600;

// A vendor CA of a test's own, a client it issued, and another CA.
struct CrlPki {
    TempPki files;
    const std::time_t t0 = std::time(nullptr);
    const Issued ca = files.ca("imcb Test Vendor CA", t0 - kDay, t0 + 3650 * kDay);
    const Issued other = files.ca("imcb Other CA", t0 - kDay, t0 + 3650 * kDay);
    const Issued client = files.client("im-callback.vendor.dev", t0 - kDay, t0 + 60 * kDay, ca);
    const std::string ca_file = files.write("ca", {&ca});

    TlsOptions options() const {
        TlsOptions t = self_provided();
        t.vendor_ca_files = {ca_file};
        t.vendor_identity.subject_names = {"im-callback.vendor.dev"};
        return t;
    }
};

std::string read_all(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

void write_all(const std::string& path, const std::string& data) {
    std::ofstream(path, std::ios::binary) << data;
}

}  // namespace

TEST(CheckTlsClientAuth, NoneNeedsNoVendorCaAndSaysSoPlainly) {
    TlsOptions t = self_provided();
    t.client_auth = ClientAuth::None;
    t.vendor_ca_files.clear();
    const TlsSummary s = check_tls(t);
    EXPECT_EQ(s.client_auth, ClientAuth::None);
    EXPECT_TRUE(s.vendor_cas.empty());
    EXPECT_TRUE(s.warnings.empty()) << imcb::to_string(s);
    const std::string text = imcb::to_string(s);
    EXPECT_TRUE(contains(text, "the vendor is authenticated by Sign alone (no client certificate)")) << text;
}

TEST(CheckTlsClientAuth, NoneWarnsThatVendorCaCrlAndPinsAreNotUsed) {
    CrlPki p;
    TlsOptions t = p.options();
    t.client_auth = ClientAuth::None;
    t.crl_files = {p.files.write_crl("ca.crl", p.ca, {}, p.t0 - 60, p.t0 + kDay)};
    const TlsSummary s = check_tls(t);
    EXPECT_TRUE(has_warning_about(s, "tls.vendor_ca, tls.crl, tls.vendor_identity are set but not used"))
        << imcb::to_string(s);
    EXPECT_TRUE(s.crls.empty());
}

TEST(CheckTlsClientAuth, RequiredIsTheDefaultAndSaysMutualTls) {
    const TlsSummary s = check_tls(self_provided());
    EXPECT_EQ(s.client_auth, ClientAuth::Required);
    EXPECT_TRUE(contains(imcb::to_string(s), "client_auth: required: mutual TLS"));
}

TEST(CheckTlsClientAuth, ReceiverRefusesNoneWithoutACallbackToken) {
    imcb::ReceiverOptions o;
    o.sdk_app_id = 888888;
    o.tls = self_provided();
    o.tls.client_auth = ClientAuth::None;
    try {
        imcb::Receiver r(o);
        FAIL() << "client_auth none without a token was accepted";
    } catch (const ConfigError& e) {
        EXPECT_TRUE(contains(e.what(), "callback_token")) << e.what();
        EXPECT_TRUE(contains(e.what(), "client_auth \"required\"")) << e.what();
    }
    o.callback_tokens = {"a-token-from-the-console"};
    EXPECT_NO_THROW(imcb::Receiver r(o));
}

TEST(CheckTlsVendorCa, TwoBundlesAreBothLoadedAndErrorsNameTheRightFile) {
    CrlPki p;
    TlsOptions t = p.options();
    const std::string other = p.files.write("other", {&p.other});
    t.vendor_ca_files = {p.ca_file, other};
    EXPECT_EQ(check_tls(t).vendor_cas.size(), 2u);
    const std::string leaf = p.files.write("leaf", {&p.client});
    t.vendor_ca_files = {p.ca_file, leaf};
    expect_refused(t, ErrorCode::BadPem, "\"" + leaf + "\"");
}

TEST(CheckTlsCrl, PemAndDerAreReadAndSummarised) {
    CrlPki p;
    TlsOptions t = p.options();
    t.crl_files = {p.files.write_crl("a.crl", p.ca, {&p.client}, p.t0 - 60, p.t0 + 7 * kDay),
                   p.files.write_crl("b.der", p.ca, {}, p.t0 - 60, p.t0 + 7 * kDay, true)};
    const TlsSummary s = check_tls(t);
    ASSERT_EQ(s.crls.size(), 2u);
    EXPECT_EQ(s.crls[0].revoked, 1u);
    EXPECT_EQ(s.crls[1].revoked, 0u);
    EXPECT_FALSE(s.crls[0].expired);
    EXPECT_TRUE(contains(s.crls[0].issuer, "imcb Test Vendor CA"));
    EXPECT_FALSE(has_warning_about(s, "tls.crl")) << imcb::to_string(s);
    EXPECT_TRUE(contains(imcb::to_string(s), "next update"));
}

TEST(CheckTlsCrl, SeveralCrlsInOnePemFile) {
    CrlPki p;
    const std::string a = p.files.write_crl("a.crl", p.ca, {}, p.t0 - 60, p.t0 + kDay);
    const std::string b = p.files.write_crl("b.crl", p.ca, {&p.client}, p.t0 - 60, p.t0 + kDay);
    const std::string both = p.files.path("both.crl");
    write_all(both, read_all(a) + read_all(b));
    TlsOptions t = p.options();
    t.crl_files = {both};
    EXPECT_EQ(check_tls(t).crls.size(), 2u);
}

TEST(CheckTlsCrl, AHalfWrittenFileIsRefusedNamingKeyAndFile) {
    CrlPki p;
    for (const bool der : {false, true}) {
        const std::string path =
            p.files.write_crl(der ? "c.der" : "c.crl", p.ca, {&p.client}, p.t0 - 60, p.t0 + kDay, der);
        const std::string whole = read_all(path);
        write_all(path, whole.substr(0, whole.size() / 2));
        TlsOptions t = p.options();
        t.crl_files = {path};
        expect_refused(t, ErrorCode::BadPem, "ReceiverOptions::tls.crl_files: \"" + path + "\"");
    }
}

TEST(CheckTlsCrl, ACertificateGivenAsCrlIsRefused) {
    CrlPki p;
    TlsOptions t = p.options();
    t.crl_files = {p.ca_file};
    expect_refused(t, ErrorCode::BadPem, "holds a certificate, not a CRL");
}

TEST(CheckTlsCrl, ACrlOfAnotherCaIsRefusedWithTheFix) {
    CrlPki p;
    TlsOptions t = p.options();
    t.crl_files = {p.files.write_crl("other.crl", p.other, {}, p.t0 - 60, p.t0 + kDay)};
    expect_refused(t, ErrorCode::BadPem, "is not issued by any certificate of tls.vendor_ca");
}

TEST(CheckTlsCrl, ACrlWithTheVendorsNameButAnotherKeyIsRefused) {
    CrlPki p;
    const Issued impostor = p.files.ca("imcb Test Vendor CA", p.t0 - kDay, p.t0 + kDay);  // same name
    TlsOptions t = p.options();
    t.crl_files = {p.files.write_crl("forged.crl", impostor, {}, p.t0 - 60, p.t0 + kDay)};
    expect_refused(t, ErrorCode::BadPem, "does not carry a valid signature");
}

TEST(CheckTlsCrl, AnExpiredCrlIsAWarningUnderEitherPolicy) {
    CrlPki p;
    TlsOptions t = p.options();
    t.crl_files = {p.files.write_crl("old.crl", p.ca, {}, p.t0 - 10 * kDay, p.t0 - kDay)};
    TlsSummary s = check_tls(t);
    ASSERT_EQ(s.crls.size(), 1u);
    EXPECT_TRUE(s.crls[0].expired);
    EXPECT_TRUE(has_warning_about(s, "is still used (tls.crl_expired \"warn\")")) << imcb::to_string(s);
    t.crl_expired = CrlExpiry::Refuse;
    s = check_tls(t);
    EXPECT_TRUE(has_warning_about(s, "is refused (tls.crl_expired \"refuse\")")) << imcb::to_string(s);
}

TEST(CheckTlsCrl, ACaWithoutACrlIsNamedInAWarning) {
    CrlPki p;
    const Issued sub = p.files.ca("imcb Test Vendor Sub CA", p.t0 - kDay, p.t0 + kDay, &p.ca);
    TlsOptions t = p.options();
    t.vendor_ca_files = {p.files.write("bundle", {&sub, &p.ca})};
    t.crl_files = {p.files.write_crl("root.crl", p.ca, {}, p.t0 - 60, p.t0 + kDay)};
    const TlsSummary s = check_tls(t);
    EXPECT_TRUE(has_warning_about(s, "no CRL of certificate #1 (O=imcb test,CN=imcb Test Vendor Sub CA)"))
        << imcb::to_string(s);
}

TEST(CheckTlsCiphers, InvalidListsAreConfigErrorsNamingTheKey) {
    TlsOptions t = self_provided();
    t.ciphers = "NOT-A-CIPHER";
    expect_refused(t, ErrorCode::InvalidOption, "tls.ciphers");
    t = self_provided();
    t.ciphersuites = "TLS_NOT_A_SUITE";
    expect_refused(t, ErrorCode::InvalidOption, "tls.ciphersuites");
    t = self_provided();
    t.ciphers = "ECDHE-ECDSA-AES256-GCM-SHA384";
    t.ciphersuites = "TLS_AES_256_GCM_SHA384";
    EXPECT_NO_THROW(check_tls(t));
}

TEST(CheckTlsSecurityLevel, WeakVendorCasAreWarnedWithTheFix) {
    CrlPki p;
    const Issued rsa1024 = p.files.weak_ca("imcb Old RSA CA", p.t0 - kDay, p.t0 + kDay, nullptr, 1024, false);
    const Issued sha1_sub = p.files.weak_ca("imcb SHA-1 Sub CA", p.t0 - kDay, p.t0 + kDay, &p.ca, 0, true);
    TlsOptions t = p.options();
    t.vendor_ca_files = {p.files.write("rsa1024", {&rsa1024}), p.files.write("sha1", {&sha1_sub, &p.ca})};
    const TlsSummary s = check_tls(t);
    EXPECT_TRUE(has_warning_about(s, "has a 1024-bit RSA key")) << imcb::to_string(s);
    EXPECT_TRUE(has_warning_about(s, "is signed with SHA1")) << imcb::to_string(s);
    EXPECT_TRUE(has_warning_about(s, "get the vendor's current CA certificate"));
    // A sound CA gets neither warning.
    const TlsSummary fine = check_tls(p.options());
    EXPECT_FALSE(has_warning_about(fine, "security level")) << imcb::to_string(fine);
}
