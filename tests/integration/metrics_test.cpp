// The admin listener as an operator uses it: real callbacks over mutual TLS, then GET /metrics,
// /healthz and /readyz with the real curl, the text parsed series by series.

#include <gtest/gtest.h>

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <condition_variable>
#include <ctime>
#include <future>
#include <map>
#include <mutex>
#include <sstream>

#include <openssl/pem.h>
#include <openssl/x509.h>

#include "openssl_ptr.h"
#include "peer_identity.h"
#include "signature.h"
#include "support/process.h"
#include "support/receiver_fixture.h"
#include "support/tls_client.h"

namespace imcb::test {
namespace {

constexpr char kToken[] = "metrics-test-token";

struct HttpResult {
    int status = 0;
    std::string headers;
    std::string body;
};

// One request with the real curl; the status, the head and the body.
HttpResult curl(std::uint16_t port, const std::string& path, const std::string& method = "GET") {
    std::vector<std::string> argv = {
        "curl", "-sS", "-i",   "--max-time",
        "10",   "-X",  method, "http://127.0.0.1:" + std::to_string(port) + path};
    const ProcessResult res = run_process(argv);
    HttpResult r;
    if (res.exit_code != 0) {
        ADD_FAILURE() << "curl " << path << ": " << res.err;
        return r;
    }
    const auto end = res.out.find("\r\n\r\n");
    r.headers = res.out.substr(0, end);
    r.body = end == std::string::npos ? std::string() : res.out.substr(end + 4);
    r.status = std::stoi(res.out.substr(9, 3));
    return r;
}

// "name{labels}" -> value, for every sample line of a text exposition.
std::map<std::string, double> parse_samples(const std::string& text) {
    std::map<std::string, double> out;
    std::istringstream in(text);
    std::string line;
    while (std::getline(in, line)) {
        if (line.empty() || line[0] == '#') continue;
        const auto space = line.rfind(' ');
        EXPECT_NE(space, std::string::npos) << line;
        EXPECT_TRUE(out.emplace(line.substr(0, space), std::stod(line.substr(space + 1))).second) << line;
    }
    return out;
}

// The one sample whose key starts with `prefix` (labels in the order the exposition writes them).
double sample_starting(const std::map<std::string, double>& s, const std::string& prefix) {
    double found = -1;
    int n = 0;
    for (const auto& [key, value] : s) {
        if (key.rfind(prefix, 0) == 0) {
            found = value;
            ++n;
        }
    }
    EXPECT_EQ(n, 1) << prefix;
    return found;
}

detail::X509Ptr read_certificate(const std::string& pem_file) {
    detail::BioPtr bio(BIO_new_file(pem_file.c_str(), "r"));
    detail::X509Ptr cert(bio ? PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr) : nullptr);
    EXPECT_TRUE(cert) << pem_file;
    return cert;
}

std::int64_t not_after_of(const std::string& pem_file) {
    const auto cert = read_certificate(pem_file);
    return cert ? detail::unix_time(X509_get0_notAfter(cert.get())) : 0;
}

std::string subject_of(const std::string& pem_file) {
    const auto cert = read_certificate(pem_file);
    return cert ? detail::describe_certificate(*cert).subject : std::string();
}

std::string signed_target(const std::string& command, const std::string& token = kToken) {
    const std::string t = std::to_string(std::time(nullptr));
    return callback_target(command, kAppId, "&Sign=" + detail::compute_sign(token, t) + "&RequestTime=" + t);
}

ReceiverOptions admin_options() {
    ReceiverOptions o = dev_options();
    o.callback_tokens = {kToken};
    o.admin_listen = "127.0.0.1:0";
    return o;
}

TEST(Metrics, EverySeriesShowsWhatTheCallbacksDid) {
    std::mutex mu;
    std::vector<std::string> handler_ids;
    RunningReceiver r(admin_options(), [&](Receiver& rec) {
        rec.on_raw("State.StateChange", [&](const nlohmann::json&, const CallbackContext& ctx) {
            std::lock_guard<std::mutex> lock(mu);
            handler_ids.push_back(ctx.request_id);
            return Decision::allow();
        });
        rec.on<C2CBeforeSendMsg>([](const C2CBeforeSendMsg&, const CallbackContext&) {
            return C2CBeforeSendMsg::Reply::deny(120001, "no");
        });
        rec.on_raw("Group.CallbackAfterSendMsg",
                   [&](const nlohmann::json&, const CallbackContext& ctx) -> Decision {
                       {
                           std::lock_guard<std::mutex> lock(mu);
                           handler_ids.push_back(ctx.request_id);
                       }
                       throw std::runtime_error("database down");
                   });
    });
    ASSERT_NE(r.receiver().admin_port(), 0);
    ASSERT_NE(r.receiver().admin_port(), r.port());

    TlsClient c(r.port(), vendor_client());
    ASSERT_TRUE(c.connect());
    const auto ok = c.post(signed_target("State.StateChange"), fixture("State.StateChange.json"));
    const auto denied =
        c.post(signed_target("C2C.CallbackBeforeSendMsg"), fixture("C2C.CallbackBeforeSendMsg.json"));
    const auto bad_sign =
        c.post(signed_target("State.StateChange", "wrong-token"), fixture("State.StateChange.json"));
    const auto failed =
        c.post(signed_target("Group.CallbackAfterSendMsg"), fixture("Group.CallbackAfterSendMsg.json"));
    ASSERT_TRUE(ok && denied && bad_sign && failed);
    EXPECT_EQ(ok->status, 200);
    EXPECT_EQ(denied->status, 200);
    EXPECT_EQ(bad_sign->status, 401);
    EXPECT_EQ(failed->status, 200);  // an after-callback is acknowledged even when its handler fails

    // Request ids: one per request, on the handler's context and on the report about it.
    ASSERT_TRUE(r.has_report(ErrorKind::HandlerFailed));
    std::vector<std::string> ids;
    {
        std::lock_guard<std::mutex> lock(mu);
        ids = handler_ids;
    }
    ASSERT_EQ(ids.size(), 2u);
    EXPECT_FALSE(ids[0].empty());
    EXPECT_NE(ids[0], ids[1]);
    std::string failure_id, unauthorized_id;
    for (const auto& rep : r.reports()) {
        if (rep.kind == ErrorKind::HandlerFailed) failure_id = rep.request_id;
        if (rep.kind == ErrorKind::Unauthorized) unauthorized_id = rep.request_id;
    }
    EXPECT_EQ(failure_id, ids[1]);
    EXPECT_FALSE(unauthorized_id.empty());
    EXPECT_NE(unauthorized_id, ids[0]);
    EXPECT_NE(unauthorized_id, ids[1]);

    const HttpResult res = curl(r.receiver().admin_port(), "/metrics");
    ASSERT_EQ(res.status, 200) << res.headers;
    EXPECT_NE(res.headers.find("Content-Type: text/plain; version=0.0.4"), std::string::npos) << res.headers;
    const auto s = parse_samples(res.body);
    const auto at = [&](const std::string& key) {
        const auto it = s.find(key);
        EXPECT_NE(it, s.end()) << key << " missing from\n" << res.body;
        return it == s.end() ? -1.0 : it->second;
    };
    EXPECT_EQ(at(R"(imcb_callbacks_total{command="State.StateChange",outcome="ok"})"), 1);
    EXPECT_EQ(at(R"(imcb_callbacks_total{command="State.StateChange",outcome="rejected"})"), 1);
    EXPECT_EQ(at(R"(imcb_callbacks_total{command="C2C.CallbackBeforeSendMsg",outcome="denied"})"), 1);
    EXPECT_EQ(at(R"(imcb_callbacks_total{command="Group.CallbackAfterSendMsg",outcome="failed"})"), 1);
    EXPECT_EQ(at("imcb_handler_errors_total"), 1);
    EXPECT_EQ(at("imcb_callback_duration_seconds_count"), 4);
    EXPECT_EQ(at(R"(imcb_callback_duration_seconds_bucket{le="+Inf"})"), 4);
    EXPECT_GE(at(R"(imcb_callback_duration_seconds_bucket{le="2.5"})"), 0);
    for (std::size_t i = 0; i < kHandshakeFailureCount; ++i) {
        const std::string reason = to_string(static_cast<HandshakeFailure>(i));
        EXPECT_EQ(at("imcb_handshake_failures_total{reason=\"" + reason + "\"}"), 0) << reason;
    }
    EXPECT_EQ(at(R"(imcb_reloads_total{result="ok"})"), 0);
    EXPECT_EQ(at(R"(imcb_reloads_total{result="failed"})"), 0);
    EXPECT_EQ(sample_starting(s, R"(imcb_certificate_expiry_timestamp_seconds{role="server")"),
              not_after_of(pki("server-self.crt")));
    EXPECT_EQ(sample_starting(s, R"(imcb_certificate_expiry_timestamp_seconds{role="vendor_ca")"),
              not_after_of(pki("vendor-ca.crt")));
    EXPECT_EQ(sample_starting(s, R"(imcb_certificate_expiry_timestamp_seconds{role="vendor_client")"),
              not_after_of(pki("vendor-client.crt")));
    EXPECT_EQ(at("imcb_connections_open"), 1);  // the client above, still open
    EXPECT_EQ(at("imcb_source_refused_total"), 0);
    EXPECT_EQ(at("imcb_requests_total"), 4);
    EXPECT_EQ(at("imcb_ready"), 1);
    EXPECT_EQ(at("imcb_journal_pending"), 0);
    EXPECT_EQ(at("imcb_journal_dead_letters_total"), 0);
    EXPECT_EQ(at("imcb_before_deadline_missed_total"), 0);

    // The C++ snapshot holds the same figures.
    const Metrics m = r.receiver().metrics();
    EXPECT_TRUE(m.ready);
    EXPECT_EQ(m.handler_errors, 1u);
    EXPECT_EQ(m.callback_duration.count, 4u);
    EXPECT_EQ(m.connections_open, 1u);
    ASSERT_EQ(m.certificates.size(), 3u);
    EXPECT_EQ(m.certificates[0].role, "server");
    EXPECT_EQ(m.certificates[0].subject, r.receiver().tls_summary().server_chain.at(0).subject);
    EXPECT_EQ(m.certificates[1].subject, subject_of(pki("vendor-ca.crt")));
    EXPECT_EQ(m.certificates[2].role, "vendor_client");
    EXPECT_EQ(m.certificates[2].subject, subject_of(pki("vendor-client.crt")));
}

TEST(Metrics, HealthReadinessAndOtherRequests) {
    RunningReceiver r(admin_options());
    const std::uint16_t admin = r.receiver().admin_port();
    EXPECT_TRUE(r.receiver().ready());
    const HttpResult health = curl(admin, "/healthz");
    EXPECT_EQ(health.status, 200);
    EXPECT_EQ(health.body, "ok\n");
    EXPECT_EQ(curl(admin, "/readyz").status, 200);
    EXPECT_EQ(curl(admin, "/").status, 404);
    EXPECT_EQ(curl(admin, "/metrics/extra").status, 404);
    const HttpResult post = curl(admin, "/metrics", "POST");
    EXPECT_EQ(post.status, 405);
    EXPECT_NE(post.headers.find("Allow: GET"), std::string::npos);
    // The admin port serves no callbacks, and the callback port no admin pages.
    TlsClient c(r.port(), vendor_client());
    ASSERT_TRUE(c.connect());
    const auto on_callback_port = c.post("/metrics", "{}");
    ASSERT_TRUE(on_callback_port);
    EXPECT_EQ(on_callback_port->status, 404);
}

TEST(Metrics, ReadyzTurns503OnceStopBegins) {
    std::mutex mu;
    std::condition_variable cv;
    bool entered = false;
    bool release = false;
    ReceiverOptions o = admin_options();
    o.callback_tokens.clear();
    o.shutdown_timeout = std::chrono::seconds(60);
    RunningReceiver r(o, [&](Receiver& rec) {
        rec.on_raw("State.StateChange", [&](const nlohmann::json&, const CallbackContext&) {
            std::unique_lock<std::mutex> lock(mu);
            entered = true;
            cv.notify_all();
            cv.wait_for(lock, std::chrono::seconds(30), [&] { return release; });
            return Decision::allow();
        });
    });
    const std::uint16_t admin = r.receiver().admin_port();
    ASSERT_EQ(curl(admin, "/readyz").status, 200);
    TlsClient c(r.port(), vendor_client());
    ASSERT_TRUE(c.connect());
    ASSERT_TRUE(
        c.send(http_request(callback_target("State.StateChange"), fixture("State.StateChange.json"))));
    {
        std::unique_lock<std::mutex> lock(mu);
        ASSERT_TRUE(cv.wait_for(lock, std::chrono::seconds(10), [&] { return entered; }));
    }
    auto stopped = std::async(std::launch::async, [&] { r.receiver().stop(); });
    // The request in flight holds the stop; meanwhile the process is alive and not ready.
    EXPECT_TRUE(eventually([&] { return !r.receiver().ready(); }));
    EXPECT_EQ(curl(admin, "/readyz").status, 503);
    EXPECT_EQ(curl(admin, "/healthz").status, 200);
    EXPECT_EQ(sample_starting(parse_samples(curl(admin, "/metrics").body), "imcb_ready"), 0);
    {
        std::lock_guard<std::mutex> lock(mu);
        release = true;
    }
    cv.notify_all();
    const auto reply = c.read_response();
    ASSERT_TRUE(reply);
    EXPECT_EQ(reply->status, 200);
    ASSERT_EQ(stopped.wait_for(std::chrono::seconds(20)), std::future_status::ready);
    EXPECT_EQ(r.receiver().admin_port(), 0);  // closed with the receiver
}

TEST(Metrics, BadOrTakenAdminListenIsRefusedNamingTheKey) {
    for (const std::string bad : {"9464", "localhost", "127.0.0.1:99999", "::1:9464"}) {
        ReceiverOptions o = dev_options();
        o.admin_listen = bad;
        try {
            Receiver rec(o);
            ADD_FAILURE() << bad << " accepted";
        } catch (const ConfigError& e) {
            // Options built in code: the error names the field.
            EXPECT_NE(std::string(e.what()).find("ReceiverOptions::admin_listen"), std::string::npos)
                << e.what();
        }
    }
    // A port someone else holds.
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    ASSERT_GE(fd, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
    ASSERT_EQ(::listen(fd, 1), 0);
    socklen_t len = sizeof a;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
    ReceiverOptions o = dev_options();
    o.admin_listen = "127.0.0.1:" + std::to_string(ntohs(a.sin_port));
    Receiver rec(o);
    try {
        rec.start();
        ADD_FAILURE() << "a taken admin port was accepted";
    } catch (const ConfigError& e) {
        EXPECT_EQ(e.code(), ErrorCode::PortInUse);
        EXPECT_NE(std::string(e.what()).find("ReceiverOptions::admin_listen"), std::string::npos) << e.what();
    }
    ::close(fd);
    // Nothing was left serving: the same receiver starts once the port is free.
    EXPECT_NE(rec.start(), 0);
    EXPECT_EQ(curl(rec.admin_port(), "/healthz").status, 200);
    rec.stop();
}

TEST(Metrics, ANonLoopbackAdminAddressWarnsAtStart) {
    ReceiverOptions o = dev_options();
    o.admin_listen = "0.0.0.0:0";
    RunningReceiver r(o);  // installs on_error: the warning is a report
    EXPECT_NE(r.receiver().admin_port(), 0);
    ASSERT_TRUE(r.has_report(ErrorKind::ConfigWarning));
    bool named = false;
    for (const auto& report : r.reports()) {
        named =
            named ||
            (report.kind == ErrorKind::ConfigWarning &&
             report.message.find("ReceiverOptions::admin_listen: \"0.0.0.0:0\" is not a loopback address") !=
                 std::string::npos);
    }
    EXPECT_TRUE(named);
}

TEST(Metrics, AHandshakeWithoutCertificateCountsNoCertificate) {
    RunningReceiver r(admin_options());
    ClientOptions anonymous = vendor_client();
    anonymous.cert.clear();
    anonymous.key.clear();
    TlsClient c(r.port(), anonymous);
    c.connect();
    std::string text;
    EXPECT_TRUE(eventually([&] {
        text = curl(r.receiver().admin_port(), "/metrics").body;
        return parse_samples(text)[R"(imcb_handshake_failures_total{reason="no_certificate"})"] == 1;
    })) << text;
    EXPECT_EQ(
        r.receiver().metrics().handshake_failures[static_cast<std::size_t>(HandshakeFailure::NoCertificate)],
        1u);
}

}  // namespace
}  // namespace imcb::test
