// Whatever a client sends, on the TLS port or inside a request, the server answers or closes that
// one connection and keeps serving the others. Framing rejections, the HTTP/1.0 rules, slow
// bodies and most size limits are in protocol_test.cpp and robustness_test.cpp; this file holds
// the rest. Every loop is bounded in count and time.

#include <gtest/gtest.h>

#include <poll.h>
#include <sys/socket.h>

#include <algorithm>
#include <mutex>
#include <random>
#include <string>
#include <vector>

#include "support/pki.h"
#include "support/receiver_fixture.h"
#include "support/tls_client.h"

namespace imcb::test {
namespace {

using nlohmann::json;

const std::string kState = fixture("State.StateChange.json");
const std::string kTarget = callback_target("State.StateChange");

bool served(std::uint16_t port) {
    TlsClient c(port, vendor_client());
    if (!c.connect()) return false;
    const auto res = c.post(kTarget, kState);
    return res.has_value() && res->status == 200;
}

/// Sends raw bytes on a fresh vendor connection; the response, if any.
std::optional<HttpResponse> exchange(std::uint16_t port, const std::string& bytes) {
    TlsClient c(port, vendor_client());
    if (!c.connect() || !c.send(bytes)) return std::nullopt;
    return c.read_response();
}

/// A request with exactly the given head lines (no Host unless listed) and body.
std::string request_with(const std::string& version, const std::string& lines, const std::string& body) {
    return "POST " + kTarget + " " + version + "\r\n" + lines +
           "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
}

/// kState with one more member at the top level.
std::string state_with(const std::string& member) {
    std::string body = kState;
    body.insert(body.find('{') + 1, member + ",");
    return body;
}

/// True when the server closes the connection on this descriptor (EOF or reset) within the limit.
bool closed_by_server(int fd, std::chrono::milliseconds limit) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    char buf[4096];
    while (std::chrono::steady_clock::now() < deadline) {
        pollfd p{fd, POLLIN, 0};
        if (::poll(&p, 1, 100) <= 0) continue;
        const ssize_t n = ::recv(fd, buf, sizeof buf, MSG_DONTWAIT);
        if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) return true;
    }
    return false;
}

/// No report carries a raw control character (C0, DEL) from the request.
void expect_reports_printable(const RunningReceiver& r) {
    for (const auto& report : r.reports()) {
        for (const std::string* text : {&report.message, &report.command, &report.remote_addr}) {
            for (const char ch : *text) {
                const auto c = static_cast<unsigned char>(ch);
                EXPECT_TRUE(c >= 0x20 && c != 0x7f) << "byte " << int(c) << " in: " << *text;
            }
        }
    }
}

bool has_report_containing(const RunningReceiver& r, ErrorKind kind, const std::string& text) {
    return eventually([&] {
        const auto all = r.reports();
        return std::any_of(all.begin(), all.end(), [&](const ErrorReport& e) {
            return e.kind == kind &&
                   (e.message.find(text) != std::string::npos || e.command.find(text) != std::string::npos);
        });
    });
}

// ------------------------------------------------------------------ HTTP rules

TEST(HostileInput, Http11NeedsExactlyOneHostAndHttp10MayOmitIt) {
    RunningReceiver r(dev_options());
    for (const std::string& lines : {std::string(), std::string("Host: a\r\nHost: b\r\n")}) {
        TlsClient c(r.port(), vendor_client());
        ASSERT_TRUE(c.connect());
        ASSERT_TRUE(c.send(request_with("HTTP/1.1", lines, kState)));
        const auto res = c.read_response();
        ASSERT_TRUE(res.has_value()) << c.error();
        EXPECT_EQ(res->status, 400) << res->body;
        EXPECT_NE(json::parse(res->body).at("ErrorInfo").get<std::string>().find("Host"), std::string::npos);
        EXPECT_TRUE(c.peer_closed());
    }
    EXPECT_TRUE(has_report_containing(r, ErrorKind::BadRequest, "needs a Host header"));
    EXPECT_EQ(r.handled(), 0);
    const auto http10 = exchange(r.port(), request_with("HTTP/1.0", "", kState));
    ASSERT_TRUE(http10.has_value());
    EXPECT_EQ(http10->status, 200);
    const auto with_host = exchange(r.port(), request_with("HTTP/1.1", "hOsT: example.com\r\n", kState));
    ASSERT_TRUE(with_host.has_value());
    EXPECT_EQ(with_host->status, 200);
    EXPECT_EQ(r.handled(), 2);
}

// ------------------------------------------------------------------ reports

TEST(HostileInput, ControlCharactersFromTheRequestReachReportsEscaped) {
    RunningReceiver r(dev_options());
    // An unknown command is acknowledged and reported with its name: ESC, CR/LF, a C1 control and
    // a byte that is not UTF-8, all percent-encoded in the URL.
    const auto unknown = exchange(
        r.port(),
        http_request("/?SdkAppid=888888&CallbackCommand=Evil%1B%5B31m%0D%0Aforged%C2%9B%FF", kState));
    ASSERT_TRUE(unknown.has_value());
    EXPECT_EQ(unknown->status, 200);
    EXPECT_TRUE(
        has_report_containing(r, ErrorKind::UnknownCommand, "Evil\\x1b[31m\\r\\nforged\\xc2\\x9b\\xff"));
    // A header value the parser lets through (tab, C1 control, not UTF-8) quoted in a rejection.
    const auto encoded = exchange(r.port(), http_request(kTarget, kState,
                                                         "Content-Encoding: gz\xc2\x9b"
                                                         "1\xff\tx\r\n"));
    ASSERT_TRUE(encoded.has_value());
    EXPECT_EQ(encoded->status, 415);
    EXPECT_TRUE(has_report_containing(r, ErrorKind::BadRequest,
                                      "Content-Encoding gz\\xc2\\x9b"
                                      "1\\xff\\tx is not"));
    // A raw ESC in a header is refused by the parser and never quoted.
    const auto raw = exchange(r.port(), http_request(kTarget, kState, "X-Evil: \x1b[2J\r\n"));
    ASSERT_TRUE(raw.has_value());
    EXPECT_EQ(raw->status, 400);
    EXPECT_TRUE(served(r.port()));
    expect_reports_printable(r);
    for (const auto& report : r.reports()) {
        EXPECT_EQ(report.message.find("\xc2\x9b"), std::string::npos) << report.message;
        EXPECT_EQ(report.command.find("\xc2\x9b"), std::string::npos) << report.command;
    }
}

// ------------------------------------------------------------------ slow clients

// Slowloris: bytes keep arriving, one at a time, but the request as a whole must fit in
// timeouts.request_ms. The trickle would last 6 s; the server closes long before.
TEST(HostileInput, TrickledHeadsAndBodiesAreCutOffByTheRequestTimeout) {
    ReceiverOptions o = dev_options();
    o.request_timeout = std::chrono::milliseconds(500);
    RunningReceiver r(o);
    const std::string full = http_request(kTarget, kState);
    const std::string body_start = full.substr(0, full.find("\r\n\r\n") + 4);
    for (const std::string& prefix : {std::string("POST "), body_start}) {
        TlsClient c(r.port(), vendor_client());
        ASSERT_TRUE(c.connect());
        // One request first: it also reads the session tickets, so that from now on input
        // means the server is closing. The request deadline starts with the next first byte.
        ASSERT_TRUE(c.post(kTarget, kState).has_value());
        ASSERT_TRUE(c.send(prefix));
        bool cut = false;
        for (int i = 0; i < 300 && !cut; ++i) {
            if (!c.send("a")) break;
            pollfd p{c.fd(), POLLIN, 0};
            cut = ::poll(&p, 1, 20) > 0;  // the server's close_notify or FIN
            if (i == 5) {
                EXPECT_TRUE(served(r.port()));  // others are served meanwhile
            }
        }
        EXPECT_TRUE(cut) << "still open after the trickle, prefix " << prefix.size() << " bytes";
        EXPECT_TRUE(c.peer_closed());
    }
    EXPECT_EQ(r.handled(), 4);  // the first request on each connection, and the two served meanwhile
    EXPECT_TRUE(served(r.port()));
}

// ------------------------------------------------------------------ not TLS, or broken TLS

TEST(HostileInput, GarbageAndPlainHttpOnTheTlsPortAreClosedAndReported) {
    RunningReceiver r(dev_options());
    std::mt19937 rng(20240611);
    std::string noise(64 * 1024, '\0');
    for (char& ch : noise) ch = static_cast<char>(rng() & 0xff);
    const std::vector<std::string> cases = {
        http_request(kTarget, kState),
        "GET / HTTP/1.0\r\n\r\n",
        noise,
        std::string(4096, '\0'),
        std::string("\x16\x03\x01\xff\xff", 5) + std::string(1000, 'x'),  // a record over 16 KiB
        std::string("\x80\x2e\x01\x00\x02\x00\x15\x00\x00\x00\x10", 11) + std::string(37, 'x'),  // SSLv2
        std::string("\x15\x03\x03\x00\x02\x02\x28", 7),  // a fatal alert instead of a ClientHello
    };
    for (std::size_t i = 0; i < cases.size(); ++i) {
        RawSocket s(r.port());
        ASSERT_TRUE(s.ok());
        s.send(cases[i]);
        EXPECT_TRUE(s.closed_by_peer(std::chrono::seconds(5))) << "case " << i;
    }
    EXPECT_TRUE(eventually([&] { return r.receiver().stats().handshakes_failed >= cases.size(); }));
    EXPECT_TRUE(r.has_report(ErrorKind::HandshakeFailed));
    EXPECT_EQ(r.receiver().stats().requests, 0u);
    EXPECT_TRUE(served(r.port()));
    expect_reports_printable(r);
}

TEST(HostileInput, ARequestInOneByteTlsRecordsIsServedAndAnEndlessOneIsRefused) {
    ReceiverOptions o = dev_options();
    o.max_header_bytes = 2048;
    RunningReceiver r(o);
    TlsClient c(r.port(), vendor_client());
    ASSERT_TRUE(c.connect());
    const std::string request = http_request(kTarget, kState);
    for (const char ch : request) ASSERT_TRUE(c.send(std::string(1, ch)));  // one record per byte
    const auto res = c.read_response();
    ASSERT_TRUE(res.has_value()) << c.error();
    EXPECT_EQ(res->status, 200);
    // A head that never ends, one record per byte: refused at max_header_bytes, not buffered on.
    ASSERT_TRUE(c.send("POST " + kTarget + " HTTP/1.1\r\nX: "));
    bool refused = false;
    for (int i = 0; i < 4096 && !refused; ++i) {
        if (!c.send("x")) break;
        if (i % 64 == 0) {
            pollfd p{c.fd(), POLLIN, 0};
            refused = ::poll(&p, 1, 0) > 0;
        }
    }
    const auto too_large = c.read_response();
    ASSERT_TRUE(too_large.has_value()) << c.error();
    EXPECT_EQ(too_large->status, 431);
    EXPECT_TRUE(c.peer_closed());
    EXPECT_TRUE(served(r.port()));
}

TEST(HostileInput, JunkRecordsAfterTheHandshakeCloseOnlyThatConnection) {
    RunningReceiver r(dev_options());
    TlsClient kept(r.port(), vendor_client());
    ASSERT_TRUE(kept.connect());
    std::mt19937 rng(7);
    std::string junk(16384, '\0');
    for (char& ch : junk) ch = static_cast<char>(rng() & 0xff);
    std::string empty_records;
    for (int i = 0; i < 1000; ++i) empty_records += std::string("\x17\x03\x03\x00\x00", 5);
    std::string ccs_flood;
    for (int i = 0; i < 1000; ++i) ccs_flood += std::string("\x14\x03\x03\x00\x01\x01", 6);
    const std::vector<std::string> cases = {
        std::string("\x17\x03\x03\x40\x00", 5) + junk,                  // application data, bad MAC
        std::string("\x17\x03\x03\xff\xff", 5) + junk,                  // longer than a record may be
        empty_records,                                                  // many empty records
        ccs_flood,                                                      // ChangeCipherSpec after the end
        std::string("\x16\x03\x03\x00\x04\x01\x00\x00\x00", 9) + junk,  // a plaintext handshake message
    };
    for (std::size_t i = 0; i < cases.size(); ++i) {
        TlsClient c(r.port(), vendor_client());
        ASSERT_TRUE(c.connect());
        ASSERT_EQ(::send(c.fd(), cases[i].data(), cases[i].size(), MSG_NOSIGNAL),
                  static_cast<ssize_t>(cases[i].size()));
        EXPECT_TRUE(closed_by_server(c.fd(), std::chrono::seconds(5))) << "case " << i;
    }
    EXPECT_EQ(r.receiver().stats().requests, 0u);
    const auto res = kept.post(kTarget, kState);  // connections opened before are unaffected
    ASSERT_TRUE(res.has_value()) << kept.error();
    EXPECT_EQ(res->status, 200);
    EXPECT_TRUE(served(r.port()));
}

TEST(HostileInput, AKeyUpdateFloodLeavesTheConnectionUsable) {
    RunningReceiver r(dev_options());
    ClientOptions o = vendor_client();
    o.min_version = TLS1_3_VERSION;
    TlsClient c(r.port(), o);
    ASSERT_TRUE(c.connect()) << c.error();
    for (int i = 0; i < 200; ++i) {
        ASSERT_EQ(
            SSL_key_update(c.ssl(), i % 2 == 0 ? SSL_KEY_UPDATE_REQUESTED : SSL_KEY_UPDATE_NOT_REQUESTED), 1);
        ASSERT_EQ(SSL_do_handshake(c.ssl()), 1);  // sends the KeyUpdate now
    }
    const auto res = c.post(kTarget, kState);
    ASSERT_TRUE(res.has_value()) << c.error();
    EXPECT_EQ(res->status, 200);
    EXPECT_TRUE(served(r.port()));
}

// ------------------------------------------------------------------ oversized heads

TEST(HostileInput, HeadLinesThatNeverEndAreRefusedWithoutBufferingThem) {
    RunningReceiver r(dev_options());  // max_header_bytes 16 KiB
    struct Case {
        std::string start;
        int status;
    };
    for (const Case& tc :
         {Case{"POST /", 414}, Case{"POST " + kTarget + " HTTP/1.1\r\nHost: x\r\nX-Long: ", 431}}) {
        TlsClient c(r.port(), vendor_client());
        ASSERT_TRUE(c.connect());
        ASSERT_TRUE(c.post(kTarget, kState).has_value());  // reads the session tickets too
        ASSERT_TRUE(c.send(tc.start));
        for (int i = 0; i < 64; ++i) {  // 1 MiB without a line end, unless refused earlier
            if (!c.send(std::string(16384, 'a'))) break;
            pollfd p{c.fd(), POLLIN, 0};
            if (::poll(&p, 1, 0) > 0) break;
        }
        const auto res = c.read_response();
        ASSERT_TRUE(res.has_value()) << c.error();
        EXPECT_EQ(res->status, tc.status);
        EXPECT_TRUE(c.peer_closed());
    }
    EXPECT_TRUE(served(r.port()));
}

// ------------------------------------------------------------------ bodies

TEST(HostileInput, HugeAndDeeplyNestedJsonIsRefusedOrServedWithinItsLimits) {
    RunningReceiver r(dev_options());  // max_body_bytes 256 KiB
    struct Case {
        std::string body;
        int status;
    };
    std::string numbers = "\"Numbers\":[";
    for (int i = 0; i < 40000; ++i) numbers += std::to_string(i) + ",";
    numbers.back() = ']';
    std::string keys;
    for (int i = 0; i < 10000; ++i) keys += "\"Dup\":" + std::to_string(i) + ",";
    keys.pop_back();
    std::string deep_objects;
    for (int i = 0; i < 50000; ++i) deep_objects += "{\"a\":";
    const std::vector<Case> cases = {
        {std::string(200000, '['), 400},                             // nesting, no closing at all
        {std::string(100000, '[') + std::string(100000, ']'), 400},  // nesting, balanced
        {deep_objects, 400},
        {state_with("\"Deep\":" + std::string(62, '[') + std::string(62, ']')), 200},  // 63 levels
        {state_with("\"Deep\":" + std::string(64, '[') + std::string(64, ']')), 400},  // 65 levels
        {state_with("\"Pad\":\"" + std::string(200000, '[') + "\""), 200},             // brackets in a string
        {state_with(numbers), 200},
        {state_with(keys), 200},
        {state_with("\"Big\":123456789012345678901234567890123456789"), 200},
        {state_with("\"Esc\":\"" + std::string(20000, '\\') + "\""), 200},  // 10000 escaped backslashes
    };
    for (std::size_t i = 0; i < cases.size(); ++i) {
        const auto res = exchange(r.port(), http_request(kTarget, cases[i].body));
        ASSERT_TRUE(res.has_value()) << "case " << i;
        EXPECT_EQ(res->status, cases[i].status) << "case " << i << ": " << res->body;
    }
    EXPECT_EQ(r.handled(), 6);
    EXPECT_TRUE(served(r.port()));
}

TEST(HostileInput, InvalidUtf8InBodyAndQueryIsRefusedOrPassedOnSafely) {
    std::mutex mu;
    std::vector<std::string> client_ips;
    RunningReceiver r(dev_options(), [&](Receiver& rec) {
        rec.on_raw("State.StateChange", [&](const json&, const CallbackContext& ctx) {
            std::lock_guard<std::mutex> lock(mu);
            client_ips.push_back(ctx.client_ip);
            return Decision::allow();
        });
    });
    struct Case {
        std::string target;
        std::string body;
        int status;
    };
    const std::vector<Case> cases = {
        {kTarget, state_with("\"Bad\":\"\xff\xfe\""), 400},            // raw bytes that are not UTF-8
        {kTarget, state_with("\"Bad\":\"\xc0\xaf\""), 400},            // an overlong form
        {kTarget, state_with("\"Bad\":\"\xed\xa0\x80\""), 400},        // a surrogate, encoded
        {kTarget, state_with("\"Bad\":\"\\ud800\""), 400},             // a lone surrogate, escaped
        {kTarget, state_with("\"Ok\":\"\xe7\xbe\xa4\\u4e2d\""), 200},  // well-formed, both ways
        {"/?SdkAppid=888888&CallbackCommand=State.StateChange&ClientIP=%FF%FE%0A", kState, 200},
        {"/?SdkAppid=888888&CallbackCommand=State.StateChange&ClientIP=\xff", kState, 400},  // not encoded
    };
    for (std::size_t i = 0; i < cases.size(); ++i) {
        const auto res = exchange(r.port(), http_request(cases[i].target, cases[i].body));
        ASSERT_TRUE(res.has_value()) << "case " << i;
        EXPECT_EQ(res->status, cases[i].status) << "case " << i << ": " << res->body;
        EXPECT_FALSE(json::parse(res->body, nullptr, false).is_discarded()) << "case " << i;  // valid JSON
    }
    EXPECT_TRUE(r.has_report(ErrorKind::MalformedJson));
    {
        std::lock_guard<std::mutex> lock(mu);
        ASSERT_EQ(client_ips.size(), 2u);
        EXPECT_EQ(client_ips[1], "\xff\xfe\n");  // handed to the handler as sent, decoded
    }
    EXPECT_TRUE(served(r.port()));
    expect_reports_printable(r);
}

TEST(HostileInput, DuplicateAndPercentEncodedQueryParameters) {
    std::mutex mu;
    std::vector<std::string> seen;
    RunningReceiver r(dev_options(), [&](Receiver& rec) {
        rec.on_raw("State.StateChange", [&](const json&, const CallbackContext& ctx) {
            std::lock_guard<std::mutex> lock(mu);
            seen.push_back(ctx.client_ip + "|" + ctx.opt_platform);
            return Decision::allow();
        });
    });
    struct Case {
        std::string query;
        int status;
    };
    const std::vector<Case> cases = {
        {"SdkAppid=888888&CallbackCommand=State.StateChange&SdkAppid=888888", 400},  // same value twice
        {"SdkAppid=888888&CallbackCommand=State.StateChange&Callback%43ommand=Other", 400},  // encoded name
        {"SdkAppid=888888&SdkAppid=1&CallbackCommand=State.StateChange", 400},
        {"Sdk%41ppid=888888&Callback%43ommand=State%2EStateChange&ClientIP=1.2.3.4", 200},
        {"SdkAppid=888888&CallbackCommand=State.StateChange&ClientIP=a%26SdkAppid%3D1",
         200},  // & and = in a value
        {"SdkAppid=888888&CallbackCommand=State.StateChange&ClientIP=%ZZ%&OptPlatform=A+B%20C", 200},
        {"SdkAppid=888888&CallbackCommand=State.StateChange&x=1&x=2&&=&ClientIP=dup",
         200},  // others may repeat
        {"SdkAppid=%38%38%38%38%38%38&CallbackCommand=State.StateChange&ClientIP=enc", 200},
        {"SdkAppid=888888%00&CallbackCommand=State.StateChange", 403},  // a NUL is not a digit
    };
    for (std::size_t i = 0; i < cases.size(); ++i) {
        const auto res = exchange(r.port(), http_request("/?" + cases[i].query, kState));
        ASSERT_TRUE(res.has_value()) << "case " << i;
        EXPECT_EQ(res->status, cases[i].status) << "case " << i << ": " << res->body;
    }
    {
        std::lock_guard<std::mutex> lock(mu);
        EXPECT_EQ(seen,
                  (std::vector<std::string>{"1.2.3.4|", "a&SdkAppid=1|", "%ZZ%|A B C", "dup|", "enc|"}));
    }
    EXPECT_TRUE(served(r.port()));
    expect_reports_printable(r);
}

}  // namespace
}  // namespace imcb::test
