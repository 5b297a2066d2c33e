#pragma once

// Groups: Group.* including topics, member and attribute changes, and Bot.OnGroupMessage
// (protocol reference §3.3). Group.* examples send EventTime as a string: codec::EventTime
// accepts both forms.

#include "imcb/events/common.h"

namespace imcb {

/// The keys every group message callback carries, for a struct E with these members.
template <class E>
constexpr auto group_message_fields() {
    return std::make_tuple(
        field("GroupId", &E::group_id), field("Type", &E::type), field("From_Account", &E::from_account),
        field("Operator_Account", &E::operator_account), field("Random", &E::random),
        field("MsgId", &E::msg_id), field("OnlineOnlyFlag", &E::online_only_flag),
        field("MsgBody", &E::msg_body), field("CloudCustomData", &E::cloud_custom_data),
        field("TopicId", &E::topic_id), field<codec::EventTime>("EventTime", &E::event_time));
}

/// The members every group message callback has (the keys of group_message_fields).
struct GroupMessage {
    std::string group_id;                          ///< GroupId
    std::string type;                              ///< Type: Public, Private, ChatRoom, AVChatRoom, Community
    std::string from_account;                      ///< From_Account: the sender
    std::string operator_account;                  ///< Operator_Account: who made the request
    std::uint32_t random = 0;                      ///< Random
    std::optional<std::string> msg_id;             ///< MsgId (newer payloads)
    std::optional<int> online_only_flag;           ///< OnlineOnlyFlag
    std::vector<MsgElement> msg_body;              ///< MsgBody
    std::optional<std::string> cloud_custom_data;  ///< CloudCustomData
    std::optional<std::string> topic_id;           ///< TopicId: topic communities only
    std::optional<std::int64_t> event_time;        ///< EventTime, ms
    nlohmann::json unknown_fields;
};

/// Group.CallbackBeforeSendMsg: a group message is about to be sent.
struct GroupBeforeSendMsg : GroupMessage {
    static constexpr std::string_view kCommand = "Group.CallbackBeforeSendMsg";
    static constexpr Phase kPhase = Phase::Before;
    static constexpr DecisionRules kRules = DecisionRules::message(10100, 10200);
    static constexpr std::string_view kSummary = "a group message is about to be sent";
    using Reply = imcb::Reply<GroupBeforeSendMsg>;

    static constexpr auto fields() { return group_message_fields<GroupBeforeSendMsg>(); }
};

/// Group.CallbackAfterSendMsg: a group message was sent.
struct GroupAfterSendMsg : GroupMessage {
    static constexpr std::string_view kCommand = "Group.CallbackAfterSendMsg";
    static constexpr Phase kPhase = Phase::After;
    static constexpr std::string_view kSummary = "a group message was sent";

    std::uint32_t msg_seq = 0;  ///< MsgSeq
    std::int64_t msg_time = 0;  ///< MsgTime, seconds

    static constexpr auto fields() {
        using E = GroupAfterSendMsg;
        return std::tuple_cat(group_message_fields<E>(),
                              std::make_tuple(field("MsgSeq", &E::msg_seq), field("MsgTime", &E::msg_time)));
    }
};

/// Group.CallbackBeforeCreateGroup: a group is about to be created.
struct GroupBeforeCreateGroup {
    static constexpr std::string_view kCommand = "Group.CallbackBeforeCreateGroup";
    static constexpr Phase kPhase = Phase::Before;
    static constexpr DecisionRules kRules = DecisionRules::custom_codes(10100, 10200);
    static constexpr std::string_view kSummary = "a group is about to be created";
    using Reply = imcb::Reply<GroupBeforeCreateGroup>;

    std::string operator_account;                     ///< Operator_Account
    std::optional<std::string> owner_account;         ///< Owner_Account: may be absent
    std::string type;                                 ///< Type
    std::string name;                                 ///< Name
    int create_group_num = 0;                         ///< CreateGroupNum: groups the operator created so far
    std::optional<std::vector<Account>> member_list;  ///< MemberList: initial members
    std::optional<std::int64_t> event_time;           ///< EventTime, ms
    nlohmann::json unknown_fields;

    static constexpr auto fields() {
        using E = GroupBeforeCreateGroup;
        return std::make_tuple(
            field("Operator_Account", &E::operator_account), field("Owner_Account", &E::owner_account),
            field("Type", &E::type), field("Name", &E::name), field("CreateGroupNum", &E::create_group_num),
            field("MemberList", &E::member_list), field<codec::EventTime>("EventTime", &E::event_time));
    }
};

/// One UserDefinedDataList entry: a group's custom field.
struct UserDefinedData {
    std::string key;    ///< Key
    std::string value;  ///< Value
    nlohmann::json unknown_fields;
    static constexpr auto fields() {
        return std::make_tuple(field("Key", &UserDefinedData::key), field("Value", &UserDefinedData::value));
    }
};

/// Group.CallbackAfterCreateGroup: a group was created.
struct GroupAfterCreateGroup {
    static constexpr std::string_view kCommand = "Group.CallbackAfterCreateGroup";
    static constexpr Phase kPhase = Phase::After;
    static constexpr std::string_view kSummary = "a group was created";

    std::string group_id;                                                ///< GroupId
    std::string operator_account;                                        ///< Operator_Account
    std::optional<std::string> owner_account;                            ///< Owner_Account: may be absent
    std::string type;                                                    ///< Type
    std::string name;                                                    ///< Name
    std::optional<std::vector<Account>> member_list;                     ///< MemberList
    std::optional<std::vector<UserDefinedData>> user_defined_data_list;  ///< UserDefinedDataList
    std::optional<std::int64_t> event_time;                              ///< EventTime, ms
    nlohmann::json unknown_fields;

    static constexpr auto fields() {
        using E = GroupAfterCreateGroup;
        return std::make_tuple(
            field("GroupId", &E::group_id), field("Operator_Account", &E::operator_account),
            field("Owner_Account", &E::owner_account), field("Type", &E::type), field("Name", &E::name),
            field("MemberList", &E::member_list), field("UserDefinedDataList", &E::user_defined_data_list),
            field<codec::EventTime>("EventTime", &E::event_time));
    }
};

/// Group.CallbackAfterNewMemberJoin: members joined a group.
struct GroupAfterNewMemberJoin {
    static constexpr std::string_view kCommand = "Group.CallbackAfterNewMemberJoin";
    static constexpr Phase kPhase = Phase::After;
    static constexpr std::string_view kSummary = "members joined a group";

    std::string group_id;                    ///< GroupId
    std::string type;                        ///< Type
    std::string join_type;                   ///< JoinType: Apply, Invited
    std::string operator_account;            ///< Operator_Account
    std::vector<Account> new_member_list;    ///< NewMemberList
    std::optional<std::int64_t> event_time;  ///< EventTime, ms
    nlohmann::json unknown_fields;

    static constexpr auto fields() {
        using E = GroupAfterNewMemberJoin;
        return std::make_tuple(
            field("GroupId", &E::group_id), field("Type", &E::type), field("JoinType", &E::join_type),
            field("Operator_Account", &E::operator_account), field("NewMemberList", &E::new_member_list),
            field<codec::EventTime>("EventTime", &E::event_time));
    }
};

/// Group.CallbackAfterMemberExit: members left a group.
struct GroupAfterMemberExit {
    static constexpr std::string_view kCommand = "Group.CallbackAfterMemberExit";
    static constexpr Phase kPhase = Phase::After;
    static constexpr std::string_view kSummary = "members left a group (quit or kicked)";

    std::string group_id;                    ///< GroupId
    std::string type;                        ///< Type
    std::string exit_type;                   ///< ExitType: Kicked, Quit
    std::string operator_account;            ///< Operator_Account
    std::vector<Account> exit_member_list;   ///< ExitMemberList
    std::optional<std::int64_t> event_time;  ///< EventTime, ms
    nlohmann::json unknown_fields;

    static constexpr auto fields() {
        using E = GroupAfterMemberExit;
        return std::make_tuple(
            field("GroupId", &E::group_id), field("Type", &E::type), field("ExitType", &E::exit_type),
            field("Operator_Account", &E::operator_account), field("ExitMemberList", &E::exit_member_list),
            field<codec::EventTime>("EventTime", &E::event_time));
    }
};

/// Group.CallbackBeforeApplyJoinGroup: a user asked to join a group. Allowing it still leaves
/// the group's own approval rule in force.
struct GroupBeforeApplyJoinGroup {
    static constexpr std::string_view kCommand = "Group.CallbackBeforeApplyJoinGroup";
    static constexpr Phase kPhase = Phase::Before;
    static constexpr DecisionRules kRules = DecisionRules::custom_codes(10100, 10200);
    static constexpr std::string_view kSummary = "a user asked to join a group";
    using Reply = imcb::Reply<GroupBeforeApplyJoinGroup>;

    std::string group_id;                    ///< GroupId
    std::string type;                        ///< Type
    std::string requestor_account;           ///< Requestor_Account: the applicant
    std::optional<std::int64_t> event_time;  ///< EventTime, ms
    nlohmann::json unknown_fields;

    static constexpr auto fields() {
        using E = GroupBeforeApplyJoinGroup;
        return std::make_tuple(field("GroupId", &E::group_id), field("Type", &E::type),
                               field("Requestor_Account", &E::requestor_account),
                               field<codec::EventTime>("EventTime", &E::event_time));
    }
};

/// Group.CallbackBeforeInviteJoinGroup: users are about to be invited into a group. The reply may
/// refuse some invitees (RefusedMembers_Account) and let the others in.
struct GroupBeforeInviteJoinGroup {
    static constexpr std::string_view kCommand = "Group.CallbackBeforeInviteJoinGroup";
    static constexpr Phase kPhase = Phase::Before;
    static constexpr DecisionRules kRules = DecisionRules::custom_codes(10100, 10200).with_member_refusal();
    static constexpr std::string_view kSummary = "users are about to be invited into a group";
    using Reply = imcb::Reply<GroupBeforeInviteJoinGroup>;

    std::string group_id;                      ///< GroupId
    std::string type;                          ///< Type
    std::string operator_account;              ///< Operator_Account: the inviter
    std::vector<Account> destination_members;  ///< DestinationMembers: the invitees
    std::optional<std::int64_t> event_time;    ///< EventTime, ms
    nlohmann::json unknown_fields;

    static constexpr auto fields() {
        using E = GroupBeforeInviteJoinGroup;
        return std::make_tuple(field("GroupId", &E::group_id), field("Type", &E::type),
                               field("Operator_Account", &E::operator_account),
                               field("DestinationMembers", &E::destination_members),
                               field<codec::EventTime>("EventTime", &E::event_time));
    }
};

/// Group.CallbackSendMsgException: a group message could not be delivered (bad parameters, rate
/// limit, content filtering, muted sender). The body carries the failure's own ErrorCode and
/// ErrorInfo: they describe the message, not the reply.
struct GroupSendMsgException : GroupMessage {
    static constexpr std::string_view kCommand = "Group.CallbackSendMsgException";
    static constexpr Phase kPhase = Phase::After;
    static constexpr std::string_view kSummary = "a group message failed to be sent";

    int error_code = 0;      ///< ErrorCode: the failure, e.g. 10023
    std::string error_info;  ///< ErrorInfo: the failure's details

    static constexpr auto fields() {
        using E = GroupSendMsgException;
        return std::tuple_cat(group_message_fields<E>(), std::make_tuple(field("ErrorCode", &E::error_code),
                                                                         field("ErrorInfo", &E::error_info)));
    }
};

/// One MsgSeqList entry of Group.CallbackAfterRecallMsg: a recalled message.
struct GroupRecalledMsgSeq {
    std::uint32_t msg_seq = 0;  ///< MsgSeq
    nlohmann::json unknown_fields;
    static constexpr auto fields() { return std::make_tuple(field("MsgSeq", &GroupRecalledMsgSeq::msg_seq)); }
};

/// Group.CallbackAfterRecallMsg: group messages were recalled.
struct GroupAfterRecallMsg {
    static constexpr std::string_view kCommand = "Group.CallbackAfterRecallMsg";
    static constexpr Phase kPhase = Phase::After;
    static constexpr std::string_view kSummary = "group messages were recalled";

    std::string operator_account;                   ///< Operator_Account: who recalled them
    std::string type;                               ///< Type
    std::string group_id;                           ///< GroupId
    std::vector<GroupRecalledMsgSeq> msg_seq_list;  ///< MsgSeqList: the recalled messages
    std::optional<std::string> topic_id;            ///< TopicId: set for messages in a topic
    std::optional<std::int64_t> event_time;         ///< EventTime, ms (newer payloads)
    nlohmann::json unknown_fields;

    static constexpr auto fields() {
        using E = GroupAfterRecallMsg;
        return std::make_tuple(field("Operator_Account", &E::operator_account), field("Type", &E::type),
                               field("GroupId", &E::group_id), field("MsgSeqList", &E::msg_seq_list),
                               field("TopicId", &E::topic_id),
                               field<codec::EventTime>("EventTime", &E::event_time));
    }
};

/// Group.CallbackAfterGroupFull: a group reached its member limit.
struct GroupAfterGroupFull {
    static constexpr std::string_view kCommand = "Group.CallbackAfterGroupFull";
    static constexpr Phase kPhase = Phase::After;
    static constexpr std::string_view kSummary = "a group reached its member limit";

    std::string group_id;                    ///< GroupId
    std::optional<std::int64_t> event_time;  ///< EventTime, ms
    nlohmann::json unknown_fields;

    static constexpr auto fields() {
        using E = GroupAfterGroupFull;
        return std::make_tuple(field("GroupId", &E::group_id),
                               field<codec::EventTime>("EventTime", &E::event_time));
    }
};

/// Group.CallbackAfterGroupDestroyed: a group was disbanded.
struct GroupAfterGroupDestroyed {
    static constexpr std::string_view kCommand = "Group.CallbackAfterGroupDestroyed";
    static constexpr Phase kPhase = Phase::After;
    static constexpr std::string_view kSummary = "a group was disbanded";

    std::string group_id;                             ///< GroupId
    std::string type;                                 ///< Type
    std::optional<std::string> owner_account;         ///< Owner_Account: absent for ownerless groups
    std::string name;                                 ///< Name
    std::optional<std::vector<Account>> member_list;  ///< MemberList: not sent for Community
    std::optional<std::int64_t> event_time;           ///< EventTime, ms
    nlohmann::json unknown_fields;

    static constexpr auto fields() {
        using E = GroupAfterGroupDestroyed;
        return std::make_tuple(field("GroupId", &E::group_id), field("Type", &E::type),
                               field("Owner_Account", &E::owner_account), field("Name", &E::name),
                               field("MemberList", &E::member_list),
                               field<codec::EventTime>("EventTime", &E::event_time));
    }
};

/// Group.CallbackAfterGroupInfoChanged: a group's name, introduction, notification or picture
/// changed. Only the changed keys are sent.
struct GroupAfterGroupInfoChanged {
    static constexpr std::string_view kCommand = "Group.CallbackAfterGroupInfoChanged";
    static constexpr Phase kPhase = Phase::After;
    static constexpr std::string_view kSummary = "a group's profile changed";

    std::string group_id;                     ///< GroupId
    std::string type;                         ///< Type
    std::string operator_account;             ///< Operator_Account
    std::optional<std::string> name;          ///< Name: the new name
    std::optional<std::string> introduction;  ///< Introduction: the new introduction
    std::optional<std::string> notification;  ///< Notification: the new notification
    std::optional<std::string> face_url;      ///< FaceUrl: the new picture URL
    std::optional<std::int64_t> event_time;   ///< EventTime, ms
    nlohmann::json unknown_fields;

    static constexpr auto fields() {
        using E = GroupAfterGroupInfoChanged;
        return std::make_tuple(field("GroupId", &E::group_id), field("Type", &E::type),
                               field("Operator_Account", &E::operator_account), field("Name", &E::name),
                               field("Introduction", &E::introduction),
                               field("Notification", &E::notification), field("FaceUrl", &E::face_url),
                               field<codec::EventTime>("EventTime", &E::event_time));
    }
};

/// Group.CallbackOnMemberStateChange: members of an audio-video group (AVChatRoom) went offline
/// or came back online (Premium edition, console switch).
struct GroupOnMemberStateChange {
    static constexpr std::string_view kCommand = "Group.CallbackOnMemberStateChange";
    static constexpr Phase kPhase = Phase::After;
    static constexpr std::string_view kSummary =
        "members of an audio-video group went offline or came back online";

    std::string group_id;                    ///< GroupId
    std::string event_type;                  ///< EventType: Offline, Online
    std::optional<std::string> event_cause;  ///< EventCause: HeartbeatInterrupt/Recover, Join, Quit
    std::vector<Account> member_list;        ///< MemberList: the members concerned
    std::optional<std::int64_t> event_time;  ///< EventTime, ms
    nlohmann::json unknown_fields;

    static constexpr auto fields() {
        using E = GroupOnMemberStateChange;
        return std::make_tuple(field("GroupId", &E::group_id), field("EventType", &E::event_type),
                               field("EventCause", &E::event_cause), field("MemberList", &E::member_list),
                               field<codec::EventTime>("EventTime", &E::event_time));
    }
};

/// Group.CallbackBeforeCreateTopic: a topic is about to be created in a Community group.
///
/// Replies: the vendor's page (1047/49463, ZH and KO renderings) documents 0 (create), 1 (refuse,
/// the caller gets 10016) and custom deny codes in [10100, 10200], as for the other group
/// before-callbacks.
struct GroupBeforeCreateTopic {
    static constexpr std::string_view kCommand = "Group.CallbackBeforeCreateTopic";
    static constexpr Phase kPhase = Phase::Before;
    static constexpr DecisionRules kRules = DecisionRules::custom_codes(10100, 10200);
    static constexpr std::string_view kSummary = "a topic is about to be created";
    using Reply = imcb::Reply<GroupBeforeCreateTopic>;

    std::string operator_account;            ///< Operator_Account: who creates the topic
    std::string type;                        ///< Type: Community
    std::string name;                        ///< Name: the topic's name
    std::optional<std::string> group_id;     ///< GroupId: the community (not in the example)
    std::optional<std::int64_t> event_time;  ///< EventTime, ms (not in the example)
    nlohmann::json unknown_fields;

    static constexpr auto fields() {
        using E = GroupBeforeCreateTopic;
        return std::make_tuple(field("Operator_Account", &E::operator_account), field("Type", &E::type),
                               field("Name", &E::name), field("GroupId", &E::group_id),
                               field<codec::EventTime>("EventTime", &E::event_time));
    }
};

/// Group.CallbackAfterCreateTopic: a topic was created in a Community group.
struct GroupAfterCreateTopic {
    static constexpr std::string_view kCommand = "Group.CallbackAfterCreateTopic";
    static constexpr Phase kPhase = Phase::After;
    static constexpr std::string_view kSummary = "a topic was created";

    std::string group_id;                      ///< GroupId: the community
    std::string topic_id;                      ///< TopicId
    std::string operator_account;              ///< Operator_Account
    std::optional<std::string> owner_account;  ///< Owner_Account: the community's owner
    std::string type;                          ///< Type: Community
    std::string name;                          ///< Name: the topic's name
    std::optional<std::vector<UserDefinedData>> user_defined_data_list;  ///< UserDefinedDataList
    std::optional<std::int64_t> event_time;  ///< EventTime, ms (not in the example)
    nlohmann::json unknown_fields;

    static constexpr auto fields() {
        using E = GroupAfterCreateTopic;
        return std::make_tuple(field("GroupId", &E::group_id), field("TopicId", &E::topic_id),
                               field("Operator_Account", &E::operator_account),
                               field("Owner_Account", &E::owner_account), field("Type", &E::type),
                               field("Name", &E::name),
                               field("UserDefinedDataList", &E::user_defined_data_list),
                               field<codec::EventTime>("EventTime", &E::event_time));
    }
};

/// Group.CallbackAfterTopicDestroyed: topics of a Community group were deleted.
struct GroupAfterTopicDestroyed {
    static constexpr std::string_view kCommand = "Group.CallbackAfterTopicDestroyed";
    static constexpr Phase kPhase = Phase::After;
    static constexpr std::string_view kSummary = "topics were deleted";

    std::string group_id;                    ///< GroupId: the community
    std::string type;                        ///< Type: Community
    std::vector<std::string> topic_id_list;  ///< TopicIdList: the deleted topics
    std::optional<std::int64_t> event_time;  ///< EventTime, ms (not in the example)
    nlohmann::json unknown_fields;

    static constexpr auto fields() {
        using E = GroupAfterTopicDestroyed;
        return std::make_tuple(field("GroupId", &E::group_id), field("Type", &E::type),
                               field("TopicIdList", &E::topic_id_list),
                               field<codec::EventTime>("EventTime", &E::event_time));
    }
};

/// Group.CallbackAfterTopicInfoChanged: a topic's name, introduction, notification or picture
/// changed. The vendor's example names the community (GroupId) but no TopicId; a TopicId sent by
/// newer payloads is kept in unknown_fields.
struct GroupAfterTopicInfoChanged {
    static constexpr std::string_view kCommand = "Group.CallbackAfterTopicInfoChanged";
    static constexpr Phase kPhase = Phase::After;
    static constexpr std::string_view kSummary = "a topic's profile changed";

    std::string group_id;                     ///< GroupId: the community
    std::string type;                         ///< Type: Community
    std::string operator_account;             ///< Operator_Account
    std::optional<std::string> name;          ///< Name: the new name
    std::optional<std::string> introduction;  ///< Introduction: the new introduction
    std::optional<std::string> notification;  ///< Notification: the new notification
    std::optional<std::string> face_url;      ///< FaceUrl: the new picture URL
    std::optional<std::int64_t> event_time;   ///< EventTime, ms (not in the example)
    nlohmann::json unknown_fields;

    static constexpr auto fields() {
        using E = GroupAfterTopicInfoChanged;
        return std::make_tuple(field("GroupId", &E::group_id), field("Type", &E::type),
                               field("Operator_Account", &E::operator_account), field("Name", &E::name),
                               field("Introduction", &E::introduction),
                               field("Notification", &E::notification), field("FaceUrl", &E::face_url),
                               field<codec::EventTime>("EventTime", &E::event_time));
    }
};

/// Group.CallbackAfterMemberFieldChanged: a member's role or name card changed. The vendor's pages
/// disagree on the changed member's key (Modified_Account on cloud.tencent.com 269/105353,
/// Member_Account on tencentcloud.com 1047/60393): both are read, and Role / NameCard are
/// optional since only the changed one is expected.
struct GroupAfterMemberFieldChanged {
    static constexpr std::string_view kCommand = "Group.CallbackAfterMemberFieldChanged";
    static constexpr Phase kPhase = Phase::After;
    static constexpr std::string_view kSummary = "a group member's role or name card changed";

    std::string group_id;                         ///< GroupId
    std::string type;                             ///< Type
    std::string operator_account;                 ///< Operator_Account
    std::optional<std::string> modified_account;  ///< Modified_Account: the member changed
    std::optional<std::string> member_account;    ///< Member_Account: same, other spelling
    std::optional<std::string> role;              ///< Role: the new role, Admin or Member
    std::optional<std::string> name_card;         ///< NameCard: the new name card
    std::optional<std::int64_t> event_time;       ///< EventTime, ms
    nlohmann::json unknown_fields;

    static constexpr auto fields() {
        using E = GroupAfterMemberFieldChanged;
        return std::make_tuple(
            field("GroupId", &E::group_id), field("Type", &E::type),
            field("Operator_Account", &E::operator_account), field("Modified_Account", &E::modified_account),
            field("Member_Account", &E::member_account), field("Role", &E::role),
            field("NameCard", &E::name_card), field<codec::EventTime>("EventTime", &E::event_time));
    }
};

/// One GroupAttr entry of Group.CallbackAfterGroupAttrChanged (keys are lower-case).
struct GroupAttrItem {
    std::string key;                   ///< key
    std::optional<std::string> value;  ///< value: may be absent when the key was deleted
    nlohmann::json unknown_fields;
    static constexpr auto fields() {
        return std::make_tuple(field("key", &GroupAttrItem::key), field("value", &GroupAttrItem::value));
    }
};

/// Group.CallbackAfterGroupAttrChanged: a group's custom attributes were set, modified, cleared
/// or deleted. OptionType is in the vendor's example but not in its field table, hence optional.
struct GroupAfterGroupAttrChanged {
    static constexpr std::string_view kCommand = "Group.CallbackAfterGroupAttrChanged";
    static constexpr Phase kPhase = Phase::After;
    static constexpr std::string_view kSummary = "a group's custom attributes changed";

    std::string group_id;                                  ///< GroupId
    std::string type;                                      ///< Type
    std::string operator_account;                          ///< Operator_Account
    std::optional<std::string> option_type;                ///< OptionType: set (reset), modify, clear, delete
    std::optional<std::vector<GroupAttrItem>> group_attr;  ///< GroupAttr: the attributes
    std::optional<std::int64_t> event_time;                ///< EventTime, ms
    nlohmann::json unknown_fields;

    static constexpr auto fields() {
        using E = GroupAfterGroupAttrChanged;
        return std::make_tuple(field("GroupId", &E::group_id), field("Type", &E::type),
                               field("Operator_Account", &E::operator_account),
                               field("OptionType", &E::option_type), field("GroupAttr", &E::group_attr),
                               field<codec::EventTime>("EventTime", &E::event_time));
    }
};

/// One GroupMsgReceiptList entry of Group.CallbackAfterReadReceipt: one message's read state.
/// The vendor documents the keys only by example, so all but MsgSeq are optional.
struct GroupMsgReceipt {
    std::uint32_t msg_seq = 0;                                 ///< MsgSeq: the message
    std::optional<int> read_num;                               ///< ReadNum: members who have read it
    std::optional<int> unread_num;                             ///< UnreadNum: members who have not
    std::optional<std::vector<Account>> read_receipt_members;  ///< ReadReceiptMembers: readers
    nlohmann::json unknown_fields;
    static constexpr auto fields() {
        using I = GroupMsgReceipt;
        return std::make_tuple(field("MsgSeq", &I::msg_seq), field("ReadNum", &I::read_num),
                               field("UnreadNum", &I::unread_num),
                               field("ReadReceiptMembers", &I::read_receipt_members));
    }
};

/// Group.CallbackAfterReadReceipt: read receipts of group messages were sent or acknowledged.
struct GroupAfterReadReceipt {
    static constexpr std::string_view kCommand = "Group.CallbackAfterReadReceipt";
    static constexpr Phase kPhase = Phase::After;
    static constexpr std::string_view kSummary = "group messages were read";

    std::string group_id;                                 ///< GroupId
    std::string type;                                     ///< Type
    std::vector<GroupMsgReceipt> group_msg_receipt_list;  ///< GroupMsgReceiptList
    std::optional<std::int64_t> event_time;               ///< EventTime, ms
    nlohmann::json unknown_fields;

    static constexpr auto fields() {
        using E = GroupAfterReadReceipt;
        return std::make_tuple(field("GroupId", &E::group_id), field("Type", &E::type),
                               field("GroupMsgReceiptList", &E::group_msg_receipt_list),
                               field<codec::EventTime>("EventTime", &E::event_time));
    }
};

/// Group.CallbackAfterChangeGroupOwner: a group's ownership was transferred.
struct GroupAfterChangeGroupOwner {
    static constexpr std::string_view kCommand = "Group.CallbackAfterChangeGroupOwner";
    static constexpr Phase kPhase = Phase::After;
    static constexpr std::string_view kSummary = "a group's owner changed";

    std::string group_id;                    ///< GroupId
    std::string type;                        ///< Type
    std::string operator_account;            ///< Operator_Account
    std::string old_owner_account;           ///< OldOwner_Account
    std::string new_owner_account;           ///< NewOwner_Account
    std::optional<std::int64_t> event_time;  ///< EventTime, ms
    nlohmann::json unknown_fields;

    static constexpr auto fields() {
        using E = GroupAfterChangeGroupOwner;
        return std::make_tuple(field("GroupId", &E::group_id), field("Type", &E::type),
                               field("Operator_Account", &E::operator_account),
                               field("OldOwner_Account", &E::old_owner_account),
                               field("NewOwner_Account", &E::new_owner_account),
                               field<codec::EventTime>("EventTime", &E::event_time));
    }
};

/// Group.CallbackOnDailyGroupQuotaAlarm: today's net new groups (created minus disbanded) passed
/// 70 % of the app's daily limit.
struct GroupOnDailyGroupQuotaAlarm {
    static constexpr std::string_view kCommand = "Group.CallbackOnDailyGroupQuotaAlarm";
    static constexpr Phase kPhase = Phase::After;
    static constexpr std::string_view kSummary = "today's net new groups passed 70 % of the daily limit";

    int quota_used = 0;                      ///< QuotaUsed: today's net new groups
    int quota = 0;                           ///< Quota: the daily limit
    std::optional<std::int64_t> event_time;  ///< EventTime, ms
    nlohmann::json unknown_fields;

    static constexpr auto fields() {
        using E = GroupOnDailyGroupQuotaAlarm;
        return std::make_tuple(field("QuotaUsed", &E::quota_used), field("Quota", &E::quota),
                               field<codec::EventTime>("EventTime", &E::event_time));
    }
};

/// One ExtensionList entry of Group.CallbackAfterGroupMsgExtension: a message extension key.
struct GroupMsgExtensionItem {
    std::string key;        ///< Key
    std::string value;      ///< Value: "" when the key was deleted
    std::uint64_t seq = 0;  ///< Seq: this key's version
    nlohmann::json unknown_fields;
    static constexpr auto fields() {
        using I = GroupMsgExtensionItem;
        return std::make_tuple(field("Key", &I::key), field("Value", &I::value), field("Seq", &I::seq));
    }
};

/// Group.CallbackAfterGroupMsgExtension: a group message's extensions were set, deleted or
/// cleared. ExtensionList holds the keys set or deleted ([] on clear).
struct GroupAfterGroupMsgExtension {
    static constexpr std::string_view kCommand = "Group.CallbackAfterGroupMsgExtension";
    static constexpr Phase kPhase = Phase::After;
    static constexpr std::string_view kSummary = "a group message's extensions were set, deleted or cleared";

    std::string group_id;       ///< GroupId
    std::uint32_t msg_seq = 0;  ///< MsgSeq: the message
    int operate_type = 0;       ///< OperateType: 1 = set, 2 = delete, 3 = clear
    std::optional<std::vector<GroupMsgExtensionItem>> extension_list;  ///< ExtensionList
    std::uint64_t seq = 0;                   ///< Seq: the message's latest extension version
    std::optional<std::int64_t> event_time;  ///< EventTime, ms
    nlohmann::json unknown_fields;

    static constexpr auto fields() {
        using E = GroupAfterGroupMsgExtension;
        return std::make_tuple(field("GroupId", &E::group_id), field("MsgSeq", &E::msg_seq),
                               field("OperateType", &E::operate_type),
                               field("ExtensionList", &E::extension_list), field("Seq", &E::seq),
                               field<codec::EventTime>("EventTime", &E::event_time));
    }
};

/// Group.CallbackAfterModifyMsg: a group message was edited (by a client or the REST API).
struct GroupAfterModifyMsg {
    static constexpr std::string_view kCommand = "Group.CallbackAfterModifyMsg";
    static constexpr Phase kPhase = Phase::After;
    static constexpr std::string_view kSummary = "a group message was edited";

    std::string operator_account;  ///< Operator_Account: who edited it
    std::string group_id;          ///< GroupId
    std::optional<std::string>
        topic_id;                      ///< TopicId: the topic, in topic communities ("" or absent otherwise)
    std::uint32_t msg_seq = 0;         ///< MsgSeq: the message edited
    std::vector<MsgElement> msg_body;  ///< MsgBody: its new content
    std::optional<std::int64_t> event_time;  ///< EventTime, ms
    nlohmann::json unknown_fields;

    static constexpr auto fields() {
        using E = GroupAfterModifyMsg;
        return std::make_tuple(field("Operator_Account", &E::operator_account),
                               field("GroupId", &E::group_id), field("TopicId", &E::topic_id),
                               field("MsgSeq", &E::msg_seq), field("MsgBody", &E::msg_body),
                               field<codec::EventTime>("EventTime", &E::event_time));
    }
};

/// Bot.OnGroupMessage: a chatbot was mentioned (@) in a group message (not fired by @all).
struct BotOnGroupMessage : GroupMessage {
    static constexpr std::string_view kCommand = "Bot.OnGroupMessage";
    static constexpr Phase kPhase = Phase::After;
    static constexpr std::string_view kSummary = "a chatbot was mentioned in a group message";

    std::uint32_t msg_seq = 0;                   ///< MsgSeq
    std::int64_t msg_time = 0;                   ///< MsgTime, seconds
    std::vector<std::string> at_robots_account;  ///< AtRobots_Account: the chatbots mentioned

    static constexpr auto fields() {
        using E = BotOnGroupMessage;
        return std::tuple_cat(group_message_fields<E>(),
                              std::make_tuple(field("MsgSeq", &E::msg_seq), field("MsgTime", &E::msg_time),
                                              field("AtRobots_Account", &E::at_robots_account)));
    }
};

using GroupEvents =
    EventList<GroupBeforeSendMsg, GroupAfterSendMsg, GroupBeforeCreateGroup, GroupAfterCreateGroup,
              GroupAfterNewMemberJoin, GroupAfterMemberExit, GroupBeforeApplyJoinGroup,
              GroupBeforeInviteJoinGroup, GroupSendMsgException, GroupAfterRecallMsg, GroupAfterGroupFull,
              GroupAfterGroupDestroyed, GroupAfterGroupInfoChanged, GroupOnMemberStateChange,
              GroupBeforeCreateTopic, GroupAfterCreateTopic, GroupAfterTopicDestroyed,
              GroupAfterTopicInfoChanged, GroupAfterMemberFieldChanged, GroupAfterGroupAttrChanged,
              GroupAfterReadReceipt, GroupAfterChangeGroupOwner, GroupOnDailyGroupQuotaAlarm,
              GroupAfterGroupMsgExtension, GroupAfterModifyMsg, BotOnGroupMessage>;

}  // namespace imcb
