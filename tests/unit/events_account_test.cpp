// Operations, profile, relationship and one-to-one events (protocol reference §3.1 and §3.2):
// each documented example body decoded field by field, and the vendor's quirks for these commands.

#include <cstdint>
#include <fstream>
#include <optional>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "support/examples.h"
#include <nlohmann/json.hpp>

#include "imcb/commands.h"
#include "imcb/events.h"

#ifndef IMCB_FIXTURES_DIR
#error "IMCB_FIXTURES_DIR must point at tests/fixtures"
#endif

namespace {

using nlohmann::json;

using imcb::test::decision_error;
using imcb::test::decode_error;
using imcb::test::decode_fixture;
using imcb::test::fixture;

void expect_pairs(const std::vector<imcb::AccountPair>& pairs) {
    ASSERT_EQ(pairs.size(), 3u);
    const std::vector<std::string> to{"id1", "id2", "id3"};
    for (std::size_t i = 0; i < pairs.size(); ++i) {
        EXPECT_EQ(pairs[i].from_account, "id");
        EXPECT_EQ(pairs[i].to_account, to[i]);
        EXPECT_TRUE(pairs[i].unknown_fields.is_null());
    }
}

// ---------------------------------------------------------------- fixtures, field by field

TEST(AccountEvents, AlertRequestOverLimitFixture) {
    const auto e = decode_fixture<imcb::AlertRequestOverLimit>();
    EXPECT_EQ(e.service_name, "openim");
    EXPECT_EQ(e.command, "batchsendmsg");
    EXPECT_EQ(e.request, 510);
    EXPECT_EQ(e.limit, 200);
    EXPECT_EQ(e.event_time, std::nullopt);
    EXPECT_TRUE(e.unknown_fields.is_null());
}

TEST(AccountEvents, ProfilePortraitSetFixture) {
    const auto e = decode_fixture<imcb::ProfilePortraitSet>();
    EXPECT_EQ(e.operator_account, "id1");
    EXPECT_EQ(e.from_account, "id1");
    EXPECT_EQ(e.event_time, 1656921052497);
    ASSERT_EQ(e.profile_item.size(), 4u);
    EXPECT_EQ(e.profile_item[0].tag, "Tag_Profile_IM_Nick");
    EXPECT_EQ(e.profile_item[0].value, json("nick1"));
    EXPECT_EQ(e.profile_item[1].tag, "Tag_Profile_IM_Gender");
    EXPECT_EQ(e.profile_item[1].value, json("Gender_Type_Male"));
    EXPECT_EQ(e.profile_item[2].tag, "Tag_Profile_IM_AllowType");
    EXPECT_EQ(e.profile_item[2].value, json("AllowType_Type_NeedConfirm"));
    EXPECT_EQ(e.profile_item[3].tag, "Tag_Profile_Custom_Data");
    EXPECT_EQ(e.profile_item[3].value, json("your custom data"));
    EXPECT_TRUE(e.unknown_fields.is_null());
}

TEST(AccountEvents, SnsPrevFriendResponseFixture) {
    const auto e = decode_fixture<imcb::SnsPrevFriendResponse>();
    EXPECT_EQ(e.requester_account, "id");
    EXPECT_EQ(e.from_account, "id");
    ASSERT_EQ(e.response_friend_item.size(), 2u);
    EXPECT_EQ(e.response_friend_item[0].to_account, "id1");
    EXPECT_EQ(e.response_friend_item[0].remark, "remark1");
    EXPECT_EQ(e.response_friend_item[0].tag_name, "group1");
    EXPECT_EQ(e.response_friend_item[0].response_action, "Response_Action_AgreeAndAdd");
    EXPECT_EQ(e.response_friend_item[1].to_account, "id2");
    EXPECT_EQ(e.response_friend_item[1].remark, "remark2");
    EXPECT_EQ(e.response_friend_item[1].tag_name, "group2");
    EXPECT_EQ(e.response_friend_item[1].response_action, "Response_Action_Reject");
    EXPECT_EQ(e.event_time, 1631777645424);
    EXPECT_TRUE(e.unknown_fields.is_null());
}

TEST(AccountEvents, SnsFriendDeleteFixture) {
    const auto e = decode_fixture<imcb::SnsFriendDelete>();
    expect_pairs(e.pair_list);
    EXPECT_EQ(e.event_time, std::nullopt);
    EXPECT_TRUE(e.unknown_fields.is_null());
}

TEST(AccountEvents, SnsBlackListAddFixture) {
    const auto e = decode_fixture<imcb::SnsBlackListAdd>();
    expect_pairs(e.pair_list);
    EXPECT_EQ(e.event_time, std::nullopt);
    EXPECT_TRUE(e.unknown_fields.is_null());
}

TEST(AccountEvents, SnsBlackListDeleteFixture) {
    const auto e = decode_fixture<imcb::SnsBlackListDelete>();
    expect_pairs(e.pair_list);
    EXPECT_EQ(e.event_time, std::nullopt);
    EXPECT_TRUE(e.unknown_fields.is_null());
}

TEST(AccountEvents, FollowAfterFollowAddFixture) {
    const auto e = decode_fixture<imcb::FollowAfterFollowAdd>();
    EXPECT_EQ(e.from_account, "UserID_001");
    ASSERT_EQ(e.follow_list.size(), 2u);
    EXPECT_EQ(e.follow_list[0].to_account, "UserID_002");
    EXPECT_EQ(e.follow_list[1].to_account, "UserID_003");
    EXPECT_EQ(e.event_time, 1702018343678);
    EXPECT_TRUE(e.unknown_fields.is_null());
}

TEST(AccountEvents, FollowAfterFollowDeleteFixture) {
    const auto e = decode_fixture<imcb::FollowAfterFollowDelete>();
    EXPECT_EQ(e.from_account, "UserID_001");
    EXPECT_EQ(e.to_account, (std::vector<std::string>{"UserID_002", "UserID_003"}));
    EXPECT_EQ(e.event_time, 1702018343678);
    EXPECT_TRUE(e.unknown_fields.is_null());
}

TEST(AccountEvents, C2CAfterMsgReportFixture) {
    const auto e = decode_fixture<imcb::C2CAfterMsgReport>();
    EXPECT_EQ(e.report_account, "jared");
    EXPECT_EQ(e.peer_account, "Jonh");  // sic, as in the vendor's example
    EXPECT_EQ(e.last_read_time, 1614754606);
    EXPECT_EQ(e.unread_msg_num, 7);
    EXPECT_EQ(e.event_time, std::nullopt);
    EXPECT_TRUE(e.unknown_fields.is_null());
}

TEST(AccountEvents, C2CAfterC2CMsgExtensionFixture) {
    const auto e = decode_fixture<imcb::C2CAfterC2CMsgExtension>();
    EXPECT_EQ(e.from_account, "user1");
    EXPECT_EQ(e.to_account, "user2");
    EXPECT_EQ(e.msg_key, "93847636_1287657_1764688415");
    EXPECT_EQ(e.operate_type, 1);
    ASSERT_TRUE(e.extension_list.has_value());
    ASSERT_EQ(e.extension_list->size(), 3u);
    const std::vector<std::string> keys{"k1", "k2", "k3"};
    const std::vector<std::string> values{"v1", "v2", "v3"};
    for (std::size_t i = 0; i < 3; ++i) {
        EXPECT_EQ(e.extension_list->at(i).key, keys[i]);
        EXPECT_EQ(e.extension_list->at(i).value, values[i]);
        EXPECT_EQ(e.extension_list->at(i).seq, 1u);
    }
    EXPECT_EQ(e.seq, 1u);
    EXPECT_EQ(e.event_time, 1764688540182);
    EXPECT_TRUE(e.unknown_fields.is_null());
}

TEST(AccountEvents, BotOnC2CMessageFixture) {
    const auto e = decode_fixture<imcb::BotOnC2CMessage>();
    EXPECT_EQ(e.from_account, "jared");
    EXPECT_EQ(e.to_account, "Jonh");
    EXPECT_EQ(e.msg_seq, 48374u);
    EXPECT_EQ(e.msg_random, 2837546u);
    EXPECT_EQ(e.msg_time, 1557481126);
    EXPECT_EQ(e.msg_key, "48374_2837546_1557481126");
    EXPECT_EQ(e.msg_id, std::nullopt);
    EXPECT_EQ(e.online_only_flag, 1);
    EXPECT_EQ(e.send_msg_result, 0);
    EXPECT_EQ(e.error_info, "send msg succeed");
    EXPECT_EQ(e.unread_msg_num, std::nullopt);
    ASSERT_EQ(e.msg_body.size(), 1u);
    EXPECT_EQ(e.msg_body[0].type, "TIMTextElem");
    EXPECT_EQ(e.msg_body[0].text(), "red packet");
    EXPECT_EQ(e.msg_body[0].content, (json{{"Text", "red packet"}}));
    EXPECT_EQ(e.cloud_custom_data, "your cloud custom data");
    EXPECT_EQ(e.event_time, 1670574414123);
    EXPECT_TRUE(e.unknown_fields.is_null());
}

// ---------------------------------------------------------------- registry

TEST(AccountEvents, AreKnownCommandsWithTheirPhase) {
    static_assert(imcb::is_known_event_v<imcb::AlertRequestOverLimit>);
    static_assert(imcb::is_known_event_v<imcb::ProfilePortraitSet>);
    static_assert(imcb::is_known_event_v<imcb::SnsPrevFriendResponse>);
    static_assert(imcb::is_known_event_v<imcb::SnsFriendDelete>);
    static_assert(imcb::is_known_event_v<imcb::SnsBlackListAdd>);
    static_assert(imcb::is_known_event_v<imcb::SnsBlackListDelete>);
    static_assert(imcb::is_known_event_v<imcb::FollowAfterFollowAdd>);
    static_assert(imcb::is_known_event_v<imcb::FollowAfterFollowDelete>);
    static_assert(imcb::is_known_event_v<imcb::C2CAfterMsgReport>);
    static_assert(imcb::is_known_event_v<imcb::C2CAfterC2CMsgExtension>);
    static_assert(imcb::is_known_event_v<imcb::BotOnC2CMessage>);

    for (const char* after :
         {"Alert.RequestOverLimit", "Profile.CallbackPortraitSet", "Sns.CallbackFriendDelete",
          "Sns.CallbackBlackListAdd", "Sns.CallbackBlackListDelete", "Follow.CallbackAfterFollowAdd",
          "Follow.CallbackAfterFollowDelete", "C2C.CallbackAfterMsgReport",
          "C2C.CallbackAfterC2CMsgExtension", "Bot.OnC2CMessage"}) {
        const imcb::CommandInfo* info = imcb::find_command(after);
        ASSERT_NE(info, nullptr) << after;
        EXPECT_EQ(info->phase, imcb::Phase::After) << after;
        EXPECT_FALSE(info->batched) << after;
    }

    const imcb::CommandInfo* response = imcb::find_command("Sns.CallbackPrevFriendResponse");
    ASSERT_NE(response, nullptr);
    EXPECT_EQ(response->phase, imcb::Phase::Before);
    EXPECT_EQ(response->type_name, "imcb::SnsPrevFriendResponse");
    constexpr auto rules = imcb::SnsPrevFriendResponse::kRules;
    EXPECT_TRUE(rules.has_friend_results);
    EXPECT_EQ(rules.result_code_min, 38000);
    EXPECT_EQ(rules.result_code_max, 39000);
    EXPECT_FALSE(rules.can_drop);
    EXPECT_EQ(rules.custom_code_min, 0);
    EXPECT_EQ(rules.custom_code_max, 0);
    EXPECT_FALSE(rules.can_modify_message);
    EXPECT_FALSE(rules.can_refuse_members);
    EXPECT_TRUE(response->rules.has_friend_results);
    EXPECT_EQ(response->rules.result_code_min, 38000);
    EXPECT_EQ(response->rules.result_code_max, 39000);

    // Documented since with its fields and a RspData reply: a before-callback answered with
    // respond(RspData) or deny().
    const auto* signal = imcb::find_command("Chatbot.OnC2CSignalMessage");
    ASSERT_NE(signal, nullptr);
    EXPECT_EQ(signal->phase, imcb::Phase::Before);
    EXPECT_TRUE(signal->rules.has_rsp_data);
}

// ---------------------------------------------------------------- quirks

TEST(AccountEvents, FollowDeleteToAccountIsAnArrayOfStrings) {
    json body = fixture<imcb::FollowAfterFollowDelete>();
    ASSERT_TRUE(body.at("To_Account").is_array());
    EXPECT_EQ(json(body.get<imcb::FollowAfterFollowDelete>()), body);

    body["To_Account"] = json::array({"only"});
    EXPECT_EQ(body.get<imcb::FollowAfterFollowDelete>().to_account, (std::vector<std::string>{"only"}));

    body["To_Account"] = "UserID_002";  // the shape every other To_Account has
    const std::string what = decode_error<imcb::FollowAfterFollowDelete>(body);
    EXPECT_NE(what.find("field \"To_Account\" must be an array"), std::string::npos) << what;

    body["To_Account"] = json::array({"UserID_002", 7});
    const std::string item = decode_error<imcb::FollowAfterFollowDelete>(body);
    EXPECT_NE(item.find("\"To_Account\"[1]"), std::string::npos) << item;
    EXPECT_NE(item.find("must be a string"), std::string::npos) << item;

    body.erase("To_Account");
    EXPECT_NE(decode_error<imcb::FollowAfterFollowDelete>(body).find("missing field \"To_Account\""),
              std::string::npos);
}

TEST(AccountEvents, ProfileItemValueIsAStringOrAnInteger) {
    json body = fixture<imcb::ProfilePortraitSet>();

    body["ProfileItem"] = json::array({{{"Tag", "Tag_Profile_IM_Nick"}, {"Value", "nick1"}}});
    auto e = body.get<imcb::ProfilePortraitSet>();
    ASSERT_EQ(e.profile_item.size(), 1u);
    EXPECT_TRUE(e.profile_item[0].value.is_string());
    EXPECT_EQ(e.profile_item[0].value, json("nick1"));
    EXPECT_EQ(json(e), body);

    body["ProfileItem"] = json::array({{{"Tag", "Tag_Profile_IM_Level"}, {"Value", 3}}});
    e = body.get<imcb::ProfilePortraitSet>();
    ASSERT_EQ(e.profile_item.size(), 1u);
    EXPECT_TRUE(e.profile_item[0].value.is_number_integer());
    EXPECT_EQ(e.profile_item[0].value, json(3));
    EXPECT_EQ(json(e), body);

    body["ProfileItem"] = json::array({{{"Tag", "Tag_Profile_IM_Nick"}, {"Value", "nick2"}},
                                       {{"Tag", "Tag_Profile_IM_Role"}, {"Value", 4294967295u}},
                                       {{"Tag", "Tag_Profile_Custom_Score"}, {"Value", -5}}});
    e = body.get<imcb::ProfilePortraitSet>();
    ASSERT_EQ(e.profile_item.size(), 3u);
    EXPECT_EQ(e.profile_item[0].value, json("nick2"));
    EXPECT_EQ(e.profile_item[1].value, json(4294967295u));
    EXPECT_EQ(e.profile_item[2].value, json(-5));
    EXPECT_EQ(json(e), body);

    body["ProfileItem"] = json::array({{{"Tag", "Tag_Profile_IM_Nick"}}});
    const std::string what = decode_error<imcb::ProfilePortraitSet>(body);
    EXPECT_NE(what.find("\"ProfileItem\"[0]"), std::string::npos) << what;
    EXPECT_NE(what.find("missing field \"Value\""), std::string::npos) << what;
}

TEST(AccountEvents, PrevFriendResponseRepliesWithAResultItemPerAccount) {
    using Reply = imcb::SnsPrevFriendResponse::Reply;
    const Reply reply = Reply::friend_results(
        {imcb::FriendCheckResult::allow("id1"), imcb::FriendCheckResult::refuse("id2", 38001, "no")});
    EXPECT_EQ(reply.decision().kind(), imcb::Decision::Kind::FriendResults);
    EXPECT_EQ(reply.decision().to_reply(), json::parse(R"({
        "ActionStatus": "OK", "ErrorCode": 0, "ErrorInfo": "",
        "ResultItem": [{"To_Account": "id1", "ResultCode": 0, "ResultInfo": ""},
                       {"To_Account": "id2", "ResultCode": 38001, "ResultInfo": "no"}]})"));

    // Both ends of the documented range are allowed.
    EXPECT_NO_THROW((void)Reply::friend_results({imcb::FriendCheckResult::refuse("id1", 38000, ""),
                                                 imcb::FriendCheckResult::refuse("id2", 39000, "")}));

    for (const int code : {37999, 39001}) {
        const std::string what = decision_error(
            [code] { return Reply::friend_results({imcb::FriendCheckResult::refuse("id2", code, "no")}); });
        EXPECT_NE(what.find("Sns.CallbackPrevFriendResponse"), std::string::npos) << what;
        EXPECT_NE(what.find("38000..39000"), std::string::npos) << what;
        EXPECT_NE(what.find(std::to_string(code)), std::string::npos) << what;
    }
    EXPECT_THROW((void)Reply::friend_results({}), imcb::DecisionError);
    EXPECT_NE(decision_error([] { return Reply::friend_results({}); }).find("at least one account"),
              std::string::npos);
}

TEST(AccountEvents, PrevFriendAddReplyMatchesTheDocumentedResultItem) {
    using Reply = imcb::SnsPrevFriendAdd::Reply;
    const Reply reply = Reply::friend_results(
        {imcb::FriendCheckResult::refuse("id1", 0, ""), imcb::FriendCheckResult::allow("id2")});
    EXPECT_EQ(reply.decision().to_reply(),
              imcb::test::read_json_file(std::string(IMCB_FIXTURES_DIR) +
                                         "/responses/Sns.CallbackPrevFriendAdd.resultitem.json"));
}

TEST(AccountEvents, FixturesRoundTripUnchanged) {
    EXPECT_EQ(json(decode_fixture<imcb::AlertRequestOverLimit>()), fixture<imcb::AlertRequestOverLimit>());
    EXPECT_EQ(json(decode_fixture<imcb::ProfilePortraitSet>()), fixture<imcb::ProfilePortraitSet>());
    EXPECT_EQ(json(decode_fixture<imcb::SnsPrevFriendResponse>()), fixture<imcb::SnsPrevFriendResponse>());
    EXPECT_EQ(json(decode_fixture<imcb::SnsFriendDelete>()), fixture<imcb::SnsFriendDelete>());
    EXPECT_EQ(json(decode_fixture<imcb::SnsBlackListAdd>()), fixture<imcb::SnsBlackListAdd>());
    EXPECT_EQ(json(decode_fixture<imcb::SnsBlackListDelete>()), fixture<imcb::SnsBlackListDelete>());
    EXPECT_EQ(json(decode_fixture<imcb::FollowAfterFollowAdd>()), fixture<imcb::FollowAfterFollowAdd>());
    EXPECT_EQ(json(decode_fixture<imcb::FollowAfterFollowDelete>()),
              fixture<imcb::FollowAfterFollowDelete>());
    EXPECT_EQ(json(decode_fixture<imcb::C2CAfterMsgReport>()), fixture<imcb::C2CAfterMsgReport>());
    EXPECT_EQ(json(decode_fixture<imcb::C2CAfterC2CMsgExtension>()),
              fixture<imcb::C2CAfterC2CMsgExtension>());
    EXPECT_EQ(json(decode_fixture<imcb::BotOnC2CMessage>()), fixture<imcb::BotOnC2CMessage>());
}

TEST(AccountEvents, OptionalFieldsMayBeAbsentOrPresent) {
    // A clear names no keys: ExtensionList may be [] or left out.
    json ext = fixture<imcb::C2CAfterC2CMsgExtension>();
    ext["OperateType"] = 3;
    ext["ExtensionList"] = json::array();
    auto cleared = ext.get<imcb::C2CAfterC2CMsgExtension>();
    EXPECT_EQ(cleared.operate_type, 3);
    ASSERT_TRUE(cleared.extension_list.has_value());
    EXPECT_TRUE(cleared.extension_list->empty());
    ext.erase("ExtensionList");
    EXPECT_EQ(ext.get<imcb::C2CAfterC2CMsgExtension>().extension_list, std::nullopt);

    // The newer read-report body carries EventTime and may leave UnreadMsgNum out.
    json report = fixture<imcb::C2CAfterMsgReport>();
    report.erase("UnreadMsgNum");
    report["EventTime"] = 1670574414123;
    const auto r = report.get<imcb::C2CAfterMsgReport>();
    EXPECT_EQ(r.unread_msg_num, std::nullopt);
    EXPECT_EQ(r.event_time, 1670574414123);
    EXPECT_EQ(json(r), report);

    // A failed delivery to the chatbot reports UnreadMsgNum -1.
    json bot = fixture<imcb::BotOnC2CMessage>();
    bot["UnreadMsgNum"] = -1;
    bot["MsgId"] = "144115233406643804-1557481126-2837546";
    const auto b = bot.get<imcb::BotOnC2CMessage>();
    EXPECT_EQ(b.unread_msg_num, -1);
    EXPECT_EQ(b.msg_id, "144115233406643804-1557481126-2837546");
    EXPECT_EQ(json(b), bot);

    // Pair lists of a newer shape keep what the SDK does not know.
    json pairs = fixture<imcb::SnsFriendDelete>();
    pairs["PairList"][0]["Initiator_Account"] = "id";
    const auto d = pairs.get<imcb::SnsFriendDelete>();
    EXPECT_EQ(d.pair_list[0].unknown_fields, (json{{"Initiator_Account", "id"}}));
    EXPECT_EQ(json(d), pairs);
}

TEST(AccountEvents, UnsignedAndSecondsFieldsAreChecked) {
    json bot = fixture<imcb::BotOnC2CMessage>();
    bot["MsgRandom"] = 4294967295u;
    bot["MsgSeq"] = 3998651049u;
    const auto e = bot.get<imcb::BotOnC2CMessage>();
    EXPECT_EQ(e.msg_random, 4294967295u);
    EXPECT_EQ(e.msg_seq, 3998651049u);
    bot["MsgSeq"] = 4294967296u;
    EXPECT_NE(
        decode_error<imcb::BotOnC2CMessage>(bot).find("field \"MsgSeq\" must be an unsigned 32-bit integer"),
        std::string::npos);

    json report = fixture<imcb::C2CAfterMsgReport>();
    report["LastReadTime"] = "1614754606";
    EXPECT_NE(decode_error<imcb::C2CAfterMsgReport>(report).find("\"LastReadTime\""), std::string::npos);

    json ext = fixture<imcb::C2CAfterC2CMsgExtension>();
    ext["ExtensionList"][1]["Seq"] = -1;
    const std::string what = decode_error<imcb::C2CAfterC2CMsgExtension>(ext);
    EXPECT_NE(what.find("\"ExtensionList\"[1]"), std::string::npos) << what;
    EXPECT_NE(what.find("field \"Seq\" must be an unsigned 64-bit integer"), std::string::npos) << what;
}

TEST(AccountEvents, MissingRequiredFieldsAreNamed) {
    json alert = fixture<imcb::AlertRequestOverLimit>();
    alert.erase("Limit");
    EXPECT_NE(decode_error<imcb::AlertRequestOverLimit>(alert).find("missing field \"Limit\""),
              std::string::npos);

    json response = fixture<imcb::SnsPrevFriendResponse>();
    response["ResponseFriendItem"][1].erase("ResponseAction");
    const std::string what = decode_error<imcb::SnsPrevFriendResponse>(response);
    EXPECT_NE(what.find("\"ResponseFriendItem\"[1]"), std::string::npos) << what;
    EXPECT_NE(what.find("missing field \"ResponseAction\""), std::string::npos) << what;

    json follow = fixture<imcb::FollowAfterFollowAdd>();
    follow["FollowList"][0] = "UserID_002";
    EXPECT_NE(decode_error<imcb::FollowAfterFollowAdd>(follow).find("\"FollowList\"[0]"), std::string::npos);

    json blocked = fixture<imcb::SnsBlackListAdd>();
    blocked["PairList"][2].erase("To_Account");
    EXPECT_NE(decode_error<imcb::SnsBlackListAdd>(blocked).find("missing field \"To_Account\""),
              std::string::npos);
}

}  // namespace
