#include "runtime.h"

#include <cstdio>

#include "hex.h"

namespace imcb::detail {

namespace {
thread_local std::atomic<std::size_t>* t_blocked = nullptr;
}  // namespace

BlockingScope::BlockingScope() noexcept : counter_(t_blocked) {
    if (counter_ != nullptr) counter_->fetch_add(1);
}
BlockingScope::~BlockingScope() {
    if (counter_ != nullptr) counter_->fetch_sub(1);
}
void BlockingScope::install(std::atomic<std::size_t>* counter) noexcept { t_blocked = counter; }

void Counters::saw_client_certificate(const std::string& subject, std::int64_t not_after) {
    std::lock_guard<std::mutex> lock(client_mu_);
    if (client_.not_after == not_after && client_.subject == subject) return;
    client_.subject = subject;
    client_.not_after = not_after;
}

Counters::ClientCertificate Counters::last_client_certificate() const {
    std::lock_guard<std::mutex> lock(client_mu_);
    return client_;
}

ReceiverStats Counters::snapshot() const {
    ReceiverStats s;
    s.connections_accepted = connections_accepted.load();
    s.connections_refused = connections_refused.load();
    s.connections_refused_per_ip = connections_refused_per_ip.load();
    s.handshakes_evicted = handshakes_evicted.load();
    s.handshakes_completed = handshakes_completed.load();
    s.handshakes_resumed = handshakes_resumed.load();
    s.handshakes_failed = handshakes_failed.load();
    s.identity_rejected = identity_rejected.load();
    s.requests = requests.load();
    s.requests_rejected = requests_rejected.load();
    s.handler_failures = handler_failures.load();
    s.before_deadline_missed = before_deadline_missed.load();
    s.journal_appended = journal_appended.load();
    s.journal_delivered = journal_delivered.load();
    s.journal_retries = journal_retries.load();
    s.journal_dead_letters = journal_dead_letters.load();
    s.journal_refused = journal_refused.load();
    s.duplicates_dropped = duplicates_dropped.load();
    s.open_connections = open_connections.load();
    s.handshaking_connections = handshaking_connections.load();
    s.worker_threads = worker_threads.load();
    return s;
}

namespace {

// Length of the well-formed UTF-8 sequence at the start of `s` (Unicode table 3-7), 0 if none.
std::size_t utf8_sequence(std::string_view s) {
    const auto b = [&](std::size_t i) { return static_cast<unsigned char>(s[i]); };
    const unsigned char c = b(0);
    std::size_t n = 0;
    unsigned char lo = 0x80;
    unsigned char hi = 0xbf;
    if (c >= 0xc2 && c <= 0xdf) {
        n = 2;
    } else if (c >= 0xe0 && c <= 0xef) {
        n = 3;
        if (c == 0xe0) lo = 0xa0;  // no overlong forms
        if (c == 0xed) hi = 0x9f;  // no surrogates
    } else if (c >= 0xf0 && c <= 0xf4) {
        n = 4;
        if (c == 0xf0) lo = 0x90;
        if (c == 0xf4) hi = 0x8f;  // nothing above U+10FFFF
    } else {
        return 0;
    }
    if (s.size() < n || b(1) < lo || b(1) > hi) return 0;
    for (std::size_t i = 2; i < n; ++i) {
        if (b(i) < 0x80 || b(i) > 0xbf) return 0;
    }
    return n;
}

void append_hex(std::string& out, unsigned char c) {
    out += "\\x";
    out += kHexDigits[c >> 4];
    out += kHexDigits[c & 0xf];
}

}  // namespace

std::string escape_control(std::string_view text) {
    bool plain = true;
    for (const char ch : text) {
        const auto c = static_cast<unsigned char>(ch);
        plain &= c >= 0x20 && c < 0x7f;
    }
    if (plain) return std::string(text);
    std::string out;
    out.reserve(text.size() + 16);
    for (std::size_t i = 0; i < text.size();) {
        const auto c = static_cast<unsigned char>(text[i]);
        if (c >= 0x20 && c < 0x7f) {
            out += static_cast<char>(c);
            ++i;
        } else if (c == '\n' || c == '\r' || c == '\t') {
            out += c == '\n' ? "\\n" : c == '\r' ? "\\r" : "\\t";
            ++i;
        } else if (c < 0x80) {  // other C0 controls and DEL
            append_hex(out, c);
            ++i;
        } else if (const std::size_t n = utf8_sequence(text.substr(i));
                   n > 0 && !(c == 0xc2 && static_cast<unsigned char>(text[i + 1]) < 0xa0)) {
            out.append(text.substr(i, n));  // well-formed and not a C1 control (U+0080..U+009F)
            i += n;
        } else {
            append_hex(out, c);
            if (n == 2) append_hex(out, static_cast<unsigned char>(text[i + 1]));  // a C1 control
            i += n == 2 ? 2 : 1;
        }
    }
    return out;
}

std::optional<std::uint64_t> Throttle::admit(Clock::time_point now) {
    std::lock_guard<std::mutex> lock(mu_);
    if (reported_ && now - last_ < interval_) {
        ++suppressed_;
        return std::nullopt;
    }
    reported_ = true;
    last_ = now;
    const std::uint64_t suppressed = suppressed_;
    suppressed_ = 0;
    return suppressed;
}

void Reporter::report(ErrorKind kind, std::string message, std::string command, std::string remote_addr,
                      std::string request_id) const noexcept {
    try {
        // Messages quote the request (URL, headers, certificate names): no raw control characters
        // or malformed UTF-8 may reach a handler's log or the terminal.
        message = escape_control(message);
        command = escape_control(command);
        remote_addr = escape_control(remote_addr);
        if (handler_) {
            handler_(ErrorReport{kind, std::move(message), std::move(command), std::move(remote_addr),
                                 std::move(request_id)});
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

void Reporter::warn(const std::string& message) const noexcept {
    try {
        if (handler_) {
            report(ErrorKind::ConfigWarning, message);
        } else {
            std::fprintf(stderr, "imcb: warning: %s\n", escape_control(message).c_str());
        }
    } catch (...) {
        // A reporter must never take the server down.
    }
}

}  // namespace imcb::detail
