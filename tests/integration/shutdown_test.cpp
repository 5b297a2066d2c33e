// Graceful shutdown: stop() stops accepting at once, closes idle connections, lets the request in
// flight finish and get its reply; a handler stuck beyond shutdown_timeout does not hold stop().
// The handler is held on a latch the test controls.

#include <gtest/gtest.h>

#include <condition_variable>
#include <future>
#include <mutex>

#include "support/receiver_fixture.h"
#include "support/tls_client.h"

namespace imcb::test {
namespace {

// A handler blocked until the test releases it (at most 30 s, so a failing test cannot hang).
struct Latch {
    std::mutex mu;
    std::condition_variable cv;
    bool entered = false;
    bool released = false;
    bool returned = false;

    void hold() {
        std::unique_lock<std::mutex> lock(mu);
        entered = true;
        cv.notify_all();
        cv.wait_for(lock, std::chrono::seconds(30), [&] { return released; });
        returned = true;
    }
    bool wait_entered() {
        std::unique_lock<std::mutex> lock(mu);
        return cv.wait_for(lock, std::chrono::seconds(10), [&] { return entered; });
    }
    void release() {
        {
            std::lock_guard<std::mutex> lock(mu);
            released = true;
        }
        cv.notify_all();
    }
    bool has_returned() {
        std::lock_guard<std::mutex> lock(mu);
        return returned;
    }
};

const std::string kState = fixture("State.StateChange.json");
const std::string kFriend = fixture("Sns.CallbackFriendAdd.json");

std::unique_ptr<RunningReceiver> receiver_with(Latch& latch, std::chrono::milliseconds shutdown_timeout) {
    ReceiverOptions o = dev_options();
    o.shutdown_timeout = shutdown_timeout;
    o.keep_alive_timeout = std::chrono::hours(1);  // only stop() closes the idle connection
    return std::make_unique<RunningReceiver>(o, [&latch](Receiver& rec) {
        rec.on_raw("State.StateChange", [&latch](const nlohmann::json&, const CallbackContext&) {
            latch.hold();
            return Decision::allow();
        });
        rec.on_raw("Sns.CallbackFriendAdd",
                   [](const nlohmann::json&, const CallbackContext&) { return Decision::allow(); });
    });
}

bool connection_refused(std::uint16_t port) {
    TlsClient probe(port, vendor_client());
    return !probe.connect();
}

TEST(Shutdown, RequestInFlightGetsItsReplyWhileNewConnectionsAreRefused) {
    Latch latch;
    auto r = receiver_with(latch, std::chrono::seconds(60));
    const std::uint16_t port = r->port();

    TlsClient idle(port, vendor_client());  // keep-alive, between requests
    ASSERT_TRUE(idle.connect());
    const auto first = idle.post(callback_target("Sns.CallbackFriendAdd"), kFriend);
    ASSERT_TRUE(first);
    ASSERT_EQ(first->status, 200);

    TlsClient busy(port, vendor_client());
    ASSERT_TRUE(busy.connect());
    ASSERT_TRUE(busy.send(http_request(callback_target("State.StateChange"), kState)));
    ASSERT_TRUE(latch.wait_entered());

    auto stopped = std::async(std::launch::async, [&] { r->receiver().stop(); });
    EXPECT_TRUE(idle.peer_closed());  // closed at once, not after the keep-alive hour
    EXPECT_TRUE(eventually([&] { return connection_refused(port); }));
    // The handler is still held: stop() is waiting for it.
    EXPECT_EQ(stopped.wait_for(std::chrono::milliseconds(0)), std::future_status::timeout);

    latch.release();
    const auto reply = busy.read_response();
    ASSERT_TRUE(reply);
    EXPECT_EQ(reply->status, 200);
    EXPECT_EQ(nlohmann::json::parse(reply->body).at("ActionStatus"), "OK");
    EXPECT_TRUE(busy.peer_closed());  // then the connection is closed
    ASSERT_EQ(stopped.wait_for(std::chrono::seconds(20)), std::future_status::ready);
    EXPECT_EQ(r->receiver().stats().open_connections, 0u);
    EXPECT_EQ(r->receiver().stats().worker_threads, 0u);
    EXPECT_TRUE(connection_refused(port));
}

TEST(Shutdown, AHandlerStuckBeyondTheTimeoutDoesNotHoldStop) {
    Latch latch;
    auto r = receiver_with(latch, std::chrono::milliseconds(200));
    TlsClient busy(r->port(), vendor_client());
    ASSERT_TRUE(busy.connect());
    ASSERT_TRUE(busy.send(http_request(callback_target("State.StateChange"), kState)));
    ASSERT_TRUE(latch.wait_entered());

    auto stopped = std::async(std::launch::async, [&] { r->receiver().stop(); });
    ASSERT_EQ(stopped.wait_for(std::chrono::seconds(20)), std::future_status::ready);
    EXPECT_FALSE(latch.has_returned());  // stop() came back while the handler still ran
    EXPECT_TRUE(busy.peer_closed());     // its connection was closed at the timeout
    EXPECT_FALSE(r->receiver().ready());

    // The handler cannot be interrupted; once it returns, destroying the receiver completes.
    latch.release();
    auto destroyed = std::async(std::launch::async, [&] { r.reset(); });
    ASSERT_EQ(destroyed.wait_for(std::chrono::seconds(20)), std::future_status::ready);
    EXPECT_TRUE(latch.has_returned());
}

TEST(Shutdown, StopFromAHandlerIsCompletedFromAnotherThread) {
    std::promise<void> asked;
    std::atomic<bool> once{false};
    Receiver* self = nullptr;
    ReceiverOptions o = dev_options();
    RunningReceiver r(o, [&](Receiver& rec) {
        self = &rec;
        rec.on_raw("State.StateChange", [&](const nlohmann::json&, const CallbackContext&) {
            self->stop();  // only requests the stop: a worker cannot wait for itself
            if (!once.exchange(true)) asked.set_value();
            return Decision::allow();
        });
    });
    TlsClient c(r.port(), vendor_client());
    ASSERT_TRUE(c.connect());
    const auto reply = c.post(callback_target("State.StateChange"), kState);
    ASSERT_TRUE(reply);
    EXPECT_EQ(reply->status, 200);
    ASSERT_EQ(asked.get_future().wait_for(std::chrono::seconds(10)), std::future_status::ready);
    EXPECT_FALSE(r.receiver().ready());
    EXPECT_TRUE(eventually([&] { return connection_refused(r.port()); }));
    auto stopped = std::async(std::launch::async, [&] { r.receiver().stop(); });
    ASSERT_EQ(stopped.wait_for(std::chrono::seconds(20)), std::future_status::ready);
    EXPECT_EQ(r.receiver().stats().worker_threads, 0u);
}

}  // namespace
}  // namespace imcb::test
