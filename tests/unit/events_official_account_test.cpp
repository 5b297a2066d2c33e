// OfficialAccount.* events: each command's example body decoded field by field, and the answers
// its before-callbacks accept.

#include <cstdint>
#include <fstream>
#include <optional>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "support/examples.h"
#include <nlohmann/json.hpp>

#include "imcb/events.h"

#ifndef IMCB_FIXTURES_DIR
#error "IMCB_FIXTURES_DIR must point at tests/fixtures"
#endif

namespace {

using nlohmann::json;

constexpr std::int64_t kEventTime = 1670574414123;

using imcb::test::decode_fixture;

void expect_subscribers(const std::vector<imcb::OfficialAccountSubscriber>& list,
                        const std::vector<std::string>& expected) {
    ASSERT_EQ(list.size(), expected.size());
    for (std::size_t i = 0; i < list.size(); ++i) {
        EXPECT_EQ(list[i].subscriber_account, expected[i]);
        EXPECT_TRUE(list[i].unknown_fields.is_null());
    }
}

void expect_red_packet(const std::vector<imcb::MsgElement>& body) {
    ASSERT_EQ(body.size(), 1u);
    EXPECT_EQ(body[0].type, "TIMTextElem");
    EXPECT_EQ(body[0].text(), "red packet");
    EXPECT_EQ(body[0].content, (json{{"Text", "red packet"}}));
}

json reply_body(int error_code) {
    return {{"ActionStatus", "OK"}, {"ErrorCode", error_code}, {"ErrorInfo", ""}};
}

// ---------------------------------------------------------------- each command's body

TEST(OfficialAccountEvents, BeforeCreate) {
    const auto e = decode_fixture<imcb::OfficialAccountBeforeCreate>();
    EXPECT_EQ(e.operator_account, "107867");
    EXPECT_EQ(e.owner_account, "107867");
    EXPECT_EQ(e.name, "TestOfficialAccount");
    EXPECT_EQ(e.event_time, kEventTime);
    EXPECT_TRUE(e.unknown_fields.is_null());
}

TEST(OfficialAccountEvents, AfterCreate) {
    const auto e = decode_fixture<imcb::OfficialAccountAfterCreate>();
    EXPECT_EQ(e.official_account, "@TOA#_test_OA_for_penn");
    EXPECT_EQ(e.operator_account, "107867");
    EXPECT_EQ(e.owner_account, "107867");
    EXPECT_EQ(e.name, "TestOfficialAccount");
    EXPECT_EQ(e.event_time, kEventTime);
    EXPECT_TRUE(e.unknown_fields.is_null());
}

TEST(OfficialAccountEvents, AfterInfoChanged) {
    const auto e = decode_fixture<imcb::OfficialAccountAfterInfoChanged>();
    EXPECT_EQ(e.official_account, "@TOA#_test_OA_for_penn");
    EXPECT_EQ(e.operator_account, "leckie");
    EXPECT_EQ(e.introduction, "NewNotification");
    EXPECT_EQ(e.name, "NewName");
    EXPECT_EQ(e.face_url, "http://this.is.newface.url");
    EXPECT_EQ(e.organization, "NewOrganization");
    EXPECT_EQ(e.event_time, kEventTime);
    EXPECT_TRUE(e.unknown_fields.is_null());
}

TEST(OfficialAccountEvents, AfterInfoChangedCarriesOnlyTheChangedFields) {
    const json body = {{"CallbackCommand", "OfficialAccount.CallbackAfterOfficialAccountInfoChanged"},
                       {"Official_Account", "@TOA#_test_OA_for_penn"},
                       {"Operator_Account", "leckie"},
                       {"Name", "NewName"}};
    const auto e = body.get<imcb::OfficialAccountAfterInfoChanged>();
    EXPECT_EQ(e.name, "NewName");
    EXPECT_EQ(e.introduction, std::nullopt);
    EXPECT_EQ(e.face_url, std::nullopt);
    EXPECT_EQ(e.organization, std::nullopt);
    EXPECT_EQ(e.event_time, std::nullopt);
}

TEST(OfficialAccountEvents, AfterDestroyed) {
    const auto e = decode_fixture<imcb::OfficialAccountAfterDestroyed>();
    EXPECT_EQ(e.official_account, "@TOA#_test_OA_for_penn");
    EXPECT_EQ(e.owner_account, "107867");
    EXPECT_EQ(e.name, "TestOfficialAccount");
    EXPECT_EQ(e.event_time, kEventTime);
    EXPECT_TRUE(e.unknown_fields.is_null());
}

TEST(OfficialAccountEvents, BeforeAddSubscriber) {
    const auto e = decode_fixture<imcb::OfficialAccountBeforeAddSubscriber>();
    EXPECT_EQ(e.official_account, "@TOA#_test_for_penn");
    EXPECT_EQ(e.operator_account, "107867");
    expect_subscribers(e.subscribe_account_list, {"jared", "leckie"});
    EXPECT_EQ(e.event_time, kEventTime);
    EXPECT_TRUE(e.unknown_fields.is_null());
}

TEST(OfficialAccountEvents, AfterAddSubscriber) {
    const auto e = decode_fixture<imcb::OfficialAccountAfterAddSubscriber>();
    EXPECT_EQ(e.official_account, "@TOA#_test_for_penn");
    EXPECT_EQ(e.operator_account, "107867");
    expect_subscribers(e.subscribe_account_list, {"jared", "leckie"});
    EXPECT_EQ(e.event_time, kEventTime);
    EXPECT_TRUE(e.unknown_fields.is_null());
}

TEST(OfficialAccountEvents, AfterDeleteSubscriber) {
    const auto e = decode_fixture<imcb::OfficialAccountAfterDeleteSubscriber>();
    EXPECT_EQ(e.official_account, "@TOA#_test_OA_for_penn");
    EXPECT_EQ(e.operator_account, "leckie");
    expect_subscribers(e.subscribe_account_list, {"jared", "leckie"});
    EXPECT_EQ(e.event_time, kEventTime);
    EXPECT_TRUE(e.unknown_fields.is_null());
}

TEST(OfficialAccountEvents, AfterFull) {
    const auto e = decode_fixture<imcb::OfficialAccountAfterFull>();
    EXPECT_EQ(e.official_account, "@TOA#_test_OA_for_penn");
    EXPECT_EQ(e.event_time, kEventTime);
    EXPECT_TRUE(e.unknown_fields.is_null());
}

TEST(OfficialAccountEvents, BeforeSendMsg) {
    const auto e = decode_fixture<imcb::OfficialAccountBeforeSendMsg>();
    EXPECT_EQ(e.official_account, "@TOA#_2J4SZEAEL");
    EXPECT_EQ(e.online_only_flag, 1);
    expect_red_packet(e.msg_body);
    EXPECT_EQ(e.cloud_custom_data, "your cloud custom data");
    EXPECT_EQ(e.event_time, kEventTime);
    EXPECT_TRUE(e.unknown_fields.is_null());
}

TEST(OfficialAccountEvents, AfterSendMsg) {
    const auto e = decode_fixture<imcb::OfficialAccountAfterSendMsg>();
    EXPECT_EQ(e.official_account, "@TOA#_2J4SZEAEL");
    EXPECT_EQ(e.msg_key, "71_1_1698741698");
    EXPECT_EQ(e.msg_time, 1490686222);
    EXPECT_EQ(e.online_only_flag, 1);
    expect_red_packet(e.msg_body);
    EXPECT_EQ(e.cloud_custom_data, "your cloud custom data");
    EXPECT_EQ(e.event_time, kEventTime);
    EXPECT_TRUE(e.unknown_fields.is_null());
}

TEST(OfficialAccountEvents, AfterSendMsgWithoutOptionalFields) {
    const json body = {{"CallbackCommand", "OfficialAccount.CallbackAfterSendMsg"},
                       {"Official_Account", "@TOA#_2J4SZEAEL"},
                       {"MsgKey", "71_1_1698741698"},
                       {"MsgTime", 1490686222},
                       {"MsgBody", json::parse(R"([{"MsgType":"TIMTextElem",
                                                    "MsgContent":{"Text":"red packet"}}])")}};
    const auto e = body.get<imcb::OfficialAccountAfterSendMsg>();
    expect_red_packet(e.msg_body);
    EXPECT_EQ(e.online_only_flag, std::nullopt);
    EXPECT_EQ(e.cloud_custom_data, std::nullopt);
    EXPECT_EQ(e.event_time, std::nullopt);
}

TEST(OfficialAccountEvents, AfterMsgWithDraw) {
    const auto e = decode_fixture<imcb::OfficialAccountAfterMsgWithDraw>();
    EXPECT_EQ(e.official_account, "#TOA#_123");  // sic, as in the vendor's example
    ASSERT_EQ(e.withdraw_msg_list.size(), 1u);
    EXPECT_EQ(e.withdraw_msg_list[0].msg_key, "71_1_1698741698");
    EXPECT_TRUE(e.withdraw_msg_list[0].unknown_fields.is_null());
    EXPECT_EQ(e.event_time, kEventTime);
    EXPECT_TRUE(e.unknown_fields.is_null());
}

TEST(OfficialAccountEvents, MissingOfficialAccountIsNamed) {
    json body = {{"CallbackCommand", "OfficialAccount.CallbackAfterOfficialAccountFull"},
                 {"EventTime", kEventTime}};
    try {
        (void)body.get<imcb::OfficialAccountAfterFull>();
        ADD_FAILURE() << "decoding succeeded without Official_Account";
    } catch (const json::exception& e) {
        EXPECT_NE(std::string(e.what()).find("missing field \"Official_Account\""), std::string::npos)
            << e.what();
    }
}

TEST(OfficialAccountEvents, SubscriberEntryKeepsUnknownKeys) {
    json body = {{"Official_Account", "@TOA#_test_for_penn"},
                 {"Operator_Account", "107867"},
                 {"SubscribeAccountList", {{{"Subscriber_Account", "jared"}, {"Extra", 7}}}}};
    const auto e = body.get<imcb::OfficialAccountAfterAddSubscriber>();
    ASSERT_EQ(e.subscribe_account_list.size(), 1u);
    EXPECT_EQ(e.subscribe_account_list[0].subscriber_account, "jared");
    EXPECT_EQ(e.subscribe_account_list[0].unknown_fields, (json{{"Extra", 7}}));
    body["CallbackCommand"] = "OfficialAccount.CallbackAfterAddSubscriber";
    EXPECT_EQ(json(e), body);
}

// ---------------------------------------------------------------- phases and replies

TEST(OfficialAccountEvents, Phases) {
    static_assert(imcb::OfficialAccountBeforeCreate::kPhase == imcb::Phase::Before);
    static_assert(imcb::OfficialAccountBeforeAddSubscriber::kPhase == imcb::Phase::Before);
    static_assert(imcb::OfficialAccountBeforeSendMsg::kPhase == imcb::Phase::Before);
    static_assert(imcb::OfficialAccountAfterCreate::kPhase == imcb::Phase::After);
    static_assert(imcb::OfficialAccountAfterInfoChanged::kPhase == imcb::Phase::After);
    static_assert(imcb::OfficialAccountAfterDestroyed::kPhase == imcb::Phase::After);
    static_assert(imcb::OfficialAccountAfterAddSubscriber::kPhase == imcb::Phase::After);
    static_assert(imcb::OfficialAccountAfterDeleteSubscriber::kPhase == imcb::Phase::After);
    static_assert(imcb::OfficialAccountAfterFull::kPhase == imcb::Phase::After);
    static_assert(imcb::OfficialAccountAfterSendMsg::kPhase == imcb::Phase::After);
    static_assert(imcb::OfficialAccountAfterMsgWithDraw::kPhase == imcb::Phase::After);

    constexpr auto subscribe = imcb::OfficialAccountBeforeAddSubscriber::kRules;
    EXPECT_TRUE(subscribe.can_refuse_subscribers);
    EXPECT_FALSE(subscribe.can_refuse_members);
    EXPECT_FALSE(subscribe.can_drop);
    EXPECT_FALSE(subscribe.can_modify_message);
    EXPECT_EQ(subscribe.custom_code_min, 0);
    EXPECT_EQ(subscribe.custom_code_max, 0);

    for (const auto& rules :
         {imcb::OfficialAccountBeforeCreate::kRules, imcb::OfficialAccountBeforeSendMsg::kRules}) {
        EXPECT_FALSE(rules.can_refuse_subscribers);
        EXPECT_FALSE(rules.can_refuse_members);
        EXPECT_FALSE(rules.has_friend_results);
        EXPECT_EQ(rules.custom_code_min, 0);
        EXPECT_EQ(rules.custom_code_max, 0);
    }
    EXPECT_FALSE(imcb::OfficialAccountBeforeCreate::kRules.can_drop);
    EXPECT_FALSE(imcb::OfficialAccountBeforeCreate::kRules.can_modify_message);
    // Messages: the vendor documents a silent drop (ErrorCode 2) and a replacement MsgBody.
    EXPECT_TRUE(imcb::OfficialAccountBeforeSendMsg::kRules.can_drop);
    EXPECT_TRUE(imcb::OfficialAccountBeforeSendMsg::kRules.can_modify_message);
}

TEST(OfficialAccountEvents, MessagesCanBeDroppedOrChanged) {
    using Reply = imcb::OfficialAccountBeforeSendMsg::Reply;
    EXPECT_EQ(Reply::drop().decision().to_reply(), reply_body(2));
    const json body = json::array({{{"MsgType", "TIMTextElem"}, {"MsgContent", {{"Text", "***"}}}}});
    json expected = reply_body(0);
    expected["MsgBody"] = body;
    EXPECT_EQ(Reply::modify(body).decision().to_reply(), expected);
    EXPECT_THROW((void)Reply::modify(json::array()), imcb::DecisionError);
}

TEST(OfficialAccountEvents, RefuseSubscribersReply) {
    using Reply = imcb::OfficialAccountBeforeAddSubscriber::Reply;
    const json expected = {{"ActionStatus", "OK"},
                           {"ErrorCode", 0},
                           {"ErrorInfo", ""},
                           {"RefusedSubscribers_Account", json::array({"jared"})}};
    EXPECT_EQ(Reply::refuse_subscribers({"jared"}).decision().to_reply(), expected);
    EXPECT_EQ(
        Reply::refuse_subscribers({"jared", "leckie"}).decision().to_reply().at("RefusedSubscribers_Account"),
        json::array({"jared", "leckie"}));
}

TEST(OfficialAccountEvents, RefuseSubscribersNeedsNamedAccounts) {
    using Reply = imcb::OfficialAccountBeforeAddSubscriber::Reply;
    EXPECT_THROW((void)Reply::refuse_subscribers({}), imcb::DecisionError);
    EXPECT_THROW((void)Reply::refuse_subscribers({""}), imcb::DecisionError);
    EXPECT_THROW((void)Reply::refuse_subscribers({"jared", ""}), imcb::DecisionError);
}

template <class Event>
void expect_allow_and_deny() {
    SCOPED_TRACE(std::string(Event::kCommand));
    const auto allow = Event::Reply::allow().decision();
    EXPECT_EQ(allow.error_code(), 0);
    EXPECT_EQ(allow.to_reply(), reply_body(0));
    EXPECT_EQ(allow.violation(Event::kRules), "");
    const auto deny = Event::Reply::deny().decision();
    EXPECT_EQ(deny.error_code(), 1);
    EXPECT_EQ(deny.to_reply(), reply_body(1));
    EXPECT_EQ(deny.violation(Event::kRules), "");
}

TEST(OfficialAccountEvents, AllowAndDeny) {
    expect_allow_and_deny<imcb::OfficialAccountBeforeCreate>();
    expect_allow_and_deny<imcb::OfficialAccountBeforeAddSubscriber>();
    expect_allow_and_deny<imcb::OfficialAccountBeforeSendMsg>();
}

TEST(OfficialAccountEvents, UndocumentedAnswersAreRefused) {
    // Raw answers are checked against the same rules: no custom codes, no drop on a creation.
    EXPECT_NE(imcb::Decision::deny(120001, "no").violation(imcb::OfficialAccountBeforeCreate::kRules), "");
    EXPECT_NE(imcb::Decision::drop().violation(imcb::OfficialAccountBeforeCreate::kRules), "");
    EXPECT_NE(imcb::Decision::deny(120001, "no").violation(imcb::OfficialAccountBeforeSendMsg::kRules), "");
    EXPECT_NE(
        imcb::Decision::refuse_subscribers({"jared"}).violation(imcb::OfficialAccountBeforeCreate::kRules),
        "");
    EXPECT_EQ(imcb::Decision::refuse_subscribers({"jared"}).violation(
                  imcb::OfficialAccountBeforeAddSubscriber::kRules),
              "");
}

}  // namespace
