#pragma once

// Relationship chain: Sns.* (friends, blocklist) and Follow.* (protocol reference §3.1).

#include "imcb/events/common.h"

namespace imcb {

/// One PairList entry of Sns.CallbackFriendAdd.
struct FriendPair {
    std::string from_account;                      ///< From_Account
    std::string to_account;                        ///< To_Account
    std::optional<std::string> initiator_account;  ///< Initiator_Account; not in older payloads
    nlohmann::json unknown_fields;
    static constexpr auto fields() {
        return std::make_tuple(field("From_Account", &FriendPair::from_account),
                               field("To_Account", &FriendPair::to_account),
                               field("Initiator_Account", &FriendPair::initiator_account));
    }
};

/// Sns.CallbackFriendAdd: friendships were established.
struct SnsFriendAdd {
    static constexpr std::string_view kCommand = "Sns.CallbackFriendAdd";
    static constexpr Phase kPhase = Phase::After;
    static constexpr std::string_view kSummary = "friendships were established";

    std::vector<FriendPair> pair_list;  ///< PairList
    std::string client_cmd;     ///< ClientCmd: friend_add, FriendAdd, friend_response, FriendResponse
    std::string admin_account;  ///< Admin_Account: the REST API admin, "" for client requests
    int force_flag = 0;         ///< ForceFlag: 1 = added without the peer's consent
    std::optional<std::int64_t> event_time;  ///< EventTime, ms
    nlohmann::json unknown_fields;

    static constexpr auto fields() {
        using E = SnsFriendAdd;
        return std::make_tuple(field("PairList", &E::pair_list), field("ClientCmd", &E::client_cmd),
                               field("Admin_Account", &E::admin_account),
                               field("ForceFlag", &E::force_flag),
                               field<codec::EventTime>("EventTime", &E::event_time));
    }
};

/// One FriendItem entry of Sns.CallbackPrevFriendAdd: a requested friend.
struct FriendAddItem {
    std::string to_account;                  ///< To_Account
    std::optional<std::string> remark;       ///< Remark
    std::optional<std::string> group_name;   ///< GroupName
    std::optional<std::string> add_source;   ///< AddSource: AddSource_Type_...
    std::optional<std::string> add_wording;  ///< AddWording
    nlohmann::json unknown_fields;
    static constexpr auto fields() {
        using I = FriendAddItem;
        return std::make_tuple(field("To_Account", &I::to_account), field("Remark", &I::remark),
                               field("GroupName", &I::group_name),
                               field("AddSource", &I::add_source),
                               field("AddWording", &I::add_wording));
    }
};

/// Sns.CallbackPrevFriendAdd: a client is about to add friends. Answer per To_Account.
struct SnsPrevFriendAdd {
    static constexpr std::string_view kCommand = "Sns.CallbackPrevFriendAdd";
    static constexpr Phase kPhase = Phase::Before;
    static constexpr DecisionRules kRules = DecisionRules::friend_check(38000, 39000);
    static constexpr std::string_view kSummary = "a client is about to add friends";
    using Reply = imcb::Reply<SnsPrevFriendAdd>;

    std::string requester_account;         ///< Requester_Account
    std::string from_account;              ///< From_Account
    std::vector<FriendAddItem> friend_item;  ///< FriendItem
    std::string add_type;                  ///< AddType: Add_Type_Single, Add_Type_Both
    int force_add_flags = 0;               ///< ForceAddFlags
    std::optional<std::int64_t> event_time;  ///< EventTime, ms
    nlohmann::json unknown_fields;

    static constexpr auto fields() {
        using E = SnsPrevFriendAdd;
        return std::make_tuple(field("Requester_Account", &E::requester_account),
                               field("From_Account", &E::from_account),
                               field("FriendItem", &E::friend_item), field("AddType", &E::add_type),
                               field("ForceAddFlags", &E::force_add_flags),
                               field<codec::EventTime>("EventTime", &E::event_time));
    }
};

using SnsEvents = EventList<SnsFriendAdd, SnsPrevFriendAdd>;

}  // namespace imcb
