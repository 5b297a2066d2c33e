#include "pipeline.h"

#include <algorithm>
#include <chrono>

#include "context_access.h"
#include "dedup.h"
#include "delivery.h"
#include "journal.h"

namespace imcb::detail {

bool nesting_within(std::string_view text, int limit) {
    int depth = 0;
    bool in_string = false;
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (in_string) {
            if (c == '\\') {
                ++i;
            } else if (c == '"') {
                in_string = false;
            }
        } else if (c == '"') {
            in_string = true;
        } else if (c == '{' || c == '[') {
            if (++depth > limit) return false;
        } else if (c == '}' || c == ']') {
            --depth;
        }
    }
    return true;
}

std::string dump_reply(const nlohmann::json& reply) {
    // Text from clients or handlers may hold invalid UTF-8: replace it rather than throw.
    return reply.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string error_envelope(int status, const std::string& info) {
    return dump_reply(nlohmann::json{{"ActionStatus", "FAIL"}, {"ErrorCode", status}, {"ErrorInfo", info}});
}

const std::string& ok_envelope() {
    static const std::string ok = R"({"ActionStatus":"OK","ErrorCode":0,"ErrorInfo":""})";
    return ok;
}

bool Durability::journals(const Route& route, std::string_view command) const {
    if (journal == nullptr) return false;
    if (all_after && route.info != nullptr && route.info->phase == Phase::After) return true;
    return std::find(commands.begin(), commands.end(), command) != commands.end();
}

Pipeline::Pipeline(const ReceiverOptions& options, const Registry& registry, const Reporter& reporter,
                   Counters& counters, Durability durability)
    : policy_(std::make_shared<const QueryPolicy>(
          QueryPolicy{options.sdk_app_id, options.callback_tokens, options.request_time_window})),
      failure_policy_(options.before_failure_policy),
      before_deadline_(options.before_deadline),
      registry_(registry),
      reporter_(reporter),
      counters_(counters),
      durability_(std::move(durability)) {}

void Pipeline::set_tokens(std::vector<std::string> tokens) {
    const auto current = std::atomic_load(&policy_);
    auto next = std::make_shared<const QueryPolicy>(
        QueryPolicy{current->sdk_app_id, std::move(tokens), current->window});
    std::atomic_store(&policy_, std::shared_ptr<const QueryPolicy>(std::move(next)));
}

Response Pipeline::reject(int status, ErrorKind kind, std::string message, const std::string& command,
                          const InboundRequest& in) const {
    counters_.requests_rejected++;
    Response r{status, error_envelope(status, message)};
    r.outcome = status >= 500 ? Outcome::Failed : Outcome::Rejected;
    reporter_.report(kind, std::move(message), command, in.remote_addr, in.request_id);
    return r;
}

Response Pipeline::policy_reply() const {
    switch (failure_policy_) {
        case FailurePolicy::Allow:
            return {200, ok_envelope()};
        case FailurePolicy::Deny:
            return {200, dump_reply(Decision::deny().to_reply())};
        case FailurePolicy::HttpError:
            break;
    }
    return {500, error_envelope(500, "the callback handler failed")};
}

Response Pipeline::failed(const CommandInfo* info, ErrorKind kind, std::string message,
                          const std::string& command, const InboundRequest& in) const {
    counters_.handler_failures++;
    reporter_.report(kind, message, command, in.remote_addr, in.request_id);
    Response r =
        info != nullptr && info->phase == Phase::After ? Response{200, ok_envelope()} : policy_reply();
    if (r.status != 200) counters_.requests_rejected++;
    r.outcome = Outcome::Failed;
    return r;
}

Response Pipeline::handle(const InboundRequest& in) const {
    // Stage: query check.
    CallbackQuery q;
    QueryVerdict verdict = parse_query(in.params, q);
    const std::shared_ptr<const QueryPolicy> policy = std::atomic_load(&policy_);
    if (verdict.status == 200) verdict = check_query(q, *policy, std::chrono::system_clock::now());
    if (verdict.status == 200 && policy->tokens.empty() &&
        (in.peer == nullptr || in.peer->sha256_fingerprint.empty())) {
        // A connection without a client certificate (accepted under client_auth "none") is
        // authenticated by Sign alone: it is never served unsigned, also when a reload has since
        // turned mutual TLS on and the tokens off while the connection stayed open.
        verdict.status = 401;
        verdict.message =
            "this connection presented no client certificate, so a valid Sign is "
            "required, and no callback_token is configured";
    }
    if (verdict.status != 200) {
        return reject(verdict.status, verdict.status == 400 ? ErrorKind::BadRequest : ErrorKind::Unauthorized,
                      std::move(verdict.message), std::string(q.command), in);
    }
    if (q.command.empty()) {
        return reject(400, ErrorKind::BadRequest, "CallbackCommand query parameter is missing", {}, in);
    }

    // Stage: parse.
    if (!nesting_within(in.body, kMaxJsonDepth)) {
        return reject(400, ErrorKind::MalformedJson,
                      "body nests deeper than " + std::to_string(kMaxJsonDepth) + " levels",
                      std::string(q.command), in);
    }
    const nlohmann::json body = nlohmann::json::parse(in.body, nullptr, false);
    if (body.is_discarded() || !body.is_object()) {
        return reject(400, ErrorKind::MalformedJson,
                      body.is_discarded() ? "body is not valid JSON" : "body is not a JSON object",
                      std::string(q.command), in);
    }

    // Stage: dispatch.
    const Route route = registry_.find(q.command);
    CallbackContext ctx;
    ctx.command = std::string(q.command);
    ctx.sdk_app_id = policy->sdk_app_id;
    ctx.client_ip = std::string(q.client_ip);
    ctx.opt_platform = std::string(q.opt_platform);
    ctx.content_type = std::string(q.content_type);
    ctx.request_time = verdict.request_time;
    ctx.remote_addr = in.remote_addr;
    ctx.request_id = in.request_id;
    if (in.peer) detail::ContextAccess::set_peer(ctx, *in.peer);
    detail::ContextAccess::set_body(ctx, body);

    if (route.handler == nullptr) {
        if (route.info == nullptr) {
            reporter_.report(ErrorKind::UnknownCommand,
                             "no handler for this command; replied OK (register on_unknown or "
                             "on_raw to handle it)",
                             ctx.command, in.remote_addr, in.request_id);
        }
        return {200, ok_envelope()};
    }
    if (durability_.journals(route, ctx.command)) return journal(body, ctx, route, in);
    if (route.info != nullptr && route.info->batched) return dispatch_batch(body, ctx, route, in);
    if (route.info != nullptr && route.info->phase == Phase::After && !first_time(ctx.command, body)) {
        Response duplicate{200, ok_envelope()};
        duplicate.outcome = Outcome::Duplicate;
        return duplicate;
    }

    const bool guarded = in.guard != nullptr && route.info != nullptr && route.info->phase == Phase::Before;
    auto outcome = guarded ? run_guarded(*route.handler, body, ctx, route, in)
                           : run(*route.handler, body, ctx, route, in);
    if (auto* response = std::get_if<Response>(&outcome)) return std::move(*response);
    const Decision& decision = std::get<Decision>(outcome);

    // Stage: decision check and reply.
    if (route.info != nullptr) {
        if (route.info->phase == Phase::After) return {200, ok_envelope()};
        std::string why = decision.violation(route.info->rules);
        if (!why.empty()) {
            return failed(route.info, ErrorKind::InvalidDecision, std::move(why), ctx.command, in);
        }
    }
    if (decision.kind() == Decision::Kind::Allow && decision.error_info().empty()) {
        return {200, ok_envelope()};
    }
    Response decided{200, dump_reply(decision.to_reply())};
    switch (decision.kind()) {
        case Decision::Kind::Deny:
        case Decision::Kind::Drop:
        case Decision::Kind::RefuseMembers:
        case Decision::Kind::RefuseSubscribers:
            decided.outcome = Outcome::Denied;
            break;
        default:
            break;  // allowed, modified, or per-account friend results
    }
    return decided;
}

namespace {

struct HandlerError {
    ErrorKind kind;
    std::string message;
};

/// What the exception a handler threw says, in the words both dispatches use. Only inside a catch.
HandlerError current_handler_error() {
    try {
        throw;
    } catch (const DecodeError& e) {
        return {ErrorKind::DecodeFailed, e.what()};
    } catch (const DecisionError& e) {
        return {ErrorKind::InvalidDecision, e.what()};
    } catch (const std::exception& e) {
        return {ErrorKind::HandlerFailed, std::string("handler threw: ") + e.what()};
    } catch (...) {
        return {ErrorKind::HandlerFailed, "handler threw a non-standard exception"};
    }
}

}  // namespace

std::variant<Decision, Response> Pipeline::run(const RawHandler& handler, const nlohmann::json& event,
                                               const CallbackContext& ctx, const Route& route,
                                               const InboundRequest& in) const {
    try {
        return handler(event, ctx);
    } catch (...) {
        HandlerError error = current_handler_error();
        if (error.kind == ErrorKind::DecodeFailed) {
            return reject(400, error.kind, std::move(error.message), ctx.command, in);
        }
        return failed(route.info, error.kind, std::move(error.message), ctx.command, in);
    }
}

std::variant<Decision, Response> Pipeline::run_guarded(const RawHandler& handler, const nlohmann::json& event,
                                                       const CallbackContext& ctx, const Route& route,
                                                       const InboundRequest& in) const {
    in.guard->arm(policy_reply(), ctx.command, std::chrono::steady_clock::now() + before_deadline_);
    auto outcome = run(handler, event, ctx, route, in);
    if (in.guard->disarm()) return outcome;
    // Too late: the vendor has had the policy's answer; say what the handler would have answered.
    // The connection is another worker's now, so nothing may escape from here.
    try {
        std::string late = "the handler answered after the deadline of " +
                           std::to_string(before_deadline_.count()) +
                           " ms (timeouts.before_deadline_ms); its result was discarded: ";
        if (const auto* decision = std::get_if<Decision>(&outcome)) {
            late += "it decided " + dump_reply(decision->to_reply());
        } else {
            late += "it failed (reported above)";
        }
        reporter_.report(ErrorKind::DeadlineMissed, std::move(late), ctx.command, ctx.remote_addr,
                         in.request_id);
    } catch (...) {
    }
    Response gone;
    gone.answered_by_guard = true;
    gone.outcome = Outcome::Deadline;
    return gone;
}

bool Pipeline::first_time(const std::string& command, const nlohmann::json& event) const {
    if (durability_.dedup == nullptr) return true;
    if (durability_.dedup->claim_kept(event_key(command, event), std::chrono::system_clock::now()))
        return true;
    counters_.duplicates_dropped++;
    return false;
}

Response Pipeline::journal(const nlohmann::json& body, CallbackContext& ctx, const Route& route,
                           const InboundRequest& in) const {
    std::vector<const nlohmann::json*> events;
    if (route.info != nullptr && route.info->batched) {
        const auto list = body.find("Events");
        if (list == body.end() || !list->is_array() || list->empty() || list->size() > kMaxBatchEvents) {
            return reject(400, ErrorKind::DecodeFailed,
                          "a batched callback body must be {\"Events\":[...]} with 1 to " +
                              std::to_string(kMaxBatchEvents) + " events",
                          ctx.command, in);
        }
        for (const auto& e : *list) events.push_back(&e);
        ctx.batch_size = events.size();
    } else {
        events.push_back(&body);
    }
    const auto now = std::chrono::system_clock::now();
    const std::int64_t received_at = std::chrono::system_clock::to_time_t(now);
    std::vector<std::string> payloads;
    std::vector<std::string> claimed;
    for (std::size_t i = 0; i < events.size(); ++i) {
        std::string key = event_key(ctx.command, *events[i]);
        if (durability_.dedup != nullptr) {
            const auto claim = durability_.dedup->claim(key, now);
            if (claim == DedupStore::Claim::Repeat) {
                counters_.duplicates_dropped++;
                continue;
            }
            if (claim == DedupStore::Claim::Pending) {
                // Another request is storing this event right now: a 200 here could promise what
                // that request then fails to keep. The vendor's retry will find it kept.
                for (const auto& k : claimed) durability_.dedup->release(k);
                counters_.journal_refused++;
                return reject(
                    503, ErrorKind::Journal,
                    "the same event (" + key + ") is being stored by another request; send it again",
                    ctx.command, in);
            }
            claimed.push_back(key);
        }
        ctx.batch_index = i;
        payloads.push_back(encode_journal_event(ctx, *events[i], key, received_at));
    }
    if (payloads.empty()) {  // all seen before: acknowledged again
        Response duplicate{200, ok_envelope()};
        duplicate.outcome = Outcome::Duplicate;
        return duplicate;
    }

    std::vector<std::uint64_t> seqs;
    std::string why;
    const Journal::Append result = durability_.journal->append(payloads, seqs, why);
    if (result == Journal::Append::Durable) {
        for (const auto& key : claimed) durability_.dedup->confirm(key);
        counters_.journal_appended += payloads.size();
        for (std::size_t i = 0; i < payloads.size(); ++i) {
            durability_.deliverer->push(seqs[i], std::move(payloads[i]));
        }
        return {200, ok_envelope()};
    }
    // Not kept, so not acknowledged: a retry must not be taken for a repeat.
    for (const auto& key : claimed) durability_.dedup->release(key);
    counters_.journal_refused++;
    const int status = result == Journal::Append::Full ? 503 : 500;
    return reject(status, ErrorKind::Journal, std::move(why), ctx.command, in);
}

Response Pipeline::dispatch_batch(const nlohmann::json& body, CallbackContext& ctx, const Route& route,
                                  const InboundRequest& in) const {
    const auto events = body.find("Events");
    if (events == body.end() || !events->is_array() || events->empty() || events->size() > kMaxBatchEvents) {
        return reject(400, ErrorKind::DecodeFailed,
                      "a batched callback body must be {\"Events\":[...]} with 1 to " +
                          std::to_string(kMaxBatchEvents) + " events",
                      ctx.command, in);
    }
    // Every event goes through the handler; one that fails to decode or whose handler fails is
    // reported with its position and does not stop the others. The batch gets one reply.
    ctx.batch_size = events->size();
    std::size_t fresh = 0;
    std::size_t failures = 0;
    for (std::size_t i = 0; i < events->size(); ++i) {
        const nlohmann::json& event = (*events)[i];
        if (!first_time(ctx.command, event)) continue;
        ++fresh;
        ctx.batch_index = i;
        detail::ContextAccess::set_body(ctx, event);
        const auto where = "Events[" + std::to_string(i) + "] of " + std::to_string(events->size());
        try {
            (*route.handler)(event, ctx);
        } catch (...) {
            ++failures;
            counters_.handler_failures++;
            const HandlerError error = current_handler_error();
            reporter_.report(error.kind, where + ": " + error.message, ctx.command, in.remote_addr,
                             in.request_id);
        }
    }
    Response r{200, ok_envelope()};
    if (failures > 0) {
        r.outcome = Outcome::Failed;
    } else if (fresh == 0) {
        r.outcome = Outcome::Duplicate;
    }
    return r;
}

}  // namespace imcb::detail
