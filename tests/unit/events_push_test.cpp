// Push batches (Push.OfflinePush, Push.AllMemberPush) and moderation results
// (ContentCallback.ResultNotify): documented values, seconds vs milliseconds, and bodies without a
// CallbackCommand key.

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

json fixture(const std::string& command) { return imcb::test::example_body(command); }

TEST(PushEvents, OfflinePushBatchDecodesEachEvent) {
    const json events = fixture("Push.OfflinePush").at("Events");
    ASSERT_EQ(events.size(), 2u);
    const auto c2c = events[0].get<imcb::PushOfflinePush>();
    EXPECT_EQ(c2c.event_type, 1);
    EXPECT_EQ(c2c.event_time, 1557481127);  // seconds, not ms
    EXPECT_EQ(c2c.from_account, "user1");
    EXPECT_EQ(c2c.to_account, "user2");
    EXPECT_EQ(c2c.push_platform, 1);
    EXPECT_EQ(c2c.push_stage, 1);
    EXPECT_EQ(c2c.msg_key, "48374_2837546_1557481126");
    EXPECT_EQ(c2c.group_id, std::nullopt);
    EXPECT_EQ(c2c.msg_seq, 48374u);
    EXPECT_EQ(c2c.msg_random, 2837546u);
    EXPECT_EQ(c2c.msg_time, 1557481126);
    EXPECT_EQ(c2c.push_id, "67120c46_6a4086c0_9bf5fb50_200002d1089b322_2000005d8d46421");
    EXPECT_EQ(c2c.err_code, 0);
    EXPECT_EQ(c2c.err_info, "OK");
    EXPECT_TRUE(c2c.unknown_fields.is_null());

    const auto group = events[1].get<imcb::PushOfflinePush>();
    EXPECT_EQ(group.event_type, 2);
    EXPECT_EQ(group.from_account, "user2");
    EXPECT_EQ(group.to_account, "user3");
    EXPECT_EQ(group.msg_key, std::nullopt);
    EXPECT_EQ(group.group_id, "@TGS#12DEVUDHQ");
    EXPECT_EQ(group.msg_seq, 48375u);
    EXPECT_EQ(json(group), events[1]);
}

TEST(PushEvents, AllMemberPushBatchDecodesEachEvent) {
    const json events = fixture("Push.AllMemberPush").at("Events");
    ASSERT_EQ(events.size(), 2u);
    const auto first = events[0].get<imcb::PushAllMemberPush>();
    EXPECT_EQ(first.event_type, 1);
    EXPECT_EQ(first.task_id, "657bf434_537529d8_2000005e80aa873_2780d131_bc614e");
    EXPECT_EQ(first.task_time, 1557481127);
    EXPECT_EQ(first.event_time, 1557481128);
    EXPECT_EQ(first.to_account, "user2");
    EXPECT_EQ(first.push_platform, 1);
    EXPECT_EQ(first.push_stage, 1);
    EXPECT_EQ(first.err_code, 0);
    EXPECT_EQ(first.err_info, "OK");
    const auto second = events[1].get<imcb::PushAllMemberPush>();
    EXPECT_EQ(second.event_type, 2);
    EXPECT_EQ(second.task_id, "657bf434_537529d8_2000005e80aa873_2780d131_9");
    EXPECT_EQ(second.event_time, 1557481129);
    EXPECT_EQ(second.to_account, "user3");
    EXPECT_EQ(second.push_platform, 0);
}

TEST(PushEvents, PushCommandsAreBatchedAndOthersAreNot) {
    static_assert(imcb::is_batched_v<imcb::PushOfflinePush>);
    static_assert(imcb::is_batched_v<imcb::PushAllMemberPush>);
    static_assert(!imcb::is_batched_v<imcb::ContentResultNotify>);
    static_assert(!imcb::is_batched_v<imcb::C2CBeforeSendMsg>);
    int batched = 0;
    for (const auto& info : imcb::command_catalogue()) {
        if (info.batched) {
            ++batched;
            EXPECT_EQ(info.command.substr(0, 5), "Push.") << info.command;
            EXPECT_EQ(info.phase, imcb::Phase::After) << info.command;
        }
    }
    EXPECT_EQ(batched, 2);
}

TEST(PushEvents, OfflinePushMsgRandomIsUnsigned32Bit) {
    json event = fixture("Push.OfflinePush").at("Events").at(1);
    event["MsgRandom"] = 4294967295u;
    EXPECT_EQ(event.get<imcb::PushOfflinePush>().msg_random, 4294967295u);
    event["MsgRandom"] = 4294967296u;
    try {
        (void)event.get<imcb::PushOfflinePush>();
        ADD_FAILURE() << "MsgRandom above 32 bits was accepted";
    } catch (const json::exception& e) {
        EXPECT_NE(std::string(e.what()).find("\"MsgRandom\""), std::string::npos) << e.what();
    }
}

TEST(ContentCallback, ResultNotifyDecodesEveryDocumentedField) {
    const json body = fixture("ContentCallback.ResultNotify");
    ASSERT_FALSE(body.contains("CallbackCommand"));
    const auto e = body.get<imcb::ContentResultNotify>();
    EXPECT_EQ(e.scene, "C2C");
    EXPECT_EQ(e.sdk_app_id, 1400187352u);
    EXPECT_EQ(e.from_account, "jared");
    ASSERT_TRUE(e.contact_item.has_value());
    EXPECT_EQ(e.contact_item->contact_type, 1);
    EXPECT_EQ(e.contact_item->to_account, "Jonh");
    EXPECT_EQ(e.contact_item->to_group_id, std::nullopt);
    EXPECT_EQ(e.content_type, "Text");
    EXPECT_EQ(e.text_content, (std::vector<std::string>{"aaabbbccc", "1234567"}));
    EXPECT_EQ(e.msg_id, "1434460578_4137340972_1661154487");
    EXPECT_EQ(e.ctxcb_result, 1);
    EXPECT_EQ(e.ctxcb_request_id, "241ed925-4c56-4357-95dd-1e6e7798f214");
    EXPECT_EQ(e.ctxcb_keywords, (std::vector<std::string>{"aaabbbccc", "1234567"}));
    EXPECT_EQ(e.ctxcb_suggestion, "Review");
    EXPECT_EQ(e.ctxcb_label, "Sexy");
    EXPECT_EQ(e.ctxcb_sub_label, "InsinuationPorn");
    EXPECT_EQ(e.ctxcb_sub_label_desc, "\u5f71\u5c04XX");
    EXPECT_EQ(e.ctxcb_lib_name, "test");
    EXPECT_EQ(e.cloud_custom_data, "aaabbbccc");
    // Re-encoding does not invent a CallbackCommand the vendor did not send.
    EXPECT_EQ(json(e), body);
}

TEST(ContentCallback, GroupSceneUsesToGroupId) {
    json body = fixture("ContentCallback.ResultNotify");
    body["Scene"] = "Group";
    body["ContactItem"] = {{"ContactType", 2}, {"ToGroupId", "@TGS#2J4SZEAEL"}};
    const auto e = body.get<imcb::ContentResultNotify>();
    ASSERT_TRUE(e.contact_item.has_value());
    EXPECT_EQ(e.contact_item->contact_type, 2);
    EXPECT_EQ(e.contact_item->to_account, std::nullopt);
    EXPECT_EQ(e.contact_item->to_group_id, "@TGS#2J4SZEAEL");
}

}  // namespace
