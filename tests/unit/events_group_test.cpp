// Group callbacks (Group.* and Bot.OnGroupMessage): each example body decodes field by field, and
// the before-callbacks accept exactly the answers the vendor documents.

#include <cstdint>
#include <fstream>
#include <optional>
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

using nlohmann::json;

using imcb::test::decision_error;
using imcb::test::decode_fixture;
using imcb::test::expect_accounts;
using imcb::test::expect_text_body;
using imcb::test::fixture;
using imcb::test::read_json_file;

constexpr std::int64_t kGroupEventTime = 1670574414123;

// ---------------------------------------------------------------- before-callbacks

TEST(GroupEvents, BeforeApplyJoinGroupFixture) {
    static_assert(imcb::GroupBeforeApplyJoinGroup::kPhase == imcb::Phase::Before);
    const auto e = decode_fixture<imcb::GroupBeforeApplyJoinGroup>();
    EXPECT_EQ(e.group_id, "@TGS#2J4SZEAEL");
    EXPECT_EQ(e.type, "Public");
    EXPECT_EQ(e.requestor_account, "jared");
    EXPECT_EQ(e.event_time, kGroupEventTime);
    EXPECT_TRUE(e.unknown_fields.is_null());
}

TEST(GroupEvents, BeforeInviteJoinGroupFixture) {
    static_assert(imcb::GroupBeforeInviteJoinGroup::kPhase == imcb::Phase::Before);
    const auto e = decode_fixture<imcb::GroupBeforeInviteJoinGroup>();
    EXPECT_EQ(e.group_id, "@TGS#2J4SZEAEL");
    EXPECT_EQ(e.type, "Public");
    EXPECT_EQ(e.operator_account, "leckie");
    expect_accounts(e.destination_members, {"jared", "leckie"});
    EXPECT_EQ(e.event_time, kGroupEventTime);
    EXPECT_TRUE(e.unknown_fields.is_null());
}

TEST(GroupEvents, BeforeCreateTopicFixture) {
    static_assert(imcb::GroupBeforeCreateTopic::kPhase == imcb::Phase::Before);
    const auto e = decode_fixture<imcb::GroupBeforeCreateTopic>();
    EXPECT_EQ(e.operator_account, "leckie");
    EXPECT_EQ(e.type, "Community");
    EXPECT_EQ(e.name, "MyFirstTopic");
    EXPECT_EQ(e.group_id, std::nullopt);
    EXPECT_EQ(e.event_time, std::nullopt);
    EXPECT_TRUE(e.unknown_fields.is_null());
}

TEST(GroupEvents, BeforeCallbacksDeclareTheirRules) {
    constexpr auto apply = imcb::GroupBeforeApplyJoinGroup::kRules;
    EXPECT_EQ(apply.custom_code_min, 10100);
    EXPECT_EQ(apply.custom_code_max, 10200);
    EXPECT_FALSE(apply.can_drop);
    EXPECT_FALSE(apply.can_modify_message);
    EXPECT_FALSE(apply.can_refuse_members);

    constexpr auto invite = imcb::GroupBeforeInviteJoinGroup::kRules;
    EXPECT_EQ(invite.custom_code_min, 10100);
    EXPECT_EQ(invite.custom_code_max, 10200);
    EXPECT_TRUE(invite.can_refuse_members);
    EXPECT_FALSE(invite.can_drop);
    EXPECT_FALSE(invite.can_modify_message);
    EXPECT_FALSE(invite.can_refuse_subscribers);

    constexpr auto topic = imcb::GroupBeforeCreateTopic::kRules;
    EXPECT_EQ(topic.custom_code_min, 10100);
    EXPECT_EQ(topic.custom_code_max, 10200);
    EXPECT_FALSE(topic.can_drop);
    EXPECT_FALSE(topic.can_modify_message);
    EXPECT_FALSE(topic.can_refuse_members);
}

TEST(GroupEvents, InviteJoinGroupPartialRefusalReply) {
    const json expected = read_json_file(std::string(IMCB_FIXTURES_DIR) +
                                         "/responses/Group.CallbackBeforeInviteJoinGroup.partial.json");
    ASSERT_TRUE(expected.is_object());
    const auto reply = imcb::GroupBeforeInviteJoinGroup::Reply::refuse_members({"jared"});
    EXPECT_EQ(reply.decision().kind(), imcb::Decision::Kind::RefuseMembers);
    EXPECT_EQ(reply.decision().to_reply(), expected);
}

TEST(GroupEvents, InviteJoinGroupDenyCodesStayInRange) {
    using Reply = imcb::GroupBeforeInviteJoinGroup::Reply;
    for (const int code : {10099, 10201, 2, 0, -1}) {
        SCOPED_TRACE(code);
        const std::string what = decision_error([code] { return Reply::deny(code, "no"); });
        EXPECT_NE(what.find("10100..10200"), std::string::npos) << what;
        EXPECT_NE(what.find("Group.CallbackBeforeInviteJoinGroup"), std::string::npos) << what;
    }
    for (const int code : {10100, 10150, 10200}) {
        SCOPED_TRACE(code);
        const auto reply = Reply::deny(code, "invitations are closed");
        EXPECT_EQ(reply.decision().kind(), imcb::Decision::Kind::Deny);
        EXPECT_EQ(reply.decision().error_code(), code);
        EXPECT_EQ(reply.decision().error_info(), "invitations are closed");
        EXPECT_EQ(
            reply.decision().to_reply(),
            (json{{"ActionStatus", "OK"}, {"ErrorCode", code}, {"ErrorInfo", "invitations are closed"}}));
    }
    EXPECT_EQ(Reply::deny().decision().error_code(), 1);
}

TEST(GroupEvents, InviteJoinGroupRefusesNobodyIsAnError) {
    using Reply = imcb::GroupBeforeInviteJoinGroup::Reply;
    const std::string what = decision_error([] { return Reply::refuse_members({}); });
    EXPECT_NE(what.find("refuse_members"), std::string::npos) << what;
    EXPECT_FALSE(decision_error([] { return Reply::refuse_members({"jared", ""}); }).empty());
}

TEST(GroupEvents, ApplyJoinGroupDenyCodesStayInRange) {
    using Reply = imcb::GroupBeforeApplyJoinGroup::Reply;
    EXPECT_NE(decision_error([] { return Reply::deny(10201, "no"); }).find("10100..10200"),
              std::string::npos);
    EXPECT_EQ(Reply::deny(10100, "full").decision().error_code(), 10100);
    EXPECT_EQ(Reply::allow().decision().to_reply(),
              (json{{"ActionStatus", "OK"}, {"ErrorCode", 0}, {"ErrorInfo", ""}}));
}

TEST(GroupEvents, CreateTopicAllowsAndDenies) {
    using Reply = imcb::GroupBeforeCreateTopic::Reply;
    const auto allow = Reply::allow();
    EXPECT_EQ(allow.decision().kind(), imcb::Decision::Kind::Allow);
    EXPECT_EQ(allow.decision().to_reply(),
              (json{{"ActionStatus", "OK"}, {"ErrorCode", 0}, {"ErrorInfo", ""}}));
    const auto deny = Reply::deny();
    EXPECT_EQ(deny.decision().kind(), imcb::Decision::Kind::Deny);
    EXPECT_EQ(deny.decision().error_code(), 1);
    EXPECT_EQ(deny.decision().to_reply().at("ErrorCode"), 1);
    EXPECT_EQ(deny.decision().violation(imcb::GroupBeforeCreateTopic::kRules), "");
    // Custom codes as for the other group commands; the factory refuses the others.
    EXPECT_EQ(Reply::deny(10100, "no topics today").decision().to_reply(),
              (json{{"ActionStatus", "OK"}, {"ErrorCode", 10100}, {"ErrorInfo", "no topics today"}}));
    EXPECT_THROW((void)Reply::deny(120001, "no"), imcb::DecisionError);
    EXPECT_NE(imcb::Decision::drop().violation(imcb::GroupBeforeCreateTopic::kRules), "");
}

// ---------------------------------------------------------------- messages

TEST(GroupEvents, SendMsgExceptionFixture) {
    static_assert(imcb::GroupSendMsgException::kPhase == imcb::Phase::After);
    const auto e = decode_fixture<imcb::GroupSendMsgException>();
    EXPECT_EQ(e.group_id, "@TGS#2J4SZEAEL");
    EXPECT_EQ(e.type, "Public");
    EXPECT_EQ(e.from_account, "jared");
    EXPECT_EQ(e.operator_account, "admin");
    EXPECT_EQ(e.random, 123456u);
    EXPECT_EQ(e.msg_id, std::nullopt);
    EXPECT_EQ(e.online_only_flag, 1);
    expect_text_body(e.msg_body, "red packet");
    EXPECT_EQ(e.cloud_custom_data, "your cloud custom data");
    EXPECT_EQ(e.topic_id, std::nullopt);
    EXPECT_EQ(e.error_code, 10023);  // the message's failure, not a reply code
    EXPECT_EQ(e.error_info, "msg count exceeds limit,please retry later");
    EXPECT_EQ(e.event_time, kGroupEventTime);
    EXPECT_TRUE(e.unknown_fields.is_null());
}

TEST(GroupEvents, SendMsgExceptionNeedsItsErrorCode) {
    json body = fixture<imcb::GroupSendMsgException>();
    body.erase("ErrorCode");
    try {
        (void)body.get<imcb::GroupSendMsgException>();
        ADD_FAILURE() << "decoded without ErrorCode";
    } catch (const json::exception& e) {
        EXPECT_NE(std::string(e.what()).find("\"ErrorCode\""), std::string::npos) << e.what();
    }
}

TEST(GroupEvents, AfterRecallMsgFixture) {
    static_assert(imcb::GroupAfterRecallMsg::kPhase == imcb::Phase::After);
    const auto e = decode_fixture<imcb::GroupAfterRecallMsg>();
    EXPECT_EQ(e.operator_account, "admin");
    EXPECT_EQ(e.type, "Public");
    EXPECT_EQ(e.group_id, "1213456");
    ASSERT_EQ(e.msg_seq_list.size(), 1u);
    EXPECT_EQ(e.msg_seq_list[0].msg_seq, 130u);
    EXPECT_EQ(e.topic_id, std::nullopt);
    EXPECT_EQ(e.event_time, std::nullopt);
    EXPECT_TRUE(e.unknown_fields.is_null());
}

TEST(GroupEvents, AfterRecallMsgInATopic) {
    json body = fixture<imcb::GroupAfterRecallMsg>();
    body["Type"] = "Community";
    body["TopicId"] = "@TGS#_@TGS#cQVLVHIM62CJ@TOPIC#_TestTopic";
    body["EventTime"] = "1670574414123";
    body["MsgSeqList"].push_back({{"MsgSeq", 4294967295u}});
    const auto e = body.get<imcb::GroupAfterRecallMsg>();
    EXPECT_EQ(e.topic_id, "@TGS#_@TGS#cQVLVHIM62CJ@TOPIC#_TestTopic");
    EXPECT_EQ(e.event_time, kGroupEventTime);
    ASSERT_EQ(e.msg_seq_list.size(), 2u);
    EXPECT_EQ(e.msg_seq_list[1].msg_seq, 4294967295u);
}

TEST(GroupEvents, AfterGroupMsgExtensionFixture) {
    static_assert(imcb::GroupAfterGroupMsgExtension::kPhase == imcb::Phase::After);
    const auto e = decode_fixture<imcb::GroupAfterGroupMsgExtension>();
    EXPECT_EQ(e.group_id, "test");
    EXPECT_EQ(e.msg_seq, 10u);
    EXPECT_EQ(e.operate_type, 1);
    ASSERT_TRUE(e.extension_list.has_value());
    ASSERT_EQ(e.extension_list->size(), 2u);
    EXPECT_EQ(e.extension_list->at(0).key, "key2");
    EXPECT_EQ(e.extension_list->at(0).value, "value2");
    EXPECT_EQ(e.extension_list->at(0).seq, 56u);
    EXPECT_EQ(e.extension_list->at(1).key, "key3");
    EXPECT_EQ(e.extension_list->at(1).value, "12122");
    EXPECT_EQ(e.extension_list->at(1).seq, 56u);
    EXPECT_EQ(e.seq, 56u);
    EXPECT_EQ(e.event_time, 1764688294360);  // a number in this example
    EXPECT_TRUE(e.unknown_fields.is_null());
}

TEST(GroupEvents, AfterGroupMsgExtensionCleared) {
    const json body = {{"CallbackCommand", "Group.CallbackAfterGroupMsgExtension"},
                       {"GroupId", "test"},
                       {"MsgSeq", 10},
                       {"OperateType", 3},
                       {"ExtensionList", json::array()},
                       {"Seq", 58},
                       {"EventTime", 1764688329047}};
    const auto e = body.get<imcb::GroupAfterGroupMsgExtension>();
    EXPECT_EQ(e.operate_type, 3);
    ASSERT_TRUE(e.extension_list.has_value());
    EXPECT_TRUE(e.extension_list->empty());
    EXPECT_EQ(e.seq, 58u);
    EXPECT_EQ(json(e), body);
}

TEST(GroupEvents, BotOnGroupMessageFixture) {
    static_assert(imcb::BotOnGroupMessage::kPhase == imcb::Phase::After);
    const auto e = decode_fixture<imcb::BotOnGroupMessage>();
    EXPECT_EQ(e.group_id, "@TGS#2J4SZEAEL");
    EXPECT_EQ(e.type, "Public");
    EXPECT_EQ(e.from_account, "jared");
    EXPECT_EQ(e.operator_account, "admin");
    EXPECT_EQ(e.random, 123456u);
    EXPECT_EQ(e.msg_seq, 123u);
    EXPECT_EQ(e.msg_time, 1490686222);
    EXPECT_EQ(e.msg_id, std::nullopt);
    EXPECT_EQ(e.online_only_flag, 1);
    expect_text_body(e.msg_body, "@@RBT#001 hello");
    EXPECT_EQ(e.at_robots_account, (std::vector<std::string>{"@RBT#001"}));
    EXPECT_EQ(e.cloud_custom_data, "your cloud custom data");
    EXPECT_EQ(e.topic_id, std::nullopt);
    EXPECT_EQ(e.event_time, kGroupEventTime);  // a number in this example
    EXPECT_TRUE(e.unknown_fields.is_null());
}

// ---------------------------------------------------------------- group lifecycle and profile

TEST(GroupEvents, AfterGroupFullFixture) {
    static_assert(imcb::GroupAfterGroupFull::kPhase == imcb::Phase::After);
    const auto e = decode_fixture<imcb::GroupAfterGroupFull>();
    EXPECT_EQ(e.group_id, "@TGS#2J4SZEAEL");
    EXPECT_EQ(e.event_time, kGroupEventTime);
    EXPECT_TRUE(e.unknown_fields.is_null());
}

TEST(GroupEvents, AfterGroupDestroyedFixture) {
    static_assert(imcb::GroupAfterGroupDestroyed::kPhase == imcb::Phase::After);
    const auto e = decode_fixture<imcb::GroupAfterGroupDestroyed>();
    EXPECT_EQ(e.group_id, "@TGS#2J4SZEAEL");
    EXPECT_EQ(e.type, "Public");
    EXPECT_EQ(e.owner_account, "leckie");
    EXPECT_EQ(e.name, "MyFirstGroup");
    expect_accounts(e.member_list, {"leckie", "peter", "bob"});
    EXPECT_EQ(e.event_time, kGroupEventTime);
    EXPECT_TRUE(e.unknown_fields.is_null());
}

TEST(GroupEvents, AfterGroupDestroyedCommunityHasNoMemberList) {
    json body = fixture<imcb::GroupAfterGroupDestroyed>();
    body["Type"] = "Community";
    body.erase("MemberList");
    const auto e = body.get<imcb::GroupAfterGroupDestroyed>();
    EXPECT_EQ(e.type, "Community");
    EXPECT_EQ(e.member_list, std::nullopt);
}

TEST(GroupEvents, AfterGroupInfoChangedFixture) {
    static_assert(imcb::GroupAfterGroupInfoChanged::kPhase == imcb::Phase::After);
    const auto e = decode_fixture<imcb::GroupAfterGroupInfoChanged>();
    EXPECT_EQ(e.group_id, "@TGS#2J4SZEAEL");
    EXPECT_EQ(e.type, "Public");
    EXPECT_EQ(e.operator_account, "leckie");
    EXPECT_EQ(e.name, std::nullopt);
    EXPECT_EQ(e.introduction, std::nullopt);
    EXPECT_EQ(e.notification, "NewNotification");
    EXPECT_EQ(e.face_url, std::nullopt);
    EXPECT_EQ(e.event_time, kGroupEventTime);
    EXPECT_TRUE(e.unknown_fields.is_null());
}

TEST(GroupEvents, AfterChangeGroupOwnerFixture) {
    static_assert(imcb::GroupAfterChangeGroupOwner::kPhase == imcb::Phase::After);
    const auto e = decode_fixture<imcb::GroupAfterChangeGroupOwner>();
    EXPECT_EQ(e.group_id, "@TGS#2TTV7VSII");
    EXPECT_EQ(e.type, "Public");
    EXPECT_EQ(e.operator_account, "admin");
    EXPECT_EQ(e.old_owner_account, "user1");
    EXPECT_EQ(e.new_owner_account, "user2");
    EXPECT_EQ(e.event_time, kGroupEventTime);
    EXPECT_TRUE(e.unknown_fields.is_null());
}

TEST(GroupEvents, OnDailyGroupQuotaAlarmFixture) {
    static_assert(imcb::GroupOnDailyGroupQuotaAlarm::kPhase == imcb::Phase::After);
    const auto e = decode_fixture<imcb::GroupOnDailyGroupQuotaAlarm>();
    EXPECT_EQ(e.quota_used, 7321);
    EXPECT_EQ(e.quota, 10000);
    EXPECT_EQ(e.event_time, kGroupEventTime);
    EXPECT_TRUE(e.unknown_fields.is_null());
}

// ---------------------------------------------------------------- members

TEST(GroupEvents, OnMemberStateChangeFixture) {
    static_assert(imcb::GroupOnMemberStateChange::kPhase == imcb::Phase::After);
    const auto e = decode_fixture<imcb::GroupOnMemberStateChange>();
    EXPECT_EQ(e.group_id, "@TGS#2J4SZEAEL");
    EXPECT_EQ(e.event_type, "Offline");
    EXPECT_EQ(e.event_cause, std::nullopt);  // not in the vendor's example
    expect_accounts(e.member_list, {"jared", "tommy"});
    EXPECT_EQ(e.event_time, kGroupEventTime);
    EXPECT_TRUE(e.unknown_fields.is_null());
}

TEST(GroupEvents, OnMemberStateChangeWithCause) {
    json body = fixture<imcb::GroupOnMemberStateChange>();
    body["EventCause"] = "HeartbeatInterrupt";
    EXPECT_EQ(body.get<imcb::GroupOnMemberStateChange>().event_cause, "HeartbeatInterrupt");
}

TEST(GroupEvents, AfterMemberFieldChangedFixture) {
    static_assert(imcb::GroupAfterMemberFieldChanged::kPhase == imcb::Phase::After);
    const auto e = decode_fixture<imcb::GroupAfterMemberFieldChanged>();
    EXPECT_EQ(e.group_id, "@TGS#2J4SZEAEL");
    EXPECT_EQ(e.type, "Community");
    EXPECT_EQ(e.operator_account, "admin");
    EXPECT_EQ(e.modified_account, "123456");
    EXPECT_EQ(e.member_account, std::nullopt);
    EXPECT_EQ(e.role, "Admin");
    EXPECT_EQ(e.name_card, "jacky");
    EXPECT_EQ(e.event_time, kGroupEventTime);
    EXPECT_TRUE(e.unknown_fields.is_null());
}

TEST(GroupEvents, AfterMemberFieldChangedOtherSpellingAndOneChange) {
    json body = fixture<imcb::GroupAfterMemberFieldChanged>();
    body.erase("Modified_Account");
    body.erase("Role");
    body["Member_Account"] = "123456";
    const auto e = body.get<imcb::GroupAfterMemberFieldChanged>();
    EXPECT_EQ(e.modified_account, std::nullopt);
    EXPECT_EQ(e.member_account, "123456");
    EXPECT_EQ(e.role, std::nullopt);
    EXPECT_EQ(e.name_card, "jacky");
    EXPECT_TRUE(e.unknown_fields.is_null());
}

TEST(GroupEvents, AfterGroupAttrChangedFixture) {
    static_assert(imcb::GroupAfterGroupAttrChanged::kPhase == imcb::Phase::After);
    const auto e = decode_fixture<imcb::GroupAfterGroupAttrChanged>();
    EXPECT_EQ(e.group_id, "@TGS#2J4SZEAEL");
    EXPECT_EQ(e.type, "Public");
    EXPECT_EQ(e.operator_account, "leckie");
    EXPECT_EQ(e.option_type, "set");
    ASSERT_TRUE(e.group_attr.has_value());
    ASSERT_EQ(e.group_attr->size(), 2u);
    EXPECT_EQ(e.group_attr->at(0).key, "key1");
    EXPECT_EQ(e.group_attr->at(0).value, "value1");
    EXPECT_EQ(e.group_attr->at(1).key, "key2");
    EXPECT_EQ(e.group_attr->at(1).value, "values");
    EXPECT_EQ(e.event_time, kGroupEventTime);
    EXPECT_TRUE(e.unknown_fields.is_null());
}

TEST(GroupEvents, AfterGroupAttrChangedCleared) {
    json body = fixture<imcb::GroupAfterGroupAttrChanged>();
    body["OptionType"] = "clear";
    body.erase("GroupAttr");
    auto e = body.get<imcb::GroupAfterGroupAttrChanged>();
    EXPECT_EQ(e.option_type, "clear");
    EXPECT_EQ(e.group_attr, std::nullopt);

    body["OptionType"] = "delete";
    body["GroupAttr"] = json::array({{{"key", "key1"}}});
    e = body.get<imcb::GroupAfterGroupAttrChanged>();
    ASSERT_TRUE(e.group_attr.has_value());
    ASSERT_EQ(e.group_attr->size(), 1u);
    EXPECT_EQ(e.group_attr->at(0).key, "key1");
    EXPECT_EQ(e.group_attr->at(0).value, std::nullopt);
}

TEST(GroupEvents, AfterReadReceiptFixture) {
    static_assert(imcb::GroupAfterReadReceipt::kPhase == imcb::Phase::After);
    const auto e = decode_fixture<imcb::GroupAfterReadReceipt>();
    EXPECT_EQ(e.group_id, "@TGS#2TTV7VSII");
    EXPECT_EQ(e.type, "Public");
    ASSERT_EQ(e.group_msg_receipt_list.size(), 2u);
    const std::uint32_t seqs[] = {1u, 2u};
    for (std::size_t i = 0; i < 2; ++i) {
        SCOPED_TRACE(i);
        const auto& r = e.group_msg_receipt_list[i];
        EXPECT_EQ(r.msg_seq, seqs[i]);
        EXPECT_EQ(r.read_num, 1);
        EXPECT_EQ(r.unread_num, 6);
        expect_accounts(r.read_receipt_members, {"user0"});
        EXPECT_TRUE(r.unknown_fields.is_null());
    }
    EXPECT_EQ(e.event_time, kGroupEventTime);
    EXPECT_TRUE(e.unknown_fields.is_null());
}

TEST(GroupEvents, AfterReadReceiptCountsMayBeAbsent) {
    json body = fixture<imcb::GroupAfterReadReceipt>();
    body["GroupMsgReceiptList"] = json::array({{{"MsgSeq", 7}}});
    const auto e = body.get<imcb::GroupAfterReadReceipt>();
    ASSERT_EQ(e.group_msg_receipt_list.size(), 1u);
    EXPECT_EQ(e.group_msg_receipt_list[0].msg_seq, 7u);
    EXPECT_EQ(e.group_msg_receipt_list[0].read_num, std::nullopt);
    EXPECT_EQ(e.group_msg_receipt_list[0].unread_num, std::nullopt);
    EXPECT_EQ(e.group_msg_receipt_list[0].read_receipt_members, std::nullopt);
}

// ---------------------------------------------------------------- topics

TEST(GroupEvents, AfterCreateTopicFixture) {
    static_assert(imcb::GroupAfterCreateTopic::kPhase == imcb::Phase::After);
    const auto e = decode_fixture<imcb::GroupAfterCreateTopic>();
    EXPECT_EQ(e.group_id, "@TGS#2J4SZEAEL");
    EXPECT_EQ(e.topic_id, "@TGS#_@TGS#cQVLVHIM62CJ@TOPIC#_@TOPIC#cRTE3HIM62C5");
    EXPECT_EQ(e.operator_account, "group_root");
    EXPECT_EQ(e.owner_account, "leckie");
    EXPECT_EQ(e.type, "Community");
    EXPECT_EQ(e.name, "MyFirstTopic");
    ASSERT_TRUE(e.user_defined_data_list.has_value());
    ASSERT_EQ(e.user_defined_data_list->size(), 2u);
    EXPECT_EQ(e.user_defined_data_list->at(0).key, "UserDefined1");
    EXPECT_EQ(e.user_defined_data_list->at(0).value, "hello");
    EXPECT_EQ(e.user_defined_data_list->at(1).key, "UserDefined2");
    EXPECT_EQ(e.user_defined_data_list->at(1).value, "world");
    EXPECT_EQ(e.event_time, std::nullopt);
    EXPECT_TRUE(e.unknown_fields.is_null());
}

TEST(GroupEvents, AfterTopicDestroyedFixture) {
    static_assert(imcb::GroupAfterTopicDestroyed::kPhase == imcb::Phase::After);
    const auto e = decode_fixture<imcb::GroupAfterTopicDestroyed>();
    EXPECT_EQ(e.group_id, "@TGS#_@TGS#cQVLVHIM62CJ");
    EXPECT_EQ(e.type, "Community");
    EXPECT_EQ(e.topic_id_list, (std::vector<std::string>{"@TGS#_@TGS#cQVLVHIM62CJ@TOPIC#_TestTopic",
                                                         "@TGS#_@TGS#cQVLVHIM62CJ@TOPIC#_TestTopic_1"}));
    EXPECT_EQ(e.event_time, std::nullopt);
    EXPECT_TRUE(e.unknown_fields.is_null());
}

TEST(GroupEvents, AfterTopicInfoChangedFixture) {
    static_assert(imcb::GroupAfterTopicInfoChanged::kPhase == imcb::Phase::After);
    const auto e = decode_fixture<imcb::GroupAfterTopicInfoChanged>();
    EXPECT_EQ(e.group_id, "@TGS#2J4SZEAEL");
    EXPECT_EQ(e.type, "Community");
    EXPECT_EQ(e.operator_account, "leckie");
    EXPECT_EQ(e.name, "TestTopic");
    EXPECT_EQ(e.introduction, "TestIntroduction");
    EXPECT_EQ(e.notification, "NewNotification");
    EXPECT_EQ(e.face_url, "http://this.is.face.url");
    EXPECT_EQ(e.event_time, std::nullopt);
    EXPECT_TRUE(e.unknown_fields.is_null());
}

TEST(GroupEvents, AfterTopicInfoChangedKeepsAnUndocumentedTopicId) {
    json body = fixture<imcb::GroupAfterTopicInfoChanged>();
    body["TopicId"] = "@TGS#_@TGS#cQVLVHIM62CJ@TOPIC#_TestTopic";
    body.erase("Introduction");
    const auto e = body.get<imcb::GroupAfterTopicInfoChanged>();
    EXPECT_EQ(e.introduction, std::nullopt);
    EXPECT_EQ(e.unknown_fields, (json{{"TopicId", "@TGS#_@TGS#cQVLVHIM62CJ@TOPIC#_TestTopic"}}));
    EXPECT_EQ(json(e), body);
}

}  // namespace
