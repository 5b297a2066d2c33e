// The commands the vendor documented after the first catalogue: message read receipts, clearing
// all unread messages, message edits, the call service's webhooks and the chatbot pass-through.
// Each decodes its fixture field by field; the catalogue test re-encodes every fixture and
// checks that each required field is required.

#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "support/examples.h"

namespace imcb::test {
namespace {

using nlohmann::json;

TEST(NewerEvents, C2CAfterMsgReadReceiptFixture) {
    static_assert(C2CAfterMsgReadReceipt::kPhase == Phase::After);
    const auto e = decode_fixture<C2CAfterMsgReadReceipt>();
    EXPECT_EQ(e.operator_account, "jared");
    EXPECT_EQ(e.peer_account, "Jonh");
    ASSERT_EQ(e.c2c_msg_info.size(), 1u);
    EXPECT_EQ(e.c2c_msg_info[0].from_account, "Jonh");
    EXPECT_EQ(e.c2c_msg_info[0].to_account, "jared");
    EXPECT_EQ(e.c2c_msg_info[0].msg_key, "33973751_24064952_1769139583");
    EXPECT_EQ(e.c2c_msg_info[0].msg_id, "144115433090395387-1769139578-24064952");
    EXPECT_EQ(e.event_time, 1769139587754);
    EXPECT_TRUE(e.unknown_fields.is_null());
}

TEST(NewerEvents, C2CAfterMsgReadAllFixtureAndNoGroups) {
    const auto e = decode_fixture<C2CAfterMsgReadAll>();
    EXPECT_EQ(e.report_account, "Jonh");
    EXPECT_EQ(e.event_time, 1769773302575);
    ASSERT_TRUE(e.group_read_info.has_value());
    ASSERT_EQ(e.group_read_info->size(), 1u);
    EXPECT_EQ(e.group_read_info->at(0).group_id, "groupid");
    EXPECT_EQ(e.group_read_info->at(0).msg_seq, 100u);

    json none = fixture<C2CAfterMsgReadAll>();
    none.erase("GroupReadInfo");
    EXPECT_FALSE(none.get<C2CAfterMsgReadAll>().group_read_info.has_value());
}

TEST(NewerEvents, C2CAfterModifyMsgCarriesTheNewContent) {
    const auto e = decode_fixture<C2CAfterModifyMsg>();
    EXPECT_EQ(e.operator_account, "jared");
    EXPECT_EQ(e.from_account, "jared");
    EXPECT_EQ(e.to_account, "Jonh");
    EXPECT_EQ(e.msg_seq, 609u);
    EXPECT_EQ(e.msg_random, 690u);
    EXPECT_EQ(e.msg_time, 1769771529);
    EXPECT_EQ(e.msg_key, "609_690_1769771529");
    expect_text_body(e.msg_body, "2026-01-30T11:20:26.548Z");
    EXPECT_EQ(e.cloud_custom_data, "1769772027");
    EXPECT_EQ(e.event_time, 1769772027036);
}

TEST(NewerEvents, GroupAfterModifyMsgFixture) {
    const auto e = decode_fixture<GroupAfterModifyMsg>();
    EXPECT_EQ(e.operator_account, "oper-user");
    EXPECT_EQ(e.group_id, "group-test-2");
    EXPECT_EQ(e.topic_id, "");
    EXPECT_EQ(e.msg_seq, 53u);
    expect_text_body(e.msg_body, "2026-03-06T02:09:35.302Z");
    EXPECT_EQ(e.event_time, 1772762975589);
}

TEST(NewerEvents, CallAfterStartCallFixture) {
    const auto e = decode_fixture<CallAfterStartCall>();
    EXPECT_EQ(e.call_info.call_id, "055662e1-bc8a-469c-a334-1126c8c17d58");
    EXPECT_EQ(e.call_info.call_media_type, "Audio");
    EXPECT_EQ(e.call_info.chat_group_id, "");
    EXPECT_EQ(e.call_info.room_id_type, 1);
    ASSERT_EQ(e.user_list.size(), 2u);
    EXPECT_EQ(e.user_list[0].user_account, "user1");
    EXPECT_EQ(e.user_list[0].status, "Calling");
    EXPECT_EQ(e.user_list[1].status, "Waiting");
    EXPECT_EQ(e.event_time, 1740464128807);
}

// The English page's example writes User_Account as a JSON number beyond 2^53: its digits are
// kept exactly, and it is written back as the string the field table documents.
TEST(NewerEvents, CallAccountsSentAsNumbersKeepTheirDigits) {
    json body = fixture<CallAfterStartCall>();
    body["UserList"][0]["User_Account"] = json::parse("144115212830834855");
    body["UserList"][1]["User_Account"] = json::parse("18446744073709551615");  // 2^64-1
    const auto e = body.get<CallAfterStartCall>();
    EXPECT_EQ(e.user_list[0].user_account, "144115212830834855");
    EXPECT_EQ(e.user_list[1].user_account, "18446744073709551615");
    EXPECT_EQ(json(e)["UserList"][0]["User_Account"], "144115212830834855");

    // Not identifiers: negative, fractional, 2^64 and beyond (parsed as floating point), arrays.
    for (const json& bad : {json(-7), json(1.5), json::parse("18446744073709551616"), json::array()}) {
        body["UserList"][0]["User_Account"] = bad;
        const std::string why = decode_error<CallAfterStartCall>(body);
        EXPECT_NE(why.find("\"User_Account\""), std::string::npos) << why;
        EXPECT_NE(why.find("a string (or an integer from 0 to 2^64-1)"), std::string::npos) << why;
    }
}

TEST(NewerEvents, CallAfterEndCallRecord) {
    const auto e = decode_fixture<CallAfterEndCall>();
    const CallRecord& r = e.call_record;
    EXPECT_EQ(r.call_id, "055662e1-bc8a-469c-a334-1126c8c17d58");
    EXPECT_EQ(r.caller_account, "10001");
    EXPECT_EQ(r.media_type, "Audio");
    EXPECT_EQ(r.call_type, "SingleCall");
    EXPECT_EQ(r.start_time, 1741231146);
    EXPECT_EQ(r.end_time, 1741231296);
    EXPECT_EQ(r.accept_time, 0);
    EXPECT_EQ(r.call_result, "NotAnswer");
    EXPECT_EQ(r.callee_list_account, (std::vector<std::string>{"10001", "user2"}));
    EXPECT_EQ(r.room_id, "roomid-1434");
    EXPECT_EQ(r.room_id_type, 2);
    EXPECT_EQ(e.event_time, 1703589922780);

    // One page types CallResult as an integer, and a numeric room may carry a numeric RoomId.
    json body = fixture<CallAfterEndCall>();
    body["CallRecord"]["CallResult"] = 3;
    body["CallRecord"]["RoomId"] = 1434;
    const auto n = body.get<CallAfterEndCall>();
    EXPECT_EQ(n.call_record.call_result, "3");
    EXPECT_EQ(n.call_record.room_id, "1434");
}

TEST(NewerEvents, CallAfterMemberChangedFixture) {
    const auto e = decode_fixture<CallAfterMemberChanged>();
    EXPECT_EQ(e.call_id, "055662e1-bc8a-469c-a334-1126c8c17d58");
    ASSERT_EQ(e.user_list.size(), 2u);
    EXPECT_EQ(e.user_list[1].user_account, "user2");
    ASSERT_EQ(e.changed_user_list.size(), 1u);
    EXPECT_EQ(e.changed_user_list[0].user_account, "user2");
    EXPECT_EQ(e.changed_user_list[0].action_type, "Accept");
    EXPECT_EQ(e.event_time, 1740464128807);
}

TEST(NewerEvents, ChatbotOnC2CSignalMessageFixture) {
    static_assert(ChatbotOnC2CSignalMessage::kPhase == Phase::Before);
    const auto e = decode_fixture<ChatbotOnC2CSignalMessage>();
    EXPECT_EQ(e.from_account, "user01");
    EXPECT_EQ(e.to_account, "@RBT#chatbot");
    EXPECT_EQ(e.msg_seq, 5678u);
    EXPECT_EQ(e.msg_random, 8765u);
    EXPECT_EQ(e.msg_key, "8765_5678_4321");
    EXPECT_EQ(e.event_time, 1670574414123);
    EXPECT_EQ(json::parse(e.data), (json{{"msg", "This is a user-defined passthrough content"}}));
}

TEST(NewerEvents, ChatbotRepliesPassRspDataBackOrNothing) {
    const json documented =
        read_json_file(std::string(IMCB_FIXTURES_DIR) + "/responses/Chatbot.OnC2CSignalMessage.respond.json");
    const std::string rsp = documented.at("RspData").get<std::string>();
    using Reply = ChatbotOnC2CSignalMessage::Reply;
    EXPECT_EQ(Reply::respond(rsp).decision().to_reply(), documented);
    const json denied = Reply::deny().decision().to_reply();
    EXPECT_EQ(denied.at("ErrorCode"), 1);
    EXPECT_FALSE(denied.contains("RspData"));

    // A raw handler's respond() is checked against the command: other commands pass nothing back.
    const auto* info = find_command("C2C.CallbackBeforeSendMsg");
    ASSERT_NE(info, nullptr);
    EXPECT_NE(Decision::respond("x").violation(info->rules).find("RspData"), std::string::npos);
    EXPECT_EQ(Decision::respond("x").violation(ChatbotOnC2CSignalMessage::kRules), "");
    // A raw allow() would reply without RspData: refused like the typed one (which does not compile).
    EXPECT_NE(Decision::allow().violation(ChatbotOnC2CSignalMessage::kRules).find("respond(RspData)"),
              std::string::npos);
}

}  // namespace
}  // namespace imcb::test
