// The deadline guard: a before-handler that has not decided by timeouts.before_deadline_ms is
// answered following before_failure_policy, on time, while its worker stays blocked; the
// connection goes on serving, other connections are served meanwhile, and the late result is
// discarded and reported. Handlers block on a latch the test releases, so no outcome depends on
// how fast the machine is.

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "support/pki.h"
#include "support/receiver_fixture.h"
#include "support/tls_client.h"

namespace imcb::test {
namespace {

using Clock = std::chrono::steady_clock;
const std::string kC2C = fixture("C2C.CallbackBeforeSendMsg.json");
const std::string kState = fixture("State.StateChange.json");
constexpr auto kDeadline = std::chrono::milliseconds(300);

// Handlers wait here until the test releases them (at most 5 s, the "slow moderation service").
class Latch {
  public:
    void wait_released() {
        std::unique_lock<std::mutex> lock(mu_);
        ++waiting_;
        cv_.notify_all();
        cv_.wait_for(lock, std::chrono::seconds(5), [&] { return released_; });
    }
    bool wait_for_waiters(int n) {
        std::unique_lock<std::mutex> lock(mu_);
        return cv_.wait_for(lock, std::chrono::seconds(20), [&] { return waiting_ >= n; });
    }
    void release() {
        std::lock_guard<std::mutex> lock(mu_);
        released_ = true;
        cv_.notify_all();
    }
    bool released() {
        std::lock_guard<std::mutex> lock(mu_);
        return released_;
    }

  private:
    std::mutex mu_;
    std::condition_variable cv_;
    int waiting_ = 0;
    bool released_ = false;
};

ReceiverOptions guarded_options(FailurePolicy policy) {
    ReceiverOptions o = dev_options();
    o.min_threads = 2;
    o.before_deadline = kDeadline;
    o.before_failure_policy = policy;
    return o;
}

// A slow client: one before-callback, the reply and when it came, then the connection is kept.
struct SlowCall {
    std::unique_ptr<TlsClient> client;
    std::optional<HttpResponse> reply;
    Clock::duration took{};
    bool released_first = false;  // the latch was already released when the reply came
};

TEST(DeadlineGuard, LateHandlersAreAnsweredByPolicyWhileOtherConnectionsAreServed) {
    Latch latch;
    std::atomic<int> decided{0};
    RunningReceiver r(guarded_options(FailurePolicy::Deny), [&](Receiver& rec) {
        rec.on<C2CBeforeSendMsg>([&](const C2CBeforeSendMsg& msg, const CallbackContext&) {
            if (msg.msg_random % 2 == 1) latch.wait_released();  // odd MsgRandom: the slow path
            decided++;
            return C2CBeforeSendMsg::Reply::allow();
        });
        rec.on<StateChange>([](const StateChange&, const CallbackContext&) {});
    });

    // More slow handlers than the pool starts with: the guard answers each of them, and the pool
    // grows so that the other connections do not wait behind the blocked workers.
    constexpr int kSlow = 4;
    std::string slow_body = kC2C;
    const auto at = slow_body.find("\"MsgRandom\"");
    ASSERT_NE(at, std::string::npos);
    const auto digits = slow_body.find_first_of("0123456789", at);
    const auto end = slow_body.find_first_not_of("0123456789", digits);
    slow_body.replace(digits, end - digits, "12345");  // odd
    std::string fast_body = slow_body;
    fast_body.replace(digits, 5, "12346");  // even

    std::vector<SlowCall> calls(kSlow);
    std::vector<std::thread> threads;
    for (auto& call : calls) {
        call.client = std::make_unique<TlsClient>(r.port(), vendor_client());
        ASSERT_TRUE(call.client->connect()) << call.client->error();
    }
    for (auto& call : calls) {
        threads.emplace_back([&] {
            const auto start = Clock::now();
            call.reply = call.client->post(callback_target("C2C.CallbackBeforeSendMsg"), slow_body);
            call.took = Clock::now() - start;
            call.released_first = latch.released();
        });
    }
    ASSERT_TRUE(latch.wait_for_waiters(kSlow));

    // 20 callbacks on 20 other connections while every slow handler is blocked.
    std::atomic<int> others_ok{0};
    std::vector<std::thread> others;
    for (int i = 0; i < 20; ++i) {
        others.emplace_back([&] {
            TlsClient c(r.port(), vendor_client());
            if (!c.connect()) return;
            const auto res = c.post(callback_target("State.StateChange"), kState);
            if (res && res->status == 200) others_ok++;
        });
    }
    for (auto& t : others) t.join();
    for (auto& t : threads) t.join();
    EXPECT_EQ(others_ok.load(), 20);

    for (auto& call : calls) {
        ASSERT_TRUE(call.reply.has_value()) << "no reply to a slow before-callback";
        EXPECT_FALSE(call.released_first) << "the reply waited for the handler";
        EXPECT_EQ(call.reply->status, 200);
        // before_failure_policy deny: ErrorCode 1, where the handler would have allowed.
        EXPECT_EQ(nlohmann::json::parse(call.reply->body).at("ErrorCode"), 1) << call.reply->body;
        EXPECT_GE(call.took, kDeadline);
        // The vendor waits 2 s; the guard answers within its deadline plus one housekeeping tick.
        EXPECT_LT(call.took, std::chrono::milliseconds(2000))
            << std::chrono::duration_cast<std::chrono::milliseconds>(call.took).count() << " ms";
        std::printf(
            "guarded reply after %lld ms (deadline %lld ms)\n",
            static_cast<long long>(std::chrono::duration_cast<std::chrono::milliseconds>(call.took).count()),
            static_cast<long long>(kDeadline.count()));
    }
    EXPECT_EQ(decided.load(), 0);  // no slow handler has returned yet

    // Each guarded connection stays usable: its next callback is served by the handler, at once,
    // although the worker that took the first one is still blocked.
    for (auto& call : calls) {
        const auto res = call.client->post(callback_target("C2C.CallbackBeforeSendMsg"), fast_body);
        ASSERT_TRUE(res.has_value());
        EXPECT_EQ(res->body, R"({"ActionStatus":"OK","ErrorCode":0,"ErrorInfo":""})");
    }
    EXPECT_EQ(decided.load(), kSlow);
    EXPECT_FALSE(latch.released());
    EXPECT_GE(r.receiver().stats().worker_threads, 3u);  // grew past min_threads = 2

    // Released, the handlers decide too late: each result is discarded and reported.
    latch.release();
    if (!eventually([&] { return decided.load() == 2 * kSlow; })) {
        ADD_FAILURE() << "handlers decided: " << decided.load();
        for (const auto& rep : r.reports())
            std::printf("report: %s: %s\n", to_string(rep.kind), rep.message.c_str());
    }
    EXPECT_TRUE(eventually([&] {
        int late = 0;
        for (const auto& rep : r.reports()) {
            if (rep.kind == ErrorKind::DeadlineMissed && rep.message.find("discarded") != std::string::npos) {
                ++late;
                EXPECT_EQ(rep.command, "C2C.CallbackBeforeSendMsg");
            }
        }
        return late == kSlow;
    }));
    EXPECT_EQ(r.receiver().stats().before_deadline_missed, static_cast<std::uint64_t>(kSlow));
}

TEST(DeadlineGuard, HttpErrorPolicyRepliesFiveHundredOnTimeAndKeepsTheConnection) {
    Latch latch;
    RunningReceiver r(guarded_options(FailurePolicy::HttpError), [&](Receiver& rec) {
        rec.on<C2CBeforeSendMsg>([&](const C2CBeforeSendMsg&, const CallbackContext&) {
            latch.wait_released();
            return C2CBeforeSendMsg::Reply::deny(120001, "too late to matter");
        });
        rec.on<StateChange>([](const StateChange&, const CallbackContext&) {});
    });
    TlsClient c(r.port(), vendor_client());
    ASSERT_TRUE(c.connect());
    const auto res = c.post(callback_target("C2C.CallbackBeforeSendMsg"), kC2C);
    ASSERT_TRUE(res.has_value());
    EXPECT_FALSE(latch.released());
    EXPECT_EQ(res->status, 500);
    const auto next = c.post(callback_target("State.StateChange"), kState);
    ASSERT_TRUE(next.has_value());
    EXPECT_EQ(next->status, 200);
    latch.release();
    EXPECT_TRUE(r.has_report(ErrorKind::DeadlineMissed));
}

TEST(DeadlineGuard, AHandlerInTimeIsAnsweredByItselfAndAfterCallbacksAreNotGuarded) {
    Latch latch;
    ReceiverOptions o = guarded_options(FailurePolicy::Deny);
    RunningReceiver r(o, [&](Receiver& rec) {
        rec.on<C2CBeforeSendMsg>([&](const C2CBeforeSendMsg&, const CallbackContext&) {
            return C2CBeforeSendMsg::Reply::deny(120001, "refused by the handler");
        });
        // An after-callback's handler is not raced by the guard: it is answered when it returns.
        rec.on<StateChange>([&](const StateChange&, const CallbackContext&) { latch.wait_released(); });
    });
    TlsClient c(r.port(), vendor_client());
    ASSERT_TRUE(c.connect());
    const auto res = c.post(callback_target("C2C.CallbackBeforeSendMsg"), kC2C);
    ASSERT_TRUE(res.has_value());
    EXPECT_EQ(nlohmann::json::parse(res->body).at("ErrorCode"), 120001);

    std::optional<HttpResponse> after;
    std::thread t([&] { after = c.post(callback_target("State.StateChange"), kState); });
    ASSERT_TRUE(latch.wait_for_waiters(1));
    // Well past the deadline (polled, not slept): the after-callback is still unanswered.
    EXPECT_FALSE(eventually([&] { return r.receiver().stats().before_deadline_missed > 0; }, kDeadline * 3));
    latch.release();
    t.join();
    ASSERT_TRUE(after.has_value());
    EXPECT_EQ(after->status, 200);
    EXPECT_EQ(r.receiver().stats().before_deadline_missed, 0u);
}

}  // namespace
}  // namespace imcb::test
