#pragma once

// Groups: Group.* including topics, member and attribute changes, and Bot.OnGroupMessage
// (protocol reference §3.3). Group.* examples send EventTime as a string: codec::EventTime
// accepts both forms.

#include "imcb/events/common.h"

namespace imcb {

/// The keys every group message callback carries, for a struct E with these members.
template <class E>
constexpr auto group_message_fields() {
    return std::make_tuple(field("GroupId", &E::group_id), field("Type", &E::type),
                           field("From_Account", &E::from_account),
                           field("Operator_Account", &E::operator_account),
                           field("Random", &E::random), field("MsgId", &E::msg_id),
                           field("OnlineOnlyFlag", &E::online_only_flag),
                           field("MsgBody", &E::msg_body),
                           field("CloudCustomData", &E::cloud_custom_data),
                           field("TopicId", &E::topic_id),
                           field<codec::EventTime>("EventTime", &E::event_time));
}

/// Group.CallbackBeforeSendMsg: a group message is about to be sent.
struct GroupBeforeSendMsg {
    static constexpr std::string_view kCommand = "Group.CallbackBeforeSendMsg";
    static constexpr Phase kPhase = Phase::Before;
    static constexpr DecisionRules kRules = DecisionRules::message(10100, 10200);
    static constexpr std::string_view kSummary = "a group message is about to be sent";
    using Reply = imcb::Reply<GroupBeforeSendMsg>;

    std::string group_id;                          ///< GroupId
    std::string type;  ///< Type: Public, Private, ChatRoom, AVChatRoom, Community
    std::string from_account;                      ///< From_Account
    std::string operator_account;                  ///< Operator_Account
    std::uint32_t random = 0;                      ///< Random
    std::optional<std::string> msg_id;             ///< MsgId (newer payloads)
    std::optional<int> online_only_flag;           ///< OnlineOnlyFlag
    std::vector<MsgElement> msg_body;              ///< MsgBody
    std::optional<std::string> cloud_custom_data;  ///< CloudCustomData
    std::optional<std::string> topic_id;           ///< TopicId: topic communities only
    std::optional<std::int64_t> event_time;        ///< EventTime, ms
    nlohmann::json unknown_fields;

    static constexpr auto fields() { return group_message_fields<GroupBeforeSendMsg>(); }
};

/// Group.CallbackAfterSendMsg: a group message was sent.
struct GroupAfterSendMsg {
    static constexpr std::string_view kCommand = "Group.CallbackAfterSendMsg";
    static constexpr Phase kPhase = Phase::After;
    static constexpr std::string_view kSummary = "a group message was sent";

    std::string group_id;                          ///< GroupId
    std::string type;                              ///< Type
    std::string from_account;                      ///< From_Account
    std::string operator_account;                  ///< Operator_Account
    std::uint32_t random = 0;                      ///< Random
    std::optional<std::string> msg_id;             ///< MsgId (newer payloads)
    std::optional<int> online_only_flag;           ///< OnlineOnlyFlag
    std::vector<MsgElement> msg_body;              ///< MsgBody
    std::optional<std::string> cloud_custom_data;  ///< CloudCustomData
    std::optional<std::string> topic_id;           ///< TopicId: topic communities only
    std::optional<std::int64_t> event_time;        ///< EventTime, ms
    std::uint32_t msg_seq = 0;                     ///< MsgSeq
    std::int64_t msg_time = 0;                     ///< MsgTime, seconds
    nlohmann::json unknown_fields;

    static constexpr auto fields() {
        using E = GroupAfterSendMsg;
        return std::tuple_cat(group_message_fields<E>(),
                              std::make_tuple(field("MsgSeq", &E::msg_seq),
                                              field("MsgTime", &E::msg_time)));
    }
};

/// Group.CallbackBeforeCreateGroup: a group is about to be created.
struct GroupBeforeCreateGroup {
    static constexpr std::string_view kCommand = "Group.CallbackBeforeCreateGroup";
    static constexpr Phase kPhase = Phase::Before;
    static constexpr DecisionRules kRules = DecisionRules::custom_codes(10100, 10200);
    static constexpr std::string_view kSummary = "a group is about to be created";
    using Reply = imcb::Reply<GroupBeforeCreateGroup>;

    std::string operator_account;                        ///< Operator_Account
    std::optional<std::string> owner_account;            ///< Owner_Account: may be absent
    std::string type;                                    ///< Type
    std::string name;                                    ///< Name
    int create_group_num = 0;  ///< CreateGroupNum: groups the operator created so far
    std::optional<std::vector<Account>> member_list;     ///< MemberList: initial members
    std::optional<std::int64_t> event_time;              ///< EventTime, ms
    nlohmann::json unknown_fields;

    static constexpr auto fields() {
        using E = GroupBeforeCreateGroup;
        return std::make_tuple(field("Operator_Account", &E::operator_account),
                               field("Owner_Account", &E::owner_account), field("Type", &E::type),
                               field("Name", &E::name),
                               field("CreateGroupNum", &E::create_group_num),
                               field("MemberList", &E::member_list),
                               field<codec::EventTime>("EventTime", &E::event_time));
    }
};

/// One UserDefinedDataList entry: a group's custom field.
struct UserDefinedData {
    std::string key;    ///< Key
    std::string value;  ///< Value
    nlohmann::json unknown_fields;
    static constexpr auto fields() {
        return std::make_tuple(field("Key", &UserDefinedData::key),
                               field("Value", &UserDefinedData::value));
    }
};

/// Group.CallbackAfterCreateGroup: a group was created.
struct GroupAfterCreateGroup {
    static constexpr std::string_view kCommand = "Group.CallbackAfterCreateGroup";
    static constexpr Phase kPhase = Phase::After;
    static constexpr std::string_view kSummary = "a group was created";

    std::string group_id;                             ///< GroupId
    std::string operator_account;                     ///< Operator_Account
    std::optional<std::string> owner_account;         ///< Owner_Account: may be absent
    std::string type;                                 ///< Type
    std::string name;                                 ///< Name
    std::optional<std::vector<Account>> member_list;  ///< MemberList
    std::optional<std::vector<UserDefinedData>> user_defined_data_list;  ///< UserDefinedDataList
    std::optional<std::int64_t> event_time;           ///< EventTime, ms
    nlohmann::json unknown_fields;

    static constexpr auto fields() {
        using E = GroupAfterCreateGroup;
        return std::make_tuple(field("GroupId", &E::group_id),
                               field("Operator_Account", &E::operator_account),
                               field("Owner_Account", &E::owner_account), field("Type", &E::type),
                               field("Name", &E::name), field("MemberList", &E::member_list),
                               field("UserDefinedDataList", &E::user_defined_data_list),
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
        return std::make_tuple(field("GroupId", &E::group_id), field("Type", &E::type),
                               field("JoinType", &E::join_type),
                               field("Operator_Account", &E::operator_account),
                               field("NewMemberList", &E::new_member_list),
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
        return std::make_tuple(field("GroupId", &E::group_id), field("Type", &E::type),
                               field("ExitType", &E::exit_type),
                               field("Operator_Account", &E::operator_account),
                               field("ExitMemberList", &E::exit_member_list),
                               field<codec::EventTime>("EventTime", &E::event_time));
    }
};

using GroupEvents = EventList<GroupBeforeSendMsg, GroupAfterSendMsg, GroupBeforeCreateGroup,
                              GroupAfterCreateGroup, GroupAfterNewMemberJoin, GroupAfterMemberExit>;

}  // namespace imcb
