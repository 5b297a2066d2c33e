#include "registry.h"

#include <unordered_map>

#include "imcb/decode.h"

namespace imcb {
namespace {

/// The name of T as the compiler spells it, e.g. "imcb::C2CBeforeSendMsg".
template <class T>
constexpr std::string_view type_name() {
#if defined(__clang__) || defined(__GNUC__)
    constexpr std::string_view pretty = __PRETTY_FUNCTION__;
    constexpr std::string_view marker = "T = ";
    constexpr auto start = pretty.find(marker) + marker.size();
    constexpr auto end = pretty.find_first_of(";]", start);
    return pretty.substr(start, end - start);
#else
    return "(unnamed)";
#endif
}

template <class Event>
nlohmann::json round_trip(const nlohmann::json& body) {
    return nlohmann::json(detail::decode_event<Event>(body));
}

template <class... Events>
std::vector<CommandInfo> make_catalogue(EventList<Events...>) {
    return {CommandInfo{Events::kCommand, Events::kPhase, rules_of<Events>(), is_batched_v<Events>,
                        type_name<Events>(), Events::kSummary, &round_trip<Events>}...};
}

}  // namespace

const std::vector<CommandInfo>& command_catalogue() {
    static const std::vector<CommandInfo> catalogue = make_catalogue(KnownEvents{});
    return catalogue;
}

const CommandInfo* find_command(std::string_view command) {
    static const std::unordered_map<std::string_view, const CommandInfo*> index = [] {
        std::unordered_map<std::string_view, const CommandInfo*> m;
        for (const auto& c : command_catalogue()) m.emplace(c.command, &c);
        return m;
    }();
    const auto it = index.find(command);
    return it == index.end() ? nullptr : it->second;
}

namespace detail {

void Registry::set(std::string_view command, RawHandler handler) {
    handlers_[std::string(command)] = std::move(handler);
}

std::vector<std::string> Registry::commands() const {
    std::vector<std::string> out;
    for (const auto& [name, handler] : handlers_) out.push_back(name);
    return out;
}

Route Registry::find(std::string_view command) const {
    Route r;
    r.info = find_command(command);
    const auto it = handlers_.find(command);
    if (it != handlers_.end()) {
        r.handler = &it->second;
    } else if (r.info == nullptr && unknown_) {
        r.handler = &unknown_;
    }
    return r;
}

}  // namespace detail
}  // namespace imcb
