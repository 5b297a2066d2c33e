#include "runtime.h"

#include <cstdio>

namespace imcb::detail {
namespace {

// Report lines hold printable ASCII only. A request can put any byte into what is reported (the
// percent-decoded CallbackCommand or SdkAppid, a header value): a newline would forge a log line,
// an escape sequence would drive the terminal. Such bytes become \xHH, and so does '\'.
std::string printable(std::string text) {
    const auto plain = [](char c) { return c >= 0x20 && c < 0x7f && c != '\\'; };
    std::size_t i = 0;
    while (i < text.size() && plain(text[i])) ++i;
    if (i == text.size()) return text;
    static const char* const hex = "0123456789abcdef";
    std::string out = text.substr(0, i);
    out.reserve(text.size() + 16);
    for (; i < text.size(); ++i) {
        const auto c = static_cast<unsigned char>(text[i]);
        if (plain(text[i])) {
            out.push_back(text[i]);
        } else {
            out += "\\x";
            out.push_back(hex[c >> 4]);
            out.push_back(hex[c & 15]);
        }
    }
    return out;
}

}  // namespace

ReceiverStats Counters::snapshot() const {
    ReceiverStats s;
    s.connections_accepted = connections_accepted.load();
    s.connections_refused = connections_refused.load();
    s.handshakes_completed = handshakes_completed.load();
    s.handshakes_resumed = handshakes_resumed.load();
    s.handshakes_failed = handshakes_failed.load();
    s.identity_rejected = identity_rejected.load();
    s.requests = requests.load();
    s.requests_rejected = requests_rejected.load();
    s.handler_failures = handler_failures.load();
    s.open_connections = open_connections.load();
    s.worker_threads = worker_threads.load();
    return s;
}

void Reporter::report(ErrorKind kind, std::string message, std::string command,
                      std::string remote_addr) const noexcept {
    try {
        message = printable(std::move(message));
        command = printable(std::move(command));
        remote_addr = printable(std::move(remote_addr));
        if (handler_) {
            handler_(ErrorReport{kind, std::move(message), std::move(command), std::move(remote_addr)});
            return;
        }
        const auto now = std::chrono::steady_clock::now();
        std::lock_guard<std::mutex> lock(mu_);
        if (now - last_ < std::chrono::seconds(1)) {
            ++suppressed_;
            return;
        }
        last_ = now;
        std::string line = std::string("imcb: ") + to_string(kind) + ": " + message;
        if (!command.empty()) line += " [command " + command + "]";
        if (!remote_addr.empty()) line += " [peer " + remote_addr + "]";
        if (suppressed_ > 0) line += " (" + std::to_string(suppressed_) + " more reports suppressed)";
        suppressed_ = 0;
        std::fprintf(stderr, "%s\n", line.c_str());
    } catch (...) {
        // A reporter must never take the server down.
    }
}

}  // namespace imcb::detail
