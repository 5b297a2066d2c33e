// Trust material in real handshakes: client_auth "none", vendor CA lists, CRLs (revocation, the
// expired-CRL policy, no stale answer from the chain cache or a resumed session across a CRL
// change), the TLS 1.2 cipher defaults and overrides (with openssl s_client), and every handshake
// failure reason, counted exactly.
//
// The per-reason counts are read from detail::Counters: the reason tests run a detail::Transport
// of their own (the receiver's transport, with a request server that answers every request with
// 200) so that the counters it fills are the test's. Reports are rate limited (one a second), so
// only the first report of a burst is asserted.

#include <gtest/gtest.h>

#include <algorithm>
#include <ctime>
#include <mutex>
#include <thread>

#include "signature.h"
#include "support/pki.h"
#include "support/process.h"
#include "support/receiver_fixture.h"
#include "support/test_pki.h"
#include "support/tls_client.h"
#include "tls_clock.h"
#include "tls_context.h"
#include "transport.h"

namespace imcb::test {
namespace {

constexpr std::time_t kDay = 24 * 3600;
const std::string kBody = fixture("State.StateChange.json");

class TlsClockAt {
  public:
    explicit TlsClockAt(std::time_t t) { detail::set_tls_clock_for_testing(t); }
    ~TlsClockAt() { detail::set_tls_clock_for_testing(0); }
    TlsClockAt(const TlsClockAt&) = delete;
    TlsClockAt& operator=(const TlsClockAt&) = delete;
};

// A vendor CA of the test's own with the clients each reason needs; the server is the dev PKI's.
struct TrustPki {
    TempPki files;
    const std::time_t t0 = std::time(nullptr);
    const Issued ca = files.ca("imcb Test Vendor CA", t0 - kDay, t0 + 3650 * kDay);
    const Issued new_ca = files.ca("imcb Test Vendor CA 2", t0 - kDay, t0 + 3650 * kDay);
    const Issued other_ca = files.ca("imcb Other CA", t0 - kDay, t0 + 3650 * kDay);
    const Issued good = files.client("im-callback.vendor.dev", t0 - kDay, t0 + 60 * kDay, ca);
    const Issued revoked = files.client("im-callback.vendor.dev", t0 - kDay, t0 + 60 * kDay, ca);
    const Issued from_new = files.client("im-callback.vendor.dev", t0 - kDay, t0 + 60 * kDay, new_ca);
    const Issued stranger = files.client("im-callback.vendor.dev", t0 - kDay, t0 + 60 * kDay, other_ca);
    const Issued expired = files.client("im-callback.vendor.dev", t0 - 9 * kDay, t0 - kDay, ca);
    const Issued not_yet = files.client("im-callback.vendor.dev", t0 + kDay, t0 + 9 * kDay, ca);
    const Issued server_only =
        files.client_with_eku("im-callback.vendor.dev", t0 - kDay, t0 + kDay, ca, "serverAuth");
    const Issued sibling = files.client("another-customer.example", t0 - kDay, t0 + 60 * kDay, ca);
    const std::string ca_file = files.write("ca", {&ca});
    const std::string new_ca_file = files.write("new-ca", {&new_ca});
    const std::string good_file = files.write("good", {&good});
    const std::string revoked_file = files.write("revoked", {&revoked});
    const std::string from_new_file = files.write("from-new", {&from_new});
    const std::string stranger_file = files.write("stranger", {&stranger});
    const std::string expired_file = files.write("expired", {&expired});
    const std::string not_yet_file = files.write("not-yet", {&not_yet});
    const std::string server_only_file = files.write("server-only", {&server_only});
    const std::string sibling_file = files.write("sibling", {&sibling});

    std::string crl(const std::string& name, std::initializer_list<const Issued*> list,
                    std::time_t next_update, bool der = false) {
        return files.write_crl(name, ca, list, t0 - 60, next_update, der);
    }
    TlsOptions tls() const {
        TlsOptions t = dev_options().tls;
        t.vendor_ca_files = {ca_file};
        return t;
    }
    ClientOptions client(const std::string& cert_file, int version = 0, SSL_SESSION* resume = nullptr) const {
        ClientOptions o;
        o.cert = cert_file;
        o.key = cert_file.substr(0, cert_file.size() - 4) + ".key";
        o.max_version = version;
        o.resume = resume;
        return o;
    }
};

struct Outcome {
    bool served = false;
    bool resumed = false;
    SSL_SESSION* session = nullptr;  // owned by the caller
};

Outcome attempt(std::uint16_t port, const ClientOptions& options, const std::string& target) {
    Outcome out;
    TlsClient c(port, options);
    if (!c.connect()) return out;
    out.resumed = c.session_reused();
    const auto res = c.post(target, kBody);
    out.served = res.has_value() && res->status == 200;
    if (out.served) out.session = c.take_session();
    return out;
}

bool served(std::uint16_t port, const ClientOptions& options,
            const std::string& target = callback_target("State.StateChange")) {
    const Outcome o = attempt(port, options, target);
    SSL_SESSION_free(o.session);
    return o.served;
}

std::string version_name(const ::testing::TestParamInfo<int>& p) {
    return p.param == TLS1_2_VERSION ? "Tls12" : "Tls13";
}

// ------------------------------------------------------------------ a transport of the test's own

class Ok : public detail::RequestServer {
  public:
    detail::Served serve(detail::Connection& c, bool) override {
        c.begin_request(std::chrono::seconds(5));
        const std::string_view in = c.buffered();
        const std::size_t end = in.find("\r\n\r\n");
        if (end == std::string_view::npos) return detail::Served::Close;
        c.consume(in.size());  // the test's bodies arrive with their head
        c.write("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok");
        c.flush();
        return detail::Served::Close;
    }
};

class OwnTransport {
  public:
    explicit OwnTransport(const TlsOptions& tls,
                          std::chrono::milliseconds handshake_timeout = std::chrono::seconds(10))
        : trust_(detail::make_trust_snapshot(tls, 1)) {
        reporter_.set_handler([this](const ErrorReport& r) {
            std::lock_guard<std::mutex> lock(mu_);
            reports_.push_back(r);
        });
        detail::TransportOptions o;
        o.host = "127.0.0.1";
        o.min_threads = 2;
        o.max_threads = 4;
        o.handshake_timeout = handshake_timeout;
        transport_ = std::make_unique<detail::Transport>(
            o, [this] { return std::atomic_load(&trust_); }, server_, reporter_, counters_);
        port_ = transport_->start();
    }
    ~OwnTransport() { transport_->stop(); }
    std::uint16_t port() const { return port_; }
    std::uint64_t failed() const { return counters_.handshakes_failed.load(); }
    std::uint64_t count(HandshakeFailure r) const {
        return counters_.handshake_failures[static_cast<std::size_t>(r)].load();
    }
    const detail::Counters& counters() const { return counters_; }
    std::vector<ErrorReport> reports() const {
        std::lock_guard<std::mutex> lock(mu_);
        return reports_;
    }

  private:
    Ok server_;
    detail::Reporter reporter_;
    detail::Counters counters_;
    std::shared_ptr<const detail::TrustSnapshot> trust_;
    std::unique_ptr<detail::Transport> transport_;
    std::uint16_t port_ = 0;
    mutable std::mutex mu_;
    std::vector<ErrorReport> reports_;
};

class HandshakeReasons : public ::testing::TestWithParam<int> {
  protected:
    TrustPki pki;
};

TEST_P(HandshakeReasons, EachFailureIsCountedOnceUnderItsReason) {
    TlsOptions tls = pki.tls();
    tls.crl_files = {pki.crl("ca.crl", {&pki.revoked}, pki.t0 + 7 * kDay)};
    tls.vendor_identity.subject_names = {"im-callback.vendor.dev"};
    OwnTransport t(tls);
    ASSERT_TRUE(served(t.port(), pki.client(pki.good_file, GetParam())));

    const struct {
        std::string cert;
        HandshakeFailure reason;
    } cases[] = {
        {"", HandshakeFailure::NoCertificate},
        {pki.stranger_file, HandshakeFailure::UnknownCa},
        {pki.expired_file, HandshakeFailure::Expired},
        {pki.not_yet_file, HandshakeFailure::NotYetValid},
        {pki.revoked_file, HandshakeFailure::Revoked},
        {pki.server_only_file, HandshakeFailure::BadKeyUsage},
        {pki.sibling_file, HandshakeFailure::IdentityMismatch},
    };
    std::uint64_t failures = 0;
    for (const auto& c : cases) {
        ClientOptions o = pki.client(c.cert, GetParam());
        if (c.cert.empty()) o.key.clear();
        EXPECT_FALSE(served(t.port(), o)) << to_string(c.reason);
        ++failures;
        ASSERT_TRUE(eventually([&] { return t.failed() == failures; })) << to_string(c.reason);
        for (std::size_t r = 0; r < kHandshakeFailureCount; ++r) {
            const auto reason = static_cast<HandshakeFailure>(r);
            const bool seen =
                std::any_of(std::begin(cases), &c + 1, [&](const auto& x) { return x.reason == reason; });
            EXPECT_EQ(t.count(reason), seen ? 1u : 0u)
                << "after " << to_string(c.reason) << ": " << to_string(reason);
        }
    }
    EXPECT_EQ(t.counters().identity_rejected.load(), 1u);
    // The first failure is reported with its reason and the peer's address; the burst after it
    // within the second is not reported one by one.
    const auto reports = t.reports();
    ASSERT_FALSE(reports.empty());
    EXPECT_EQ(reports.front().kind, ErrorKind::HandshakeFailed);
    EXPECT_EQ(reports.front().message.rfind("reason=no_certificate: ", 0), 0u) << reports.front().message;
    EXPECT_EQ(reports.front().remote_addr.rfind("127.0.0.1:", 0), 0u) << reports.front().remote_addr;
    EXPECT_LT(reports.size(), std::size(cases));
}

INSTANTIATE_TEST_SUITE_P(Tls, HandshakeReasons, ::testing::Values(TLS1_2_VERSION, TLS1_3_VERSION),
                         version_name);

TEST(HandshakeReasonsOther, TheHandshakeDeadlineCountsAsOther) {
    TrustPki pki;
    OwnTransport t(pki.tls(), std::chrono::milliseconds(200));
    RawSocket silent(t.port());
    ASSERT_TRUE(silent.ok());
    EXPECT_TRUE(silent.closed_by_peer(std::chrono::seconds(5)));
    ASSERT_TRUE(eventually([&] { return t.failed() == 1; }));
    EXPECT_EQ(t.count(HandshakeFailure::Other), 1u);
    ASSERT_TRUE(eventually([&] { return !t.reports().empty(); }));
    EXPECT_EQ(t.reports().front().message.rfind("reason=other: TLS handshake not completed", 0), 0u);
}

TEST(HandshakeReasonsOther, TlsVersionBelowTheMinimumIsProtocolVersion) {
    TrustPki pki;
    TlsOptions tls = pki.tls();
    tls.min_version = TlsVersion::Tls1_3;
    OwnTransport t(tls);
    EXPECT_FALSE(served(t.port(), pki.client(pki.good_file, TLS1_2_VERSION)));
    ASSERT_TRUE(eventually([&] { return t.failed() == 1; }));
    EXPECT_EQ(t.count(HandshakeFailure::ProtocolVersion), 1u);
}

TEST(HandshakeReasonsOther, AFloodOfFailuresIsReportedAtMostOnceASecondWithTheCount) {
    TrustPki pki;
    OwnTransport t(pki.tls());
    const auto start = std::chrono::steady_clock::now();
    constexpr int kFlood = 30;
    for (int i = 0; i < kFlood; ++i) {
        ClientOptions o;  // no certificate
        EXPECT_FALSE(served(t.port(), o));
    }
    ASSERT_TRUE(eventually([&] { return t.failed() == kFlood; }));
    EXPECT_EQ(t.count(HandshakeFailure::NoCertificate), static_cast<std::uint64_t>(kFlood));
    const auto seconds =
        std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() - start).count();
    const auto reports = t.reports();
    EXPECT_LE(reports.size(), static_cast<std::size_t>(seconds) + 1) << "a report per failure would flood";
    // Once the second has passed, the next failure's report says how many were not reported.
    ASSERT_TRUE(eventually(
        [&] {
            ClientOptions o;
            served(t.port(), o);
            const auto now = t.reports();
            return now.size() > reports.size() &&
                   now.back().message.find("were not reported") != std::string::npos;
        },
        std::chrono::seconds(5)));
}

// ------------------------------------------------------------------ ciphers (openssl s_client)

// s_client with the vendor-shaped client certificate, TLS 1.2, one cipher: whether it negotiated.
bool s_client_negotiates(std::uint16_t port, const TrustPki& pki, const std::string& cipher) {
    const ProcessResult r =
        run_process({"openssl", "s_client", "-connect", "127.0.0.1:" + std::to_string(port), "-tls1_2",
                     "-cipher", cipher, "-cert", pki.good_file, "-key", pki.files.path("good.key"), "-CAfile",
                     imcb::test::pki("public-ca.crt"), "-verify_return_error", "-servername", "localhost"},
                    "Q\n", std::chrono::seconds(20));
    return r.exit_code == 0 && r.out.find("Cipher is " + cipher) != std::string::npos;
}

TEST(Ciphers, Tls12OffersOnlyForwardSecretAeadSuitesByDefault) {
    TrustPki pki;
    TlsOptions tls = pki.tls();
    tls.self_provided = {imcb::test::pki("server-self-rsa.crt"),
                         imcb::test::pki("server-self-rsa.key")};  // RSA: RSA suites apply
    OwnTransport t(tls);
    EXPECT_FALSE(s_client_negotiates(t.port(), pki, "AES128-SHA"));
    ASSERT_TRUE(eventually([&] { return t.failed() == 1; }));
    EXPECT_EQ(t.count(HandshakeFailure::ProtocolVersion), 1u);
    EXPECT_FALSE(s_client_negotiates(t.port(), pki, "ECDHE-RSA-AES128-SHA256"));  // CBC
    EXPECT_TRUE(s_client_negotiates(t.port(), pki, "ECDHE-RSA-AES128-GCM-SHA256"));
    EXPECT_TRUE(s_client_negotiates(t.port(), pki, "ECDHE-RSA-CHACHA20-POLY1305"));
}

TEST(Ciphers, AnOverrideReplacesTheTls12List) {
    TrustPki pki;
    TlsOptions tls = pki.tls();
    tls.self_provided = {imcb::test::pki("server-self-rsa.crt"), imcb::test::pki("server-self-rsa.key")};
    tls.ciphers = "ECDHE-RSA-AES256-GCM-SHA384";
    OwnTransport t(tls);
    EXPECT_TRUE(s_client_negotiates(t.port(), pki, "ECDHE-RSA-AES256-GCM-SHA384"));
    EXPECT_FALSE(s_client_negotiates(t.port(), pki, "ECDHE-RSA-AES128-GCM-SHA256"));
}

// ------------------------------------------------------------------ through the receiver

TEST(ClientAuthNone, TheVendorIsServedWithoutACertificateAndHandlersSeeAnEmptyPeer) {
    ReceiverOptions o = dev_options();
    o.tls.client_auth = ClientAuth::None;
    o.tls.vendor_ca_files.clear();
    o.tls.vendor_identity = {};
    o.callback_tokens = {"token-from-the-console"};
    std::atomic<int> empty_peer{0};
    RunningReceiver r(o, [&](Receiver& rec) {
        rec.on_raw("State.StateChange", [&](const nlohmann::json&, const CallbackContext& ctx) {
            if (ctx.peer_identity().subject.empty() && ctx.peer_identity().sha256_fingerprint.empty())
                empty_peer++;
            return Decision::allow();
        });
    });
    const std::string t = std::to_string(std::time(nullptr));
    const std::string signed_target =
        callback_target("State.StateChange", kAppId,
                        "&Sign=" + detail::compute_sign("token-from-the-console", t) + "&RequestTime=" + t);
    for (const int version : {TLS1_2_VERSION, TLS1_3_VERSION}) {
        ClientOptions c;  // no client certificate
        c.max_version = version;
        EXPECT_TRUE(served(r.port(), c, signed_target));
        // Sign still applies: without it the request is refused.
        EXPECT_FALSE(served(r.port(), c));
    }
    EXPECT_EQ(empty_peer.load(), 2);
    EXPECT_EQ(r.receiver().stats().handshakes_failed, 0u);
    EXPECT_EQ(r.receiver().tls_summary().client_auth, ClientAuth::None);
}

// A connection opened without a certificate stays open across a reload to mutual TLS without a
// token: its requests must not become unauthenticated.
TEST(ClientAuthNone, AnOpenConnectionWithoutACertificateNeedsSignAfterAReloadDropsTheTokens) {
    ReceiverOptions o = dev_options();
    o.tls.client_auth = ClientAuth::None;
    o.callback_tokens = {"token-from-the-console"};
    RunningReceiver r(o);
    const std::string t = std::to_string(std::time(nullptr));
    const std::string signed_target =
        callback_target("State.StateChange", kAppId,
                        "&Sign=" + detail::compute_sign("token-from-the-console", t) + "&RequestTime=" + t);
    TlsClient anonymous(r.port(), ClientOptions{});
    ASSERT_TRUE(anonymous.connect());
    const auto first = anonymous.post(signed_target, kBody);
    ASSERT_TRUE(first.has_value());
    EXPECT_EQ(first->status, 200);

    ReceiverOptions next = o;
    next.tls.client_auth = ClientAuth::Required;
    next.callback_tokens.clear();
    r.receiver().reload(next);
    const auto unsigned_reply = anonymous.post(callback_target("State.StateChange"), kBody);
    ASSERT_TRUE(unsigned_reply.has_value());
    EXPECT_EQ(unsigned_reply->status, 401);
    // The vendor's certificate, on a new connection, is served without Sign under the new trust.
    EXPECT_TRUE(served(r.port(), vendor_client()));
}

class Revocation : public ::testing::TestWithParam<int> {
  protected:
    TrustPki pki;
    ReceiverOptions options(const TlsOptions& tls) const {
        ReceiverOptions o = dev_options();
        o.tls = tls;
        return o;
    }
};

TEST_P(Revocation, ARevokedClientFailsWithReasonRevokedAndOthersAreServed) {
    for (const bool der : {false, true}) {
        TlsOptions tls = pki.tls();
        tls.crl_files = {pki.crl(der ? "ca.der" : "ca.crl", {&pki.revoked}, pki.t0 + 7 * kDay, der)};
        RunningReceiver r(options(tls));
        EXPECT_TRUE(served(r.port(), pki.client(pki.good_file, GetParam())));
        EXPECT_FALSE(served(r.port(), pki.client(pki.revoked_file, GetParam())));
        ASSERT_TRUE(r.has_report(ErrorKind::HandshakeFailed));
        EXPECT_NE(r.reports().front().message.find("reason=revoked"), std::string::npos)
            << r.reports().front().message;
        EXPECT_EQ(r.receiver().stats().handshakes_failed, 1u);
    }
}

TEST_P(Revocation, AReloadWithANewCrlIsNeverAnsweredFromTheChainCache) {
    TlsOptions tls = pki.tls();
    tls.crl_files = {pki.crl("empty.crl", {}, pki.t0 + 7 * kDay)};
    RunningReceiver r(options(tls));
    ASSERT_TRUE(served(r.port(), pki.client(pki.revoked_file, GetParam())));
    ASSERT_TRUE(served(r.port(), pki.client(pki.revoked_file, GetParam())));
    ASSERT_GE(r.receiver().stats().chain_cache_hits, 1u);  // the chain is cached under this CRL
    tls.crl_files = {pki.crl("revoking.crl", {&pki.revoked}, pki.t0 + 7 * kDay)};
    r.receiver().reload_tls(tls);
    EXPECT_FALSE(served(r.port(), pki.client(pki.revoked_file, GetParam())));
    EXPECT_EQ(r.receiver().stats().chain_cache_hits, 0u);  // the new snapshot's own cache
    EXPECT_TRUE(served(r.port(), pki.client(pki.good_file, GetParam())));
}

TEST_P(Revocation, ASessionFromBeforeARevokingCrlReloadIsNotResumed) {
    TlsOptions tls = pki.tls();
    RunningReceiver r(options(tls));
    Outcome first =
        attempt(r.port(), pki.client(pki.revoked_file, GetParam()), callback_target("State.StateChange"));
    ASSERT_TRUE(first.served);
    ASSERT_NE(first.session, nullptr);
    {  // the session resumes while nothing changed
        Outcome again = attempt(r.port(), pki.client(pki.revoked_file, GetParam(), first.session),
                                callback_target("State.StateChange"));
        EXPECT_TRUE(again.served);
        EXPECT_TRUE(again.resumed);
        SSL_SESSION_free(again.session);
    }
    tls.crl_files = {pki.crl("revoking.crl", {&pki.revoked}, pki.t0 + 7 * kDay)};
    r.receiver().reload_tls(tls);
    TlsClient c(r.port(), pki.client(pki.revoked_file, GetParam(), first.session));
    if (c.connect()) {
        EXPECT_FALSE(c.session_reused());
        EXPECT_FALSE(c.post(callback_target("State.StateChange"), kBody).has_value());
    }
    SSL_SESSION_free(first.session);
    ASSERT_TRUE(eventually([&] { return r.receiver().stats().handshakes_failed == 1; }));
    EXPECT_EQ(r.receiver().stats().handshakes_resumed, 1u);
}

TEST_P(Revocation, AnExpiredCrlUnderWarnIsStillUsedAndReported) {
    TlsOptions tls = pki.tls();
    tls.crl_files = {
        pki.files.write_crl("old.crl", pki.ca, {&pki.revoked}, pki.t0 - 10 * kDay, pki.t0 - kDay)};
    RunningReceiver r(options(tls));
    EXPECT_TRUE(served(r.port(), pki.client(pki.good_file, GetParam())));
    EXPECT_FALSE(served(r.port(), pki.client(pki.revoked_file, GetParam())));  // still names revocations
    ASSERT_TRUE(r.has_report(ErrorKind::CertificateExpiring));
    EXPECT_TRUE(served(r.port(), pki.client(pki.good_file, GetParam())));
    EXPECT_EQ(r.receiver().stats().chain_cache_hits, 0u);  // verified again (and reported) each time
}

TEST_P(Revocation, AnExpiredCrlUnderRefuseFailsWithReasonRevoked) {
    TlsOptions tls = pki.tls();
    tls.crl_expired = CrlExpiry::Refuse;
    tls.crl_files = {pki.files.write_crl("old.crl", pki.ca, {}, pki.t0 - 10 * kDay, pki.t0 - kDay)};
    RunningReceiver r(options(tls));
    EXPECT_FALSE(served(r.port(), pki.client(pki.good_file, GetParam())));
    ASSERT_TRUE(r.has_report(ErrorKind::HandshakeFailed));
    ASSERT_TRUE(r.has_report(ErrorKind::ConfigWarning));  // the CRL past its next update, at start
    for (const auto& report : r.reports()) {
        if (report.kind != ErrorKind::HandshakeFailed) continue;
        EXPECT_NE(report.message.find("reason=revoked"), std::string::npos) << report.message;
    }
}

TEST_P(Revocation, UnderRefuseNeitherACachedChainNorASessionOutlivesTheCrl) {
    TlsOptions tls = pki.tls();
    tls.crl_expired = CrlExpiry::Refuse;
    tls.crl_files = {pki.crl("ca.crl", {}, pki.t0 + 2 * kDay)};
    RunningReceiver r(options(tls));
    ASSERT_TRUE(served(r.port(), pki.client(pki.good_file, GetParam())));
    Outcome cached =
        attempt(r.port(), pki.client(pki.good_file, GetParam()), callback_target("State.StateChange"));
    ASSERT_TRUE(cached.served);
    ASSERT_GE(r.receiver().stats().chain_cache_hits, 1u);
    {
        TlsClockAt later(pki.t0 + kDay);  // CRL current: the cache and the session serve
        Outcome resumed = attempt(r.port(), pki.client(pki.good_file, GetParam(), cached.session),
                                  callback_target("State.StateChange"));
        EXPECT_TRUE(resumed.served && resumed.resumed);
        SSL_SESSION_free(resumed.session);
    }
    {
        TlsClockAt later(pki.t0 + 3 * kDay);  // past nextUpdate
        const auto hits = r.receiver().stats().chain_cache_hits;
        EXPECT_FALSE(served(r.port(), pki.client(pki.good_file, GetParam(), cached.session)));
        EXPECT_FALSE(served(r.port(), pki.client(pki.good_file, GetParam())));
        EXPECT_EQ(r.receiver().stats().chain_cache_hits, hits);
    }
    SSL_SESSION_free(cached.session);
}

TEST_P(Revocation, AReKeyedCaOfTheSameNameHasItsOwnCrl) {
    // A re-issued vendor CA that keeps its name under a new key, listed after the old one.
    const Issued rekeyed = pki.files.ca("imcb Test Vendor CA", pki.t0 - kDay, pki.t0 + 3650 * kDay);
    const Issued rk_good =
        pki.files.client("im-callback.vendor.dev", pki.t0 - kDay, pki.t0 + 60 * kDay, rekeyed);
    const Issued rk_revoked =
        pki.files.client("im-callback.vendor.dev", pki.t0 - kDay, pki.t0 + 60 * kDay, rekeyed);
    TlsOptions tls = pki.tls();
    tls.vendor_ca_files = {pki.ca_file, pki.files.write("rekeyed-ca", {&rekeyed})};
    const std::string rk_good_file = pki.files.write("rk-good", {&rk_good});
    const std::string rk_revoked_file = pki.files.write("rk-revoked", {&rk_revoked});

    // Only the new CA's CRL: it loads, the new CA's clients are checked, the old CA's are not.
    tls.crl_files = {
        pki.files.write_crl("rekeyed.crl", rekeyed, {&rk_revoked}, pki.t0 - 60, pki.t0 + 7 * kDay)};
    {
        RunningReceiver r(options(tls));
        EXPECT_TRUE(served(r.port(), pki.client(rk_good_file, GetParam())));
        EXPECT_FALSE(served(r.port(), pki.client(rk_revoked_file, GetParam())));
        EXPECT_TRUE(served(r.port(), pki.client(pki.revoked_file, GetParam())));
        const auto& warnings = r.receiver().tls_summary().warnings;
        EXPECT_EQ(
            std::count_if(warnings.begin(), warnings.end(),
                          [](const std::string& w) { return w.find("no CRL of") != std::string::npos; }),
            1);
    }
    // Only the old CA's CRL: the new CA's clients are not refused for the old CA's list.
    tls.crl_files = {pki.crl("old.crl", {&pki.revoked}, pki.t0 + 7 * kDay)};
    {
        RunningReceiver r(options(tls));
        EXPECT_TRUE(served(r.port(), pki.client(rk_good_file, GetParam())));
        EXPECT_TRUE(served(r.port(), pki.client(pki.good_file, GetParam())));
        EXPECT_FALSE(served(r.port(), pki.client(pki.revoked_file, GetParam())));
    }
    // Both lists: each CA's clients are checked against its own.
    tls.crl_files.push_back(
        pki.files.write_crl("rekeyed2.crl", rekeyed, {&rk_revoked}, pki.t0 - 60, pki.t0 + 7 * kDay));
    {
        RunningReceiver r(options(tls));
        EXPECT_TRUE(served(r.port(), pki.client(rk_good_file, GetParam())));
        EXPECT_FALSE(served(r.port(), pki.client(rk_revoked_file, GetParam())));
        EXPECT_TRUE(served(r.port(), pki.client(pki.good_file, GetParam())));
        EXPECT_FALSE(served(r.port(), pki.client(pki.revoked_file, GetParam())));
    }
}

INSTANTIATE_TEST_SUITE_P(Tls, Revocation, ::testing::Values(TLS1_2_VERSION, TLS1_3_VERSION), version_name);

TEST(VendorCaList, ClientsOfTheOldAndTheNewCaAreBothAccepted) {
    TrustPki pki;
    TlsOptions tls = pki.tls();
    tls.vendor_ca_files = {pki.ca_file, pki.new_ca_file};
    ReceiverOptions o = dev_options();
    o.tls = tls;
    RunningReceiver r(o);
    for (const int v : {TLS1_2_VERSION, TLS1_3_VERSION}) {
        EXPECT_TRUE(served(r.port(), pki.client(pki.good_file, v)));
        EXPECT_TRUE(served(r.port(), pki.client(pki.from_new_file, v)));
        EXPECT_FALSE(served(r.port(), pki.client(pki.stranger_file, v)));
    }
    EXPECT_EQ(r.receiver().tls_summary().vendor_cas.size(), 2u);
}

}  // namespace
}  // namespace imcb::test
