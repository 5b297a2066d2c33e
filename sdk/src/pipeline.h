#pragma once

// The request stages after HTTP framing: query check ─► JSON parse ─► dispatch (typed decode and
// handler) ─► decision check ─► reply. Independent of the transport and of HTTP.

#include <string>
#include <string_view>
#include <variant>

#include "imcb/context.h"
#include "imcb/options.h"
#include "query.h"
#include "registry.h"
#include "runtime.h"

namespace imcb::detail {

struct InboundRequest {
    const QueryParams& params;
    std::string_view body;
    const PeerIdentity& peer;
    const std::string& remote_addr;
};

struct Response {
    int status = 200;
    std::string body;
};

/// A reply as JSON text; invalid UTF-8 in strings is replaced, never thrown.
std::string dump_reply(const nlohmann::json& reply);
/// {"ActionStatus":"FAIL","ErrorCode":status,"ErrorInfo":info}
std::string error_envelope(int status, const std::string& info);
/// {"ActionStatus":"OK","ErrorCode":0,"ErrorInfo":""}
const std::string& ok_envelope();

class Pipeline {
  public:
    Pipeline(const ReceiverOptions& options, const Registry& registry, const Reporter& reporter,
             Counters& counters);
    Response handle(const InboundRequest& in) const;

  private:
    Response reject(int status, ErrorKind kind, std::string message, const std::string& command,
                 const InboundRequest& in) const;
    Response failed(const CommandInfo* info, ErrorKind kind, std::string message,
                 const std::string& command, const InboundRequest& in) const;
    /// Runs the handler; the decision, or the reply that replaces it when the handler fails.
    std::variant<Decision, Response> run(const RawHandler& handler, const nlohmann::json& event,
                                         const CallbackContext& ctx, const Route& route,
                                         const InboundRequest& in) const;
    /// Batched commands: each event of {"Events":[...]} through the handler, in order; one reply.
    Response dispatch_batch(const nlohmann::json& body, CallbackContext& ctx, const Route& route,
                            const InboundRequest& in) const;

    QueryPolicy policy_;
    FailurePolicy failure_policy_;
    const Registry& registry_;
    const Reporter& reporter_;
    Counters& counters_;
};

}  // namespace imcb::detail
