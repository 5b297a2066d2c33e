// The connection model under abuse: silent and half-open connections, bursts, a taken port,
// timeouts and limits. Each test bounds its loops in count and time.

#include <gtest/gtest.h>

#include <signal.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <thread>
#include <vector>

#include "support/pki.h"
#include "support/receiver_fixture.h"
#include "support/tls_client.h"

namespace imcb::test {
namespace {

using Clock = std::chrono::steady_clock;
const std::string kState = fixture("State.StateChange.json");

bool served(std::uint16_t port) {
    TlsClient c(port, vendor_client());
    if (!c.connect()) return false;
    const auto res = c.post(callback_target("State.StateChange"), kState);
    return res.has_value() && res->status == 200;
}

// The first bytes of a TLS ClientHello record, and nothing more.
const std::string kHalfClientHello("\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03", 11);

TEST(Robustness, SilentAndHalfOpenConnectionsDoNotDelayTheVendor) {
    ReceiverOptions o = dev_options();
    o.handshake_timeout = std::chrono::seconds(60);  // far beyond the test: no timeout helps here
    RunningReceiver r(o);
    std::vector<std::unique_ptr<RawSocket>> idle;
    for (int i = 0; i < 350; ++i) {
        idle.push_back(std::make_unique<RawSocket>(r.port()));
        ASSERT_TRUE(idle.back()->ok());
        if (i % 2 == 1) idle.back()->send(kHalfClientHello);
    }
    // Generous bound for a shared machine; with one thread per connection and a 5 s read
    // timeout per step, this would wait behind hundreds of connections.
    const auto start = Clock::now();
    EXPECT_TRUE(served(r.port()));
    EXPECT_LT(Clock::now() - start, std::chrono::seconds(5));
    EXPECT_GE(r.receiver().stats().open_connections, 350u);
    EXPECT_LT(r.receiver().stats().worker_threads, 20u);  // parked connections hold no thread
}

TEST(Robustness, HandshakeDeadlineClosesSilentConnections) {
    ReceiverOptions o = dev_options();
    o.handshake_timeout = std::chrono::milliseconds(300);
    RunningReceiver r(o);
    std::vector<std::unique_ptr<RawSocket>> idle;
    for (int i = 0; i < 20; ++i) idle.push_back(std::make_unique<RawSocket>(r.port()));
    idle.front()->send(kHalfClientHello);
    for (auto& s : idle) EXPECT_TRUE(s->closed_by_peer(std::chrono::seconds(5)));
    EXPECT_TRUE(eventually([&] { return r.receiver().stats().handshakes_failed >= 20; }));
    EXPECT_TRUE(r.has_report(ErrorKind::HandshakeFailed));
    EXPECT_TRUE(served(r.port()));
}

TEST(Robustness, IdleKeepAliveConnectionIsClosedAfterItsTimeout) {
    ReceiverOptions o = dev_options();
    o.keep_alive_timeout = std::chrono::seconds(1);
    RunningReceiver r(o);
    TlsClient c(r.port(), vendor_client());
    ASSERT_TRUE(c.connect());
    ASSERT_TRUE(c.post(callback_target("State.StateChange"), kState).has_value());
    const auto start = Clock::now();
    EXPECT_TRUE(c.peer_closed());
    EXPECT_LT(Clock::now() - start, std::chrono::seconds(4));
    EXPECT_TRUE(eventually([&] { return r.receiver().stats().open_connections == 0; }));
}

TEST(Robustness, KeepAliveMaxRequestsClosesWithConnectionClose) {
    ReceiverOptions o = dev_options();
    o.keep_alive_max_requests = 3;
    RunningReceiver r(o);
    TlsClient c(r.port(), vendor_client());
    ASSERT_TRUE(c.connect());
    for (int i = 0; i < 3; ++i) {
        const auto res = c.post(callback_target("State.StateChange"), kState);
        ASSERT_TRUE(res.has_value());
        EXPECT_EQ(res->headers.count("connection") ? res->headers.at("connection") : "", i == 2 ? "close" : "");
    }
    EXPECT_TRUE(c.peer_closed());
}

TEST(Robustness, ASecondReceiverOnTheSamePortIsRefused) {
    RunningReceiver first(dev_options());
    ReceiverOptions o = dev_options();
    o.port = first.port();
    Receiver second(o);
    try {
        second.start();
        FAIL() << "a second listener on port " << o.port << " was allowed";
    } catch (const ConfigError& e) {
        EXPECT_EQ(e.code(), ErrorCode::PortInUse);
        EXPECT_NE(std::string(e.what()).find(std::to_string(o.port)), std::string::npos);
    }
    EXPECT_TRUE(served(first.port()));
}

TEST(Robustness, BurstOfConnectionsIsAllServed) {
    RunningReceiver r(dev_options());
    constexpr int kClients = 200;
    std::vector<std::unique_ptr<TlsClient>> clients;
    std::vector<std::unique_ptr<RawSocket>> raw;
    // Open all TCP connections first (the accept queue must hold them), then use a share of them.
    for (int i = 0; i < kClients; ++i) raw.push_back(std::make_unique<RawSocket>(r.port()));
    for (auto& s : raw) EXPECT_TRUE(s->ok());
    std::vector<std::thread> threads;
    std::atomic<int> ok{0};
    for (int t = 0; t < 8; ++t) {
        threads.emplace_back([&] {
            for (int i = 0; i < 10; ++i) ok += served(r.port()) ? 1 : 0;
        });
    }
    for (auto& t : threads) t.join();
    EXPECT_EQ(ok.load(), 80);
    EXPECT_EQ(r.receiver().stats().connections_refused, 0u);
}

TEST(Robustness, ConnectionsBeyondTheLimitAreClosedAtAccept) {
    ReceiverOptions o = dev_options();
    o.max_connections = 5;
    RunningReceiver r(o);
    std::vector<std::unique_ptr<RawSocket>> held;
    for (int i = 0; i < 5; ++i) held.push_back(std::make_unique<RawSocket>(r.port()));
    ASSERT_TRUE(eventually([&] { return r.receiver().stats().open_connections == 5; }));
    RawSocket extra(r.port());
    EXPECT_TRUE(extra.closed_by_peer(std::chrono::seconds(5)));
    EXPECT_GE(r.receiver().stats().connections_refused, 1u);
    held.clear();
    ASSERT_TRUE(eventually([&] { return r.receiver().stats().open_connections == 0; }));
    EXPECT_TRUE(served(r.port()));
}

TEST(Robustness, StopClosesParkedConnectionsPromptly) {
    auto r = std::make_unique<RunningReceiver>(dev_options());
    TlsClient c(r->port(), vendor_client());
    ASSERT_TRUE(c.connect());
    ASSERT_TRUE(c.post(callback_target("State.StateChange"), kState).has_value());
    RawSocket silent(r->port());
    const auto start = Clock::now();
    r.reset();
    EXPECT_LT(Clock::now() - start, std::chrono::seconds(3));
    EXPECT_TRUE(c.peer_closed());
    EXPECT_TRUE(silent.closed_by_peer(std::chrono::seconds(2)));
}

TEST(Robustness, RequestThatStallsMidBodyTimesOut) {
    ReceiverOptions o = dev_options();
    o.request_timeout = std::chrono::milliseconds(500);
    RunningReceiver r(o);
    TlsClient c(r.port(), vendor_client());
    ASSERT_TRUE(c.connect());
    const std::string req = http_request(callback_target("State.StateChange"), kState);
    ASSERT_TRUE(c.send(req.substr(0, req.size() - 10)));  // never finishes its body
    EXPECT_TRUE(c.peer_closed());
    EXPECT_EQ(r.handled(), 0);
    EXPECT_TRUE(served(r.port()));
}


// A client that vanishes before its reply is written must not take the process down (SIGPIPE),
// whatever the application's signal setup.
TEST(Robustness, PeerClosingBeforeTheReplyDoesNotRaiseSigpipe) {
    struct sigaction old {};
    struct sigaction dfl {};
    dfl.sa_handler = SIG_DFL;
    sigaction(SIGPIPE, &dfl, &old);
    {
        std::atomic<int> started{0};
        RunningReceiver r(dev_options(), [&](Receiver& rec) {
            rec.on<StateChange>([&](const StateChange&, const CallbackContext&) {
                started++;
                std::this_thread::sleep_for(std::chrono::milliseconds(300));  // the client is gone by now
            });
        });
        for (int i = 0; i < 5; ++i) {
            TlsClient c(r.port(), vendor_client());
            ASSERT_TRUE(c.connect());
            ASSERT_TRUE(c.send(http_request(callback_target("State.StateChange"), kState)));
            c.drop_connection(i % 2 == 0);  // the reply, then close_notify, hit a closed socket
        }
        EXPECT_TRUE(eventually([&] { return started.load() == 5; }));
        std::this_thread::sleep_for(std::chrono::milliseconds(500));
        EXPECT_TRUE(served(r.port()));
    }
    sigaction(SIGPIPE, &old, nullptr);
}

}  // namespace
}  // namespace imcb::test
