// The after-event journal over real TLS: an event is acknowledged once durable, reaches its
// handler from the journal, is retried with backoff, goes to the dead-letter file after
// journal.max_attempts, survives a restart, is refused with 503 (never dropped) when the journal
// is full, and a repeat within dedup.window_s is acknowledged without reaching the handler again.

#include <gtest/gtest.h>

#include <stdlib.h>

#include <atomic>
#include <condition_variable>
#include <cstdlib>
#include <fstream>
#include <mutex>
#include <stdexcept>
#include <string>
#include <vector>

#include "support/pki.h"
#include "support/receiver_fixture.h"
#include "support/tls_client.h"

namespace imcb::test {
namespace {

using nlohmann::json;
const std::string kGroupMsg = fixture("Group.CallbackAfterSendMsg.json");
const char* const kOk = R"({"ActionStatus":"OK","ErrorCode":0,"ErrorInfo":""})";

std::string with_seq(int seq) {
    json j = json::parse(kGroupMsg);
    j["MsgSeq"] = seq;
    return j.dump();
}

class Journaled : public ::testing::Test {
  protected:
    void SetUp() override {
        char tmpl[] = "/tmp/imcb-journal-XXXXXX";
        ASSERT_NE(::mkdtemp(tmpl), nullptr);
        dir_ = tmpl;
    }
    void TearDown() override { std::system(("rm -rf '" + dir_ + "'").c_str()); }

    ReceiverOptions options() const {
        ReceiverOptions o = dev_options();
        o.journal.dir = dir_ + "/journal";
        o.journal.retry_backoff = std::chrono::milliseconds(10);
        o.journal.max_attempts = 3;
        return o;
    }
    static std::optional<HttpResponse> send(std::uint16_t port, const std::string& body) {
        TlsClient c(port, vendor_client());
        if (!c.connect()) return std::nullopt;
        return c.post(callback_target("Group.CallbackAfterSendMsg"), body);
    }
    std::vector<json> dead_letters() const {
        std::vector<json> out;
        std::ifstream in(dir_ + "/journal/dead-letter.jsonl");
        for (std::string line; std::getline(in, line);) out.push_back(json::parse(line));
        return out;
    }

    std::string dir_;
};

struct Seen {
    std::mutex mu;
    std::vector<std::pair<std::uint32_t, unsigned>> calls;  // MsgSeq, delivery_attempt
    void add(std::uint32_t seq, unsigned attempt) {
        std::lock_guard<std::mutex> lock(mu);
        calls.emplace_back(seq, attempt);
    }
    std::size_t size() {
        std::lock_guard<std::mutex> lock(mu);
        return calls.size();
    }
    std::vector<std::pair<std::uint32_t, unsigned>> all() {
        std::lock_guard<std::mutex> lock(mu);
        return calls;
    }
};

TEST_F(Journaled, AFailingHandlerIsRetriedUntilItSucceeds) {
    Seen seen;
    RunningReceiver r(options(), [&](Receiver& rec) {
        rec.on<GroupAfterSendMsg>([&](const GroupAfterSendMsg& msg, const CallbackContext& ctx) {
            seen.add(msg.msg_seq, ctx.delivery_attempt);
            if (ctx.delivery_attempt < 3) throw std::runtime_error("database unavailable");
        });
    });
    const auto res = send(r.port(), with_seq(7));
    ASSERT_TRUE(res.has_value());
    EXPECT_EQ(res->status, 200);
    EXPECT_EQ(res->body, kOk);
    ASSERT_TRUE(eventually([&] { return r.receiver().stats().journal_delivered == 1; }));
    const auto calls = seen.all();
    ASSERT_EQ(calls.size(), 3u);
    for (unsigned i = 0; i < 3; ++i) EXPECT_EQ(calls[i], std::make_pair(7u, i + 1));
    EXPECT_EQ(r.receiver().stats().journal_retries, 2u);
    EXPECT_EQ(r.receiver().stats().journal_appended, 1u);
    EXPECT_TRUE(dead_letters().empty());
}

TEST_F(Journaled, AfterMaxAttemptsTheEventGoesToTheDeadLetterFileWithItsLastError) {
    Seen seen;
    RunningReceiver r(options(), [&](Receiver& rec) {
        rec.on<GroupAfterSendMsg>([&](const GroupAfterSendMsg& msg, const CallbackContext& ctx) {
            seen.add(msg.msg_seq, ctx.delivery_attempt);
            throw std::runtime_error("attempt " + std::to_string(ctx.delivery_attempt) + " failed");
        });
    });
    ASSERT_TRUE(send(r.port(), with_seq(8)).has_value());
    ASSERT_TRUE(eventually([&] { return r.receiver().stats().journal_dead_letters == 1; }));
    EXPECT_EQ(seen.size(), 3u);
    const auto dead = dead_letters();
    ASSERT_EQ(dead.size(), 1u);
    EXPECT_EQ(dead[0]["command"], "Group.CallbackAfterSendMsg");
    EXPECT_EQ(dead[0]["attempts"], 3);
    EXPECT_NE(dead[0]["last_error"].get<std::string>().find("attempt 3 failed"), std::string::npos);
    EXPECT_EQ(dead[0]["event"]["body"]["MsgSeq"], 8);
    EXPECT_TRUE(r.has_report(ErrorKind::Journal));
}

TEST_F(Journaled, ABodyThatDoesNotDecodeIsDeadLetteredAtOnce) {
    Seen seen;
    RunningReceiver r(options(), [&](Receiver& rec) {
        rec.on<GroupAfterSendMsg>([&](const GroupAfterSendMsg& msg, const CallbackContext& ctx) {
            seen.add(msg.msg_seq, ctx.delivery_attempt);
        });
    });
    json broken = json::parse(kGroupMsg);
    broken.erase("GroupId");
    ASSERT_TRUE(send(r.port(), broken.dump()).has_value());
    ASSERT_TRUE(eventually([&] { return r.receiver().stats().journal_dead_letters == 1; }));
    EXPECT_EQ(seen.size(), 0u);
    const auto dead = dead_letters();
    ASSERT_EQ(dead.size(), 1u);
    EXPECT_EQ(dead[0]["attempts"], 1);
    EXPECT_NE(dead[0]["last_error"].get<std::string>().find("GroupId"), std::string::npos);
}

TEST_F(Journaled, EventsNotHandledBeforeAStopAreDeliveredAfterTheRestart) {
    ReceiverOptions o = options();
    o.journal.retry_backoff = std::chrono::hours(1);  // the first receiver never retries in time
    o.journal.max_attempts = 10;
    {
        RunningReceiver first(o, [&](Receiver& rec) {
            rec.on<GroupAfterSendMsg>([](const GroupAfterSendMsg&, const CallbackContext&) {
                throw std::runtime_error("not yet");
            });
        });
        for (int i = 1; i <= 5; ++i) {
            const auto res = send(first.port(), with_seq(i));
            ASSERT_TRUE(res.has_value());
            EXPECT_EQ(res->status, 200);
        }
        ASSERT_TRUE(eventually([&] { return first.receiver().stats().journal_retries == 5; }));
    }
    Seen seen;
    {
        RunningReceiver second(o, [&](Receiver& rec) {
            rec.on<GroupAfterSendMsg>([&](const GroupAfterSendMsg& msg, const CallbackContext& ctx) {
                seen.add(msg.msg_seq, ctx.delivery_attempt);
            });
        });
        ASSERT_TRUE(eventually([&] { return second.receiver().stats().journal_delivered == 5; }));
        // While it runs, nobody else may use its journal.
        Receiver intruder(o);
        try {
            intruder.start();
            FAIL() << "a second receiver opened a journal in use";
        } catch (const ConfigError& e) {
            EXPECT_NE(std::string(e.what()).find("in use"), std::string::npos) << e.what();
        }
    }
    const auto calls = seen.all();
    ASSERT_EQ(calls.size(), 5u);
    for (std::size_t i = 0; i < calls.size(); ++i) {
        EXPECT_EQ(calls[i].first, i + 1);  // oldest first
        EXPECT_EQ(calls[i].second, 2u);    // the first receiver's attempt is counted
    }
    // A third start delivers nothing again: everything is done.
    Seen third_seen;
    RunningReceiver third(o, [&](Receiver& rec) {
        rec.on<GroupAfterSendMsg>([&](const GroupAfterSendMsg& msg, const CallbackContext& ctx) {
            third_seen.add(msg.msg_seq, ctx.delivery_attempt);
        });
    });
    ASSERT_TRUE(send(third.port(), with_seq(99)).has_value());
    ASSERT_TRUE(eventually([&] { return third_seen.size() >= 1; }));
    EXPECT_EQ(third_seen.all(), (std::vector<std::pair<std::uint32_t, unsigned>>{{99u, 1u}}));
}

TEST_F(Journaled, AFullJournalRepliesServiceUnavailableAndSaysWhy) {
    ReceiverOptions o = options();
    o.journal.max_bytes = 1 << 20;
    o.max_body_bytes = 200 * 1024;
    std::mutex mu;
    std::condition_variable cv;
    bool release = false;
    std::atomic<int> handled{0};
    RunningReceiver r(o, [&](Receiver& rec) {
        rec.on<GroupAfterSendMsg>([&](const GroupAfterSendMsg&, const CallbackContext&) {
            std::unique_lock<std::mutex> lock(mu);
            cv.wait_for(lock, std::chrono::seconds(20), [&] { return release; });
            handled++;
        });
    });
    json big = json::parse(kGroupMsg);
    big["CloudCustomData"] = std::string(150 * 1024, 'x');
    int accepted = 0;
    std::optional<HttpResponse> refused;
    for (int i = 0; i < 20 && !refused; ++i) {
        big["MsgSeq"] = i;
        const auto res = send(r.port(), big.dump());
        ASSERT_TRUE(res.has_value());
        if (res->status == 200) {
            ++accepted;
        } else {
            refused = res;
        }
    }
    ASSERT_TRUE(refused.has_value()) << "the journal never filled";
    EXPECT_EQ(refused->status, 503);
    EXPECT_NE(refused->body.find("journal.max_bytes"), std::string::npos) << refused->body;
    EXPECT_GE(accepted, 4);
    EXPECT_TRUE(r.has_report(ErrorKind::Journal));
    EXPECT_EQ(r.receiver().stats().journal_refused, 1u);
    {
        std::lock_guard<std::mutex> lock(mu);
        release = true;
    }
    cv.notify_all();
    // Every accepted event is handled; none was dropped.
    EXPECT_TRUE(eventually([&] { return handled.load() == accepted; }, std::chrono::seconds(20)));
}

TEST_F(Journaled, ARepeatWithinTheDedupWindowIsAcknowledgedButNotHandledAgain) {
    ReceiverOptions o = options();
    o.dedup.window = std::chrono::seconds(600);
    Seen seen;
    {
        RunningReceiver r(o, [&](Receiver& rec) {
            rec.on<GroupAfterSendMsg>([&](const GroupAfterSendMsg& msg, const CallbackContext& ctx) {
                seen.add(msg.msg_seq, ctx.delivery_attempt);
            });
        });
        for (int i = 0; i < 3; ++i) {
            const auto res = send(r.port(), with_seq(42));
            ASSERT_TRUE(res.has_value());
            EXPECT_EQ(res->body, kOk);
        }
        ASSERT_TRUE(send(r.port(), with_seq(43)).has_value());
        ASSERT_TRUE(eventually([&] { return r.receiver().stats().journal_delivered == 2; }));
        EXPECT_EQ(r.receiver().stats().duplicates_dropped, 2u);
    }
    // After a restart the journal still knows the window's events.
    RunningReceiver again(o, [&](Receiver& rec) {
        rec.on<GroupAfterSendMsg>([&](const GroupAfterSendMsg& msg, const CallbackContext& ctx) {
            seen.add(msg.msg_seq, ctx.delivery_attempt);
        });
    });
    ASSERT_TRUE(send(again.port(), with_seq(42)).has_value());
    ASSERT_TRUE(send(again.port(), with_seq(44)).has_value());
    ASSERT_TRUE(eventually([&] { return again.receiver().stats().journal_delivered == 1; }));
    EXPECT_EQ(again.receiver().stats().duplicates_dropped, 1u);
    EXPECT_EQ(seen.all(), (std::vector<std::pair<std::uint32_t, unsigned>>{{42u, 1u}, {43u, 1u}, {44u, 1u}}));
}

TEST(Dedup, WithoutAJournalARepeatedAfterCallbackReachesTheHandlerOnce) {
    ReceiverOptions o = dev_options();
    o.dedup.window = std::chrono::seconds(600);
    std::atomic<int> calls{0};
    RunningReceiver r(o, [&](Receiver& rec) {
        rec.on<GroupAfterSendMsg>([&](const GroupAfterSendMsg&, const CallbackContext&) { calls++; });
    });
    TlsClient c(r.port(), vendor_client());
    ASSERT_TRUE(c.connect());
    for (int i = 0; i < 3; ++i) {
        const auto res = c.post(callback_target("Group.CallbackAfterSendMsg"), with_seq(5));
        ASSERT_TRUE(res.has_value());
        EXPECT_EQ(res->status, 200);
    }
    EXPECT_EQ(calls.load(), 1);
    EXPECT_EQ(r.receiver().stats().duplicates_dropped, 2u);
}

}  // namespace
}  // namespace imcb::test
