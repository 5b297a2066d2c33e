// libFuzzer target: the whole request path without sockets or TLS. The bytes of one connection
// go through the HTTP framing and detail::Pipeline::handle, with a Registry holding a typed
// handler for every command of imcb::KnownEvents, a raw handler and an unknown-command handler.
//
// A Connection is tied to a socket and TLS, so the framing steps of HttpEngine::serve
// (sdk/src/http_engine.cpp) are repeated here in the same order over an in-memory buffer:
// parse the head, refuse what serve refuses before the body, take Content-Length bytes of body,
// hand the request to the pipeline, and go on with pipelined requests while the connection stays
// open. Keep serve_buffer() in step with HttpEngine::serve.
//
// Input: one byte choosing the handlers' behaviour, the failure policy and the registry, then
// the bytes of the connection. Checks: every reply is a JSON envelope whose status and
// ErrorCode agree, and every report is one safe line whatever the request carried.

#include <charconv>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "fuzz_check.h"
#include "imcb/decode.h"
#include "http1.h"
#include "imcb/commands.h"
#include "pipeline.h"
#include "registry.h"
#include "runtime.h"

namespace {

using imcb::Decision;
using imcb::DecisionRules;
using imcb::EventList;
using imcb::FriendCheckResult;
using imcb::Phase;
using imcb::Reply;
using imcb::detail::Pipeline;
using imcb::detail::Registry;
using imcb::fuzz::escaped;
using imcb::fuzz::safe_line;
using nlohmann::json;
namespace http1 = imcb::detail::http1;

int g_mode = 0;  // how the handlers answer, for this input

/// A before-callback's answer, by g_mode: every reply factory the command allows, a handler
/// that throws (a standard or a non-standard exception, a DecisionError from a factory), and
/// a raw decision the command may not allow.
template <class Event>
Decision before_decision() {
    using R = Reply<Event>;
    constexpr DecisionRules rules = Event::kRules;
    if constexpr (rules.has_friend_results) {
        switch (g_mode) {
            case 3:
                throw std::runtime_error("handler failure");
            case 6:
                return R::friend_results({FriendCheckResult::refuse("fuzz", 1, "bad code")}).decision();
            case 7:
                return Decision::drop();
            default:
                return R::friend_results({FriendCheckResult::allow("fuzz")}).decision();
        }
    } else if constexpr (rules.has_rsp_data) {
        switch (g_mode) {
            case 1:
                return R::deny().decision();
            case 3:
                throw std::runtime_error("handler failure");
            case 6:
                return Decision::allow();  // a raw allow: no RspData, refused by the rules
            case 7:
                return Decision::drop();
            default:
                return R::respond("{\"fuzz\":1}").decision();
        }
    } else {
        switch (g_mode) {
            case 1:
                return R::deny().decision();
            case 2:
                if constexpr (rules.custom_code_min != 0) {
                    return R::deny(rules.custom_code_min, "refused").decision();
                } else {
                    return R::deny().decision();
                }
            case 3:
                throw std::runtime_error("handler failure");
            case 4:
                if constexpr (rules.can_drop) {
                    return R::drop().decision();
                } else if constexpr (rules.can_refuse_members) {
                    return R::refuse_members({"fuzz"}).decision();
                } else if constexpr (rules.can_refuse_subscribers) {
                    return R::refuse_subscribers({"fuzz"}).decision();
                } else {
                    return R::allow().decision();
                }
            case 5:
                if constexpr (rules.can_modify_message) {
                    return R::modify(json::array({{{"MsgType", "TIMTextElem"},
                                                   {"MsgContent", {{"Text", "changed"}}}}}),
                                     "data")
                        .decision();
                } else {
                    return R::allow().decision();
                }
            case 6:
                if constexpr (rules.custom_code_min != 0) {
                    return R::deny(rules.custom_code_max + 1, "out of range").decision();
                } else {
                    throw 42;
                }
            case 7:
                return Decision::drop();
            default:
                return R::allow().decision();
        }
    }
}

/// What Receiver::on<Event> registers: decode, call the handler, return its decision.
template <class Event>
imcb::RawHandler typed_handler() {
    return [](const json& body, const imcb::CallbackContext& ctx) -> Decision {
        IMCB_FUZZ_CHECK(&ctx.raw() == &body, ctx.command);
        const Event event = imcb::detail::decode_event<Event>(body);
        (void)json(event);
        if constexpr (Event::kPhase == Phase::Before) {
            return before_decision<Event>();
        } else {
            if (g_mode == 3) throw std::runtime_error("handler failure");
            return Decision::allow();
        }
    };
}

template <class... Events>
void register_typed(Registry& registry, EventList<Events...>) {
    (registry.set(Events::kCommand, typed_handler<Events>()), ...);
}

void on_report(const imcb::ErrorReport& r) {
    IMCB_FUZZ_CHECK(!r.message.empty(), r.command);
    IMCB_FUZZ_CHECK(safe_line(r.message), escaped(r.message));
    IMCB_FUZZ_CHECK(safe_line(r.command), escaped(r.command));
}

struct Server {
    imcb::ReceiverOptions options;
    Registry handlers;
    Registry empty;
    imcb::detail::Reporter reporter;
    imcb::detail::Counters counters;
    std::shared_ptr<const imcb::PeerIdentity> vendor;  // presented a client certificate
    std::shared_ptr<const imcb::PeerIdentity> anonymous = std::make_shared<const imcb::PeerIdentity>();
    std::string remote = "127.0.0.1:40000";
    std::unique_ptr<Pipeline> pipelines[6];

    Server() {
        imcb::PeerIdentity identity;
        identity.subject = "CN=im.vendor";
        identity.sha256_fingerprint = std::string(64, 'a');
        vendor = std::make_shared<const imcb::PeerIdentity>(identity);
        options.path = "/imcallback";
        options.sdk_app_id = 888888;
        options.max_header_bytes = 4096;
        options.max_body_bytes = 64 * 1024;
        register_typed(handlers, imcb::KnownEvents{});
        handlers.set("Fuzz.Raw", [](const json&, const imcb::CallbackContext&) {
            return g_mode == 3 ? Decision::deny(7, "raw") : Decision::allow();
        });
        handlers.set_unknown([](const json&, const imcb::CallbackContext&) {
            if (g_mode == 3) throw std::runtime_error("unknown-command handler failure");
            return Decision::allow();
        });
        reporter.set_handler(on_report);
        const imcb::FailurePolicy policies[] = {imcb::FailurePolicy::Allow, imcb::FailurePolicy::Deny,
                                                imcb::FailurePolicy::HttpError};
        for (int i = 0; i < 6; ++i) {
            options.before_failure_policy = policies[i % 3];
            pipelines[i] = std::make_unique<Pipeline>(options, i < 3 ? handlers : empty, reporter, counters);
        }
    }
};

void check_reply(int status, const std::string& body, std::string_view request) {
    static const int kStatuses[] = {200, 400, 401, 403, 404, 405, 411, 413, 414, 415, 417, 431, 500, 505};
    bool known = false;
    for (const int s : kStatuses) known |= s == status;
    IMCB_FUZZ_CHECK(known, std::to_string(status) + ": " + escaped(request));
    const json j = json::parse(body, nullptr, false);
    IMCB_FUZZ_CHECK(j.is_object() && j.size() >= 3, escaped(body));
    const auto action = j.find("ActionStatus");
    const auto code = j.find("ErrorCode");
    const auto info = j.find("ErrorInfo");
    IMCB_FUZZ_CHECK(action != j.end() && code != j.end() && info != j.end() && code->is_number_integer() &&
                        info->is_string(),
                    escaped(body));
    IMCB_FUZZ_CHECK(*action == (status == 200 ? "OK" : "FAIL"), std::to_string(status) + " " + escaped(body));
    if (status != 200) IMCB_FUZZ_CHECK(*code == status, std::to_string(status) + " " + escaped(body));
}

/// HttpEngine::refuse: the reply, the report; the connection is closed after it.
void refuse(const Server& s, int status, const std::string& why, std::string_view target) {
    check_reply(status, imcb::detail::error_envelope(status, why), target);
    const imcb::detail::QueryParams params = imcb::detail::parse_query_string(target);
    const auto it = params.find("CallbackCommand");
    s.reporter.report(imcb::ErrorKind::BadRequest, why,
                      it == params.end() ? std::string{} : it->second.substr(0, 128), s.remote);
}

/// HttpEngine::serve, request after request, over `data` as everything the client sent.
void serve_buffer(const Server& s, const Pipeline& pipeline,
                  const std::shared_ptr<const imcb::PeerIdentity>& peer, std::string_view data) {
    const http1::Limits limits{s.options.max_header_bytes, 8 * 1024, 100};
    for (int served = 0; served < 8 && !data.empty(); ++served) {
        http1::RequestHead head;
        const http1::ParseResult parsed = http1::parse_head(data, limits, head);
        if (parsed.outcome == http1::Parse::Incomplete) return;  // would wait for more bytes
        if (parsed.outcome == http1::Parse::Invalid) return refuse(s, parsed.status, parsed.why, {});

        std::string path;
        if (!http1::decode_path(head.path, path) || path != s.options.path) {
            return refuse(s, 404, "no callback endpoint here; callbacks go to " + s.options.path,
                          head.target);
        }
        if (head.method != "POST") return refuse(s, 405, "callbacks are POST requests", head.target);
        if (head.transfer_encoding) {
            return refuse(s, 411, "chunked bodies are not accepted: send Content-Length", head.target);
        }
        if (head.content_length_headers != 1) {
            return refuse(s, head.content_length_headers == 0 ? 411 : 400,
                          "exactly one Content-Length header is required", head.target);
        }
        std::size_t length = 0;
        const std::string_view cl = head.content_length;
        const auto conv = std::from_chars(cl.data(), cl.data() + cl.size(), length);
        if (cl.empty() || cl.size() > 18 || conv.ec != std::errc() || conv.ptr != cl.data() + cl.size()) {
            return refuse(s, 400, "Content-Length is not a number", head.target);
        }
        if (length > s.options.max_body_bytes) {
            return refuse(s, 413,
                          "body of " + std::string(cl) + " bytes exceeds the limit of " +
                              std::to_string(s.options.max_body_bytes) + " (max_body_bytes)",
                          head.target);
        }
        if (!head.content_encoding.empty() && !http1::iequals(head.content_encoding, "identity")) {
            return refuse(s, 415,
                          "Content-Encoding " + std::string(head.content_encoding) + " is not accepted",
                          head.target);
        }
        if (!head.expect.empty() && !http1::iequals(head.expect, "100-continue")) {
            return refuse(s, 417, "unsupported Expect", head.target);
        }
        if (data.size() < head.head_bytes + length) return;  // would wait for the body

        const std::string_view body = data.substr(head.head_bytes, length);
        const imcb::detail::QueryParams params = imcb::detail::parse_query_string(head.target);
        const imcb::detail::InboundRequest in{params, body, peer, s.remote};
        const imcb::detail::Response result = pipeline.handle(in);
        check_reply(result.status, result.body, data.substr(0, head.head_bytes + length));
        IMCB_FUZZ_CHECK(
            peer != s.anonymous || result.status != 200,
            "served without a certificate or a Sign: " + escaped(data.substr(0, head.head_bytes + length)));
        const bool keep = head.keep_alive();
        data.remove_prefix(head.head_bytes + length);
        if (!keep) return;
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static Server server;
    if (size < 1) return 0;
    g_mode = data[0] & 7;
    const Pipeline& pipeline = *server.pipelines[(data[0] >> 3) % 6];
    // A quarter of the inputs come from a connection without a client certificate (client_auth
    // "none"), which no token configured here can authenticate: always refused.
    const auto& peer = (data[0] >> 3) >= 24 ? server.anonymous : server.vendor;
    serve_buffer(server, pipeline, peer, std::string_view(reinterpret_cast<const char*>(data) + 1, size - 1));
    return 0;
}
