#pragma once

// The command registry: for each command name, what the SDK knows about it (phase, decision
// rules) and which handler serves it.

#include <string>
#include <string_view>
#include <map>
#include <vector>

#include "imcb/commands.h"
#include "imcb/handlers.h"

namespace imcb::detail {

struct Route {
    const CommandInfo* info = nullptr;    ///< null for commands the SDK does not know
    const RawHandler* handler = nullptr;  ///< null: reply with the default (allow / OK)
};

class Registry {
  public:
    void set(std::string_view command, RawHandler handler);
    void set_unknown(RawHandler handler) { unknown_ = std::move(handler); }
    /// The route for a command; for unknown commands without their own handler, the
    /// unknown-command handler (which may be empty).
    Route find(std::string_view command) const;
    /// The commands with a handler of their own (typed or on_raw).
    std::vector<std::string> commands() const;

  private:
    std::map<std::string, RawHandler, std::less<>> handlers_;
    RawHandler unknown_;
};

}  // namespace imcb::detail
