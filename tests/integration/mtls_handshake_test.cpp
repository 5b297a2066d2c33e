// The TLS layer over real handshakes on 127.0.0.1: who gets in, who is refused (by the handshake
// itself, before any HTTP), resumption, and both server certificate modes.

#include <gtest/gtest.h>

#include <fstream>
#include <thread>

#include "support/pki.h"
#include "support/process.h"
#include "support/receiver_fixture.h"
#include "support/tls_client.h"

namespace imcb::test {
namespace {

const std::string kBody =
    R"({"CallbackCommand":"State.StateChange","EventTime":1,"Info":{"Action":"Login","To_Account":"u","Reason":"Register"}})";

std::optional<HttpResponse> callback(std::uint16_t port, ClientOptions options) {
    TlsClient c(port, std::move(options));
    if (!c.connect()) return std::nullopt;
    return c.post(callback_target("State.StateChange"), kBody);
}

// A refused client either fails its handshake or (TLS 1.3, where the client finishes first) gets
// an alert instead of a response. Either way no HTTP response and no handler call.
void expect_refused(RunningReceiver& r, ClientOptions options) {
    const auto before = r.receiver().stats().handshakes_failed;
    TlsClient c(r.port(), std::move(options));
    if (c.connect()) {
        EXPECT_FALSE(c.post(callback_target("State.StateChange"), kBody).has_value());
    }
    EXPECT_EQ(r.handled(), 0);
    EXPECT_TRUE(eventually([&] { return r.receiver().stats().handshakes_failed == before + 1; }));
}

ClientOptions identity(const std::string& name, int max_version = 0) {
    ClientOptions o;
    o.cert = name + ".crt";
    o.key = name + ".key";
    o.max_version = max_version;
    return o;
}

std::string read_text(const std::string& path) {
    std::ifstream in(path);
    std::string s;
    std::getline(in, s);
    return s;
}

std::string version_name(const ::testing::TestParamInfo<int>& p) {
    return p.param == TLS1_2_VERSION ? "Tls12" : "Tls13";
}

class MtlsVersions : public ::testing::TestWithParam<int> {};

TEST_P(MtlsVersions, AcceptsTheVendorClient) {
    RunningReceiver r(dev_options());
    const auto res = callback(r.port(), identity("vendor-client", GetParam()));
    ASSERT_TRUE(res.has_value());
    EXPECT_EQ(res->status, 200);
    EXPECT_EQ(nlohmann::json::parse(res->body),
              nlohmann::json::parse(R"({"ActionStatus":"OK","ErrorCode":0,"ErrorInfo":""})"));
    EXPECT_EQ(r.handled(), 1);
}

TEST_P(MtlsVersions, RejectsNoClientCertificate) {
    RunningReceiver r(dev_options());
    ClientOptions o;
    o.max_version = GetParam();
    expect_refused(r, o);
    EXPECT_TRUE(r.has_report(ErrorKind::HandshakeFailed));
}

TEST_P(MtlsVersions, RejectsClientCertificateFromAnotherCa) {
    RunningReceiver r(dev_options());
    expect_refused(r, identity("other-client", GetParam()));
}

TEST_P(MtlsVersions, RejectsExpiredClientCertificate) {
    RunningReceiver r(dev_options());
    expect_refused(r, identity("expired-client", GetParam()));
    ASSERT_TRUE(r.has_report(ErrorKind::HandshakeFailed));
    const auto reports = r.reports();
    ASSERT_FALSE(reports.empty());
    EXPECT_NE(reports.front().message.find("expired"), std::string::npos) << reports.front().message;
}

TEST_P(MtlsVersions, RejectsNotYetValidClientCertificate) {
    RunningReceiver r(dev_options());
    expect_refused(r, identity("notyet-client", GetParam()));
}

TEST_P(MtlsVersions, RejectsClientCertificateWithoutClientAuthUsage) {
    RunningReceiver r(dev_options());
    expect_refused(r, identity("noclientauth-client", GetParam()));
}

TEST_P(MtlsVersions, RejectsSiblingCustomerByNamePin) {
    RunningReceiver r(dev_options());
    expect_refused(r, identity("sibling-client", GetParam()));
    EXPECT_TRUE(r.has_report(ErrorKind::IdentityRejected));
    EXPECT_EQ(r.receiver().stats().identity_rejected, 1u);
}

TEST_P(MtlsVersions, RejectsSiblingCustomerBySpkiPin) {
    ReceiverOptions o = dev_options();
    o.tls.vendor_identity.subject_names.clear();
    o.tls.vendor_identity.spki_sha256 = {read_text(pki("vendor-client.spki.sha256"))};
    RunningReceiver r(o);
    expect_refused(r, identity("sibling-client", GetParam()));
    EXPECT_TRUE(r.has_report(ErrorKind::IdentityRejected));
    const auto ok = callback(r.port(), identity("vendor-client", GetParam()));
    ASSERT_TRUE(ok.has_value());
    EXPECT_EQ(ok->status, 200);
}

INSTANTIATE_TEST_SUITE_P(Tls, MtlsVersions, ::testing::Values(TLS1_2_VERSION, TLS1_3_VERSION), version_name);

TEST(MtlsHandshake, WithoutPinsAnyVendorCaCertificateIsAcceptedAndStartupWarns) {
    ReceiverOptions o = dev_options();
    o.tls.vendor_identity = {};
    const TlsSummary summary = check_tls(o.tls);
    ASSERT_EQ(summary.warnings.size(), 1u);
    EXPECT_NE(summary.warnings[0].find("vendor_identity"), std::string::npos);
    RunningReceiver r(o);
    const auto res = callback(r.port(), identity("sibling-client"));
    ASSERT_TRUE(res.has_value());  // exactly the risk the warning names
    EXPECT_EQ(res->status, 200);
}

TEST(MtlsHandshake, RefusesTls11) {
    RunningReceiver r(dev_options());
    ClientOptions o = identity("vendor-client", TLS1_1_VERSION);
    o.min_version = TLS1_VERSION;
    TlsClient c(r.port(), o);
    EXPECT_FALSE(c.connect());
    EXPECT_EQ(r.handled(), 0);
}

TEST(MtlsHandshake, MinimumTls13RefusesTls12) {
    ReceiverOptions opts = dev_options();
    opts.tls.min_version = TlsVersion::Tls1_3;
    RunningReceiver r(opts);
    TlsClient c(r.port(), identity("vendor-client", TLS1_2_VERSION));
    EXPECT_FALSE(c.connect());
}

TEST(MtlsHandshake, VendorIssuedModeServes) {
    RunningReceiver r(dev_options(ServerCertMode::VendorIssued));
    ClientOptions o = identity("vendor-client");
    o.trust = "vendor-ca.crt";
    const auto res = callback(r.port(), o);
    ASSERT_TRUE(res.has_value());
    EXPECT_EQ(res->status, 200);
    // And the vendor_issued server certificate is really the one presented.
    ClientOptions wrong = identity("vendor-client");
    wrong.trust = "public-ca.crt";
    TlsClient c(r.port(), wrong);
    EXPECT_FALSE(c.connect());
}

TEST(MtlsHandshake, HandlerSeesTheVerifiedPeer) {
    PeerIdentity seen;
    RunningReceiver r(dev_options(), [&](Receiver& rec) {
        rec.on<StateChange>(
            [&](const StateChange&, const CallbackContext& ctx) { seen = ctx.peer_identity(); });
    });
    ASSERT_TRUE(callback(r.port(), identity("vendor-client")).has_value());
    EXPECT_EQ(seen.common_name, "im-callback.vendor.dev");
    EXPECT_EQ(seen.spki_sha256, read_text(pki("vendor-client.spki.sha256")));
    EXPECT_EQ(seen.sha256_fingerprint.size(), 64u);
    EXPECT_FALSE(seen.serial_hex.empty());
    ASSERT_EQ(seen.dns_names.size(), 1u);
    EXPECT_EQ(seen.dns_names[0], "im-callback.vendor.dev");
    EXPECT_NE(seen.subject.find("CN=im-callback.vendor.dev"), std::string::npos);
    EXPECT_FALSE(seen.session_resumed);
}

class Resumption : public ::testing::TestWithParam<int> {};

TEST_P(Resumption, ResumedSessionIsServedAndMarked) {
    bool resumed = false;
    RunningReceiver r(dev_options(), [&](Receiver& rec) {
        rec.on<StateChange>([&](const StateChange&, const CallbackContext& ctx) {
            resumed = ctx.peer_identity().session_resumed;
        });
    });
    SSL_SESSION* session = nullptr;
    {
        TlsClient first(r.port(), identity("vendor-client", GetParam()));
        ASSERT_TRUE(first.connect());
        ASSERT_TRUE(first.post(callback_target("State.StateChange"), kBody).has_value());
        session = first.take_session();  // TLS 1.3 tickets arrive after the handshake
    }
    ClientOptions o = identity("vendor-client", GetParam());
    o.resume = session;
    TlsClient second(r.port(), o);
    ASSERT_TRUE(second.connect()) << second.error();
    EXPECT_TRUE(second.session_reused());
    const auto res = second.post(callback_target("State.StateChange"), kBody);
    SSL_SESSION_free(session);
    ASSERT_TRUE(res.has_value());
    EXPECT_EQ(res->status, 200);
    EXPECT_TRUE(resumed);
    EXPECT_EQ(r.receiver().stats().handshakes_resumed, 1u);
}

TEST_P(Resumption, ReloadWithStricterIdentityForcesFullHandshakeThatFails) {
    RunningReceiver r(dev_options());
    SSL_SESSION* session = nullptr;
    {
        TlsClient first(r.port(), identity("vendor-client", GetParam()));
        ASSERT_TRUE(first.connect());
        ASSERT_TRUE(first.post(callback_target("State.StateChange"), kBody).has_value());
        session = first.take_session();
    }
    TlsOptions stricter = r.receiver().options().tls;
    stricter.vendor_identity.subject_names = {"someone-else.vendor.dev"};
    r.receiver().reload_tls(stricter);

    ClientOptions o = identity("vendor-client", GetParam());
    o.resume = session;
    TlsClient second(r.port(), o);
    const bool connected = second.connect();
    if (connected) {
        EXPECT_FALSE(second.session_reused());
        EXPECT_FALSE(second.post(callback_target("State.StateChange"), kBody).has_value());
    }
    SSL_SESSION_free(session);
    EXPECT_EQ(r.handled(), 1);
    EXPECT_TRUE(r.has_report(ErrorKind::IdentityRejected));
}

TEST_P(Resumption, SessionsFromBeforeAReloadAreNotResumed) {
    RunningReceiver r(dev_options());
    SSL_SESSION* session = nullptr;
    {
        TlsClient first(r.port(), identity("vendor-client", GetParam()));
        ASSERT_TRUE(first.connect());
        ASSERT_TRUE(first.post(callback_target("State.StateChange"), kBody).has_value());
        session = first.take_session();
    }
    r.receiver().reload_tls(r.receiver().options().tls);
    ClientOptions o = identity("vendor-client", GetParam());
    o.resume = session;
    TlsClient second(r.port(), o);
    ASSERT_TRUE(second.connect());
    EXPECT_FALSE(second.session_reused());
    const auto res = second.post(callback_target("State.StateChange"), kBody);
    SSL_SESSION_free(session);
    ASSERT_TRUE(res.has_value());
    EXPECT_EQ(res->status, 200);
}

INSTANTIATE_TEST_SUITE_P(Tls, Resumption, ::testing::Values(TLS1_2_VERSION, TLS1_3_VERSION), version_name);

TEST(MtlsHandshake, ReloadRejectsBrokenFilesAndKeepsServing) {
    RunningReceiver r(dev_options());
    TlsOptions broken = r.receiver().options().tls;
    broken.self_provided.private_key_file = pki("server-vendor.key");
    EXPECT_THROW(r.receiver().reload_tls(broken), ConfigError);
    const auto res = callback(r.port(), identity("vendor-client"));
    ASSERT_TRUE(res.has_value());
    EXPECT_EQ(res->status, 200);
}

TEST(MtlsHandshake, ReloadSwapsCertificateModeLive) {
    RunningReceiver r(dev_options());
    TlsOptions vendor = r.receiver().options().tls;
    vendor.mode = ServerCertMode::VendorIssued;
    r.receiver().reload_tls(vendor);
    ClientOptions o = identity("vendor-client");
    o.trust = "vendor-ca.crt";
    const auto res = callback(r.port(), o);
    ASSERT_TRUE(res.has_value());
    EXPECT_EQ(res->status, 200);
}

// The vendor's documented client command, and an independent TLS stack, against the receiver.
TEST(MtlsHandshake, VendorDocCurlCommandGetsTheEnvelope) {
    RunningReceiver r(dev_options());
    const std::string url =
        "https://localhost:" + std::to_string(r.port()) + callback_target("State.StateChange");
    const auto res =
        run_process({"curl", "-sS", url, "--cert", pki("vendor-client.crt"), "--key",
                     pki("vendor-client.key"), "--cacert", pki("public-ca.crt"), "--data-binary", kBody});
    ASSERT_EQ(res.exit_code, 0) << res.err;
    EXPECT_EQ(nlohmann::json::parse(res.out),
              nlohmann::json::parse(R"({"ActionStatus":"OK","ErrorCode":0,"ErrorInfo":""})"));
}

TEST(MtlsHandshake, CurlWithoutClientCertificateIsRefused) {
    RunningReceiver r(dev_options());
    const std::string url =
        "https://localhost:" + std::to_string(r.port()) + callback_target("State.StateChange");
    const auto res =
        run_process({"curl", "-sS", url, "--cacert", pki("public-ca.crt"), "--data-binary", kBody});
    EXPECT_NE(res.exit_code, 0);
    EXPECT_EQ(res.out.find("ActionStatus"), std::string::npos);
    EXPECT_EQ(r.handled(), 0);
}

// curl caches the session and resumes it for the second URL of one invocation; with httplib's own
// mTLS constructors that second handshake fails (no session id context).
TEST(MtlsHandshake, CurlResumingForASecondRequestSucceeds) {
    RunningReceiver r(dev_options());
    const std::string url =
        "https://localhost:" + std::to_string(r.port()) + callback_target("State.StateChange");
    for (const std::vector<std::string>& version :
         {std::vector<std::string>{"--tls-max", "1.2"}, std::vector<std::string>{"--tlsv1.3"}}) {
        std::vector<std::string> one = {"-sS",
                                        "--cert",
                                        pki("vendor-client.crt"),
                                        "--key",
                                        pki("vendor-client.key"),
                                        "--cacert",
                                        pki("public-ca.crt"),
                                        "-H",
                                        "Connection: close",
                                        "-w",
                                        " %{http_code}\n",
                                        "--data-binary",
                                        kBody,
                                        url};
        one.insert(one.begin(), version.begin(), version.end());
        std::vector<std::string> argv = {"curl"};
        argv.insert(argv.end(), one.begin(), one.end());
        argv.push_back("--next");
        argv.insert(argv.end(), one.begin(), one.end());
        const auto res = run_process(argv);
        EXPECT_EQ(res.exit_code, 0) << version[0] << ": " << res.err;
        std::size_t served = 0;
        for (auto at = res.out.find(" 200\n"); at != std::string::npos; at = res.out.find(" 200\n", at + 1))
            ++served;
        EXPECT_EQ(served, 2u) << version[0] << ": " << res.out;
    }
    EXPECT_EQ(r.handled(), 4);
    EXPECT_GE(r.receiver().stats().handshakes_resumed, 1u);
}

TEST(MtlsHandshake, OpensslSClientGetsAResponse) {
    RunningReceiver r(dev_options());
    const std::string request =
        http_request(callback_target("State.StateChange"), kBody, "Connection: close\r\n");
    const auto res = run_process({"openssl", "s_client", "-connect", "127.0.0.1:" + std::to_string(r.port()),
                                  "-cert", pki("vendor-client.crt"), "-key", pki("vendor-client.key"),
                                  "-CAfile", pki("public-ca.crt"), "-verify_return_error", "-quiet"},
                                 request);
    EXPECT_NE(res.out.find("HTTP/1.1 200"), std::string::npos) << res.out << res.err;
    EXPECT_NE(res.out.find("\"ActionStatus\":\"OK\""), std::string::npos);
}

TEST(MtlsHandshake, AcceptsAClientThatSendsItsIntermediate) {
    RunningReceiver r(dev_options());
    for (const int version : {TLS1_2_VERSION, TLS1_3_VERSION}) {
        ClientOptions o;
        o.cert = "vendor-sub-client.crt";  // leaf + vendor-sub-ca; only vendor-ca is trusted
        o.key = "vendor-sub-client.key";
        o.max_version = version;
        TlsClient c(r.port(), o);
        ASSERT_TRUE(c.connect()) << c.error();
        const auto res = c.post(callback_target("State.StateChange"), fixture("State.StateChange.json"));
        ASSERT_TRUE(res.has_value());
        EXPECT_EQ(res->status, 200);
    }
}

TEST(MtlsHandshake, SessionLifetimeZeroDisablesResumption) {
    ReceiverOptions opts = dev_options();
    opts.tls.session_lifetime = std::chrono::seconds(0);
    RunningReceiver r(opts);
    for (const int version : {TLS1_2_VERSION, TLS1_3_VERSION}) {
        ClientOptions o = vendor_client();
        o.max_version = version;
        SSL_SESSION* session = nullptr;
        {
            TlsClient first(r.port(), o);
            ASSERT_TRUE(first.connect());
            ASSERT_TRUE(first.post(callback_target("State.StateChange"), fixture("State.StateChange.json")));
            session = first.take_session();
        }
        o.resume = session;
        TlsClient second(r.port(), o);
        ASSERT_TRUE(second.connect());
        EXPECT_FALSE(second.session_reused());
        EXPECT_TRUE(second.post(callback_target("State.StateChange"), fixture("State.StateChange.json")));
        SSL_SESSION_free(session);
    }
    EXPECT_EQ(r.receiver().stats().handshakes_resumed, 0u);
}

// The verified-chain cache never accepts what a full verification rejects: with the vendor's
// chain cached, every wrong identity is still refused, and a trust change starts from nothing.
TEST(MtlsHandshake, VerifiedChainCacheNeverWidensWhatIsAccepted) {
    RunningReceiver r(dev_options());
    const auto vendor = [&] {
        TlsClient c(r.port(), vendor_client());
        return c.connect() && c.post(callback_target("State.StateChange"), fixture("State.StateChange.json"));
    };
    ASSERT_TRUE(vendor());
    ASSERT_TRUE(vendor());
    EXPECT_GE(r.receiver().stats().chain_cache_hits, 1u);  // the second handshake used the cache
    for (const char* name :
         {"sibling-client", "other-client", "expired-client", "notyet-client", "noclientauth-client"}) {
        ClientOptions o;
        o.cert = std::string(name) + ".crt";
        o.key = std::string(name) + ".key";
        TlsClient c(r.port(), o);
        if (c.connect()) {
            EXPECT_FALSE(c.post(callback_target("State.StateChange"), fixture("State.StateChange.json")))
                << name;
        }
    }
    EXPECT_EQ(r.handled(), 2);

    TlsOptions stricter = r.receiver().options().tls;
    stricter.vendor_identity.subject_names = {"someone-else.vendor.dev"};
    r.receiver().reload_tls(stricter);
    EXPECT_FALSE(vendor());
    EXPECT_EQ(r.receiver().stats().chain_cache_hits, 0u);
}

}  // namespace
}  // namespace imcb::test
