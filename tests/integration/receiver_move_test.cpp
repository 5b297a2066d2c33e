// A Receiver is movable, also while it serves: the handlers, worker threads, admin listener and
// file watcher belong to the moved state, and the moved-to object controls them.

#include <gtest/gtest.h>

#include <atomic>
#include <string>
#include <type_traits>
#include <utility>

#include "support/pki.h"
#include "support/process.h"
#include "support/receiver_fixture.h"
#include "support/tls_client.h"

namespace imcb::test {
namespace {

static_assert(std::is_nothrow_move_constructible_v<Receiver>);
static_assert(std::is_nothrow_move_assignable_v<Receiver>);
static_assert(!std::is_copy_constructible_v<Receiver>);

/// The admin listener's answer to GET path, through the real curl: "STATUS BODY".
std::string admin_get(std::uint16_t port, const std::string& path) {
    const ProcessResult res = run_process({"curl", "-sS", "--max-time", "10", "-w", " %{http_code}",
                                           "http://127.0.0.1:" + std::to_string(port) + path});
    return res.exit_code == 0 ? res.out : "curl failed: " + res.err;
}

int post_state_change(std::uint16_t port) {
    TlsClient c(port, vendor_client());
    if (!c.connect()) return -1;
    const auto res = c.post(callback_target("State.StateChange"), fixture("State.StateChange.json"));
    return res ? res->status : -2;
}

TEST(ReceiverMove, AServingReceiverMovesWithItsHandlersThreadsAndAdminListener) {
    ReceiverOptions o = dev_options();
    o.admin_listen = "127.0.0.1:0";
    std::atomic<int> handled{0};
    Receiver first(o);
    first.on<StateChange>([&](const StateChange&, const CallbackContext&) { handled++; });
    const std::uint16_t port = first.start();
    ASSERT_EQ(post_state_change(port), 200);

    Receiver second(std::move(first));  // moved while serving
    EXPECT_TRUE(second.ready());
    ASSERT_EQ(post_state_change(port), 200);
    const std::uint16_t admin = second.admin_port();
    ASSERT_NE(admin, 0);
    second.reload();  // the reload and the admin listener's figures come from the moved state
    EXPECT_EQ(second.metrics().reloads_ok, 1u);
    EXPECT_GE(second.metrics().callbacks.size(), 1u);
    // The admin listener's thread answers from the moved state (it never held the Receiver).
    const std::string ready = admin_get(admin, "/readyz");
    EXPECT_EQ(ready.substr(ready.size() - 3), "200") << ready;
    const std::string metrics = admin_get(admin, "/metrics");
    EXPECT_NE(metrics.find("imcb_reloads_total{result=\"ok\"} 1"), std::string::npos) << metrics;

    Receiver third(dev_options());  // not started: assigning over it stops nothing that runs
    third = std::move(second);
    ASSERT_EQ(post_state_change(port), 200);
    EXPECT_EQ(handled.load(), 3);
    EXPECT_EQ(third.stats().requests, 3u);

    third.stop();
    EXPECT_FALSE(third.ready());
    EXPECT_NE(post_state_change(port), 200);  // stopped: nothing listens any more
}

TEST(ReceiverMove, AssigningOverAServingReceiverStopsIt) {
    Receiver a(dev_options());
    const std::uint16_t port_a = a.start();
    Receiver b(dev_options());
    const std::uint16_t port_b = b.start();
    ASSERT_EQ(post_state_change(port_a), 200);
    a = std::move(b);  // a's own receiver is stopped first, then a takes b's
    EXPECT_NE(post_state_change(port_a), 200);
    EXPECT_EQ(post_state_change(port_b), 200);
    EXPECT_TRUE(a.ready());
}

}  // namespace
}  // namespace imcb::test
