#pragma once

// Official accounts: OfficialAccount.* (protocol reference §3.4). Field lists follow the vendor's
// per-command pages (EN tencentcloud.com/document/product/1047/60795 .. 60805, ZH
// cloud.tencent.com/document/product/269/102315 ..): the subject of each event (the account, the
// operator, the subscriber list, the message) is plain; EventTime, OnlineOnlyFlag and
// CloudCustomData are optional, as in the other families.

#include "imcb/events/common.h"

namespace imcb {

/// One SubscribeAccountList entry: a user (un)subscribing to an official account.
struct OfficialAccountSubscriber {
    std::string subscriber_account;  ///< Subscriber_Account
    nlohmann::json unknown_fields;
    static constexpr auto fields() {
        return std::make_tuple(field("Subscriber_Account", &OfficialAccountSubscriber::subscriber_account));
    }
};

/// One WithdrawMsgList entry: a recalled official-account message.
struct OfficialAccountWithdrawnMsg {
    std::string msg_key;  ///< MsgKey: the message's unique key
    nlohmann::json unknown_fields;
    static constexpr auto fields() {
        return std::make_tuple(field("MsgKey", &OfficialAccountWithdrawnMsg::msg_key));
    }
};

/// The keys every subscriber callback carries, for a struct E with these members.
template <class E>
constexpr auto official_account_subscriber_fields() {
    return std::make_tuple(field("Official_Account", &E::official_account),
                           field("Operator_Account", &E::operator_account),
                           field("SubscribeAccountList", &E::subscribe_account_list),
                           field<codec::EventTime>("EventTime", &E::event_time));
}

/// OfficialAccount.CallbackBeforeCreateOfficialAccount: an official account is about to be
/// created (REST API only).
struct OfficialAccountBeforeCreate {
    static constexpr std::string_view kCommand = "OfficialAccount.CallbackBeforeCreateOfficialAccount";
    static constexpr Phase kPhase = Phase::Before;
    // Reply codes not verified: the vendor's page shows ErrorCode 0 (create) and 1 (refuse, the
    // caller gets 20006); its EN text also names custom codes in [120001, 130000] "to deny group
    // creation", which reads as carried over from another command, so only allow/deny are offered.
    static constexpr DecisionRules kRules = DecisionRules::allow_or_deny();
    static constexpr std::string_view kSummary = "an official account is about to be created";
    using Reply = imcb::Reply<OfficialAccountBeforeCreate>;

    std::string operator_account;            ///< Operator_Account: who requested the creation
    std::string owner_account;               ///< Owner_Account: the account's owner
    std::string name;                        ///< Name: the requested account name
    std::optional<std::int64_t> event_time;  ///< EventTime, ms
    nlohmann::json unknown_fields;

    static constexpr auto fields() {
        using E = OfficialAccountBeforeCreate;
        return std::make_tuple(field("Operator_Account", &E::operator_account),
                               field("Owner_Account", &E::owner_account), field("Name", &E::name),
                               field<codec::EventTime>("EventTime", &E::event_time));
    }
};

/// OfficialAccount.CallbackAfterCreateOfficialAccount: an official account was created.
struct OfficialAccountAfterCreate {
    static constexpr std::string_view kCommand = "OfficialAccount.CallbackAfterCreateOfficialAccount";
    static constexpr Phase kPhase = Phase::After;
    static constexpr std::string_view kSummary = "an official account was created";

    std::string official_account;            ///< Official_Account: the new account's ID
    std::string operator_account;            ///< Operator_Account: who requested the creation
    std::string owner_account;               ///< Owner_Account: the account's owner
    std::string name;                        ///< Name: the account name
    std::optional<std::int64_t> event_time;  ///< EventTime, ms
    nlohmann::json unknown_fields;

    static constexpr auto fields() {
        using E = OfficialAccountAfterCreate;
        return std::make_tuple(field("Official_Account", &E::official_account),
                               field("Operator_Account", &E::operator_account),
                               field("Owner_Account", &E::owner_account), field("Name", &E::name),
                               field<codec::EventTime>("EventTime", &E::event_time));
    }
};

/// OfficialAccount.CallbackAfterOfficialAccountInfoChanged: an official account's profile changed.
struct OfficialAccountAfterInfoChanged {
    static constexpr std::string_view kCommand = "OfficialAccount.CallbackAfterOfficialAccountInfoChanged";
    static constexpr Phase kPhase = Phase::After;
    static constexpr std::string_view kSummary = "an official account's profile changed";

    std::string official_account;             ///< Official_Account
    std::string operator_account;             ///< Operator_Account: who made the change
    std::optional<std::string> introduction;  ///< Introduction: new value, when changed
    std::optional<std::string> name;          ///< Name: new value, when changed
    std::optional<std::string> face_url;      ///< FaceUrl: new avatar URL, when changed
    std::optional<std::string> organization;  ///< Organization: new value, when changed
    std::optional<std::int64_t> event_time;   ///< EventTime, ms
    nlohmann::json unknown_fields;

    static constexpr auto fields() {
        using E = OfficialAccountAfterInfoChanged;
        return std::make_tuple(
            field("Official_Account", &E::official_account), field("Operator_Account", &E::operator_account),
            field("Introduction", &E::introduction), field("Name", &E::name), field("FaceUrl", &E::face_url),
            field("Organization", &E::organization), field<codec::EventTime>("EventTime", &E::event_time));
    }
};

/// OfficialAccount.CallbackAfterOfficialAccountDestroyed: an official account was destroyed.
struct OfficialAccountAfterDestroyed {
    static constexpr std::string_view kCommand = "OfficialAccount.CallbackAfterOfficialAccountDestroyed";
    static constexpr Phase kPhase = Phase::After;
    static constexpr std::string_view kSummary = "an official account was destroyed";

    std::string official_account;            ///< Official_Account: the destroyed account
    std::string owner_account;               ///< Owner_Account: the account's owner
    std::string name;                        ///< Name: the account name
    std::optional<std::int64_t> event_time;  ///< EventTime, ms
    nlohmann::json unknown_fields;

    static constexpr auto fields() {
        using E = OfficialAccountAfterDestroyed;
        return std::make_tuple(field("Official_Account", &E::official_account),
                               field("Owner_Account", &E::owner_account), field("Name", &E::name),
                               field<codec::EventTime>("EventTime", &E::event_time));
    }
};

/// OfficialAccount.CallbackBeforeAddSubscriber: users are about to subscribe to an official
/// account.
struct OfficialAccountBeforeAddSubscriber {
    static constexpr std::string_view kCommand = "OfficialAccount.CallbackBeforeAddSubscriber";
    static constexpr Phase kPhase = Phase::Before;
    // Reply codes not verified: the vendor's page shows ErrorCode 0 (subscribe, minus the accounts
    // listed in RefusedSubscribers_Account) and 1 (refuse the whole request).
    static constexpr DecisionRules kRules = DecisionRules::allow_or_deny().with_subscriber_refusal();
    static constexpr std::string_view kSummary = "users are about to subscribe to an official account";
    using Reply = imcb::Reply<OfficialAccountBeforeAddSubscriber>;

    std::string official_account;  ///< Official_Account
    std::string operator_account;  ///< Operator_Account: who requested the subscription
    std::vector<OfficialAccountSubscriber> subscribe_account_list;  ///< SubscribeAccountList
    std::optional<std::int64_t> event_time;                         ///< EventTime, ms
    nlohmann::json unknown_fields;

    static constexpr auto fields() {
        return official_account_subscriber_fields<OfficialAccountBeforeAddSubscriber>();
    }
};

/// OfficialAccount.CallbackAfterAddSubscriber: users subscribed to an official account.
struct OfficialAccountAfterAddSubscriber {
    static constexpr std::string_view kCommand = "OfficialAccount.CallbackAfterAddSubscriber";
    static constexpr Phase kPhase = Phase::After;
    static constexpr std::string_view kSummary = "users subscribed to an official account";

    std::string official_account;  ///< Official_Account
    std::string operator_account;  ///< Operator_Account: who requested the subscription
    std::vector<OfficialAccountSubscriber> subscribe_account_list;  ///< SubscribeAccountList
    std::optional<std::int64_t> event_time;                         ///< EventTime, ms
    nlohmann::json unknown_fields;

    static constexpr auto fields() {
        return official_account_subscriber_fields<OfficialAccountAfterAddSubscriber>();
    }
};

/// OfficialAccount.CallbackAfterDeleteSubscriber: users unsubscribed from an official account.
struct OfficialAccountAfterDeleteSubscriber {
    static constexpr std::string_view kCommand = "OfficialAccount.CallbackAfterDeleteSubscriber";
    static constexpr Phase kPhase = Phase::After;
    static constexpr std::string_view kSummary = "users unsubscribed from an official account";

    std::string official_account;  ///< Official_Account
    std::string operator_account;  ///< Operator_Account: who removed the subscribers
    std::vector<OfficialAccountSubscriber> subscribe_account_list;  ///< SubscribeAccountList
    std::optional<std::int64_t> event_time;                         ///< EventTime, ms
    nlohmann::json unknown_fields;

    static constexpr auto fields() {
        return official_account_subscriber_fields<OfficialAccountAfterDeleteSubscriber>();
    }
};

/// OfficialAccount.CallbackAfterOfficialAccountFull: an official account reached its subscriber
/// limit.
struct OfficialAccountAfterFull {
    static constexpr std::string_view kCommand = "OfficialAccount.CallbackAfterOfficialAccountFull";
    static constexpr Phase kPhase = Phase::After;
    static constexpr std::string_view kSummary = "an official account reached its subscriber limit";

    std::string official_account;            ///< Official_Account
    std::optional<std::int64_t> event_time;  ///< EventTime, ms
    nlohmann::json unknown_fields;

    static constexpr auto fields() {
        using E = OfficialAccountAfterFull;
        return std::make_tuple(field("Official_Account", &E::official_account),
                               field<codec::EventTime>("EventTime", &E::event_time));
    }
};

/// OfficialAccount.CallbackBeforeSendMsg: an official account message is about to be delivered to
/// its subscribers.
struct OfficialAccountBeforeSendMsg {
    static constexpr std::string_view kCommand = "OfficialAccount.CallbackBeforeSendMsg";
    static constexpr Phase kPhase = Phase::Before;
    // The vendor's page documents ErrorCode 0 (send), 1 (refuse), 2 (silent drop) and a
    // replacement MsgBody; it names no range of custom deny codes, so none are offered.
    static constexpr DecisionRules kRules =
        DecisionRules::allow_or_deny().with_silent_drop().with_message_change();
    static constexpr std::string_view kSummary = "an official account message is about to be sent";
    using Reply = imcb::Reply<OfficialAccountBeforeSendMsg>;

    std::string official_account;                  ///< Official_Account: the sender
    std::optional<int> online_only_flag;           ///< OnlineOnlyFlag: 1 = online-only message
    std::vector<MsgElement> msg_body;              ///< MsgBody
    std::optional<std::string> cloud_custom_data;  ///< CloudCustomData
    std::optional<std::int64_t> event_time;        ///< EventTime, ms
    nlohmann::json unknown_fields;

    static constexpr auto fields() {
        using E = OfficialAccountBeforeSendMsg;
        return std::make_tuple(field("Official_Account", &E::official_account),
                               field("OnlineOnlyFlag", &E::online_only_flag), field("MsgBody", &E::msg_body),
                               field("CloudCustomData", &E::cloud_custom_data),
                               field<codec::EventTime>("EventTime", &E::event_time));
    }
};

/// OfficialAccount.CallbackAfterSendMsg: an official account message was delivered to its
/// subscribers.
struct OfficialAccountAfterSendMsg {
    static constexpr std::string_view kCommand = "OfficialAccount.CallbackAfterSendMsg";
    static constexpr Phase kPhase = Phase::After;
    static constexpr std::string_view kSummary = "an official account message was sent";

    std::string official_account;                  ///< Official_Account: the sender
    std::string msg_key;                           ///< MsgKey: used to recall the message
    std::int64_t msg_time = 0;                     ///< MsgTime, seconds
    std::optional<int> online_only_flag;           ///< OnlineOnlyFlag: 1 = online-only message
    std::vector<MsgElement> msg_body;              ///< MsgBody
    std::optional<std::string> cloud_custom_data;  ///< CloudCustomData
    std::optional<std::int64_t> event_time;        ///< EventTime, ms
    nlohmann::json unknown_fields;

    static constexpr auto fields() {
        using E = OfficialAccountAfterSendMsg;
        return std::make_tuple(field("Official_Account", &E::official_account), field("MsgKey", &E::msg_key),
                               field("MsgTime", &E::msg_time), field("OnlineOnlyFlag", &E::online_only_flag),
                               field("MsgBody", &E::msg_body),
                               field("CloudCustomData", &E::cloud_custom_data),
                               field<codec::EventTime>("EventTime", &E::event_time));
    }
};

/// OfficialAccount.CallbackAfterMsgWithDraw: official account messages were recalled.
struct OfficialAccountAfterMsgWithDraw {
    static constexpr std::string_view kCommand = "OfficialAccount.CallbackAfterMsgWithDraw";
    static constexpr Phase kPhase = Phase::After;
    static constexpr std::string_view kSummary = "official account messages were recalled";

    std::string official_account;                                ///< Official_Account
    std::vector<OfficialAccountWithdrawnMsg> withdraw_msg_list;  ///< WithdrawMsgList
    std::optional<std::int64_t> event_time;                      ///< EventTime, ms
    nlohmann::json unknown_fields;

    static constexpr auto fields() {
        using E = OfficialAccountAfterMsgWithDraw;
        return std::make_tuple(field("Official_Account", &E::official_account),
                               field("WithdrawMsgList", &E::withdraw_msg_list),
                               field<codec::EventTime>("EventTime", &E::event_time));
    }
};

using OfficialAccountEvents =
    EventList<OfficialAccountBeforeCreate, OfficialAccountAfterCreate, OfficialAccountAfterInfoChanged,
              OfficialAccountAfterDestroyed, OfficialAccountBeforeAddSubscriber,
              OfficialAccountAfterAddSubscriber, OfficialAccountAfterDeleteSubscriber,
              OfficialAccountAfterFull, OfficialAccountBeforeSendMsg, OfficialAccountAfterSendMsg,
              OfficialAccountAfterMsgWithDraw>;

}  // namespace imcb
