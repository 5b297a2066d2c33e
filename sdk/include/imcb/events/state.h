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
    static constexpr auto fields() {
        return std::make_tuple(field("Platform", &KickedDevice::platform));
    }
};

/// State.StateChange: a user logged in, logged out or disconnected.
struct StateChange {
    static constexpr std::string_view kCommand = "State.StateChange";
    static constexpr Phase kPhase = Phase::After;
    static constexpr std::string_view kSummary = "a user logged in, logged out or disconnected";

    std::optional<std::int64_t> event_time;  ///< EventTime, ms
    StateInfo info;                          ///< Info
    std::optional<std::vector<KickedDevice>> kicked_device;  ///< KickedDevice: Login only
    nlohmann::json unknown_fields;

    static constexpr auto fields() {
        using E = StateChange;
        return std::make_tuple(field<codec::EventTime>("EventTime", &E::event_time),
                               field("Info", &E::info), field("KickedDevice", &E::kicked_device));
    }
};

using StateEvents = EventList<StateChange>;

}  // namespace imcb
