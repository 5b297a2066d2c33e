#include "http_engine.h"

#include <httplib.h>

#include <algorithm>
#include <cctype>

namespace imcb::detail {
namespace {

thread_local Connection* t_conn = nullptr;

class ConnStream final : public httplib::Stream {
  public:
    explicit ConnStream(Connection& c) : c_(c) {}
    bool is_readable() const override { return c_.wait_readable(); }
    bool is_writable() const override { return true; }  // writes are buffered, flushed per reply
    ssize_t read(char* ptr, size_t size) override { return c_.read(ptr, size); }
    ssize_t write(const char* ptr, size_t size) override { return c_.write(ptr, size); }
    void get_remote_ip_and_port(std::string& ip, int& port) const override {
        ip = c_.remote_ip();
        port = c_.remote_port();
    }
    void get_local_ip_and_port(std::string& ip, int& port) const override {
        ip.clear();
        port = -1;
    }
    socket_t socket() const override { return c_.fd(); }

  private:
    Connection& c_;
};

bool iequals(const std::string& a, const char* b) {
    const std::size_t n = std::char_traits<char>::length(b);
    return a.size() == n && std::equal(a.begin(), a.end(), b, [](char x, char y) {
               return std::tolower(static_cast<unsigned char>(x)) ==
                      std::tolower(static_cast<unsigned char>(y));
           });
}

std::string regex_escape(const std::string& s) {
    std::string out;
    for (const char c : s) {
        if (std::string_view("\\^$.|?*+()[]{}").find(c) != std::string_view::npos) out.push_back('\\');
        out.push_back(c);
    }
    return out;
}

std::string command_of(const httplib::Request& req) {
    const QueryParams params = parse_query_string(req.target);
    const auto it = params.find("CallbackCommand");
    return it == params.end() ? std::string{} : it->second.substr(0, 128);
}

// Exposes httplib's per-request entry point to a connection we own.
class Server final : public httplib::Server {
  public:
    using httplib::Server::process_request;
};

}  // namespace

struct HttpEngine::Impl {
    const ReceiverOptions& options;
    const Pipeline& pipeline;
    const Reporter& reporter;
    Counters& counters;
    Server server;

    httplib::Server::HandlerResponse refuse(const httplib::Request& req, httplib::Response& res,
                                            int status, const std::string& why) {
        res.status = status;
        res.set_content(error_envelope(status, why), "application/json");
        res.set_header("Connection", "close");
        t_conn->close_after_response();  // the body was not read: the connection cannot go on
        counters.requests_rejected++;
        reporter.report(ErrorKind::BadRequest, req.method + " " + req.path + ": " + why,
                        command_of(req), t_conn->remote_addr());
        return httplib::Server::HandlerResponse::Handled;
    }

    // Everything that can be decided from the request line and headers, before the body is read.
    httplib::Server::HandlerResponse frame(const httplib::Request& req, httplib::Response& res) {
        Connection& c = *t_conn;
        if (c.request_bytes() > options.max_header_bytes) {
            return refuse(req, res, 431,
                          "request line and headers exceed " +
                              std::to_string(options.max_header_bytes) + " bytes");
        }
        if (req.path != options.path) {
            return refuse(req, res, 404, "no callback endpoint here; callbacks go to " + options.path);
        }
        if (req.method != "POST") {
            res.set_header("Allow", "POST");
            return refuse(req, res, 405, "callbacks are POST requests");
        }
        if (req.has_header("Transfer-Encoding")) {
            return refuse(req, res, 411, "chunked bodies are not accepted: send Content-Length");
        }
        if (req.get_header_value_count("Content-Length") != 1) {
            return refuse(req, res, 411, "exactly one Content-Length header is required");
        }
        const std::string& cl = req.get_header_value("Content-Length");
        if (cl.empty() || cl.size() > 18 ||
            !std::all_of(cl.begin(), cl.end(), [](char ch) { return ch >= '0' && ch <= '9'; })) {
            return refuse(req, res, 400, "Content-Length is not a number");
        }
        const std::size_t length = std::stoull(cl);
        if (length > options.max_body_bytes) {
            return refuse(req, res, 413,
                          "body of " + cl + " bytes exceeds the limit of " +
                              std::to_string(options.max_body_bytes) + " (max_body_bytes)");
        }
        const std::string encoding = req.get_header_value("Content-Encoding");
        if (!encoding.empty() && !iequals(encoding, "identity")) {
            return refuse(req, res, 415, "Content-Encoding " + encoding + " is not accepted");
        }
        c.set_request_cap(c.request_bytes() + length);  // not one byte past the declared body
        return httplib::Server::HandlerResponse::Unhandled;
    }

    void handle(const httplib::Request& req, httplib::Response& res) {
        Connection& c = *t_conn;
        const QueryParams params = parse_query_string(req.target);
        const InboundRequest in{params, req.body, c.peer(), c.remote_addr()};
        Reply reply = pipeline.handle(in);
        res.status = reply.status;
        res.body = std::move(reply.body);
        res.set_header("Content-Type", "application/json");
    }

    // Replies httplib makes itself (unparsable request line, oversized URI, ...).
    httplib::Server::HandlerResponse on_error(const httplib::Request& req, httplib::Response& res) {
        if (!res.body.empty()) return httplib::Server::HandlerResponse::Unhandled;
        return refuse(req, res, res.status, "malformed HTTP request");
    }

    void on_exception(const httplib::Request& req, httplib::Response& res, std::exception_ptr ep) {
        std::string what = "non-standard exception";
        try {
            if (ep) std::rethrow_exception(ep);
        } catch (const std::exception& e) {
            what = e.what();
        } catch (...) {
        }
        res.status = 500;
        res.set_content(error_envelope(500, "internal error"), "application/json");
        counters.requests_rejected++;
        reporter.report(ErrorKind::HandlerFailed, "internal error: " + what,
                        command_of(req), t_conn->remote_addr());
    }
};

HttpEngine::HttpEngine(const ReceiverOptions& options, const Pipeline& pipeline,
                       const Reporter& reporter, Counters& counters)
    : impl_(new Impl{options, pipeline, reporter, counters, {}}) {
    Impl* impl = impl_.get();
    auto& s = impl->server;
    s.set_keep_alive_max_count(options.keep_alive_max_requests);
    s.set_keep_alive_timeout(static_cast<time_t>(options.keep_alive_timeout.count()));
    s.set_payload_max_length(options.max_body_bytes);
    s.set_pre_routing_handler([impl](const httplib::Request& req, httplib::Response& res) {
        return impl->frame(req, res);
    });
    s.Post(regex_escape(options.path),
           [impl](const httplib::Request& req, httplib::Response& res) { impl->handle(req, res); });
    s.set_error_handler(httplib::Server::HandlerWithResponse(
        [impl](const httplib::Request& req, httplib::Response& res) { return impl->on_error(req, res); }));
    s.set_exception_handler([impl](const httplib::Request& req, httplib::Response& res,
                                   std::exception_ptr ep) { impl->on_exception(req, res, ep); });
}

HttpEngine::~HttpEngine() = default;

bool HttpEngine::serve(Connection& conn, bool last_request) {
    t_conn = &conn;
    conn.begin_request(impl_->options.max_header_bytes + impl_->options.max_body_bytes,
                       impl_->options.request_timeout);
    ConnStream stream(conn);
    bool client_closes = false;
    const bool ok = impl_->server.process_request(
        stream, last_request, client_closes,
        [&conn](httplib::Request& req) {
            req.ssl = conn.ssl();
            // The body is always JSON, whatever Content-Type says (the vendor sends none); this
            // keeps httplib from reading form or multipart bodies as parameters or files.
            req.headers.erase("Content-Type");
        });
    impl_->counters.requests++;
    t_conn = nullptr;
    const bool flushed = conn.flush();
    return ok && flushed && !client_closes && !last_request;
}

}  // namespace imcb::detail
