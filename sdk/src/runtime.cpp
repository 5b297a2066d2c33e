#include "runtime.h"

#include <cstdio>

namespace imcb::detail {

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
    s.open_connections = open_connections.load();
    s.handshaking_connections = handshaking_connections.load();
    s.worker_threads = worker_threads.load();
    return s;
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

void Reporter::report(ErrorKind kind, std::string message, std::string command,
                      std::string remote_addr) const noexcept {
    try {
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
