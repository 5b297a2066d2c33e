// Decoding of the documented example bodies (tests/fixtures) and of the vendor's quirks.

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

using imcb::test::decode_error;
using imcb::test::decode_fixture;
using imcb::test::expect_accounts;
using imcb::test::expect_text_body;
using imcb::test::fixture;

constexpr std::int64_t kGroupEventTime = 1670574414123;

// ---------------------------------------------------------------- fixtures, field by field

TEST(EventsJson, StateChangeFixture) {
    const auto e = decode_fixture<imcb::StateChange>();
    EXPECT_EQ(e.event_time, 1629883332497);
    EXPECT_EQ(e.info.action, "Login");
    EXPECT_EQ(e.info.to_account, "testuser316");
    EXPECT_EQ(e.info.reason, "Register");
    ASSERT_TRUE(e.kicked_device.has_value());
    ASSERT_EQ(e.kicked_device->size(), 2u);
    EXPECT_EQ(e.kicked_device->at(0).platform, "Windows");
    EXPECT_EQ(e.kicked_device->at(1).platform, "Android");
}

TEST(EventsJson, C2CBeforeSendMsgFixture) {
    const auto e = decode_fixture<imcb::C2CBeforeSendMsg>();
    EXPECT_EQ(e.from_account, "jared");
    EXPECT_EQ(e.to_account, "John");
    EXPECT_EQ(e.msg_seq, 48374u);
    EXPECT_EQ(e.msg_random, 2837546u);
    EXPECT_EQ(e.msg_time, 1557481126);
    EXPECT_EQ(e.msg_key, "48374_2837546_1557481126");
    EXPECT_EQ(e.msg_id, std::nullopt);
    EXPECT_EQ(e.online_only_flag, 1);
    expect_text_body(e.msg_body, "red packet");
    EXPECT_EQ(e.cloud_custom_data, "your cloud custom data");
    EXPECT_EQ(e.event_time, std::nullopt);
}

TEST(EventsJson, C2CAfterSendMsgFixture) {
    const auto e = decode_fixture<imcb::C2CAfterSendMsg>();
    EXPECT_EQ(e.from_account, "jared");
    EXPECT_EQ(e.to_account, "Jonh");  // sic, as in the vendor's example
    EXPECT_EQ(e.msg_seq, 48374u);
    EXPECT_EQ(e.msg_random, 2837546u);
    EXPECT_EQ(e.msg_time, 1557481126);
    EXPECT_EQ(e.msg_key, "48374_2837546_1557481126");
    EXPECT_EQ(e.msg_id, std::nullopt);
    EXPECT_EQ(e.online_only_flag, 1);
    EXPECT_EQ(e.send_msg_result, 0);
    EXPECT_EQ(e.error_info, "send msg succeed");
    EXPECT_EQ(e.unread_msg_num, 7);
    expect_text_body(e.msg_body, "red packet");
    EXPECT_EQ(e.cloud_custom_data, "your cloud custom data");
    EXPECT_EQ(e.event_time, std::nullopt);
}

TEST(EventsJson, C2CAfterMsgWithDrawFixture) {
    const auto e = decode_fixture<imcb::C2CAfterMsgWithDraw>();
    EXPECT_EQ(e.from_account, "jared");
    EXPECT_EQ(e.to_account, "Jonh");
    EXPECT_EQ(e.msg_key, "48374_2837546_1557481126");
    EXPECT_EQ(e.unread_msg_num, 7);
    EXPECT_EQ(e.event_time, std::nullopt);
}

TEST(EventsJson, GroupBeforeSendMsgFixture) {
    const auto e = decode_fixture<imcb::GroupBeforeSendMsg>();
    EXPECT_EQ(e.group_id, "@TGS#2J4SZEAEL");
    EXPECT_EQ(e.type, "Community");
    EXPECT_EQ(e.from_account, "jared");
    EXPECT_EQ(e.operator_account, "admin");
    EXPECT_EQ(e.random, 123456u);
    EXPECT_EQ(e.msg_id, std::nullopt);
    EXPECT_EQ(e.online_only_flag, 1);
    expect_text_body(e.msg_body, "red packet");
    EXPECT_EQ(e.cloud_custom_data, "your cloud custom data");
    EXPECT_EQ(e.topic_id, "@TGS#_@TGS#cQVLVHIM62CJ@TOPIC#_TestTopic");
    EXPECT_EQ(e.event_time, kGroupEventTime);  // sent as the string "1670574414123"
}

TEST(EventsJson, GroupAfterSendMsgFixture) {
    const auto e = decode_fixture<imcb::GroupAfterSendMsg>();
    EXPECT_EQ(e.group_id, "@TGS#2J4SZEAEL");
    EXPECT_EQ(e.type, "Public");
    EXPECT_EQ(e.from_account, "jared");
    EXPECT_EQ(e.operator_account, "admin");
    EXPECT_EQ(e.random, 123456u);
    EXPECT_EQ(e.msg_seq, 123u);
    EXPECT_EQ(e.msg_time, 1490686222);
    EXPECT_EQ(e.msg_id, std::nullopt);
    EXPECT_EQ(e.online_only_flag, 1);
    expect_text_body(e.msg_body, "red packet");
    EXPECT_EQ(e.cloud_custom_data, "your cloud custom data");
    EXPECT_EQ(e.topic_id, std::nullopt);
    EXPECT_EQ(e.event_time, kGroupEventTime);
}

TEST(EventsJson, GroupBeforeCreateGroupFixture) {
    const auto e = decode_fixture<imcb::GroupBeforeCreateGroup>();
    EXPECT_EQ(e.operator_account, "leckie");
    EXPECT_EQ(e.owner_account, "leckie");
    EXPECT_EQ(e.type, "Public");
    EXPECT_EQ(e.name, "MyFirstGroup");
    EXPECT_EQ(e.create_group_num, 123);
    expect_accounts(e.member_list, {"bob", "peter"});
    EXPECT_EQ(e.event_time, kGroupEventTime);
}

TEST(EventsJson, GroupAfterCreateGroupFixture) {
    const auto e = decode_fixture<imcb::GroupAfterCreateGroup>();
    EXPECT_EQ(e.group_id, "@TGS#2J4SZEAEL");
    EXPECT_EQ(e.operator_account, "group_root");
    EXPECT_EQ(e.owner_account, "leckie");
    EXPECT_EQ(e.type, "Public");
    EXPECT_EQ(e.name, "MyFirstGroup");
    expect_accounts(e.member_list, {"bob", "peter"});
    ASSERT_TRUE(e.user_defined_data_list.has_value());
    const auto& data = *e.user_defined_data_list;
    ASSERT_EQ(data.size(), 2u);
    EXPECT_EQ(data[0].key, "UserDefined1");
    EXPECT_EQ(data[0].value, "hello");
    EXPECT_EQ(data[1].key, "UserDefined2");
    EXPECT_EQ(data[1].value, "world");
    EXPECT_EQ(e.event_time, kGroupEventTime);
}

TEST(EventsJson, GroupAfterNewMemberJoinFixture) {
    const auto e = decode_fixture<imcb::GroupAfterNewMemberJoin>();
    EXPECT_EQ(e.group_id, "@TGS#2J4SZEAEL");
    EXPECT_EQ(e.type, "Public");
    EXPECT_EQ(e.join_type, "Apply");
    EXPECT_EQ(e.operator_account, "leckie");
    expect_accounts(e.new_member_list, {"jared", "tommy"});
    EXPECT_EQ(e.event_time, kGroupEventTime);
}

TEST(EventsJson, GroupAfterMemberExitFixture) {
    const auto e = decode_fixture<imcb::GroupAfterMemberExit>();
    EXPECT_EQ(e.group_id, "@TGS#2J4SZEAEL");
    EXPECT_EQ(e.type, "Public");
    EXPECT_EQ(e.exit_type, "Kicked");
    EXPECT_EQ(e.operator_account, "leckie");
    expect_accounts(e.exit_member_list, {"jared", "tommy"});
    EXPECT_EQ(e.event_time, kGroupEventTime);
}

TEST(EventsJson, SnsFriendAddFixture) {
    const auto e = decode_fixture<imcb::SnsFriendAdd>();
    ASSERT_EQ(e.pair_list.size(), 3u);
    const std::vector<std::string> to{"id1", "id2", "id3"};
    for (std::size_t i = 0; i < e.pair_list.size(); ++i) {
        EXPECT_EQ(e.pair_list[i].from_account, "id");
        EXPECT_EQ(e.pair_list[i].to_account, to[i]);
        EXPECT_EQ(e.pair_list[i].initiator_account, "id");
    }
    EXPECT_EQ(e.client_cmd, "friend_add");
    EXPECT_EQ(e.admin_account, "");
    EXPECT_EQ(e.force_flag, 1);
    EXPECT_EQ(e.event_time, std::nullopt);
}

TEST(EventsJson, SnsPrevFriendAddFixture) {
    const auto e = decode_fixture<imcb::SnsPrevFriendAdd>();
    EXPECT_EQ(e.requester_account, "id");
    EXPECT_EQ(e.from_account, "id");
    ASSERT_EQ(e.friend_item.size(), 2u);
    EXPECT_EQ(e.friend_item[0].to_account, "id1");
    EXPECT_EQ(e.friend_item[0].remark, "remark1");
    EXPECT_EQ(e.friend_item[0].group_name, "group1");
    EXPECT_EQ(e.friend_item[0].add_source, "AddSource_Type_Android");
    EXPECT_EQ(e.friend_item[0].add_wording, "this is id1!");
    EXPECT_EQ(e.friend_item[1].to_account, "id2");
    EXPECT_EQ(e.friend_item[1].remark, "remark2");
    EXPECT_EQ(e.friend_item[1].group_name, "group1");
    EXPECT_EQ(e.friend_item[1].add_source, "AddSource_Type_Android");
    EXPECT_EQ(e.friend_item[1].add_wording, "this is id2!");
    EXPECT_EQ(e.add_type, "Add_Type_Both");
    EXPECT_EQ(e.force_add_flags, 0);
    EXPECT_EQ(e.event_time, 1631777344870);  // a number here, unlike the group examples
}

// ---------------------------------------------------------------- every known event

template <class Event>
void check_known_event() {
    SCOPED_TRACE(std::string(Event::kCommand));
    const json body = fixture<Event>();
    if constexpr (imcb::detail::command_in_body<Event>::value) {
        EXPECT_EQ(body.at("CallbackCommand"), Event::kCommand);
    } else {
        EXPECT_FALSE(body.contains("CallbackCommand"));
    }
    EXPECT_NO_THROW((void)body.get<Event>());
    for (const json& not_object : {json::array(), json("text"), json(42), json(nullptr)}) {
        EXPECT_NE(decode_error<Event>(not_object).find("must be a JSON object"), std::string::npos)
            << not_object.dump();
    }
}

template <class... Events>
void check_known_events(imcb::EventList<Events...>) {
    (check_known_event<Events>(), ...);
}

TEST(EventsJson, EveryKnownEventDecodesItsFixtureAndRejectsNonObjects) {
    check_known_events(imcb::KnownEvents{});
}

TEST(EventsJson, DeclaresPhaseAndRules) {
    static_assert(imcb::C2CAfterSendMsg::kPhase == imcb::Phase::After);
    static_assert(imcb::SnsFriendAdd::kPhase == imcb::Phase::After);

    constexpr auto c2c = imcb::C2CBeforeSendMsg::kRules;
    EXPECT_TRUE(c2c.can_drop);
    EXPECT_EQ(c2c.custom_code_min, 120001);
    EXPECT_EQ(c2c.custom_code_max, 130000);
    EXPECT_TRUE(c2c.can_modify_message);

    static_assert(imcb::GroupBeforeSendMsg::kPhase == imcb::Phase::Before);
    constexpr auto group_msg = imcb::GroupBeforeSendMsg::kRules;
    EXPECT_TRUE(group_msg.can_drop);
    EXPECT_EQ(group_msg.custom_code_min, 10100);
    EXPECT_EQ(group_msg.custom_code_max, 10200);
    EXPECT_TRUE(group_msg.can_modify_message);
    EXPECT_FALSE(group_msg.can_refuse_members);
    EXPECT_FALSE(group_msg.has_friend_results);

    static_assert(imcb::GroupBeforeCreateGroup::kPhase == imcb::Phase::Before);
    constexpr auto create = imcb::GroupBeforeCreateGroup::kRules;
    EXPECT_FALSE(create.can_drop);
    EXPECT_EQ(create.custom_code_min, 10100);
    EXPECT_EQ(create.custom_code_max, 10200);
    EXPECT_FALSE(create.can_modify_message);
    EXPECT_FALSE(create.has_friend_results);

    static_assert(imcb::SnsPrevFriendAdd::kPhase == imcb::Phase::Before);
    constexpr auto friends = imcb::SnsPrevFriendAdd::kRules;
    EXPECT_FALSE(friends.can_drop);
    EXPECT_EQ(friends.custom_code_min, 0);
    EXPECT_EQ(friends.custom_code_max, 0);
    EXPECT_FALSE(friends.can_modify_message);
    EXPECT_TRUE(friends.has_friend_results);
    EXPECT_EQ(friends.result_code_min, 38000);
    EXPECT_EQ(friends.result_code_max, 39000);
}

// ---------------------------------------------------------------- quirks

TEST(EventsJson, EventTimeAcceptsNumberAndDigitString) {
    json body = fixture<imcb::GroupAfterNewMemberJoin>();
    body["EventTime"] = "1670574414123";
    EXPECT_EQ(body.get<imcb::GroupAfterNewMemberJoin>().event_time, kGroupEventTime);
    body["EventTime"] = 1670574414123;
    EXPECT_EQ(body.get<imcb::GroupAfterNewMemberJoin>().event_time, kGroupEventTime);
    body["EventTime"] = "9223372036854775807";
    EXPECT_EQ(body.get<imcb::GroupAfterNewMemberJoin>().event_time, INT64_MAX);
    body["EventTime"] = 9223372036854775807u;
    EXPECT_EQ(body.get<imcb::GroupAfterNewMemberJoin>().event_time, INT64_MAX);
    body["EventTime"] = "0";
    EXPECT_EQ(body.get<imcb::GroupAfterNewMemberJoin>().event_time, 0);
    body["EventTime"] = nullptr;
    EXPECT_EQ(body.get<imcb::GroupAfterNewMemberJoin>().event_time, std::nullopt);
    body.erase("EventTime");
    EXPECT_EQ(body.get<imcb::GroupAfterNewMemberJoin>().event_time, std::nullopt);
}

TEST(EventsJson, EventTimeRejectsOtherValues) {
    json body = fixture<imcb::GroupAfterNewMemberJoin>();
    for (const json& bad :
         {json(""), json("abc"), json("-1"), json("+1"), json(" 1"), json("1.5"), json("1e3"),
          json("99999999999999999999"), json(-1), json(1.5), json(9223372036854775808u),
          json(18446744073709551615u), json(true), json::array(), json::object()}) {
        body["EventTime"] = bad;
        const std::string what = decode_error<imcb::GroupAfterNewMemberJoin>(body);
        EXPECT_NE(what.find("\"EventTime\""), std::string::npos) << bad.dump() << ": " << what;
        EXPECT_NE(what.find("string of digits"), std::string::npos) << bad.dump() << ": " << what;
    }
}

TEST(EventsJson, MsgRandomIsUnsigned32Bit) {
    json body = fixture<imcb::C2CBeforeSendMsg>();
    body["MsgRandom"] = 3998651049u;
    EXPECT_EQ(body.get<imcb::C2CBeforeSendMsg>().msg_random, 3998651049u);
    body["MsgRandom"] = 4294967295u;
    EXPECT_EQ(body.get<imcb::C2CBeforeSendMsg>().msg_random, 4294967295u);
    body["MsgRandom"] = 0;
    EXPECT_EQ(body.get<imcb::C2CBeforeSendMsg>().msg_random, 0u);

    for (const json& bad : {json(4294967296u), json(-1), json(1.5), json("12"), json(nullptr)}) {
        body["MsgRandom"] = bad;
        const std::string what = decode_error<imcb::C2CBeforeSendMsg>(body);
        EXPECT_NE(what.find("field \"MsgRandom\" must be an unsigned 32-bit integer"), std::string::npos)
            << bad.dump() << ": " << what;
    }
}

TEST(EventsJson, MsgSeqAndRandomAreUnsigned32Bit) {
    json body = fixture<imcb::GroupAfterSendMsg>();
    body["Random"] = 4294967295u;
    body["MsgSeq"] = 3998651049u;
    const auto e = body.get<imcb::GroupAfterSendMsg>();
    EXPECT_EQ(e.random, 4294967295u);
    EXPECT_EQ(e.msg_seq, 3998651049u);

    body["MsgSeq"] = 4294967296u;
    EXPECT_NE(decode_error<imcb::GroupAfterSendMsg>(body).find(
                  "field \"MsgSeq\" must be an unsigned 32-bit integer, not 4294967296"),
              std::string::npos);
    body["MsgSeq"] = 1;
    body["Random"] = -1;
    EXPECT_NE(decode_error<imcb::GroupAfterSendMsg>(body).find(
                  "field \"Random\" must be an unsigned 32-bit integer, not -1"),
              std::string::npos);
}

TEST(EventsJson, SignedFieldsRejectOutOfRange) {
    json body = fixture<imcb::C2CAfterSendMsg>();
    body["UnreadMsgNum"] = -1;  // documented for failed delivery
    EXPECT_EQ(body.get<imcb::C2CAfterSendMsg>().unread_msg_num, -1);
    body["UnreadMsgNum"] = 2147483648u;
    EXPECT_NE(
        decode_error<imcb::C2CAfterSendMsg>(body).find("field \"UnreadMsgNum\" must be a 32-bit integer"),
        std::string::npos);
}

TEST(EventsJson, MissingRequiredFieldIsNamed) {
    json body = fixture<imcb::C2CBeforeSendMsg>();
    body.erase("From_Account");
    EXPECT_THROW((void)body.get<imcb::C2CBeforeSendMsg>(), json::out_of_range);
    EXPECT_NE(decode_error<imcb::C2CBeforeSendMsg>(body).find("missing field \"From_Account\""),
              std::string::npos);

    json group = fixture<imcb::GroupAfterSendMsg>();
    group.erase("MsgSeq");
    EXPECT_NE(decode_error<imcb::GroupAfterSendMsg>(group).find("missing field \"MsgSeq\""),
              std::string::npos);

    json friends = fixture<imcb::SnsPrevFriendAdd>();
    friends.erase("FriendItem");
    EXPECT_NE(decode_error<imcb::SnsPrevFriendAdd>(friends).find("missing field \"FriendItem\""),
              std::string::npos);
}

TEST(EventsJson, NestedErrorsNameThePath) {
    json body = fixture<imcb::C2CBeforeSendMsg>();
    body["MsgBody"][0].erase("MsgType");
    EXPECT_NE(decode_error<imcb::C2CBeforeSendMsg>(body).find("in \"MsgBody\"[0]: missing field \"MsgType\""),
              std::string::npos);

    json state = fixture<imcb::StateChange>();
    state["Info"].erase("Action");
    EXPECT_NE(decode_error<imcb::StateChange>(state).find("in \"Info\": missing field \"Action\""),
              std::string::npos);

    json friends = fixture<imcb::SnsFriendAdd>();
    friends["PairList"][2]["To_Account"] = 7;
    EXPECT_NE(decode_error<imcb::SnsFriendAdd>(friends).find(
                  "in \"PairList\"[2]: field \"To_Account\" must be a string, not 7"),
              std::string::npos);

    json members = fixture<imcb::GroupAfterMemberExit>();
    members["ExitMemberList"][1] = "tommy";
    EXPECT_NE(decode_error<imcb::GroupAfterMemberExit>(members).find(
                  "field \"ExitMemberList\"[1] must be an object, not string"),
              std::string::npos);
}

TEST(EventsJson, WrongTypeIsNamed) {
    json body = fixture<imcb::C2CAfterMsgWithDraw>();
    body["From_Account"] = 5;
    EXPECT_THROW((void)body.get<imcb::C2CAfterMsgWithDraw>(), json::type_error);
    EXPECT_NE(
        decode_error<imcb::C2CAfterMsgWithDraw>(body).find("field \"From_Account\" must be a string, not 5"),
        std::string::npos);

    json group = fixture<imcb::GroupBeforeSendMsg>();
    group["MsgBody"] = json::object();
    EXPECT_NE(
        decode_error<imcb::GroupBeforeSendMsg>(group).find("field \"MsgBody\" must be an array, not object"),
        std::string::npos);

    group = fixture<imcb::GroupBeforeSendMsg>();
    group["MsgBody"][0]["MsgContent"] = "red packet";
    EXPECT_NE(decode_error<imcb::GroupBeforeSendMsg>(group).find(
                  "field \"MsgContent\" must be an object, not string"),
              std::string::npos);
}

TEST(EventsJson, UnknownFieldsAreIgnored) {
    json body = fixture<imcb::C2CBeforeSendMsg>();
    body["SomeFutureField"] = {{"nested", json::array({1, 2, 3})}};
    body["MsgBody"][0]["Extra"] = true;
    body["MsgBody"][0]["MsgContent"]["Extra"] = "x";
    const auto e = body.get<imcb::C2CBeforeSendMsg>();
    EXPECT_EQ(e.from_account, "jared");
    EXPECT_EQ(e.msg_body.at(0).text(), "red packet");

    json state = fixture<imcb::StateChange>();
    state["Info"]["NewField"] = 1;
    state["KickedDevice"][0]["Extra"] = nullptr;
    const auto s = state.get<imcb::StateChange>();
    EXPECT_EQ(s.info.action, "Login");
    EXPECT_EQ(s.info.unknown_fields, (json{{"NewField", 1}}));
    EXPECT_EQ(s.kicked_device->at(0).unknown_fields, (json{{"Extra", nullptr}}));
    EXPECT_EQ(json(s), state) << "re-encoding keeps unknown fields at every level";
    EXPECT_EQ(e.unknown_fields, (json{{"SomeFutureField", {{"nested", json::array({1, 2, 3})}}}}));

    json friends = fixture<imcb::SnsPrevFriendAdd>();
    friends["FriendItem"][0]["Unknown"] = "?";
    EXPECT_EQ(friends.get<imcb::SnsPrevFriendAdd>().friend_item.at(0).to_account, "id1");
}

TEST(EventsJson, OptionalFieldsMayBeAbsentOrNull) {
    json body = fixture<imcb::C2CBeforeSendMsg>();
    body.erase("CloudCustomData");
    body["OnlineOnlyFlag"] = nullptr;
    body["MsgId"] = "144115233406643804-1727580296-4026038328";
    body["EventTime"] = 1727580296999;
    const auto e = body.get<imcb::C2CBeforeSendMsg>();
    EXPECT_EQ(e.cloud_custom_data, std::nullopt);
    EXPECT_EQ(e.online_only_flag, std::nullopt);
    EXPECT_EQ(e.msg_id, "144115233406643804-1727580296-4026038328");
    EXPECT_EQ(e.event_time, 1727580296999);

    json state = fixture<imcb::StateChange>();
    state.erase("KickedDevice");
    EXPECT_EQ(state.get<imcb::StateChange>().kicked_device, std::nullopt);

    json create = fixture<imcb::GroupAfterCreateGroup>();
    create.erase("Owner_Account");
    create.erase("MemberList");
    create.erase("UserDefinedDataList");
    const auto c = create.get<imcb::GroupAfterCreateGroup>();
    EXPECT_EQ(c.owner_account, std::nullopt);
    EXPECT_EQ(c.member_list, std::nullopt);
    EXPECT_EQ(c.user_defined_data_list, std::nullopt);

    json friends = fixture<imcb::SnsPrevFriendAdd>();
    friends["FriendItem"] = json::array({{{"To_Account", "id9"}}});
    const auto f = friends.get<imcb::SnsPrevFriendAdd>();
    ASSERT_EQ(f.friend_item.size(), 1u);
    EXPECT_EQ(f.friend_item[0].to_account, "id9");
    EXPECT_EQ(f.friend_item[0].remark, std::nullopt);
    EXPECT_EQ(f.friend_item[0].group_name, std::nullopt);
    EXPECT_EQ(f.friend_item[0].add_source, std::nullopt);
    EXPECT_EQ(f.friend_item[0].add_wording, std::nullopt);

    json pairs = fixture<imcb::SnsFriendAdd>();
    pairs["PairList"][0].erase("Initiator_Account");
    EXPECT_EQ(pairs.get<imcb::SnsFriendAdd>().pair_list.at(0).initiator_account, std::nullopt);
}

TEST(EventsJson, MsgElementRoundTripsAndTextIsOnlyForTextElements) {
    const json custom = {{"MsgType", "TIMCustomElem"},
                         {"MsgContent", {{"Data", "d"}, {"Desc", "x"}, {"Text", "not text"}}}};
    const auto e = custom.get<imcb::MsgElement>();
    EXPECT_EQ(e.type, "TIMCustomElem");
    EXPECT_EQ(e.text(), "");
    EXPECT_EQ(json(e), custom);

    const json text = {{"MsgType", "TIMTextElem"}, {"MsgContent", {{"Text", "hi"}}}};
    EXPECT_EQ(text.get<imcb::MsgElement>().text(), "hi");
    EXPECT_EQ(json(text.get<imcb::MsgElement>()), text);
}

}  // namespace
