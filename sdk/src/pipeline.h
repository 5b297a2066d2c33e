#pragma once

// The request stages after HTTP framing: query check ─► JSON parse ─► dispatch (typed decode and
// handler) ─► decision check ─► reply. Independent of the transport and of HTTP.

#include <chrono>
#include <memory>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "imcb/context.h"
#include "imcb/options.h"
#include "metrics_registry.h"
#include "query.h"
#include "registry.h"
#include "runtime.h"

namespace imcb::detail {

class Journal;
class Deliverer;
class DedupStore;

/// The journal and the dedup store, where configured. A journaled after-callback is made durable
/// and acknowledged; its handler runs later from the journal (delivery.h).
struct Durability {
    Journal* journal = nullptr;
    Deliverer* deliverer = nullptr;
    DedupStore* dedup = nullptr;
    bool all_after = false;             ///< journal.commands "after"
    std::vector<std::string> commands;  ///< otherwise, these
    bool journals(const Route& route, std::string_view command) const;
};

struct Response {
    int status = 200;
    std::string body;
    /// The deadline guard answered in time on the handler's behalf, and the connection went on
    /// without this request: nothing more is to be sent, and the connection must not be touched.
    bool answered_by_guard = false;
    /// The outcome label of imcb_callbacks_total (recorded by the HTTP layer with the reply).
    Outcome outcome = Outcome::Ok;
};

/// The deadline guard of one request (the HTTP layer implements it over its connection). While a
/// before-handler runs, it stands ready to send `fallback` at `deadline` on the handler's behalf
/// and to hand the connection back to the transport, so that neither the vendor's 2 s wait nor the
/// connection depends on a slow handler.
class ReplyGuard {
  public:
    virtual ~ReplyGuard() = default;
    virtual void arm(const Response& fallback, const std::string& command,
                     std::chrono::steady_clock::time_point deadline) = 0;
    /// After the handler returned: true when it was in time (the caller replies as usual), false
    /// when the fallback has been sent.
    virtual bool disarm() = 0;
};

/// Everything here outlives the request's handler call, even one the guard gave up on: the
/// strings and parameters are the caller's, the peer is shared.
struct InboundRequest {
    const QueryParams& params;
    std::string_view body;
    std::shared_ptr<const PeerIdentity> peer;
    std::string remote_addr;
    ReplyGuard* guard = nullptr;  ///< null: before-handlers run without a deadline
    std::string request_id{};     ///< CallbackContext::request_id and every report's
};

/// Deepest nesting of objects and arrays a body may have; deeper bodies get 400 unparsed.
inline constexpr int kMaxJsonDepth = 64;
/// Whether a JSON text nests at most `limit` levels (strings skipped; stops counting past it).
bool nesting_within(std::string_view text, int limit);

/// A reply as JSON text; invalid UTF-8 in strings is replaced, never thrown.
std::string dump_reply(const nlohmann::json& reply);
/// {"ActionStatus":"FAIL","ErrorCode":status,"ErrorInfo":info}
std::string error_envelope(int status, const std::string& info);
/// {"ActionStatus":"OK","ErrorCode":0,"ErrorInfo":""}
const std::string& ok_envelope();

class Pipeline {
  public:
    Pipeline(const ReceiverOptions& options, const Registry& registry, const Reporter& reporter,
             Counters& counters, Durability durability = {});
    Response handle(const InboundRequest& in) const;
    /// Replaces the callback tokens (a reload): requests read the list once each, so open
    /// keep-alive connections see the new tokens from their next request on. Thread-safe.
    void set_tokens(std::vector<std::string> tokens);

  private:
    Response reject(int status, ErrorKind kind, std::string message, const std::string& command,
                    const InboundRequest& in) const;
    Response failed(const CommandInfo* info, ErrorKind kind, std::string message, const std::string& command,
                    const InboundRequest& in) const;
    /// What before_failure_policy answers, without counting or reporting anything.
    Response policy_reply() const;
    /// A before-handler under the deadline guard.
    std::variant<Decision, Response> run_guarded(const RawHandler& handler, const nlohmann::json& event,
                                                 const CallbackContext& ctx, const Route& route,
                                                 const InboundRequest& in) const;
    /// Runs the handler; the decision, or the reply that replaces it when the handler fails.
    std::variant<Decision, Response> run(const RawHandler& handler, const nlohmann::json& event,
                                         const CallbackContext& ctx, const Route& route,
                                         const InboundRequest& in) const;
    /// A journaled after-callback (each event of a batch): durable, then acknowledged.
    Response journal(const nlohmann::json& body, CallbackContext& ctx, const Route& route,
                     const InboundRequest& in) const;
    /// False (and counted) when dedup is on and the event was seen within the window.
    bool first_time(const std::string& command, const nlohmann::json& event) const;
    /// Batched commands: each event of {"Events":[...]} through the handler, in order; one reply.
    Response dispatch_batch(const nlohmann::json& body, CallbackContext& ctx, const Route& route,
                            const InboundRequest& in) const;

    /// Swapped whole by set_tokens(); accessed with std::atomic_load/store.
    std::shared_ptr<const QueryPolicy> policy_;
    FailurePolicy failure_policy_;
    std::chrono::milliseconds before_deadline_;
    const Registry& registry_;
    const Reporter& reporter_;
    Counters& counters_;
    Durability durability_;
};

}  // namespace imcb::detail
