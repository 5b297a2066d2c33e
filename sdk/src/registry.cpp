#include "registry.h"

#include <algorithm>

namespace imcb {
namespace {

template <class... Events>
std::vector<CommandInfo> make_catalogue(EventList<Events...>) {
    return {CommandInfo{Events::kCommand, Events::kPhase, rules_of<Events>()}...};
}

}  // namespace

const std::vector<CommandInfo>& command_catalogue() {
    static const std::vector<CommandInfo> catalogue = make_catalogue(KnownEvents{});
    return catalogue;
}

const CommandInfo* find_command(std::string_view command) {
    const auto& all = command_catalogue();
    const auto it = std::find_if(all.begin(), all.end(),
                                 [&](const CommandInfo& c) { return c.command == command; });
    return it == all.end() ? nullptr : &*it;
}

namespace detail {

void Registry::set(std::string_view command, RawHandler handler) {
    handlers_[std::string(command)] = std::move(handler);
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
