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
    std::string client_cmd;             ///< ClientCmd: friend_add, FriendAdd, friend_response, FriendResponse
    std::string admin_account;          ///< Admin_Account: the REST API admin, "" for client requests
    int force_flag = 0;                 ///< ForceFlag: 1 = added without the peer's consent
    std::optional<std::int64_t> event_time;  ///< EventTime, ms
    nlohmann::json unknown_fields;

    static constexpr auto fields() {
        using E = SnsFriendAdd;
        return std::make_tuple(field("PairList", &E::pair_list), field("ClientCmd", &E::client_cmd),
                               field("Admin_Account", &E::admin_account), field("ForceFlag", &E::force_flag),
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
                               field("GroupName", &I::group_name), field("AddSource", &I::add_source),
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

    std::string requester_account;           ///< Requester_Account
    std::string from_account;                ///< From_Account
    std::vector<FriendAddItem> friend_item;  ///< FriendItem
    std::string add_type;                    ///< AddType: Add_Type_Single, Add_Type_Both
    int force_add_flags = 0;                 ///< ForceAddFlags
    std::optional<std::int64_t> event_time;  ///< EventTime, ms
    nlohmann::json unknown_fields;

    static constexpr auto fields() {
        using E = SnsPrevFriendAdd;
        return std::make_tuple(field("Requester_Account", &E::requester_account),
                               field("From_Account", &E::from_account), field("FriendItem", &E::friend_item),
                               field("AddType", &E::add_type), field("ForceAddFlags", &E::force_add_flags),
                               field<codec::EventTime>("EventTime", &E::event_time));
    }
};

/// One ResponseFriendItem entry of Sns.CallbackPrevFriendResponse: the answer to one request.
struct FriendResponseItem {
    std::string to_account;               ///< To_Account: who asked to be a friend
    std::optional<std::string> remark;    ///< Remark: the remark given to To_Account
    std::optional<std::string> tag_name;  ///< TagName: the friend group To_Account goes into
    std::string response_action;          ///< ResponseAction: Response_Action_AgreeAndAdd,
                                          ///< Response_Action_Agree or Response_Action_Reject
    nlohmann::json unknown_fields;
    static constexpr auto fields() {
        using I = FriendResponseItem;
        return std::make_tuple(field("To_Account", &I::to_account), field("Remark", &I::remark),
                               field("TagName", &I::tag_name), field("ResponseAction", &I::response_action));
    }
};

/// Sns.CallbackPrevFriendResponse: a client is about to answer friend requests. Answer per
/// To_Account, as for Sns.CallbackPrevFriendAdd.
struct SnsPrevFriendResponse {
    static constexpr std::string_view kCommand = "Sns.CallbackPrevFriendResponse";
    static constexpr Phase kPhase = Phase::Before;
    static constexpr DecisionRules kRules = DecisionRules::friend_check(38000, 39000);
    static constexpr std::string_view kSummary = "a client is about to answer friend requests";
    using Reply = imcb::Reply<SnsPrevFriendResponse>;

    std::string requester_account;                         ///< Requester_Account: who made this request
    std::string from_account;                              ///< From_Account: who answers the friend requests
    std::vector<FriendResponseItem> response_friend_item;  ///< ResponseFriendItem
    std::optional<std::int64_t> event_time;                ///< EventTime, ms
    nlohmann::json unknown_fields;

    static constexpr auto fields() {
        using E = SnsPrevFriendResponse;
        return std::make_tuple(field("Requester_Account", &E::requester_account),
                               field("From_Account", &E::from_account),
                               field("ResponseFriendItem", &E::response_friend_item),
                               field<codec::EventTime>("EventTime", &E::event_time));
    }
};

/// One PairList entry of Sns.CallbackFriendDelete, Sns.CallbackBlackListAdd and
/// Sns.CallbackBlackListDelete.
struct AccountPair {
    std::string from_account;  ///< From_Account: whose friend list or blocklist changed
    std::string to_account;    ///< To_Account: the account removed from or added to it
    nlohmann::json unknown_fields;
    static constexpr auto fields() {
        return std::make_tuple(field("From_Account", &AccountPair::from_account),
                               field("To_Account", &AccountPair::to_account));
    }
};

/// Sns.CallbackFriendDelete: friendships were deleted.
struct SnsFriendDelete {
    static constexpr std::string_view kCommand = "Sns.CallbackFriendDelete";
    static constexpr Phase kPhase = Phase::After;
    static constexpr std::string_view kSummary = "friendships were deleted";

    std::vector<AccountPair> pair_list;      ///< PairList: To_Account left From_Account's friends
    std::optional<std::int64_t> event_time;  ///< EventTime, ms (not in the documented body)
    nlohmann::json unknown_fields;

    static constexpr auto fields() {
        using E = SnsFriendDelete;
        return std::make_tuple(field("PairList", &E::pair_list),
                               field<codec::EventTime>("EventTime", &E::event_time));
    }
};

/// Sns.CallbackBlackListAdd: accounts were added to blocklists.
struct SnsBlackListAdd {
    static constexpr std::string_view kCommand = "Sns.CallbackBlackListAdd";
    static constexpr Phase kPhase = Phase::After;
    static constexpr std::string_view kSummary = "accounts were added to blocklists";

    std::vector<AccountPair> pair_list;      ///< PairList: From_Account blocked To_Account
    std::optional<std::int64_t> event_time;  ///< EventTime, ms (not in the documented body)
    nlohmann::json unknown_fields;

    static constexpr auto fields() {
        using E = SnsBlackListAdd;
        return std::make_tuple(field("PairList", &E::pair_list),
                               field<codec::EventTime>("EventTime", &E::event_time));
    }
};

/// Sns.CallbackBlackListDelete: accounts were removed from blocklists.
struct SnsBlackListDelete {
    static constexpr std::string_view kCommand = "Sns.CallbackBlackListDelete";
    static constexpr Phase kPhase = Phase::After;
    static constexpr std::string_view kSummary = "accounts were removed from blocklists";

    std::vector<AccountPair> pair_list;      ///< PairList: From_Account unblocked To_Account
    std::optional<std::int64_t> event_time;  ///< EventTime, ms (not in the documented body)
    nlohmann::json unknown_fields;

    static constexpr auto fields() {
        using E = SnsBlackListDelete;
        return std::make_tuple(field("PairList", &E::pair_list),
                               field<codec::EventTime>("EventTime", &E::event_time));
    }
};

/// One FollowList entry of Follow.CallbackAfterFollowAdd.
struct FollowItem {
    std::string to_account;  ///< To_Account: the followed user
    nlohmann::json unknown_fields;
    static constexpr auto fields() { return std::make_tuple(field("To_Account", &FollowItem::to_account)); }
};

/// Follow.CallbackAfterFollowAdd: a user followed other users.
struct FollowAfterFollowAdd {
    static constexpr std::string_view kCommand = "Follow.CallbackAfterFollowAdd";
    static constexpr Phase kPhase = Phase::After;
    static constexpr std::string_view kSummary = "a user followed other users";

    std::string from_account;                ///< From_Account: the follower
    std::vector<FollowItem> follow_list;     ///< FollowList: the followed users
    std::optional<std::int64_t> event_time;  ///< EventTime, ms
    nlohmann::json unknown_fields;

    static constexpr auto fields() {
        using E = FollowAfterFollowAdd;
        return std::make_tuple(field("From_Account", &E::from_account), field("FollowList", &E::follow_list),
                               field<codec::EventTime>("EventTime", &E::event_time));
    }
};

/// Follow.CallbackAfterFollowDelete: a user unfollowed other users.
struct FollowAfterFollowDelete {
    static constexpr std::string_view kCommand = "Follow.CallbackAfterFollowDelete";
    static constexpr Phase kPhase = Phase::After;
    static constexpr std::string_view kSummary = "a user unfollowed other users";

    std::string from_account;  ///< From_Account: the user who unfollowed
    // Vendor quirk: To_Account is an ARRAY of strings in this callback, unlike every other
    // To_Account (a string) and unlike Follow.CallbackAfterFollowAdd's FollowList of objects.
    std::vector<std::string> to_account;     ///< To_Account: the unfollowed users (an array here)
    std::optional<std::int64_t> event_time;  ///< EventTime, ms
    nlohmann::json unknown_fields;

    static constexpr auto fields() {
        using E = FollowAfterFollowDelete;
        return std::make_tuple(field("From_Account", &E::from_account), field("To_Account", &E::to_account),
                               field<codec::EventTime>("EventTime", &E::event_time));
    }
};

using SnsEvents =
    EventList<SnsFriendAdd, SnsPrevFriendAdd, SnsPrevFriendResponse, SnsFriendDelete, SnsBlackListAdd,
              SnsBlackListDelete, FollowAfterFollowAdd, FollowAfterFollowDelete>;

}  // namespace imcb
