// The callback catalogue as Markdown (docs/callbacks.md), from the SDK's command registry.

#include "catalogue_markdown.h"

#include <sstream>

#include "imcb/commands.h"

namespace imcb::tools {
namespace {

std::string code_range(int min, int max) { return std::to_string(min) + ".." + std::to_string(max); }

/// The answers a before-command accepts, as the Reply factories name them.
std::string replies_of(const CommandInfo& c) {
    if (c.phase == Phase::After) return "none (the reply is always OK)";
    const DecisionRules& r = c.rules;
    std::string out;
    const auto add = [&](const std::string& s) { out += (out.empty() ? "" : ", ") + s; };
    if (r.has_friend_results) {
        // The vendor ignores a top-level ErrorCode here: answers are per account only.
        return "`friend_results()`: a ResultItem per requested account, ResultCode 0 (allow) or " +
               code_range(r.result_code_min, r.result_code_max) + " (refuse)";
    }
    if (r.has_rsp_data) {
        return "`respond(RspData)` (passed back to the chatbot), `deny()` (ErrorCode 1: nothing passed back)";
    }
    add("`allow()`");
    add("`deny()` (ErrorCode 1)");
    if (r.custom_code_min != 0) {
        add("`deny(code, info)` with code " + code_range(r.custom_code_min, r.custom_code_max));
    }
    if (r.can_drop) add("`drop()` (ErrorCode 2)");
    if (r.can_modify_message) add("`modify(MsgBody, CloudCustomData)`");
    if (r.can_refuse_members) add("`refuse_members()` (RefusedMembers_Account)");
    if (r.can_refuse_subscribers) add("`refuse_subscribers()` (RefusedSubscribers_Account)");
    return out;
}

}  // namespace

std::string catalogue_markdown() {
    std::ostringstream out;
    out << "# Callback catalogue\n\n"
           "Generated from the SDK's command registry (`imcb::KnownEvents`) by `imcb-catalogue`;\n"
           "a test fails when this file and the registry differ. Regenerate it with\n"
           "`build/tools/imcb-catalogue > docs/callbacks.md`.\n\n"
           "Before-callbacks: the handler returns `Reply<Event>` (also `Event::Reply`), built with\n"
           "the factories listed; a factory given a value the vendor does not accept (a code out of\n"
           "range, an invalid MsgBody) throws `imcb::DecisionError`, and answers a command does not\n"
           "document do not compile. After-callbacks: the handler returns nothing; the reply is OK.\n"
           "Batched commands arrive as `{\"Events\":[...]}` (1 to "
        << kMaxBatchEvents
        << " events); the handler is called once per event, in order.\n\n"
           "| Command | Phase | Typed event | Replies | What happened |\n"
           "|---|---|---|---|---|\n";
    for (const auto& c : command_catalogue()) {
        out << "| `" << c.command << "` | " << (c.phase == Phase::Before ? "before" : "after")
            << (c.batched ? ", batched" : "") << " | `" << c.type_name << "` | " << replies_of(c) << " | "
            << c.summary << " |\n";
    }
    out << "\nCommands not listed reach `Receiver::on_unknown` (or a handler registered with\n"
           "`on_raw`) with their raw body.\n";
    return out.str();
}

}  // namespace imcb::tools
