// The metrics table (rows by command, columns by outcome), the duration histogram, request ids,
// the Prometheus text rendering and the admin listener's replies.

#include <gtest/gtest.h>

#include <map>
#include <set>
#include <sstream>
#include <thread>

#include "admin.h"
#include "imcb/commands.h"
#include "metrics_registry.h"

namespace imcb::detail {
namespace {

using namespace std::chrono_literals;

std::uint64_t count_of(const std::vector<CallbackCount>& all, const std::string& command,
                       const std::string& outcome) {
    for (const auto& c : all) {
        if (c.command == command && c.outcome == outcome) return c.count;
    }
    return 0;
}

TEST(MetricsRegistry, RowsAreBoundedToKnownAndRegisteredCommands) {
    MetricsRegistry m({"Custom.Command", "C2C.CallbackBeforeSendMsg", "Custom.Command", ""});
    m.record(m.row("C2C.CallbackBeforeSendMsg"), Outcome::Denied, 1ms);
    m.record(m.row("Custom.Command"), Outcome::Ok, 1ms);
    m.record(m.row("Custom.Command"), Outcome::Ok, 1ms);
    m.record(m.row("Made.Up"), Outcome::Ok, 1ms);
    m.record(m.row("Another.Made.Up"), Outcome::Ok, 1ms);
    m.record(m.row(""), Outcome::Rejected, 1ms);
    const auto all = m.callbacks();
    EXPECT_EQ(count_of(all, "C2C.CallbackBeforeSendMsg", "denied"), 1u);
    EXPECT_EQ(count_of(all, "Custom.Command", "ok"), 2u);
    EXPECT_EQ(count_of(all, "unknown", "ok"), 2u);  // every other name shares one row
    EXPECT_EQ(count_of(all, "none", "rejected"), 1u);
    EXPECT_EQ(all.size(), 4u);  // zero cells are left out
    // Every catalogue command has its own row.
    std::set<std::size_t> rows;
    for (const auto& info : command_catalogue()) rows.insert(m.row(info.command));
    EXPECT_EQ(rows.size(), command_catalogue().size());
    EXPECT_EQ(rows.count(m.row("unknown-name")), 0u);
}

TEST(MetricsRegistry, HistogramBucketsAreCumulativeWithTheBoundsInclusive) {
    MetricsRegistry m;
    m.record(0, Outcome::Ok, 1ms);     // == 0.001: first bucket (le is inclusive)
    m.record(0, Outcome::Ok, 30ms);    // <= 0.05
    m.record(0, Outcome::Ok, 1900ms);  // <= 2
    m.record(0, Outcome::Ok, 10s);     // +Inf only
    const DurationHistogram h = m.duration();
    ASSERT_EQ(h.upper_bounds.size(), kDurationBounds.size());
    ASSERT_EQ(h.buckets.size(), kDurationBounds.size() + 1);
    const auto at = [&](double bound) {
        for (std::size_t i = 0; i < h.upper_bounds.size(); ++i) {
            if (h.upper_bounds[i] == bound) return h.buckets[i];
        }
        ADD_FAILURE() << "no bound " << bound;
        return std::uint64_t{0};
    };
    EXPECT_EQ(at(0.001), 1u);
    EXPECT_EQ(at(0.025), 1u);
    EXPECT_EQ(at(0.05), 2u);
    EXPECT_EQ(at(1.5), 2u);
    EXPECT_EQ(at(2.0), 3u);
    EXPECT_EQ(at(2.5), 3u);
    EXPECT_EQ(h.buckets.back(), 4u);
    EXPECT_EQ(h.count, 4u);
    EXPECT_NEAR(h.sum, 0.001 + 0.030 + 1.9 + 10, 1e-9);
}

TEST(MetricsRegistry, ConcurrentRecordingLosesNothing) {
    MetricsRegistry m;
    const std::size_t row = m.row("State.StateChange");
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) {
        threads.emplace_back([&] {
            for (int i = 0; i < 10000; ++i) m.record(row, Outcome::Ok, 2ms);
        });
    }
    for (auto& t : threads) t.join();
    EXPECT_EQ(count_of(m.callbacks(), "State.StateChange", "ok"), 40000u);
    EXPECT_EQ(m.duration().count, 40000u);
}

TEST(RequestId, UniqueWithOneProcessPrefix) {
    std::set<std::string> seen;
    std::string prefix;
    for (int i = 0; i < 1000; ++i) {
        const std::string id = next_request_id();
        ASSERT_EQ(id.find_first_not_of("0123456789abcdef-"), std::string::npos) << id;
        ASSERT_EQ(id.at(12), '-') << id;
        if (prefix.empty()) prefix = id.substr(0, 12);
        EXPECT_EQ(id.substr(0, 12), prefix);
        EXPECT_TRUE(seen.insert(id).second) << id;
    }
}

// Every line of a text exposition: "name{labels} value" samples, "# HELP" / "# TYPE" comments.
std::map<std::string, double> samples(const std::string& text) {
    std::map<std::string, double> out;
    std::istringstream in(text);
    std::string line;
    while (std::getline(in, line)) {
        if (line.empty() || line[0] == '#') continue;
        const auto space = line.rfind(' ');
        out[line.substr(0, space)] = std::stod(line.substr(space + 1));
    }
    return out;
}

TEST(PrometheusText, EverySeriesWithZerosIncluded) {
    Metrics m;
    m.callbacks = {{"State.StateChange", "ok", 3}, {"none", "rejected", 1}};
    m.callback_duration = MetricsRegistry().duration();
    m.handler_errors = 2;
    m.handshake_failures[static_cast<std::size_t>(HandshakeFailure::NoCertificate)] = 5;
    m.reloads_ok = 1;
    m.certificates = {{"server", "CN=localhost", 1900000000},
                      {"vendor_ca", "CN=a \"quoted\" CA", 2000000000}};
    m.connections_open = 7;
    m.source_refused = 4;
    ExtraFigures extra;
    extra.journal_pending = 9;
    const std::string text = prometheus_text(m, extra);
    const auto s = samples(text);
    EXPECT_EQ(s.at("imcb_callbacks_total{command=\"State.StateChange\",outcome=\"ok\"}"), 3);
    EXPECT_EQ(s.at("imcb_callbacks_total{command=\"none\",outcome=\"rejected\"}"), 1);
    EXPECT_EQ(s.at("imcb_handler_errors_total"), 2);
    EXPECT_EQ(s.at("imcb_handshake_failures_total{reason=\"no_certificate\"}"), 5);
    for (std::size_t i = 0; i < kHandshakeFailureCount; ++i) {
        const std::string reason = to_string(static_cast<HandshakeFailure>(i));
        EXPECT_EQ(s.count("imcb_handshake_failures_total{reason=\"" + reason + "\"}"), 1u) << reason;
    }
    EXPECT_EQ(s.at("imcb_reloads_total{result=\"ok\"}"), 1);
    EXPECT_EQ(s.at("imcb_reloads_total{result=\"failed\"}"), 0);
    EXPECT_EQ(s.at("imcb_certificate_expiry_timestamp_seconds{role=\"server\",subject=\"CN=localhost\"}"),
              1900000000);
    // Label values are escaped as the format requires.
    EXPECT_EQ(
        s.at(
            "imcb_certificate_expiry_timestamp_seconds{role=\"vendor_ca\",subject=\"CN=a \\\"quoted\\\" CA\"}"),
        2000000000);
    EXPECT_EQ(s.at("imcb_connections_open"), 7);
    EXPECT_EQ(s.at("imcb_source_refused_total"), 4);
    EXPECT_EQ(s.at("imcb_journal_pending"), 9);
    EXPECT_EQ(s.at("imcb_callback_duration_seconds_bucket{le=\"+Inf\"}"), 0);
    EXPECT_EQ(s.at("imcb_callback_duration_seconds_bucket{le=\"2.5\"}"), 0);
    EXPECT_EQ(s.at("imcb_callback_duration_seconds_count"), 0);
    EXPECT_NE(text.find("# TYPE imcb_callback_duration_seconds histogram"), std::string::npos) << text;
    EXPECT_NE(text.find("# TYPE imcb_callbacks_total counter"), std::string::npos);
    EXPECT_NE(text.find("# TYPE imcb_connections_open gauge"), std::string::npos);
}

TEST(AdminServer, RepliesByPathAndMethod) {
    bool ready = false;
    AdminServer admin("127.0.0.1:0", {[] { return std::string("imcb_x 1\n"); }, [&] { return ready; }});
    const auto status = [&](const std::string& head) {
        const std::string r = admin.respond(head);
        return std::stoi(r.substr(9, 3));
    };
    const auto get = [](const std::string& path, const std::string& method = "GET") {
        return method + " " + path + " HTTP/1.1\r\nHost: x\r\n\r\n";
    };
    EXPECT_EQ(status(get("/healthz")), 200);
    EXPECT_EQ(status(get("/readyz")), 503);
    ready = true;
    EXPECT_EQ(status(get("/readyz")), 200);
    EXPECT_EQ(status(get("/metrics?x=1")), 200);
    EXPECT_EQ(status(get("/nope")), 404);
    EXPECT_EQ(status(get("/metrics", "POST")), 405);
    EXPECT_EQ(status("GET /metrics HTTP/1.1\nHost: x\n\n"), 400);  // strict parser: bare LF
    const std::string metrics = admin.respond(get("/metrics"));
    EXPECT_NE(metrics.find("Content-Type: text/plain; version=0.0.4"), std::string::npos);
    EXPECT_NE(metrics.find("Connection: close"), std::string::npos);
    EXPECT_EQ(metrics.substr(metrics.size() - 9), "imcb_x 1\n");
}

TEST(AdminServer, SplitsHostAndPort) {
    std::string host;
    std::uint16_t port = 1;
    EXPECT_TRUE(split_host_port("127.0.0.1:9464", host, port));
    EXPECT_EQ(host, "127.0.0.1");
    EXPECT_EQ(port, 9464);
    EXPECT_TRUE(split_host_port("[::1]:0", host, port));
    EXPECT_EQ(host, "::1");
    EXPECT_EQ(port, 0);
    for (const char* bad : {"9464", ":9464", "127.0.0.1:", "127.0.0.1:65536", "::1:9464", "host:x"}) {
        EXPECT_FALSE(split_host_port(bad, host, port)) << bad;
    }
}

}  // namespace
}  // namespace imcb::detail
