// Live reload over real TLS 1.2 and 1.3 handshakes: a vendor CA rotation and a token rotation
// step by step with live clients, every trigger (SDK call, a file watched through an atomic rename
// or a Kubernetes-style symlink swap, SIGHUP on imcb-server), broken files that keep the last good
// state, no resumption across a trust change, and expiry warnings at start and on reload.

#include <gtest/gtest.h>

#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "signature.h"
#include "support/process.h"
#include "support/receiver_fixture.h"
#include "support/test_pki.h"
#include "support/tls_client.h"

namespace imcb::test {
namespace {

constexpr std::time_t kDay = 24 * 3600;
const std::string kBody = fixture("State.StateChange.json");
const std::string kCn = "im-callback.vendor.dev";

std::string read_all(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

void write_file(const std::string& path, const std::string& content) {
    std::ofstream(path, std::ios::binary | std::ios::trunc) << content;
}

// What certificate tools do: write a temporary file next to it, then rename it over the old one.
void replace_atomically(const std::string& path, const std::string& content) {
    const std::string tmp = path + ".tmp";
    write_file(tmp, content);
    ASSERT_EQ(std::rename(tmp.c_str(), path.c_str()), 0);
}

// An old and a new vendor CA, a client certificate from each, and a CA file the tests rewrite.
struct Rotation {
    TempPki files;
    const std::time_t t0 = std::time(nullptr);
    const Issued old_ca = files.ca("imcb Test Old Vendor CA", t0 - kDay, t0 + 3650 * kDay);
    const Issued new_ca = files.ca("imcb Test New Vendor CA", t0 - kDay, t0 + 3650 * kDay);
    const Issued old_leaf = files.client(kCn, t0 - kDay, t0 + 365 * kDay, old_ca);
    const Issued new_leaf = files.client(kCn, t0 - kDay, t0 + 365 * kDay, new_ca);
    const std::string old_ca_file = files.write("old-ca", {&old_ca});
    const std::string new_ca_file = files.write("new-ca", {&new_ca});
    const std::string both_ca_file = files.write("both-ca", {&old_ca, &new_ca});
    const std::string old_client_file = files.write("old-client", {&old_leaf});
    const std::string new_client_file = files.write("new-client", {&new_leaf});
    const std::string live_ca_file = files.path("vendor-ca.crt");  // the file the receiver reads

    Rotation() { write_file(live_ca_file, read_all(old_ca_file)); }

    ReceiverOptions options(bool watch) const {
        ReceiverOptions o = dev_options();
        o.tls.vendor_ca_files = {live_ca_file};
        o.tls.watch = watch;
        return o;
    }
    ClientOptions client(bool newer, int version = 0, SSL_SESSION* resume = nullptr) const {
        ClientOptions o;
        o.cert = newer ? new_client_file : old_client_file;
        o.key = files.path(newer ? "new-client.key" : "old-client.key");
        o.max_version = version;
        o.resume = resume;
        return o;
    }
};

bool served(std::uint16_t port, const ClientOptions& options) {
    TlsClient c(port, options);
    if (!c.connect()) return false;
    const auto res = c.post(callback_target("State.StateChange"), kBody);
    return res.has_value() && res->status == 200;
}

bool served_on(TlsClient& c) {
    const auto res = c.post(callback_target("State.StateChange"), kBody);
    return res.has_value() && res->status == 200;
}

bool report_mentions(const RunningReceiver& r, ErrorKind kind, const std::string& text) {
    const auto all = r.reports();
    return std::any_of(all.begin(), all.end(), [&](const ErrorReport& e) {
        return e.kind == kind && e.message.find(text) != std::string::npos;
    });
}

// Waits for the next report of `kind` after `seen` of them.
bool next_report(const RunningReceiver& r, ErrorKind kind, std::size_t seen) {
    return eventually([&] { return r.report_count(kind) > seen; });
}

std::string version_name(const ::testing::TestParamInfo<int>& p) {
    return p.param == TLS1_2_VERSION ? "Tls12" : "Tls13";
}

// ------------------------------------------------------------------ rotations

class ReloadRotation : public ::testing::TestWithParam<int> {};

TEST_P(ReloadRotation, VendorCaOldThenBothThenNewWithAnOpenConnectionKept) {
    Rotation pki;
    RunningReceiver r(pki.options(false));
    const int v = GetParam();
    TlsClient open(r.port(), pki.client(false, v));  // a keep-alive connection from step 1
    ASSERT_TRUE(open.connect()) << open.error();
    ASSERT_TRUE(served_on(open));

    // Step 1: the old CA.
    EXPECT_TRUE(served(r.port(), pki.client(false, v)));
    EXPECT_FALSE(served(r.port(), pki.client(true, v)));

    // Step 2: old and new, as two files.
    ReceiverOptions next = r.receiver().options();
    next.tls.vendor_ca_files = {pki.old_ca_file, pki.new_ca_file};
    r.receiver().reload(next);
    EXPECT_TRUE(served(r.port(), pki.client(false, v)));
    EXPECT_TRUE(served(r.port(), pki.client(true, v)));
    EXPECT_TRUE(served_on(open));

    // Step 3: the new CA only.
    next.tls.vendor_ca_files = {pki.new_ca_file};
    r.receiver().reload(next);
    EXPECT_FALSE(served(r.port(), pki.client(false, v)));
    EXPECT_TRUE(served(r.port(), pki.client(true, v)));
    EXPECT_TRUE(served_on(open));  // open connections are not dropped
    EXPECT_EQ(r.receiver().options().tls.vendor_ca_files, std::vector<std::string>{pki.new_ca_file});
}

TEST_P(ReloadRotation, NoSessionFromBeforeACaChangeIsResumed) {
    Rotation pki;
    RunningReceiver r(pki.options(false));
    const int v = GetParam();
    SSL_SESSION* session = nullptr;
    {
        TlsClient first(r.port(), pki.client(false, v));
        ASSERT_TRUE(first.connect());
        ASSERT_TRUE(served_on(first));  // a TLS 1.3 ticket arrives with the reply
        session = first.take_session();
    }
    ASSERT_NE(session, nullptr);
    {  // Without a change, the session is resumed: the test can tell.
        TlsClient again(r.port(), pki.client(false, v, session));
        ASSERT_TRUE(again.connect());
        EXPECT_TRUE(again.session_reused());
    }
    ReceiverOptions next = r.receiver().options();
    next.tls.vendor_ca_files = {pki.both_ca_file};
    r.receiver().reload(next);
    TlsClient after(r.port(), pki.client(false, v, session));
    ASSERT_TRUE(after.connect()) << after.error();
    EXPECT_FALSE(after.session_reused());  // a full handshake, verified against the new store
    EXPECT_TRUE(served_on(after));
    SSL_SESSION_free(session);
}

TEST_P(ReloadRotation, NoSessionFromBeforeAServerCertificateReloadIsResumed) {
    RunningReceiver r([] {
        ReceiverOptions o = dev_options();
        o.tls.watch = false;
        return o;
    }());
    const int v = GetParam();
    ClientOptions o = vendor_client();
    o.max_version = v;
    SSL_SESSION* session = nullptr;
    {
        TlsClient first(r.port(), o);
        ASSERT_TRUE(first.connect());
        ASSERT_TRUE(served_on(first));
        session = first.take_session();
    }
    ASSERT_NE(session, nullptr);
    TlsOptions vendor = r.receiver().options().tls;
    vendor.self_provided = vendor.vendor_issued;  // another chain and key in the same mode
    r.receiver().reload_tls(vendor);
    o.trust = "vendor-ca.crt";
    o.resume = session;
    TlsClient after(r.port(), o);
    ASSERT_TRUE(after.connect()) << after.error();
    EXPECT_FALSE(after.session_reused());
    EXPECT_TRUE(served_on(after));
    SSL_SESSION_free(session);
}

INSTANTIATE_TEST_SUITE_P(Tls, ReloadRotation, ::testing::Values(TLS1_2_VERSION, TLS1_3_VERSION),
                         version_name);

std::string signed_target(const std::string& token) {
    const std::string now = std::to_string(std::time(nullptr));
    return callback_target("State.StateChange", kAppId,
                           "&RequestTime=" + now + "&Sign=" + detail::compute_sign(token, now));
}

int status_on(TlsClient& c, const std::string& token) {
    const auto res = c.post(signed_target(token), kBody);
    return res ? res->status : 0;
}

TEST(Reload, TokenOldThenBothThenNewOnOneKeepAliveConnection) {
    ReceiverOptions o = dev_options();
    o.tls.watch = false;
    o.callback_tokens = {"old-token-1234"};
    RunningReceiver r(o);
    TlsClient c(r.port(), vendor_client());
    ASSERT_TRUE(c.connect());
    EXPECT_EQ(status_on(c, "old-token-1234"), 200);
    EXPECT_EQ(status_on(c, "new-token-5678"), 401);

    ReceiverOptions next = r.receiver().options();
    next.callback_tokens = {"old-token-1234", "new-token-5678"};
    r.receiver().reload(next);
    EXPECT_EQ(status_on(c, "old-token-1234"), 200);
    EXPECT_EQ(status_on(c, "new-token-5678"), 200);

    next.callback_tokens = {"new-token-5678"};
    r.receiver().reload(next);
    EXPECT_EQ(status_on(c, "old-token-1234"), 401);
    EXPECT_EQ(status_on(c, "new-token-5678"), 200);
    EXPECT_EQ(r.handled(), 4);

    // A token the rules refuse (empty) fails the reload and leaves the list in force.
    next.callback_tokens = {""};
    EXPECT_THROW(r.receiver().reload(next), ConfigError);
    EXPECT_EQ(status_on(c, "new-token-5678"), 200);
    EXPECT_EQ(r.receiver().options().callback_tokens, std::vector<std::string>{"new-token-5678"});
}

// ------------------------------------------------------------------ triggers

TEST(Reload, SdkReloadReadsTheSameFilesAgain) {
    Rotation pki;
    RunningReceiver r(pki.options(false));
    EXPECT_FALSE(served(r.port(), pki.client(true)));
    write_file(pki.live_ca_file, read_all(pki.new_ca_file));
    r.receiver().reload();
    EXPECT_TRUE(served(r.port(), pki.client(true)));
    EXPECT_FALSE(served(r.port(), pki.client(false)));
}

TEST(Reload, SdkReloadTakesOptionsFromTheReloadSource) {
    Rotation pki;
    std::vector<std::string> cas = {pki.old_ca_file};
    std::vector<std::string> tokens;
    RunningReceiver r(pki.options(false), [&](Receiver& rec) {
        rec.on_raw("State.StateChange",
                   [](const nlohmann::json&, const CallbackContext&) { return Decision::allow(); });
        rec.reload_source([&, base = pki.options(false)] {
            ReceiverOptions o = base;
            o.tls.vendor_ca_files = cas;
            o.callback_tokens = tokens;
            o.max_connections = 1;  // not reloadable: left as it is
            return o;
        });
    });
    cas = {pki.new_ca_file};
    tokens = {"source-token-0001"};
    r.receiver().reload();
    EXPECT_FALSE(served(r.port(), pki.client(true)));  // unsigned: a token is required now
    TlsClient c(r.port(), pki.client(true));
    ASSERT_TRUE(c.connect());
    EXPECT_EQ(status_on(c, "source-token-0001"), 200);
    EXPECT_EQ(r.receiver().options().max_connections, ReceiverOptions{}.max_connections);
    EXPECT_FALSE(served(r.port(), pki.client(false)));
}

TEST(Reload, AFailingReloadSourceKeepsTheStateInForce) {
    Rotation pki;
    RunningReceiver r(pki.options(false), [](Receiver& rec) {
        rec.reload_source([]() -> ReceiverOptions { throw std::runtime_error("config.json: unreadable"); });
    });
    try {
        r.receiver().reload();
        FAIL() << "the reload source's failure was ignored";
    } catch (const ConfigError& e) {
        EXPECT_NE(std::string(e.what()).find("config.json: unreadable"), std::string::npos) << e.what();
    }
    EXPECT_TRUE(served(r.port(), pki.client(false)));
}

TEST(Reload, WatchedFileReplacedByAnAtomicRename) {
    Rotation pki;
    RunningReceiver r(pki.options(true));
    ASSERT_TRUE(served(r.port(), pki.client(false)));
    const std::size_t before = r.report_count(ErrorKind::TrustReloaded);
    replace_atomically(pki.live_ca_file, read_all(pki.both_ca_file));
    ASSERT_TRUE(next_report(r, ErrorKind::TrustReloaded, before));
    EXPECT_TRUE(served(r.port(), pki.client(true)));
    EXPECT_TRUE(served(r.port(), pki.client(false)));

    replace_atomically(pki.live_ca_file, read_all(pki.new_ca_file));
    ASSERT_TRUE(next_report(r, ErrorKind::TrustReloaded, before + 1));
    EXPECT_FALSE(served(r.port(), pki.client(false)));
    EXPECT_TRUE(served(r.port(), pki.client(true)));
}

TEST(Reload, AfterAnSdkReloadNamingAnotherFileThatFileIsWatched) {
    Rotation pki;
    RunningReceiver r(pki.options(true));
    // Another folder, so that no watch of before covers it.
    const std::string dir = pki.files.path("next");
    ASSERT_EQ(::mkdir(dir.c_str(), 0700), 0);
    const std::string next_ca = dir + "/vendor-ca.crt";
    write_file(next_ca, read_all(pki.old_ca_file));
    ReceiverOptions next = pki.options(false);
    next.tls.vendor_ca_files = {next_ca};
    r.receiver().reload(next);
    EXPECT_TRUE(r.receiver().options().tls.watch);  // not reloadable: as it was at start
    ASSERT_TRUE(served(r.port(), pki.client(false)));

    const std::size_t before = r.report_count(ErrorKind::TrustReloaded);
    replace_atomically(next_ca, read_all(pki.both_ca_file));
    ASSERT_TRUE(next_report(r, ErrorKind::TrustReloaded, before));
    EXPECT_TRUE(served(r.port(), pki.client(true)));
    ::unlink(next_ca.c_str());
    ::rmdir(dir.c_str());
}

TEST(Reload, WatchedFileChangedByAKubernetesSymlinkSwap) {
    Rotation pki;
    // secret/ca.crt -> ..data/ca.crt, ..data -> ..2026_01_01, as a mounted Kubernetes secret.
    const std::string secret = pki.files.path("secret");
    ASSERT_EQ(::mkdir(secret.c_str(), 0700), 0);
    ASSERT_EQ(::mkdir((secret + "/..2026_01_01").c_str(), 0700), 0);
    write_file(secret + "/..2026_01_01/ca.crt", read_all(pki.old_ca_file));
    ASSERT_EQ(::symlink("..2026_01_01", (secret + "/..data").c_str()), 0);
    ASSERT_EQ(::symlink("..data/ca.crt", (secret + "/ca.crt").c_str()), 0);
    ReceiverOptions o = pki.options(true);
    o.tls.vendor_ca_files = {secret + "/ca.crt"};
    RunningReceiver r(o);
    ASSERT_TRUE(served(r.port(), pki.client(false)));
    ASSERT_FALSE(served(r.port(), pki.client(true)));

    // The kubelet's update: a new timestamped folder, a new ..data link renamed over the old one.
    ASSERT_EQ(::mkdir((secret + "/..2026_02_01").c_str(), 0700), 0);
    write_file(secret + "/..2026_02_01/ca.crt", read_all(pki.new_ca_file));
    ASSERT_EQ(::symlink("..2026_02_01", (secret + "/..data_tmp").c_str()), 0);
    const std::size_t before = r.report_count(ErrorKind::TrustReloaded);
    ASSERT_EQ(std::rename((secret + "/..data_tmp").c_str(), (secret + "/..data").c_str()), 0);
    std::remove((secret + "/..2026_01_01/ca.crt").c_str());
    ::rmdir((secret + "/..2026_01_01").c_str());
    ASSERT_TRUE(next_report(r, ErrorKind::TrustReloaded, before));
    EXPECT_TRUE(served(r.port(), pki.client(true)));
    EXPECT_FALSE(served(r.port(), pki.client(false)));

    // And the next swap is seen too (the watches follow the new folder).
    ASSERT_EQ(::mkdir((secret + "/..2026_03_01").c_str(), 0700), 0);
    write_file(secret + "/..2026_03_01/ca.crt", read_all(pki.both_ca_file));
    ASSERT_EQ(::symlink("..2026_03_01", (secret + "/..data_tmp").c_str()), 0);
    ASSERT_EQ(std::rename((secret + "/..data_tmp").c_str(), (secret + "/..data").c_str()), 0);
    ASSERT_TRUE(next_report(r, ErrorKind::TrustReloaded, before + 1));
    EXPECT_TRUE(served(r.port(), pki.client(false)));
}

// ------------------------------------------------------------------ broken files

// The server chain and key copied where the test can rewrite them.
struct ServerFiles {
    TempPki dir;
    const std::string cert = dir.path("server.crt");
    const std::string key = dir.path("server.key");
    ServerFiles() {
        write_file(cert, read_all(pki("server-self.crt")));
        write_file(key, read_all(pki("server-self.key")));
    }
    ReceiverOptions options() const {
        ReceiverOptions o = dev_options();
        o.tls.self_provided = {cert, key};
        return o;
    }
};

ClientOptions trusting(const std::string& ca) {
    ClientOptions o = vendor_client();
    o.trust = ca;
    return o;
}

TEST(Reload, AHalfWrittenCertificateKeepsTheLastGoodOneAndTheNextWriteIsPickedUp) {
    ServerFiles files;
    RunningReceiver r(files.options());
    ASSERT_TRUE(served(r.port(), trusting("public-ca.crt")));
    const std::string vendor_cert = read_all(pki("server-vendor.crt"));

    replace_atomically(files.cert, vendor_cert.substr(0, vendor_cert.size() / 2));
    ASSERT_TRUE(next_report(r, ErrorKind::ReloadFailed, 0));
    EXPECT_TRUE(report_mentions(r, ErrorKind::ReloadFailed, files.cert));
    EXPECT_TRUE(report_mentions(r, ErrorKind::ReloadFailed, "last good"));
    EXPECT_TRUE(served(r.port(), trusting("public-ca.crt")));  // the old chain still serves
    EXPECT_EQ(r.report_count(ErrorKind::TrustReloaded), 0u);

    // The whole file now, and its key: picked up.
    replace_atomically(files.key, read_all(pki("server-vendor.key")));
    replace_atomically(files.cert, vendor_cert);
    ASSERT_TRUE(next_report(r, ErrorKind::TrustReloaded, 0));
    EXPECT_TRUE(eventually([&] { return served(r.port(), trusting("vendor-ca.crt")); }));
    EXPECT_FALSE(served(r.port(), trusting("public-ca.crt")));
}

TEST(Reload, AKeyThatDoesNotMatchKeepsTheLastGoodPairUntilTheMatchingKeyArrives) {
    ServerFiles files;
    RunningReceiver r(files.options());
    replace_atomically(files.cert, read_all(pki("server-vendor.crt")));  // the key is still the old one
    ASSERT_TRUE(next_report(r, ErrorKind::ReloadFailed, 0));
    EXPECT_TRUE(report_mentions(r, ErrorKind::ReloadFailed, files.key));
    EXPECT_TRUE(served(r.port(), trusting("public-ca.crt")));
    EXPECT_THROW(r.receiver().reload(), ConfigError);  // the SDK call sees the same refusal

    replace_atomically(files.key, read_all(pki("server-vendor.key")));
    ASSERT_TRUE(next_report(r, ErrorKind::TrustReloaded, 0));
    EXPECT_TRUE(eventually([&] { return served(r.port(), trusting("vendor-ca.crt")); }));
}

// ------------------------------------------------------------------ expiry warnings

TEST(Reload, ExpiringVendorCaIsReportedAtStart) {
    TempPki files;
    const std::time_t t0 = std::time(nullptr);
    const Issued ca = files.ca("imcb Test Short Vendor CA", t0 - kDay, t0 + 10 * kDay);
    ReceiverOptions o = dev_options();
    o.tls.vendor_ca_files = {files.write("short-ca", {&ca})};
    RunningReceiver r(o);
    ASSERT_TRUE(r.has_report(ErrorKind::CertificateExpiring));
    EXPECT_TRUE(report_mentions(r, ErrorKind::CertificateExpiring, "tls.vendor_ca"));
    EXPECT_TRUE(report_mentions(r, ErrorKind::CertificateExpiring, "imcb Test Short Vendor CA"));
    EXPECT_TRUE(report_mentions(r, ErrorKind::CertificateExpiring, "days left"));
}

TEST(Reload, ExpiringCertificatesAreReportedOnReload) {
    Rotation pki;
    RunningReceiver r(pki.options(false));
    EXPECT_FALSE(report_mentions(r, ErrorKind::CertificateExpiring, "tls.vendor_ca"));
    const Issued short_ca = pki.files.ca("imcb Test Short Vendor CA", pki.t0 - kDay, pki.t0 + 5 * kDay);
    ReceiverOptions next = r.receiver().options();
    next.tls.vendor_ca_files = {pki.old_ca_file, pki.files.write("short-ca", {&short_ca})};
    r.receiver().reload(next);
    EXPECT_TRUE(report_mentions(r, ErrorKind::CertificateExpiring, "imcb Test Short Vendor CA"));
    EXPECT_FALSE(report_mentions(r, ErrorKind::CertificateExpiring, "imcb Test Old Vendor CA"));

    // The warning threshold is the operator's: 1 day and nothing is reported any more.
    const std::size_t before = r.report_count(ErrorKind::CertificateExpiring);
    next.tls.expiry_warning = std::chrono::hours(24);
    r.receiver().reload(next);
    EXPECT_EQ(r.report_count(ErrorKind::CertificateExpiring), before);
}

// ------------------------------------------------------------------ imcb-server

std::uint16_t port_from(const std::string& stderr_text) {
    const std::string prefix = "listening on https://127.0.0.1:";
    const auto at = stderr_text.find(prefix);
    if (at == std::string::npos) return 0;
    return static_cast<std::uint16_t>(std::strtoul(stderr_text.c_str() + at + prefix.size(), nullptr, 10));
}

bool server_serves(std::uint16_t port, const ClientOptions& client, const std::string& token) {
    TlsClient c(port, client);
    if (!c.connect()) return false;
    const std::string now = std::to_string(std::time(nullptr));
    const auto res = c.post(
        "/imcallback?SdkAppid=888888&CallbackCommand=State.StateChange&contenttype=json"
        "&RequestTime=" +
            now + "&Sign=" + detail::compute_sign(token, now),
        kBody);
    return res.has_value() && res->status == 200;
}

TEST(ReloadServer, SighupReloadsTrustAndTokensFromTheConfigFile) {
    Rotation pki;
    nlohmann::json config = {
        {"listen", "127.0.0.1:0"},
        {"path", "/imcallback"},
        {"sdk_app_id", 888888},
        {"callback_token", "server-token-old"},
        {"tls",
         {{"mode", "self_provided"},
          {"watch", false},  // SIGHUP alone
          {"self_provided", {{"cert", test::pki("server-self.crt")}, {"key", test::pki("server-self.key")}}},
          {"vendor_ca", pki.old_ca_file},
          {"vendor_identity", {{"subject_cn", {kCn}}}}}},
    };
    const std::string path = pki.files.path("config.json");
    write_file(path, config.dump(2));
    BackgroundProcess server({IMCB_SERVER_BIN, "--config", path});
    const std::uint16_t port = port_from(server.wait_for_stderr("listening on", std::chrono::seconds(10)));
    ASSERT_NE(port, 0);
    EXPECT_TRUE(server_serves(port, pki.client(false), "server-token-old"));
    EXPECT_FALSE(server_serves(port, pki.client(true), "server-token-old"));

    config["tls"]["vendor_ca"] = {pki.old_ca_file, pki.new_ca_file};
    config["callback_token"] = {"server-token-old", "server-token-new"};
    replace_atomically(path, config.dump(2));
    server.signal(SIGHUP);
    EXPECT_NE(server.wait_for_stderr("imcb-server: reloaded", std::chrono::seconds(10))
                  .find("imcb-server: reloaded"),
              std::string::npos);
    EXPECT_TRUE(server_serves(port, pki.client(true), "server-token-new"));
    EXPECT_TRUE(server_serves(port, pki.client(false), "server-token-old"));

    // A broken config: refused with the reason, the state in force stays.
    replace_atomically(path, "{\"listen\": ");
    server.signal(SIGHUP);
    const std::string err = server.wait_for_stderr("reload refused", std::chrono::seconds(10));
    EXPECT_NE(err.find("reload refused"), std::string::npos) << err;
    EXPECT_TRUE(server_serves(port, pki.client(true), "server-token-new"));
    EXPECT_EQ(server.stop(SIGTERM, std::chrono::seconds(10)), 0);
}

TEST(ReloadServer, AChangeOfTheConfigFileIsPickedUpByItself) {
    Rotation pki;
    nlohmann::json config = {
        {"listen", "127.0.0.1:0"},
        {"path", "/imcallback"},
        {"sdk_app_id", 888888},
        {"callback_token", "server-token-old"},
        {"tls",
         {{"mode", "self_provided"},
          {"self_provided", {{"cert", test::pki("server-self.crt")}, {"key", test::pki("server-self.key")}}},
          {"vendor_ca", pki.old_ca_file},
          {"vendor_identity", {{"subject_cn", {kCn}}}}}},
    };
    const std::string path = pki.files.path("config.json");
    write_file(path, config.dump(2));
    BackgroundProcess server({IMCB_SERVER_BIN, "--config", path});
    const std::uint16_t port = port_from(server.wait_for_stderr("listening on", std::chrono::seconds(10)));
    ASSERT_NE(port, 0);
    ASSERT_TRUE(server_serves(port, pki.client(false), "server-token-old"));
    config["callback_token"] = "server-token-new";
    replace_atomically(path, config.dump(2));
    EXPECT_TRUE(eventually([&] { return server_serves(port, pki.client(false), "server-token-new"); }));
    EXPECT_FALSE(server_serves(port, pki.client(false), "server-token-old"));
    EXPECT_EQ(server.stop(SIGTERM, std::chrono::seconds(10)), 0);
}

}  // namespace
}  // namespace imcb::test
