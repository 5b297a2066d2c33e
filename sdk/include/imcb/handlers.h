#pragma once

// The callable types a Receiver takes: raw command handlers and the error report handler.

#include <functional>

#include <nlohmann/json.hpp>

#include "imcb/context.h"
#include "imcb/decision.h"
#include "imcb/errors.h"

namespace imcb {

/// A handler for a command by name: sees the parsed body (for batched commands: one event of the
/// batch), returns the decision (after-callbacks should return Decision::allow(), which replies
/// OK). The receiver checks the decision against the command's rules before replying.
using RawHandler = std::function<Decision(const nlohmann::json& body, const CallbackContext&)>;
using ErrorHandler = std::function<void(const ErrorReport&)>;

}  // namespace imcb
