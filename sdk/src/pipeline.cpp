#include "pipeline.h"

#include <chrono>

namespace imcb::detail {
namespace {

constexpr int kMaxJsonDepth = 64;

// Nesting depth of a JSON text, strings skipped; stops counting past the limit.
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

}  // namespace

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

Pipeline::Pipeline(const ReceiverOptions& options, const Registry& registry,
                   const Reporter& reporter, Counters& counters)
    : policy_{options.sdk_app_id, options.callback_token, options.request_time_window},
      failure_policy_(options.before_failure_policy),
      registry_(registry),
      reporter_(reporter),
      counters_(counters) {}

Response Pipeline::reject(int status, ErrorKind kind, std::string message, const std::string& command,
                       const InboundRequest& in) const {
    counters_.requests_rejected++;
    Response r{status, error_envelope(status, message)};
    reporter_.report(kind, std::move(message), command, in.remote_addr);
    return r;
}

Response Pipeline::failed(const CommandInfo* info, ErrorKind kind, std::string message,
                       const std::string& command, const InboundRequest& in) const {
    counters_.handler_failures++;
    reporter_.report(kind, message, command, in.remote_addr);
    if (info != nullptr && info->phase == Phase::After) return {200, ok_envelope()};
    switch (failure_policy_) {
        case FailurePolicy::Allow: return {200, ok_envelope()};
        case FailurePolicy::Deny: return {200, dump_reply(Decision::deny().to_reply())};
        case FailurePolicy::HttpError: break;
    }
    counters_.requests_rejected++;
    return {500, error_envelope(500, "the callback handler failed")};
}

Response Pipeline::handle(const InboundRequest& in) const {
    // Stage: query check.
    CallbackQuery q;
    QueryVerdict verdict = parse_query(in.params, q);
    if (verdict.status == 200) verdict = check_query(q, policy_, std::chrono::system_clock::now());
    if (verdict.status != 200) {
        return reject(verdict.status,
                      verdict.status == 400 ? ErrorKind::BadRequest : ErrorKind::Unauthorized,
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
    ctx.sdk_app_id = policy_.sdk_app_id;
    ctx.client_ip = std::string(q.client_ip);
    ctx.opt_platform = std::string(q.opt_platform);
    ctx.content_type = std::string(q.content_type);
    ctx.request_time = verdict.request_time;
    ctx.remote_addr = in.remote_addr;
    ctx.peer = &in.peer;
    ctx.body = &body;

    if (route.handler == nullptr) {
        if (route.info == nullptr) {
            reporter_.report(ErrorKind::UnknownCommand,
                             "no handler for this command; replied OK (register on_unknown or "
                             "on_raw to handle it)",
                             ctx.command, in.remote_addr);
        }
        return {200, ok_envelope()};
    }
    if (route.info != nullptr && route.info->batched) return dispatch_batch(body, ctx, route, in);

    auto outcome = run(*route.handler, body, ctx, route, in);
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
    return {200, dump_reply(decision.to_reply())};
}

std::variant<Decision, Response> Pipeline::run(const RawHandler& handler,
                                               const nlohmann::json& event,
                                               const CallbackContext& ctx, const Route& route,
                                               const InboundRequest& in) const {
    try {
        return handler(event, ctx);
    } catch (const DecodeError& e) {
        return reject(400, ErrorKind::DecodeFailed, e.what(), ctx.command, in);
    } catch (const DecisionError& e) {
        return failed(route.info, ErrorKind::InvalidDecision, e.what(), ctx.command, in);
    } catch (const std::exception& e) {
        return failed(route.info, ErrorKind::HandlerFailed, std::string("handler threw: ") + e.what(),
                      ctx.command, in);
    } catch (...) {
        return failed(route.info, ErrorKind::HandlerFailed, "handler threw a non-standard exception",
                      ctx.command, in);
    }
}

Response Pipeline::dispatch_batch(const nlohmann::json& body, CallbackContext& ctx,
                                  const Route& route, const InboundRequest& in) const {
    const auto events = body.find("Events");
    if (events == body.end() || !events->is_array() || events->empty() ||
        events->size() > kMaxBatchEvents) {
        return reject(400, ErrorKind::DecodeFailed,
                      "a batched callback body must be {\"Events\":[...]} with 1 to " +
                          std::to_string(kMaxBatchEvents) + " events",
                      ctx.command, in);
    }
    // Every event goes through the handler; one that fails to decode or whose handler fails is
    // reported with its position and does not stop the others. The batch gets one reply.
    ctx.batch_size = events->size();
    for (std::size_t i = 0; i < events->size(); ++i) {
        const nlohmann::json& event = (*events)[i];
        ctx.batch_index = i;
        ctx.body = &event;
        const auto where = "Events[" + std::to_string(i) + "] of " + std::to_string(events->size());
        try {
            (*route.handler)(event, ctx);
        } catch (const DecodeError& e) {
            counters_.handler_failures++;
            reporter_.report(ErrorKind::DecodeFailed, where + ": " + e.what(), ctx.command,
                             in.remote_addr);
        } catch (const std::exception& e) {
            counters_.handler_failures++;
            reporter_.report(ErrorKind::HandlerFailed, where + ": handler threw: " + e.what(),
                             ctx.command, in.remote_addr);
        } catch (...) {
            counters_.handler_failures++;
            reporter_.report(ErrorKind::HandlerFailed,
                             where + ": handler threw a non-standard exception", ctx.command,
                             in.remote_addr);
        }
    }
    return {200, ok_envelope()};
}

}  // namespace imcb::detail
