#pragma once

// Operations and user state: Alert.*, State.*, Profile.* (protocol reference §3.1).

#include "imcb/events/common.h"

namespace imcb {

/// State.StateChange's "Info" object.
struct StateInfo {
    std::string action;      ///< Action: Login, Logout, Disconnect
    std::string to_account;  ///< To_Account
    std::string reason;      ///< Reason: Register, Unregister, LinkClose, TimeOut
    nlohmann::json unknown_fields;
    static constexpr auto fields() {
        return std::make_tuple(field("Action", &StateInfo::action),
                               field("To_Account", &StateInfo::to_account),
                               field("Reason", &StateInfo::reason));
    }
};

/// One KickedDevice entry.
struct KickedDevice {
    std::string platform;  ///< "IOS" (sic, upper-case here), "Android", "Web", "Windows", ...
    nlohmann::json unknown_fields;
    static constexpr auto fields() { return std::make_tuple(field("Platform", &KickedDevice::platform)); }
};

/// State.StateChange: a user logged in, logged out or disconnected.
struct StateChange {
    static constexpr std::string_view kCommand = "State.StateChange";
    static constexpr Phase kPhase = Phase::After;
    static constexpr std::string_view kSummary = "a user logged in, logged out or disconnected";

    std::optional<std::int64_t> event_time;                  ///< EventTime, ms
    StateInfo info;                                          ///< Info
    std::optional<std::vector<KickedDevice>> kicked_device;  ///< KickedDevice: Login only
    nlohmann::json unknown_fields;

    static constexpr auto fields() {
        using E = StateChange;
        return std::make_tuple(field<codec::EventTime>("EventTime", &E::event_time), field("Info", &E::info),
                               field("KickedDevice", &E::kicked_device));
    }
};

/// Alert.RequestOverLimit: a REST API's call rate passed 80 % of its limit. Sent by default once a
/// callback URL is configured.
struct AlertRequestOverLimit {
    static constexpr std::string_view kCommand = "Alert.RequestOverLimit";
    static constexpr Phase kPhase = Phase::After;
    static constexpr std::string_view kSummary = "a REST API's call rate passed 80% of its limit";

    std::string service_name;                ///< ServiceName: the API's service, e.g. "openim"
    std::string command;                     ///< Command: the API, e.g. "batchsendmsg"
    int request = 0;                         ///< Request: the current calls per second
    int limit = 0;                           ///< Limit: the calls-per-second limit
    std::optional<std::int64_t> event_time;  ///< EventTime, ms (not in the documented body)
    nlohmann::json unknown_fields;

    static constexpr auto fields() {
        using E = AlertRequestOverLimit;
        return std::make_tuple(field("ServiceName", &E::service_name), field("Command", &E::command),
                               field("Request", &E::request), field("Limit", &E::limit),
                               field<codec::EventTime>("EventTime", &E::event_time));
    }
};

/// One ProfileItem entry of Profile.CallbackPortraitSet: an updated profile field.
struct ProfileItem {
    std::string tag;       ///< Tag: Tag_Profile_IM_Nick, Tag_Profile_Custom_..., ...
    nlohmann::json value;  ///< Value: a string or an integer depending on the tag, kept as sent
    nlohmann::json unknown_fields;
    static constexpr auto fields() {
        return std::make_tuple(field("Tag", &ProfileItem::tag), field("Value", &ProfileItem::value));
    }
};

/// Profile.CallbackPortraitSet: a user's profile was updated.
struct ProfilePortraitSet {
    static constexpr std::string_view kCommand = "Profile.CallbackPortraitSet";
    static constexpr Phase kPhase = Phase::After;
    static constexpr std::string_view kSummary = "a user's profile was updated";

    std::string operator_account;            ///< Operator_Account: who made the change
    std::string from_account;                ///< From_Account: whose profile changed
    std::optional<std::int64_t> event_time;  ///< EventTime, ms
    std::vector<ProfileItem> profile_item;   ///< ProfileItem: the fields that were set
    nlohmann::json unknown_fields;

    static constexpr auto fields() {
        using E = ProfilePortraitSet;
        return std::make_tuple(
            field("Operator_Account", &E::operator_account), field("From_Account", &E::from_account),
            field<codec::EventTime>("EventTime", &E::event_time), field("ProfileItem", &E::profile_item));
    }
};

using StateEvents = EventList<StateChange, AlertRequestOverLimit, ProfilePortraitSet>;

}  // namespace imcb
