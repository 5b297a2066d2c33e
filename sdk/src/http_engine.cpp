#include "http_engine.h"

#include <charconv>

#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "http1.h"
#include "peer_identity.h"

namespace imcb::detail {
namespace {

const char* reason_phrase(int status) {
    switch (status) {
        case 200:
            return "OK";
        case 400:
            return "Bad Request";
        case 401:
            return "Unauthorized";
        case 403:
            return "Forbidden";
        case 404:
            return "Not Found";
        case 405:
            return "Method Not Allowed";
        case 408:
            return "Request Timeout";
        case 411:
            return "Length Required";
        case 413:
            return "Payload Too Large";
        case 414:
            return "URI Too Long";
        case 415:
            return "Unsupported Media Type";
        case 417:
            return "Expectation Failed";
        case 431:
            return "Request Header Fields Too Large";
        case 500:
            return "Internal Server Error";
        case 503:
            return "Service Unavailable";
        case 505:
            return "HTTP Version Not Supported";
        default:
            return "Error";
    }
}

std::string command_of(std::string_view target) {
    const QueryParams params = parse_query_string(target);
    const auto it = params.find("CallbackCommand");
    return it == params.end() ? std::string{} : it->second.substr(0, 128);
}

// The deadline guard over a connection: the fallback reply, framed for this request, goes to the
// transport, which sends it at the deadline if the handler has not returned by then.
class ConnectionGuard final : public ReplyGuard {
  public:
    ConnectionGuard(const HttpEngine& engine, Connection& conn, std::size_t consumed, bool keep_alive)
        : engine_(engine), conn_(conn), consumed_(consumed), keep_alive_(keep_alive) {}

    void arm(const Response& fallback, const std::string& command,
             std::chrono::steady_clock::time_point deadline) override {
        rescue_ = conn_.arm_rescue(engine_.frame(fallback.status, fallback.body, keep_alive_), consumed_,
                                   keep_alive_, command, deadline);
    }
    bool disarm() override {
        if (!rescue_->disarm()) return false;  // conn_ belongs to another worker now
        conn_.clear_rescue();
        return true;
    }

  private:
    const HttpEngine& engine_;
    Connection& conn_;
    std::size_t consumed_;
    bool keep_alive_;
    std::shared_ptr<Rescue> rescue_;
};

}  // namespace

HttpEngine::HttpEngine(const ReceiverOptions& options, const Pipeline& pipeline, const Reporter& reporter,
                       Counters& counters, MetricsRegistry* metrics)
    : options_(options),
      pipeline_(pipeline),
      reporter_(reporter),
      counters_(counters),
      metrics_(metrics),
      keep_alive_header_("Keep-Alive: timeout=" + std::to_string(options.keep_alive_timeout.count()) +
                         ", max=" + std::to_string(options.keep_alive_max_requests) + "\r\n") {}

std::string HttpEngine::frame(int status, std::string_view body, bool keep_alive,
                              std::string_view extra_headers) const {
    std::string head;
    head.reserve(160 + extra_headers.size() + body.size());
    head += "HTTP/1.1 ";
    head += std::to_string(status);
    head += ' ';
    head += reason_phrase(status);
    head += "\r\nContent-Type: application/json\r\nContent-Length: ";
    head += std::to_string(body.size());
    head += "\r\n";
    head += keep_alive ? std::string_view(keep_alive_header_) : std::string_view("Connection: close\r\n");
    head += extra_headers;
    head += "\r\n";
    head += body;
    return head;
}

void HttpEngine::reply(Connection& conn, int status, std::string_view body, bool keep_alive,
                       std::string_view extra_headers) {
    conn.write(frame(status, body, keep_alive, extra_headers));
}

void HttpEngine::record(std::string_view command, Outcome outcome,
                        std::chrono::steady_clock::time_point since) const {
    if (metrics_ == nullptr) return;
    metrics_->record(metrics_->row(command), outcome, std::chrono::steady_clock::now() - since);
}

// A request refused before its body was read: the connection cannot be reused.
Served HttpEngine::refuse(Connection& conn, int status, const std::string& why, std::string_view target,
                          const std::string& request_id) {
    const auto since = std::chrono::steady_clock::now();
    counters_.requests_rejected++;
    const std::string command = command_of(target);
    reply(conn, status, error_envelope(status, why), false, status == 405 ? "Allow: POST\r\n" : "");
    conn.close_after_response();
    conn.flush();
    record(command, Outcome::Rejected, since);
    reporter_.report(ErrorKind::BadRequest, why, command, conn.remote_addr(), request_id);
    return Served::Close;
}

Served HttpEngine::serve(Connection& conn, bool last_request) {
    conn.begin_request(options_.request_timeout);
    counters_.requests++;
    const std::string request_id = next_request_id();
    const http1::Limits limits{options_.max_header_bytes, 8 * 1024, 100};
    const std::size_t buffer_limit = options_.max_header_bytes + options_.max_body_bytes;

    // The head: request line and headers.
    http1::RequestHead head;
    http1::ParseResult parsed;
    std::size_t scanned = 0;  // bytes already known not to end the head
    for (;;) {
        const std::string_view data = conn.buffered();
        const bool ended = data.find("\r\n\r\n", scanned > 3 ? scanned - 3 : 0) != std::string_view::npos;
        if (ended || data.size() > limits.max_head_bytes || scanned == 0) {
            parsed = http1::parse_head(data, limits, head);
            if (parsed.outcome != http1::Parse::Incomplete) break;
        }
        scanned = data.size();
        if (!conn.read_more(buffer_limit)) return Served::Close;  // closed or timed out mid-head
    }
    if (parsed.outcome == http1::Parse::Invalid)
        return refuse(conn, parsed.status, parsed.why, {}, request_id);
    // Offsets, not views: reading the body may move the connection's buffer.
    const std::size_t target_offset = static_cast<std::size_t>(head.target.data() - conn.buffered().data());

    // Everything that can be decided before the body is read.
    if (head.host_headers > 1) return refuse(conn, 400, "more than one Host header", head.target, request_id);
    if (head.host_headers == 0 && head.minor_version >= 1) {
        return refuse(conn, 400, "an HTTP/1.1 request needs a Host header (RFC 9112, section 3.2)",
                      head.target, request_id);
    }
    std::string path;
    if (!http1::decode_path(head.path, path) || path != options_.path) {
        return refuse(conn, 404, "no callback endpoint here; callbacks go to " + options_.path, head.target,
                      request_id);
    }
    if (head.method != "POST")
        return refuse(conn, 405, "callbacks are POST requests", head.target, request_id);
    if (head.transfer_encoding) {
        return refuse(conn, 411, "chunked bodies are not accepted: send Content-Length", head.target,
                      request_id);
    }
    if (head.content_length_headers != 1) {
        return refuse(conn, head.content_length_headers == 0 ? 411 : 400,
                      "exactly one Content-Length header is required", head.target, request_id);
    }
    std::size_t length = 0;
    const std::string_view cl = head.content_length;
    const auto conv = std::from_chars(cl.data(), cl.data() + cl.size(), length);
    if (cl.empty() || cl.size() > 18 || conv.ec != std::errc() || conv.ptr != cl.data() + cl.size()) {
        return refuse(conn, 400, "Content-Length is not a number", head.target, request_id);
    }
    if (length > options_.max_body_bytes) {
        return refuse(conn, 413,
                      "body of " + std::string(cl) + " bytes exceeds the limit of " +
                          std::to_string(options_.max_body_bytes) + " (max_body_bytes)",
                      head.target, request_id);
    }
    if (!head.content_encoding.empty() && !http1::iequals(head.content_encoding, "identity")) {
        return refuse(conn, 415,
                      "Content-Encoding " + std::string(head.content_encoding) + " is not accepted",
                      head.target, request_id);
    }
    if (!head.expect.empty()) {
        if (!http1::iequals(head.expect, "100-continue")) {
            return refuse(conn, 417, "unsupported Expect", head.target, request_id);
        }
        if (head.minor_version >= 1 && conn.buffered().size() < head.head_bytes + length) {
            conn.write("HTTP/1.1 100 Continue\r\n\r\n");
            if (!conn.flush()) return Served::Close;
        }
    }

    // The body: exactly Content-Length bytes, kept in the connection's buffer (no copy).
    while (conn.buffered().size() < head.head_bytes + length) {
        if (!conn.read_more(buffer_limit)) return Served::Close;
    }
    const std::string_view request = conn.buffered();  // stable until consume()
    const std::string_view target = request.substr(target_offset, head.target.size());
    const std::string_view body = request.substr(head.head_bytes, length);

    const auto since = std::chrono::steady_clock::now();  // the request's last byte is in
    const QueryParams params = parse_query_string(target);
    const bool keep = head.keep_alive() && !last_request;
    ConnectionGuard guard(*this, conn, head.head_bytes + length, keep);
    const InboundRequest in{params, body, conn.shared_peer(), conn.remote_addr(), &guard, request_id};
    const Response result = pipeline_.handle(in);
    const auto command = params.find("CallbackCommand");
    const std::string_view command_name =
        command == params.end() ? std::string_view() : std::string_view(command->second);
    if (result.answered_by_guard) {
        // The guard's reply went out at the deadline, not now: that is the duration it took.
        if (metrics_ != nullptr) {
            metrics_->record(metrics_->row(command_name), Outcome::Deadline, options_.before_deadline);
        }
        return Served::HandedOff;  // conn is another worker's now
    }
    conn.consume(head.head_bytes + length);

    reply(conn, result.status, result.body, keep);
    const bool sent = conn.flush();
    record(command_name, result.outcome, since);
    return sent && keep ? Served::KeepOpen : Served::Close;
}

}  // namespace imcb::detail
