#pragma once

// The SDK's side of CallbackContext: the identity and the body it points handlers at.

#include "imcb/context.h"

namespace imcb::detail {

struct ContextAccess {
    static void set_peer(CallbackContext& ctx, const PeerIdentity& peer) { ctx.peer_ = &peer; }
    static void set_body(CallbackContext& ctx, const nlohmann::json& body) { ctx.body_ = &body; }
};

}  // namespace imcb::detail
