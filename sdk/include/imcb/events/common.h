#pragma once

// What every event family header needs, and the small item types several families share.
//
// Declaring an event: a struct with
//   kCommand   the CallbackCommand (the URL parameter the receiver dispatches on),
//   kPhase     Phase::Before (the handler returns Reply<Event>) or Phase::After,
//   kRules     for before-events: the answers the vendor documents (DecisionRules),
//   kSummary   one line for docs/callbacks.md,
//   kBatched   (optional, true) the body is {"Events":[...]} and the handler sees each event,
//   kCommandInBody (optional, false) the body carries no "CallbackCommand" key,
// its members (snake_case of the vendor's keys; plain = required, std::optional = may be absent),
// nlohmann::json unknown_fields, and fields() binding each JSON key to its member (schema.h).
// Then list it in its family's EventList at the end of the family header.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include <nlohmann/json.hpp>

#include "imcb/decision.h"
#include "imcb/message.h"
#include "imcb/schema.h"

namespace imcb {

/// {"Member_Account": ...}: MemberList, NewMemberList, ExitMemberList, DestinationMembers.
struct Account {
    std::string member_account;  ///< Member_Account
    nlohmann::json unknown_fields;
    static constexpr auto fields() {
        return std::make_tuple(field("Member_Account", &Account::member_account));
    }
};

}  // namespace imcb
