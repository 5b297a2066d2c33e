// event_key(): the same event sent twice has one key, different events have different keys; and
// the bounded store that recognises a key again within its window (time injected).

#include <gtest/gtest.h>

#include <imcb/imcb.h>

#include "dedup.h"
#include "support/examples.h"

namespace imcb::detail {
namespace {

using nlohmann::json;
using Clock = DedupStore::Clock;

json body_of(const std::string& command) { return test::example_body(command); }

TEST(EventKey, C2CMessagesAreKeyedByMsgKey) {
    json a = body_of("C2C.CallbackAfterSendMsg");
    const std::string key = event_key("C2C.CallbackAfterSendMsg", a);
    EXPECT_EQ(key, "C2C.CallbackAfterSendMsg|MsgKey=48374_2837546_1557481126");
    a["EventTime"] = 1;  // a retry may carry another EventTime: still the same message
    EXPECT_EQ(event_key("C2C.CallbackAfterSendMsg", a), key);
    a["MsgKey"] = "other";
    EXPECT_NE(event_key("C2C.CallbackAfterSendMsg", a), key);
    EXPECT_NE(event_key("C2C.CallbackAfterMsgWithDraw", body_of("C2C.CallbackAfterSendMsg")), key);
}

TEST(EventKey, GroupMessagesAreKeyedByGroupAndSequence) {
    json a = body_of("Group.CallbackAfterSendMsg");
    const std::string key = event_key("Group.CallbackAfterSendMsg", a);
    EXPECT_EQ(key, "Group.CallbackAfterSendMsg|GroupId=@TGS#2J4SZEAEL|MsgSeq=123");
    a["MsgSeq"] = 124;
    EXPECT_NE(event_key("Group.CallbackAfterSendMsg", a), key);
}

TEST(EventKey, TwoEditsOfOneMessageAreTwoEventsAndARetryIsOne) {
    for (const char* command : {"C2C.CallbackAfterModifyMsg", "Group.CallbackAfterModifyMsg"}) {
        const json first = test::example_body(command);
        json second = first;
        second["EventTime"] = first.at("EventTime").get<std::int64_t>() + 5000;  // edited again
        EXPECT_NE(event_key(command, first), event_key(command, second)) << command;
        EXPECT_EQ(event_key(command, first), event_key(command, json(first))) << command;  // a retry
    }
    const json ext = test::example_body("C2C.CallbackAfterC2CMsgExtension");
    json next = ext;
    next["Seq"] = ext.at("Seq").get<std::uint64_t>() + 1;  // the next extension version
    EXPECT_NE(event_key("C2C.CallbackAfterC2CMsgExtension", ext),
              event_key("C2C.CallbackAfterC2CMsgExtension", next));
}

TEST(EventKey, OtherEventsUseEventTimeAndTheirAccounts) {
    json a = body_of("State.StateChange");
    const std::string key = event_key("State.StateChange", a);
    EXPECT_EQ(key.rfind("State.StateChange|EventTime=1629883332497|Info.To_Account=testuser316|body=", 0), 0u)
        << key;
    EXPECT_EQ(event_key("State.StateChange", json::parse(a.dump())), key);  // a resend: the same key
    a["Info"]["To_Account"] = "someone-else";
    EXPECT_NE(event_key("State.StateChange", a), key);
    json b = body_of("State.StateChange");
    b["EventTime"] = 1629883332498;
    EXPECT_NE(event_key("State.StateChange", b), key);
}

TEST(EventKey, EventsWithoutIdentityFieldsAreKeyedByTheirWholeBody) {
    const json a = {{"Something", 1}};
    const json b = {{"Something", 2}};
    EXPECT_EQ(event_key("X.Y", a), event_key("X.Y", json::parse(a.dump())));
    EXPECT_NE(event_key("X.Y", a), event_key("X.Y", b));
    EXPECT_LE(event_key("X.Y", json{{"EventTime", 1}, {"To_Account", std::string(1000, 'a')}}).size(), 256u);
}

TEST(EventKey, EventsOfOneMillisecondWithDifferentMembersDiffer) {
    const json a = {{"GroupId", "g"}, {"EventTime", 1}, {"MemberList", {{{"Member_Account", "x"}}}}};
    const json b = {{"GroupId", "g"}, {"EventTime", 1}, {"MemberList", {{{"Member_Account", "y"}}}}};
    EXPECT_NE(event_key("Group.CallbackAfterNewMemberJoin", a),
              event_key("Group.CallbackAfterNewMemberJoin", b));
}

using Claim = DedupStore::Claim;

TEST(DedupStore, AKeptKeyIsARepeatWithinTheWindowOnly) {
    DedupStore store(std::chrono::seconds(60), 100);
    const auto t0 = Clock::time_point(std::chrono::seconds(1000000));
    EXPECT_TRUE(store.claim_kept("a", t0));
    EXPECT_EQ(store.claim("a", t0 + std::chrono::seconds(59)), Claim::Repeat);
    EXPECT_TRUE(store.claim_kept("b", t0 + std::chrono::seconds(59)));
    EXPECT_TRUE(store.claim_kept("a", t0 + std::chrono::seconds(60)));  // the window has passed
    EXPECT_FALSE(store.claim_kept("a", t0 + std::chrono::seconds(61)));
}

TEST(DedupStore, AClaimNotYetKeptIsPendingAndItsReleaseMakesTheRetryNew) {
    DedupStore store(std::chrono::seconds(60), 100);
    const auto t0 = Clock::time_point(std::chrono::seconds(1000000));
    EXPECT_EQ(store.claim("a", t0), Claim::New);
    EXPECT_EQ(store.claim("a", t0), Claim::Pending);  // never a 200 for what is not kept yet
    store.release("a");
    EXPECT_EQ(store.claim("a", t0 + std::chrono::seconds(1)), Claim::New);
    store.confirm("a");
    store.release("a");  // a kept event is not forgotten by a stray release
    EXPECT_EQ(store.claim("a", t0 + std::chrono::seconds(2)), Claim::Repeat);
}

TEST(DedupStore, TheOldestKeysAreForgottenBeyondMaxEntries) {
    DedupStore store(std::chrono::seconds(3600), 3);
    const auto t0 = Clock::time_point(std::chrono::seconds(1000000));
    for (int i = 0; i < 5; ++i) EXPECT_TRUE(store.claim_kept("k" + std::to_string(i), t0));
    EXPECT_EQ(store.size(), 3u);
    EXPECT_TRUE(store.claim_kept("k0", t0));   // forgotten
    EXPECT_FALSE(store.claim_kept("k4", t0));  // still known
}

}  // namespace
}  // namespace imcb::detail
