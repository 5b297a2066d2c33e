// The connection model under abuse: silent and half-open connections, bursts, a taken port,
// timeouts and limits. Each test bounds its loops in count and time.

#include <gtest/gtest.h>

#include <signal.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "support/pki.h"
#include "support/receiver_fixture.h"
#include "support/tls_client.h"

namespace imcb::test {
namespace {

const std::string kState = fixture("State.StateChange.json");

bool served(std::uint16_t port, std::chrono::milliseconds timeout = std::chrono::seconds(5)) {
    ClientOptions o = vendor_client();
    o.timeout = timeout;
    TlsClient c(port, o);
    if (!c.connect()) return false;
    const auto res = c.post(callback_target("State.StateChange"), kState);
    return res.has_value() && res->status == 200;
}

// The first bytes of a TLS ClientHello record, and nothing more.
const std::string kHalfClientHello("\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03", 11);

TEST(Robustness, SilentAndHalfOpenConnectionsDoNotDelayTheVendor) {
    ReceiverOptions o = dev_options();
    o.handshake_timeout = std::chrono::minutes(10);  // far beyond the test: no timeout helps here
    o.max_threads = 8;  // far fewer threads than connections, however the pool grows
    RunningReceiver r(o);
    std::vector<std::unique_ptr<RawSocket>> idle;
    for (int i = 0; i < 350; ++i) {
        idle.push_back(std::make_unique<RawSocket>(r.port()));
        ASSERT_TRUE(idle.back()->ok());
        if (i % 2 == 1) idle.back()->send(kHalfClientHello);
    }
    // With a thread per connection, the vendor would wait behind hundreds of connections that
    // only the (hour-long) handshake deadline could free; here it is served while they are all
    // open, by at most max_threads workers: parked connections hold no thread.
    EXPECT_TRUE(served(r.port(), std::chrono::seconds(60)));
    EXPECT_GE(r.receiver().stats().open_connections, 350u);
    EXPECT_LE(r.receiver().stats().worker_threads, o.max_threads);
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
    ClientOptions patient = vendor_client();
    patient.timeout = std::chrono::seconds(30);  // well under the default keep-alive (75 s)
    TlsClient c(r.port(), patient);
    ASSERT_TRUE(c.connect());
    ASSERT_TRUE(c.post(callback_target("State.StateChange"), kState).has_value());
    // Closed by the server (an EOF or an alert, not the client's own read timeout).
    EXPECT_TRUE(c.peer_closed());
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
        EXPECT_EQ(res->headers.count("connection") ? res->headers.at("connection") : "",
                  i == 2 ? "close" : "");
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
    // Deadlines far beyond the test's time limit: only stop() can close these connections, and
    // it must not wait for them.
    ReceiverOptions o = dev_options();
    o.handshake_timeout = std::chrono::minutes(10);
    o.keep_alive_timeout = std::chrono::hours(1);
    auto r = std::make_unique<RunningReceiver>(o);
    TlsClient c(r->port(), vendor_client());
    ASSERT_TRUE(c.connect());
    ASSERT_TRUE(c.post(callback_target("State.StateChange"), kState).has_value());
    RawSocket silent(r->port());
    r.reset();  // returns once every connection is closed and every thread joined
    EXPECT_TRUE(c.peer_closed());
    EXPECT_TRUE(silent.closed_by_peer(std::chrono::seconds(10)));
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
        constexpr int kDropping = 5;
        std::mutex mu;
        std::condition_variable cv;
        int started = 0;
        int dropped = 0;
        RunningReceiver r(dev_options(), [&](Receiver& rec) {
            rec.on<StateChange>([&](const StateChange&, const CallbackContext&) {
                std::unique_lock<std::mutex> lock(mu);
                const int mine = started++;
                // Returns (and the reply is written) only once that client is gone.
                cv.wait_for(lock, std::chrono::seconds(20),
                            [&] { return mine >= kDropping || dropped > mine; });
            });
        });
        for (int i = 0; i < kDropping; ++i) {
            TlsClient c(r.port(), vendor_client());
            ASSERT_TRUE(c.connect());
            ASSERT_TRUE(c.send(http_request(callback_target("State.StateChange"), kState)));
            c.drop_connection(i % 2 == 0);  // the reply, then close_notify, hit a closed socket
            {
                std::lock_guard<std::mutex> lock(mu);
                ++dropped;
            }
            cv.notify_all();
        }
        EXPECT_TRUE(eventually([&] {
            std::lock_guard<std::mutex> lock(mu);
            return started == kDropping;
        }));
        // Every reply was written (or failed) and its connection closed.
        EXPECT_TRUE(eventually([&] { return r.receiver().stats().open_connections == 0; }));
        EXPECT_TRUE(served(r.port()));
    }
    sigaction(SIGPIPE, &old, nullptr);
}

}  // namespace
}  // namespace imcb::test
