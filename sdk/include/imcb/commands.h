#pragma once

// The one list of commands the SDK knows: the concatenation of each family's EventList
// (events/*.h). Dispatch, decision rules, the catalogue and docs/callbacks.md derive from it.
// Adding a command: declare its struct in its family header and name it in that family's list.

#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include <nlohmann/json.hpp>

#include "imcb/decision.h"
#include "imcb/events.h"
#include "imcb/export.h"

namespace imcb {

namespace detail {
template <class... Lists>
struct concat;
template <class... A>
struct concat<EventList<A...>> {
    using type = EventList<A...>;
};
template <class... A, class... B, class... Rest>
struct concat<EventList<A...>, EventList<B...>, Rest...> : concat<EventList<A..., B...>, Rest...> {};
}  // namespace detail

using KnownEvents = typename detail::concat<StateEvents, SnsEvents, C2CEvents, GroupEvents, PushEvents,
                                            OfficialAccountEvents, CallEvents>::type;

template <class Event, class List>
struct is_known_event;
template <class Event, class... Events>
struct is_known_event<Event, EventList<Events...>> : std::disjunction<std::is_same<Event, Events>...> {};
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

namespace detail {
template <class T, class = void>
struct batched : std::false_type {};
template <class T>
struct batched<T, std::void_t<decltype(T::kBatched)>> : std::bool_constant<T::kBatched> {};
}  // namespace detail

/// Batched commands arrive as {"Events":[...]} (1..100); handlers see each event.
template <class Event>
inline constexpr bool is_batched_v = detail::batched<Event>::value;

/// Largest batch the vendor documents; larger ones are refused.
inline constexpr std::size_t kMaxBatchEvents = 100;

struct CommandInfo {
    std::string_view command;
    Phase phase;
    DecisionRules rules;         ///< meaningful for Phase::Before
    bool batched = false;        ///< body is {"Events":[...]}
    std::string_view type_name;  ///< the C++ struct, e.g. "imcb::C2CBeforeSendMsg"
    std::string_view summary;    ///< one line, as in docs/callbacks.md
    /// Decodes one event body into the typed struct and encodes it back (throws DecodeError).
    nlohmann::json (*round_trip)(const nlohmann::json& event);
};

/// Every known command, in KnownEvents order.
IMCB_API const std::vector<CommandInfo>& command_catalogue();
/// The entry for a command name, or nullptr.
IMCB_API const CommandInfo* find_command(std::string_view command);

}  // namespace imcb
