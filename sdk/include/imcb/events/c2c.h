#pragma once

// One-to-one messages: C2C.*, Bot.OnC2CMessage and Chatbot.OnC2CSignalMessage (protocol
// reference §3.2; the newer commands from their own documentation pages).

#include "imcb/events/common.h"

namespace imcb {

/// The keys every one-to-one message callback carries, for a struct E with these members.
template <class E>
constexpr auto c2c_message_fields() {
    return std::make_tuple(field("From_Account", &E::from_account), field("To_Account", &E::to_account),
                           field("MsgSeq", &E::msg_seq), field("MsgRandom", &E::msg_random),
                           field("MsgTime", &E::msg_time), field("MsgKey", &E::msg_key),
                           field("MsgId", &E::msg_id), field("OnlineOnlyFlag", &E::online_only_flag),
                           field("MsgBody", &E::msg_body), field("CloudCustomData", &E::cloud_custom_data),
                           field<codec::EventTime>("EventTime", &E::event_time));
}

/// The members every one-to-one message callback has (the keys of c2c_message_fields).
struct C2CMessage {
    std::string from_account;                      ///< From_Account: the sender
    std::string to_account;                        ///< To_Account: the receiver
    std::uint32_t msg_seq = 0;                     ///< MsgSeq
    std::uint32_t msg_random = 0;                  ///< MsgRandom
    std::int64_t msg_time = 0;                     ///< MsgTime, seconds
    std::string msg_key;                           ///< MsgKey
    std::optional<std::string> msg_id;             ///< MsgId (newer payloads)
    std::optional<int> online_only_flag;           ///< OnlineOnlyFlag: 1 = online-only message
    std::vector<MsgElement> msg_body;              ///< MsgBody
    std::optional<std::string> cloud_custom_data;  ///< CloudCustomData
    std::optional<std::int64_t> event_time;        ///< EventTime, ms (newer payloads)
    nlohmann::json unknown_fields;
};

/// C2C.CallbackBeforeSendMsg: a one-to-one message is about to be sent.
struct C2CBeforeSendMsg : C2CMessage {
    static constexpr std::string_view kCommand = "C2C.CallbackBeforeSendMsg";
    static constexpr Phase kPhase = Phase::Before;
    static constexpr DecisionRules kRules = DecisionRules::message(120001, 130000);
    static constexpr std::string_view kSummary = "a one-to-one message is about to be sent";
    using Reply = imcb::Reply<C2CBeforeSendMsg>;

    static constexpr auto fields() { return c2c_message_fields<C2CBeforeSendMsg>(); }
};

/// C2C.CallbackAfterSendMsg: a one-to-one message was sent (also fired when delivery failed).
struct C2CAfterSendMsg : C2CMessage {
    static constexpr std::string_view kCommand = "C2C.CallbackAfterSendMsg";
    static constexpr Phase kPhase = Phase::After;
    static constexpr std::string_view kSummary =
        "a one-to-one message was sent (also when delivery failed: see SendMsgResult)";

    int send_msg_result = 0;  ///< SendMsgResult: 0 = delivered
    std::string error_info;   ///< ErrorInfo, e.g. "send msg succeed"
    int unread_msg_num = 0;   ///< UnreadMsgNum: -1 when delivery failed

    static constexpr auto fields() {
        using E = C2CAfterSendMsg;
        return std::tuple_cat(
            c2c_message_fields<E>(),
            std::make_tuple(field("SendMsgResult", &E::send_msg_result), field("ErrorInfo", &E::error_info),
                            field("UnreadMsgNum", &E::unread_msg_num)));
    }
};

/// C2C.CallbackAfterMsgWithDraw: a one-to-one message was recalled.
struct C2CAfterMsgWithDraw {
    static constexpr std::string_view kCommand = "C2C.CallbackAfterMsgWithDraw";
    static constexpr Phase kPhase = Phase::After;
    static constexpr std::string_view kSummary = "a one-to-one message was recalled";

    std::string from_account;                ///< From_Account
    std::string to_account;                  ///< To_Account
    std::string msg_key;                     ///< MsgKey
    int unread_msg_num = 0;                  ///< UnreadMsgNum
    std::optional<std::int64_t> event_time;  ///< EventTime, ms
    nlohmann::json unknown_fields;

    static constexpr auto fields() {
        using E = C2CAfterMsgWithDraw;
        return std::make_tuple(field("From_Account", &E::from_account), field("To_Account", &E::to_account),
                               field("MsgKey", &E::msg_key), field("UnreadMsgNum", &E::unread_msg_num),
                               field<codec::EventTime>("EventTime", &E::event_time));
    }
};

/// C2C.CallbackAfterMsgReport: a user marked a one-to-one conversation as read.
struct C2CAfterMsgReport {
    static constexpr std::string_view kCommand = "C2C.CallbackAfterMsgReport";
    static constexpr Phase kPhase = Phase::After;
    static constexpr std::string_view kSummary = "a user marked a one-to-one conversation as read";

    std::string report_account;       ///< Report_Account: who marked the conversation as read
    std::string peer_account;         ///< Peer_Account: the other party of the conversation
    std::int64_t last_read_time = 0;  ///< LastReadTime, seconds: everything before it is read
    // Optional: the newest (Chinese) example body of this callback leaves UnreadMsgNum out.
    std::optional<int> unread_msg_num;       ///< UnreadMsgNum: Report_Account's unread total
    std::optional<std::int64_t> event_time;  ///< EventTime, ms (newer payloads)
    nlohmann::json unknown_fields;

    static constexpr auto fields() {
        using E = C2CAfterMsgReport;
        return std::make_tuple(
            field("Report_Account", &E::report_account), field("Peer_Account", &E::peer_account),
            field("LastReadTime", &E::last_read_time), field("UnreadMsgNum", &E::unread_msg_num),
            field<codec::EventTime>("EventTime", &E::event_time));
    }
};

/// One ExtensionList entry of C2C.CallbackAfterC2CMsgExtension: a message extension key.
struct C2CMsgExtensionItem {
    std::string key;        ///< Key
    std::string value;      ///< Value: "" when the key was deleted
    std::uint64_t seq = 0;  ///< Seq: this key's version
    nlohmann::json unknown_fields;
    static constexpr auto fields() {
        using I = C2CMsgExtensionItem;
        return std::make_tuple(field("Key", &I::key), field("Value", &I::value), field("Seq", &I::seq));
    }
};

/// C2C.CallbackAfterC2CMsgExtension: a one-to-one message's extensions were set, deleted or
/// cleared.
struct C2CAfterC2CMsgExtension {
    static constexpr std::string_view kCommand = "C2C.CallbackAfterC2CMsgExtension";
    static constexpr Phase kPhase = Phase::After;
    static constexpr std::string_view kSummary =
        "a one-to-one message's extensions were set, deleted or cleared";

    std::string from_account;  ///< From_Account: the message's sender
    std::string to_account;    ///< To_Account: the message's recipient
    std::string msg_key;       ///< MsgKey: the message
    int operate_type = 0;      ///< OperateType: 1 = set, 2 = delete, 3 = clear
    // Optional: a clear (OperateType 3) names no keys; the documented group variant sends [].
    std::optional<std::vector<C2CMsgExtensionItem>> extension_list;  ///< ExtensionList
    std::uint64_t seq = 0;                   ///< Seq: the message's latest extension version
    std::optional<std::int64_t> event_time;  ///< EventTime, ms
    nlohmann::json unknown_fields;

    static constexpr auto fields() {
        using E = C2CAfterC2CMsgExtension;
        return std::make_tuple(field("From_Account", &E::from_account), field("To_Account", &E::to_account),
                               field("MsgKey", &E::msg_key), field("OperateType", &E::operate_type),
                               field("ExtensionList", &E::extension_list), field("Seq", &E::seq),
                               field<codec::EventTime>("EventTime", &E::event_time));
    }
};

/// One C2CMsgInfo entry of C2C.CallbackAfterMsgReadReceipt: a message whose receipt was sent.
struct C2CReadReceiptMsg {
    std::string from_account;           ///< From_Account: the message's sender (the peer)
    std::string to_account;             ///< To_Account: its receiver (who read it)
    std::string msg_key;                ///< MsgKey
    std::optional<std::string> msg_id;  ///< MsgId
    nlohmann::json unknown_fields;
    static constexpr auto fields() {
        using I = C2CReadReceiptMsg;
        return std::make_tuple(field("From_Account", &I::from_account), field("To_Account", &I::to_account),
                               field("MsgKey", &I::msg_key), field("MsgId", &I::msg_id));
    }
};

/// C2C.CallbackAfterMsgReadReceipt: a user sent a read receipt for one-to-one messages.
struct C2CAfterMsgReadReceipt {
    static constexpr std::string_view kCommand = "C2C.CallbackAfterMsgReadReceipt";
    static constexpr Phase kPhase = Phase::After;
    static constexpr std::string_view kSummary = "a user sent a read receipt for one-to-one messages";

    std::string operator_account;                 ///< Operator_Account: who sent the receipt (who read)
    std::string peer_account;                     ///< Peer_Account: the other party of the conversation
    std::vector<C2CReadReceiptMsg> c2c_msg_info;  ///< C2CMsgInfo: the messages read
    std::optional<std::int64_t> event_time;       ///< EventTime, ms: when the receipt was sent
    nlohmann::json unknown_fields;

    static constexpr auto fields() {
        using E = C2CAfterMsgReadReceipt;
        return std::make_tuple(field("Operator_Account", &E::operator_account),
                               field("Peer_Account", &E::peer_account), field("C2CMsgInfo", &E::c2c_msg_info),
                               field<codec::EventTime>("EventTime", &E::event_time));
    }
};

/// One GroupReadInfo entry of C2C.CallbackAfterMsgReadAll: a group cleared up to a message.
struct GroupReadInfo {
    std::string group_id;       ///< GroupId
    std::uint64_t msg_seq = 0;  ///< MsgSeq: the group message Seq the clear request named
    nlohmann::json unknown_fields;
    static constexpr auto fields() {
        return std::make_tuple(field("GroupId", &GroupReadInfo::group_id),
                               field("MsgSeq", &GroupReadInfo::msg_seq));
    }
};

/// C2C.CallbackAfterMsgReadAll: a user cleared all unread messages (one-to-one and group).
struct C2CAfterMsgReadAll {
    static constexpr std::string_view kCommand = "C2C.CallbackAfterMsgReadAll";
    static constexpr Phase kPhase = Phase::After;
    static constexpr std::string_view kSummary = "a user cleared all unread messages, one-to-one and group";

    std::string report_account;  ///< Report_Account: who cleared them
    // Optional: the page's example lists groups; a user in no group has none to list.
    std::optional<std::vector<GroupReadInfo>> group_read_info;  ///< GroupReadInfo
    std::optional<std::int64_t> event_time;                     ///< EventTime, ms
    nlohmann::json unknown_fields;

    static constexpr auto fields() {
        using E = C2CAfterMsgReadAll;
        return std::make_tuple(field("Report_Account", &E::report_account),
                               field("GroupReadInfo", &E::group_read_info),
                               field<codec::EventTime>("EventTime", &E::event_time));
    }
};

/// C2C.CallbackAfterModifyMsg: a one-to-one message was edited (by a client or the REST API).
struct C2CAfterModifyMsg : C2CMessage {
    static constexpr std::string_view kCommand = "C2C.CallbackAfterModifyMsg";
    static constexpr Phase kPhase = Phase::After;
    static constexpr std::string_view kSummary = "a one-to-one message was edited";

    std::string operator_account;  ///< Operator_Account: who edited it; msg_body is the new content

    static constexpr auto fields() {
        using E = C2CAfterModifyMsg;
        return std::tuple_cat(c2c_message_fields<E>(),
                              std::make_tuple(field("Operator_Account", &E::operator_account)));
    }
};

/// Chatbot.OnC2CSignalMessage: an app sent custom pass-through content to a chatbot account.
/// The handler answers with Reply::respond(data), which the vendor passes back to the chatbot,
/// or deny() to pass nothing back.
struct ChatbotOnC2CSignalMessage {
    static constexpr std::string_view kCommand = "Chatbot.OnC2CSignalMessage";
    static constexpr Phase kPhase = Phase::Before;
    static constexpr DecisionRules kRules = DecisionRules::pass_through_reply();
    static constexpr std::string_view kSummary =
        "an app sent custom pass-through content to a chatbot, which gets the reply's RspData";
    using Reply = imcb::Reply<ChatbotOnC2CSignalMessage>;

    std::string from_account;                ///< From_Account: the sender
    std::string to_account;                  ///< To_Account: the chatbot, e.g. "@RBT#chatbot"
    std::uint32_t msg_seq = 0;               ///< MsgSeq
    std::uint32_t msg_random = 0;            ///< MsgRandom
    std::string msg_key;                     ///< MsgKey
    std::string data;                        ///< Data: the pass-through content (often JSON text)
    std::optional<std::int64_t> event_time;  ///< EventTime, ms
    nlohmann::json unknown_fields;

    static constexpr auto fields() {
        using E = ChatbotOnC2CSignalMessage;
        return std::make_tuple(field("From_Account", &E::from_account), field("To_Account", &E::to_account),
                               field("MsgSeq", &E::msg_seq), field("MsgRandom", &E::msg_random),
                               field("MsgKey", &E::msg_key), field("Data", &E::data),
                               field<codec::EventTime>("EventTime", &E::event_time));
    }
};

/// Bot.OnC2CMessage: a one-to-one message was sent to a chatbot account.
struct BotOnC2CMessage : C2CMessage {
    static constexpr std::string_view kCommand = "Bot.OnC2CMessage";
    static constexpr Phase kPhase = Phase::After;
    static constexpr std::string_view kSummary = "a one-to-one message was sent to a chatbot";

    int send_msg_result = 0;            ///< SendMsgResult: 0 = delivered
    std::string error_info;             ///< ErrorInfo, e.g. "send msg succeed"
    std::optional<int> unread_msg_num;  ///< UnreadMsgNum: -1 when delivery failed; not always sent

    static constexpr auto fields() {
        using E = BotOnC2CMessage;
        return std::tuple_cat(
            c2c_message_fields<E>(),
            std::make_tuple(field("SendMsgResult", &E::send_msg_result), field("ErrorInfo", &E::error_info),
                            field("UnreadMsgNum", &E::unread_msg_num)));
    }
};

using C2CEvents = EventList<C2CBeforeSendMsg, C2CAfterSendMsg, C2CAfterMsgWithDraw, C2CAfterMsgReport,
                            C2CAfterC2CMsgExtension, C2CAfterMsgReadReceipt, C2CAfterMsgReadAll,
                            C2CAfterModifyMsg, BotOnC2CMessage, ChatbotOnC2CSignalMessage>;

}  // namespace imcb
