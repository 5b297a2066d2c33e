#pragma once

// Push results and moderation results: Push.* and ContentCallback.* (protocol reference §3.4).
//
// Push callbacks are batched: the body is {"Events":[...]} with 1 to 100 events and no top-level
// CallbackCommand; the handler is called once per event, in order, and the batch gets one reply.
// Their EventTime (and TaskTime, MsgTime) are in SECONDS, unlike the milliseconds elsewhere.

#include "imcb/events/common.h"

namespace imcb {

/// One event of a Push.OfflinePush batch: the state of an offline push of one message.
struct PushOfflinePush {
    static constexpr std::string_view kCommand = "Push.OfflinePush";
    static constexpr Phase kPhase = Phase::After;
    static constexpr bool kBatched = true;
    static constexpr std::string_view kSummary =
        "an offline push of a message was sent, delivered or clicked";

    int event_type = 0;                   ///< EventType: 1 one-to-one message, 2 group message
    std::int64_t event_time = 0;          ///< EventTime, SECONDS
    std::string from_account;             ///< From_Account: the message's sender
    std::string to_account;               ///< To_Account: the push's receiver
    int push_platform = 0;                ///< PushPlatform: 0 unknown, 1 APNs, 2 Xiaomi, 3 Huawei, 4 FCM,
                                          ///< 5 Meizu, 6 OPPO, 7 vivo, 8 Honor
    int push_stage = 0;                   ///< PushStage: 1 sent, 2 delivered, 3 clicked
    std::optional<std::string> msg_key;   ///< MsgKey: one-to-one messages
    std::optional<std::string> group_id;  ///< GroupID (sic, capital D): group messages
    std::uint32_t msg_seq = 0;            ///< MsgSeq
    std::uint32_t msg_random = 0;         ///< MsgRandom
    std::int64_t msg_time = 0;            ///< MsgTime, seconds
    std::optional<std::string> push_id;   ///< PushID
    int err_code = 0;                     ///< ErrCode: 0 = success
    std::string err_info;                 ///< ErrInfo
    nlohmann::json unknown_fields;

    static constexpr auto fields() {
        using E = PushOfflinePush;
        return std::make_tuple(
            field("EventType", &E::event_type), field<codec::EventTime>("EventTime", &E::event_time),
            field("From_Account", &E::from_account), field("To_Account", &E::to_account),
            field("PushPlatform", &E::push_platform), field("PushStage", &E::push_stage),
            field("MsgKey", &E::msg_key), field("GroupID", &E::group_id), field("MsgSeq", &E::msg_seq),
            field("MsgRandom", &E::msg_random), field("MsgTime", &E::msg_time), field("PushID", &E::push_id),
            field("ErrCode", &E::err_code), field("ErrInfo", &E::err_info));
    }
};

/// One event of a Push.AllMemberPush batch: the state of a push to all members for one user.
struct PushAllMemberPush {
    static constexpr std::string_view kCommand = "Push.AllMemberPush";
    static constexpr Phase kPhase = Phase::After;
    static constexpr bool kBatched = true;
    static constexpr std::string_view kSummary =
        "a push-to-all task reached one user (sent, delivered or clicked)";

    int event_type = 0;           ///< EventType: 1 offline push, 2 online push
    std::string task_id;          ///< TaskId
    std::int64_t task_time = 0;   ///< TaskTime, seconds
    std::int64_t event_time = 0;  ///< EventTime, SECONDS
    std::string to_account;       ///< To_Account
    int push_platform = 0;        ///< PushPlatform: as in PushOfflinePush
    int push_stage = 0;           ///< PushStage: 1 sent, 2 delivered, 3 clicked
    int err_code = 0;             ///< ErrCode: 0 = success
    std::string err_info;         ///< ErrInfo
    nlohmann::json unknown_fields;

    static constexpr auto fields() {
        using E = PushAllMemberPush;
        return std::make_tuple(field("EventType", &E::event_type), field("TaskId", &E::task_id),
                               field("TaskTime", &E::task_time),
                               field<codec::EventTime>("EventTime", &E::event_time),
                               field("To_Account", &E::to_account), field("PushPlatform", &E::push_platform),
                               field("PushStage", &E::push_stage), field("ErrCode", &E::err_code),
                               field("ErrInfo", &E::err_info));
    }
};

/// ContentCallback.ResultNotify's "ContactItem": where the moderated content was sent.
struct ContactItem {
    int contact_type = 0;                    ///< ContactType: 1 one-to-one, 2 group
    std::optional<std::string> to_account;   ///< To_Account: one-to-one
    std::optional<std::string> to_group_id;  ///< ToGroupId: group
    nlohmann::json unknown_fields;
    static constexpr auto fields() {
        return std::make_tuple(field("ContactType", &ContactItem::contact_type),
                               field("To_Account", &ContactItem::to_account),
                               field("ToGroupId", &ContactItem::to_group_id));
    }
};

/// ContentCallback.ResultNotify: the result of cloud content moderation. The body has no
/// CallbackCommand key (dispatch uses the URL's), and the URL no ClientIP/OptPlatform.
struct ContentResultNotify {
    static constexpr std::string_view kCommand = "ContentCallback.ResultNotify";
    static constexpr Phase kPhase = Phase::After;
    static constexpr bool kCommandInBody = false;
    static constexpr std::string_view kSummary = "cloud content moderation has a result";

    std::string scene;             ///< Scene: C2C, C2CCustom, Group, GroupCustom, GroupInfo, GroupMemberInfo,
                                   ///< RelationChain, UserInfo
    std::uint64_t sdk_app_id = 0;  ///< SdkAppId
    std::optional<std::string> from_account;                 ///< From_Account
    std::optional<ContactItem> contact_item;                 ///< ContactItem
    std::optional<std::string> content_type;                 ///< ContentType, e.g. "Text"
    std::optional<std::vector<std::string>> text_content;    ///< TextContent
    std::optional<std::string> msg_id;                       ///< MsgID
    int ctxcb_result = 0;                                    ///< CtxcbResult
    std::optional<std::string> ctxcb_request_id;             ///< CtxcbRequestId
    std::optional<std::vector<std::string>> ctxcb_keywords;  ///< CtxcbKeywords: matched words
    std::optional<std::string> ctxcb_suggestion;             ///< CtxcbSuggestion, e.g. "Review"
    std::optional<std::string> ctxcb_label;                  ///< CtxcbLabel
    std::optional<std::string> ctxcb_sub_label;              ///< CtxcbSubLabel
    std::optional<std::string> ctxcb_sub_label_desc;         ///< CtxcbSubLabelDesc
    std::optional<std::string> ctxcb_lib_name;               ///< CtxcbLibName
    std::optional<std::string> cloud_custom_data;            ///< CloudCustomData
    nlohmann::json unknown_fields;

    static constexpr auto fields() {
        using E = ContentResultNotify;
        return std::make_tuple(
            field("Scene", &E::scene), field("SdkAppId", &E::sdk_app_id),
            field("From_Account", &E::from_account), field("ContactItem", &E::contact_item),
            field("ContentType", &E::content_type), field("TextContent", &E::text_content),
            field("MsgID", &E::msg_id), field("CtxcbResult", &E::ctxcb_result),
            field("CtxcbRequestId", &E::ctxcb_request_id), field("CtxcbKeywords", &E::ctxcb_keywords),
            field("CtxcbSuggestion", &E::ctxcb_suggestion), field("CtxcbLabel", &E::ctxcb_label),
            field("CtxcbSubLabel", &E::ctxcb_sub_label), field("CtxcbSubLabelDesc", &E::ctxcb_sub_label_desc),
            field("CtxcbLibName", &E::ctxcb_lib_name), field("CloudCustomData", &E::cloud_custom_data));
    }
};

using PushEvents = EventList<PushOfflinePush, PushAllMemberPush, ContentResultNotify>;

}  // namespace imcb
