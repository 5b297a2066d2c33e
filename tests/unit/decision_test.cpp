// The reply bodies of before-callback decisions (protocol reference §2) and the per-command rules
// that decide which decisions a handler may return.

#include <fstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "support/examples.h"
#include <nlohmann/json.hpp>

#include "imcb/decision.h"
#include "imcb/events.h"

#ifndef IMCB_FIXTURES_DIR
#error "IMCB_FIXTURES_DIR must point at tests/fixtures"
#endif

namespace {

using imcb::Decision;
using imcb::DecisionRules;
using imcb::FriendCheckResult;
using nlohmann::json;

json response_fixture(const std::string& name) {
    const std::string path = std::string(IMCB_FIXTURES_DIR) + "/responses/" + name + ".json";
    std::ifstream in(path);
    if (!in) {
        ADD_FAILURE() << "cannot open " << path;
        return json::object();
    }
    return json::parse(in);
}

json envelope(int code, const std::string& info = "") {
    return json{{"ActionStatus", "OK"}, {"ErrorCode", code}, {"ErrorInfo", info}};
}

// ------------------------------------------------------------------ to_reply

TEST(DecisionReply, AllowMatchesFixture) {
    const json reply = Decision::allow().to_reply();
    EXPECT_EQ(reply, envelope(0));
    EXPECT_EQ(reply, response_fixture("C2C.CallbackBeforeSendMsg.allow"));
    EXPECT_EQ(reply, response_fixture("generic-ok"));
    EXPECT_EQ(Decision::allow().kind(), Decision::Kind::Allow);
}

TEST(DecisionReply, DenyIsErrorCode1AndMatchesFixtures) {
    const Decision d = Decision::deny();
    EXPECT_EQ(d.kind(), Decision::Kind::Deny);
    EXPECT_EQ(d.error_code(), 1);
    EXPECT_EQ(d.to_reply(), envelope(1));
    EXPECT_EQ(d.to_reply(), response_fixture("C2C.CallbackBeforeSendMsg.deny"));
    EXPECT_EQ(d.to_reply(), response_fixture("Group.CallbackBeforeCreateGroup.deny"));
}

TEST(DecisionReply, CustomDenyCarriesCodeAndInfo) {
    const Decision d = Decision::deny(120001, "x");
    EXPECT_EQ(d.error_code(), 120001);
    EXPECT_EQ(d.error_info(), "x");
    EXPECT_EQ(d.to_reply(), envelope(120001, "x"));
}

TEST(DecisionReply, DropIsErrorCode2AndMatchesFixture) {
    const Decision d = Decision::drop();
    EXPECT_EQ(d.kind(), Decision::Kind::Drop);
    EXPECT_EQ(d.to_reply(), envelope(2));
    EXPECT_EQ(d.to_reply(), response_fixture("C2C.CallbackBeforeSendMsg.silent-drop"));
}

TEST(DecisionReply, ModifyWithBodyAndCloudCustomDataMatchesFixture) {
    const json expected = response_fixture("C2C.CallbackBeforeSendMsg.modify");
    ASSERT_TRUE(expected.contains("MsgBody"));
    ASSERT_TRUE(expected.contains("CloudCustomData"));
    const Decision d =
        Decision::modify(expected.at("MsgBody"), expected.at("CloudCustomData").get<std::string>());
    EXPECT_EQ(d.kind(), Decision::Kind::Modify);
    EXPECT_EQ(d.to_reply(), expected);
}

TEST(DecisionReply, ModifyWithBodyOnlyMatchesGroupFixture) {
    const json expected = response_fixture("Group.CallbackBeforeSendMsg.modify");
    ASSERT_TRUE(expected.contains("MsgBody"));
    ASSERT_FALSE(expected.contains("CloudCustomData"));
    const json reply = Decision::modify(expected.at("MsgBody")).to_reply();
    EXPECT_EQ(reply, expected);
    EXPECT_FALSE(reply.contains("CloudCustomData"));
}

TEST(DecisionReply, ModifyWithCloudCustomDataOnlyHasNoMsgBody) {
    const json reply = Decision::modify(std::nullopt, std::string("ccd")).to_reply();
    json expected = envelope(0);
    expected["CloudCustomData"] = "ccd";
    EXPECT_EQ(reply, expected);
    EXPECT_FALSE(reply.contains("MsgBody"));
}

TEST(DecisionReply, RefuseMembersMatchesInvitePartialFixture) {
    const json expected = response_fixture("Group.CallbackBeforeInviteJoinGroup.partial");
    ASSERT_TRUE(expected.contains("RefusedMembers_Account"));
    const Decision d =
        Decision::refuse_members(expected.at("RefusedMembers_Account").get<std::vector<std::string>>());
    EXPECT_EQ(d.kind(), Decision::Kind::RefuseMembers);
    EXPECT_EQ(d.to_reply(), expected);
}

TEST(DecisionReply, FriendResultsMatchesSnsResultItemFixture) {
    const json expected = response_fixture("Sns.CallbackPrevFriendAdd.resultitem");
    ASSERT_TRUE(expected.contains("ResultItem"));
    std::vector<FriendCheckResult> results;
    for (const auto& item : expected.at("ResultItem")) {
        results.push_back({item.at("To_Account").get<std::string>(), item.at("ResultCode").get<int>(),
                           item.at("ResultInfo").get<std::string>()});
    }
    ASSERT_EQ(results.size(), 2u);
    const Decision d = Decision::friend_results(results);
    EXPECT_EQ(d.kind(), Decision::Kind::FriendResults);
    EXPECT_EQ(d.to_reply(), expected);
}

TEST(DecisionReply, FriendResultsKeepsOrderCodesAndInfo) {
    const json reply = Decision::friend_results({{"b", 38001, "no strangers"}, {"a", 0, ""}}).to_reply();
    json expected = envelope(0);
    expected["ResultItem"] = json::array({
        {{"To_Account", "b"}, {"ResultCode", 38001}, {"ResultInfo", "no strangers"}},
        {{"To_Account", "a"}, {"ResultCode", 0}, {"ResultInfo", ""}},
    });
    EXPECT_EQ(reply, expected);
}

TEST(DecisionReply, EmptyFriendResultsStillHasResultItemArray) {
    const json reply = Decision::friend_results({}).to_reply();
    ASSERT_TRUE(reply.contains("ResultItem"));
    EXPECT_TRUE(reply.at("ResultItem").is_array());
    EXPECT_TRUE(reply.at("ResultItem").empty());
}

// ------------------------------------------------------------------ violation

constexpr DecisionRules kC2C = imcb::C2CBeforeSendMsg::kRules;
constexpr DecisionRules kCreateGroup = imcb::GroupBeforeCreateGroup::kRules;
constexpr DecisionRules kPrevFriendAdd = imcb::SnsPrevFriendAdd::kRules;

json text_body(const std::string& text) {
    return json::array({{{"MsgType", "TIMTextElem"}, {"MsgContent", {{"Text", text}}}}});
}

TEST(DecisionViolation, C2CAcceptsAllowDenyDropAndCustomCodeBounds) {
    EXPECT_EQ(Decision::allow().violation(kC2C), "");
    EXPECT_EQ(Decision::deny().violation(kC2C), "");
    EXPECT_EQ(Decision::deny(1, "refused").violation(kC2C), "");
    EXPECT_EQ(Decision::drop().violation(kC2C), "");
    EXPECT_EQ(Decision::deny(120001, "x").violation(kC2C), "");
    EXPECT_EQ(Decision::deny(125000, "x").violation(kC2C), "");
    EXPECT_EQ(Decision::deny(130000, "x").violation(kC2C), "");
}

TEST(DecisionViolation, C2CRejectsCustomCodesOutsideRange) {
    const std::string below = Decision::deny(120000, "x").violation(kC2C);
    EXPECT_NE(below, "");
    EXPECT_NE(below.find("120000"), std::string::npos) << below;
    const std::string above = Decision::deny(130001, "x").violation(kC2C);
    EXPECT_NE(above, "");
    EXPECT_NE(above.find("130001"), std::string::npos) << above;
    EXPECT_NE(Decision::deny(0, "x").violation(kC2C), "");
    EXPECT_NE(Decision::deny(-1, "x").violation(kC2C), "");
}

TEST(DecisionViolation, C2CRejectsRefuseMembersAndFriendResults) {
    EXPECT_NE(Decision::refuse_members({"jared"}).violation(kC2C), "");
    EXPECT_NE(Decision::friend_results({{"id1", 0, ""}}).violation(kC2C), "");
}

TEST(DecisionViolation, C2CAcceptsModify) {
    EXPECT_EQ(Decision::modify(text_body("hi")).violation(kC2C), "");
    EXPECT_EQ(Decision::modify(text_body("hi"), std::string("ccd")).violation(kC2C), "");
    EXPECT_EQ(Decision::modify(std::nullopt, std::string("ccd")).violation(kC2C), "");
}

TEST(DecisionViolation, ModifyWithEmptyMsgBodyIsRejected) {
    EXPECT_NE(Decision::modify(json::array()).violation(kC2C), "");
    EXPECT_NE(Decision::modify(json::array(), std::string("ccd")).violation(kC2C), "");
}

TEST(DecisionViolation, ModifyWithNonArrayMsgBodyIsRejected) {
    EXPECT_NE(Decision::modify(json{{"MsgType", "TIMTextElem"}}).violation(kC2C), "");
    EXPECT_NE(Decision::modify(json("text")).violation(kC2C), "");
}

TEST(DecisionViolation, ModifyWithNothingIsRejected) {
    EXPECT_NE(Decision::modify(std::nullopt).violation(kC2C), "");
}

TEST(DecisionViolation, CreateGroupRejectsDropAndModify) {
    EXPECT_NE(Decision::drop().violation(kCreateGroup), "");
    EXPECT_NE(Decision::modify(text_body("hi")).violation(kCreateGroup), "");
    EXPECT_NE(Decision::refuse_members({"a"}).violation(kCreateGroup), "");
    EXPECT_EQ(Decision::allow().violation(kCreateGroup), "");
    EXPECT_EQ(Decision::deny().violation(kCreateGroup), "");
    EXPECT_EQ(Decision::deny(10100, "x").violation(kCreateGroup), "");
    EXPECT_EQ(Decision::deny(10200, "x").violation(kCreateGroup), "");
    EXPECT_NE(Decision::deny(10099, "x").violation(kCreateGroup), "");
    EXPECT_NE(Decision::deny(120001, "x").violation(kCreateGroup), "");
}

TEST(DecisionViolation, PrevFriendAddAcceptsResultCodesPerItem) {
    EXPECT_EQ(Decision::friend_results({{"id1", 0, ""}, {"id2", 0, ""}}).violation(kPrevFriendAdd), "");
    EXPECT_EQ(Decision::friend_results({{"id1", 38000, "no"}}).violation(kPrevFriendAdd), "");
    EXPECT_EQ(Decision::friend_results({{"id1", 39000, "no"}}).violation(kPrevFriendAdd), "");
    EXPECT_EQ(Decision::friend_results({{"id1", 0, ""}, {"id2", 38500, "no"}, {"id3", 39000, ""}})
                  .violation(kPrevFriendAdd),
              "");
}

TEST(DecisionViolation, PrevFriendAddRejectsResultCodeOutsideRange) {
    const std::string why =
        Decision::friend_results({{"id1", 0, ""}, {"id2", 37999, "no"}}).violation(kPrevFriendAdd);
    EXPECT_NE(why, "");
    EXPECT_NE(why.find("37999"), std::string::npos) << why;
    EXPECT_NE(why.find("id2"), std::string::npos) << why;
    EXPECT_NE(Decision::friend_results({{"id1", 39001, ""}}).violation(kPrevFriendAdd), "");
    EXPECT_NE(Decision::friend_results({{"id1", 1, ""}}).violation(kPrevFriendAdd), "");
}

TEST(DecisionViolation, PrevFriendAddRejectsOtherKinds) {
    EXPECT_NE(Decision::drop().violation(kPrevFriendAdd), "");
    EXPECT_NE(Decision::modify(text_body("hi")).violation(kPrevFriendAdd), "");
    EXPECT_NE(Decision::refuse_members({"a"}).violation(kPrevFriendAdd), "");
    EXPECT_NE(Decision::deny(38000, "x").violation(kPrevFriendAdd), "");  // no custom ErrorCodes
}

TEST(DecisionViolation, RefuseMembersNeedsTheRule) {
    DecisionRules invite;
    invite.can_refuse_members = true;
    invite.custom_code_min = 10100;
    invite.custom_code_max = 10200;
    EXPECT_EQ(Decision::refuse_members({"jared"}).violation(invite), "");
    EXPECT_NE(Decision::refuse_members({"jared"}).violation(DecisionRules{}), "");
}

// ------------------------------------------------------------------ typed replies (Reply<Event>)

using imcb::C2CBeforeSendMsg;
using imcb::DecisionError;
using imcb::GroupBeforeCreateGroup;
using imcb::GroupBeforeSendMsg;

using imcb::test::decision_error;

TEST(TypedReply, EveryResponseFixtureIsProducedByItsTypedReply) {
    const json c2c_modify = response_fixture("C2C.CallbackBeforeSendMsg.modify");
    const json group_modify = response_fixture("Group.CallbackBeforeSendMsg.modify");
    EXPECT_EQ(C2CBeforeSendMsg::Reply::allow().decision().to_reply(),
              response_fixture("C2C.CallbackBeforeSendMsg.allow"));
    EXPECT_EQ(C2CBeforeSendMsg::Reply::allow().decision().to_reply(), response_fixture("generic-ok"));
    EXPECT_EQ(C2CBeforeSendMsg::Reply::deny().decision().to_reply(),
              response_fixture("C2C.CallbackBeforeSendMsg.deny"));
    EXPECT_EQ(C2CBeforeSendMsg::Reply::drop().decision().to_reply(),
              response_fixture("C2C.CallbackBeforeSendMsg.silent-drop"));
    EXPECT_EQ(C2CBeforeSendMsg::Reply::modify(c2c_modify.at("MsgBody"),
                                              c2c_modify.at("CloudCustomData").get<std::string>())
                  .decision()
                  .to_reply(),
              c2c_modify);
    EXPECT_EQ(GroupBeforeSendMsg::Reply::modify(group_modify.at("MsgBody")).decision().to_reply(),
              group_modify);
    EXPECT_EQ(GroupBeforeCreateGroup::Reply::deny().decision().to_reply(),
              response_fixture("Group.CallbackBeforeCreateGroup.deny"));
    EXPECT_EQ(imcb::GroupBeforeInviteJoinGroup::Reply::refuse_members({"jared"}).decision().to_reply(),
              response_fixture("Group.CallbackBeforeInviteJoinGroup.partial"));
    EXPECT_EQ(imcb::SnsPrevFriendAdd::Reply::friend_results(
                  {FriendCheckResult::allow("id1"), FriendCheckResult::allow("id2")})
                  .decision()
                  .to_reply(),
              response_fixture("Sns.CallbackPrevFriendAdd.resultitem"));
}

TEST(TypedReply, CustomCodesAreCheckedWhenTheReplyIsBuilt) {
    EXPECT_EQ(C2CBeforeSendMsg::Reply::deny(120001, "x").decision().error_code(), 120001);
    EXPECT_EQ(C2CBeforeSendMsg::Reply::deny(130000, "x").decision().error_code(), 130000);
    const std::string below = decision_error([] { return C2CBeforeSendMsg::Reply::deny(120000, "x"); });
    EXPECT_NE(below.find("C2C.CallbackBeforeSendMsg"), std::string::npos) << below;
    EXPECT_NE(below.find("120001..130000"), std::string::npos) << below;
    EXPECT_NE(decision_error([] { return C2CBeforeSendMsg::Reply::deny(130001, "x"); }), "");
    EXPECT_NE(decision_error([] { return C2CBeforeSendMsg::Reply::deny(10100, "x"); }), "");

    EXPECT_EQ(GroupBeforeSendMsg::Reply::deny(10100, "x").decision().error_code(), 10100);
    EXPECT_EQ(GroupBeforeCreateGroup::Reply::deny(10200, "x").decision().error_code(), 10200);
    const std::string group = decision_error([] { return GroupBeforeSendMsg::Reply::deny(120001, "x"); });
    EXPECT_NE(group.find("10100..10200"), std::string::npos) << group;
    EXPECT_NE(decision_error([] { return GroupBeforeCreateGroup::Reply::deny(10099, "x"); }), "");
    EXPECT_NE(decision_error([] { return GroupBeforeCreateGroup::Reply::deny(0, "x"); }), "");
}

TEST(TypedReply, ModifiedMessagesMustBeValidMessages) {
    EXPECT_NE(decision_error([] { return C2CBeforeSendMsg::Reply::modify(std::nullopt); }), "");
    EXPECT_NE(decision_error([] { return C2CBeforeSendMsg::Reply::modify(json::array()); }), "");
    EXPECT_NE(decision_error([] { return C2CBeforeSendMsg::Reply::modify(json::array({"text"})); }), "");
    const std::string no_content = decision_error([] {
        return GroupBeforeSendMsg::Reply::modify(json::array({{{"MsgType", "TIMTextElem"}}}));
    });
    EXPECT_NE(no_content.find("MsgBody[0]"), std::string::npos) << no_content;
    const json custom = {{"MsgType", "TIMCustomElem"}, {"MsgContent", {{"Data", "x"}}}};
    const std::string two_custom = decision_error([&] {
        return C2CBeforeSendMsg::Reply::modify(json::array({custom, custom}));
    });
    EXPECT_NE(two_custom.find("at most one TIMCustomElem"), std::string::npos) << two_custom;
    EXPECT_EQ(C2CBeforeSendMsg::Reply::modify(json::array({custom}), std::string("c")).decision().kind(),
              Decision::Kind::Modify);
}

TEST(TypedReply, FriendResultsAreCheckedWhenTheReplyIsBuilt) {
    using Reply = imcb::SnsPrevFriendAdd::Reply;
    EXPECT_EQ(Reply::friend_results({FriendCheckResult::refuse("id1", 38000, "no"),
                                     FriendCheckResult::refuse("id2", 39000, "no")})
                  .decision()
                  .kind(),
              Decision::Kind::FriendResults);
    const std::string low =
        decision_error([] { return Reply::friend_results({FriendCheckResult::refuse("id1", 37999, "")}); });
    EXPECT_NE(low.find("38000..39000"), std::string::npos) << low;
    EXPECT_NE(
        decision_error([] { return Reply::friend_results({FriendCheckResult::refuse("id1", 39001, "")}); }),
        "");
    EXPECT_NE(decision_error([] { return Reply::friend_results({}); }), "");
    EXPECT_NE(decision_error([] { return Reply::friend_results({FriendCheckResult::allow("")}); }), "");
}

}  // namespace
