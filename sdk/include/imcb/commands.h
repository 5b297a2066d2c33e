#pragma once

// The one list of commands the SDK knows. Adding a command: define its struct and from_json in
// events.h / events_json.cpp, then name it in KnownEvents below. Dispatch, the catalogue and the
// documentation table all derive from this list.

#include <string_view>
#include <type_traits>
#include <vector>

#include "imcb/decision.h"
#include "imcb/events.h"

namespace imcb {

template <class... Events>
struct EventList {};

using KnownEvents = EventList<StateChange,
                              C2CBeforeSendMsg,
                              C2CAfterSendMsg,
                              C2CAfterMsgWithDraw,
                              GroupBeforeSendMsg,
                              GroupAfterSendMsg,
                              GroupBeforeCreateGroup,
                              GroupAfterCreateGroup,
                              GroupAfterNewMemberJoin,
                              GroupAfterMemberExit,
                              SnsFriendAdd,
                              SnsPrevFriendAdd>;

template <class Event, class List>
struct is_known_event;
template <class Event, class... Events>
struct is_known_event<Event, EventList<Events...>>
    : std::disjunction<std::is_same<Event, Events>...> {};
template <class Event>
inline constexpr bool is_known_event_v = is_known_event<Event, KnownEvents>::value;

template <class Event>
constexpr DecisionRules rules_of() {
    if constexpr (Event::kPhase == Phase::Before) {
        return Event::kRules;
    } else {
        return DecisionRules{};
    }
}

struct CommandInfo {
    std::string_view command;
    Phase phase;
    DecisionRules rules;  ///< meaningful for Phase::Before
};

/// Every known command, in KnownEvents order.
const std::vector<CommandInfo>& command_catalogue();
/// The entry for a command name, or nullptr.
const CommandInfo* find_command(std::string_view command);

}  // namespace imcb
