#pragma once

// Shared run-time state: counters and the error reporter.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <string>

#include "imcb/errors.h"
#include "imcb/receiver.h"

namespace imcb::detail {

struct Counters {
    std::atomic<std::uint64_t> connections_accepted{0};
    std::atomic<std::uint64_t> connections_refused{0};
    std::atomic<std::uint64_t> handshakes_completed{0};
    std::atomic<std::uint64_t> handshakes_resumed{0};
    std::atomic<std::uint64_t> handshakes_failed{0};
    std::atomic<std::uint64_t> identity_rejected{0};
    std::atomic<std::uint64_t> requests{0};
    std::atomic<std::uint64_t> requests_rejected{0};
    std::atomic<std::uint64_t> handler_failures{0};
    std::atomic<std::uint64_t> before_deadline_missed{0};
    std::atomic<std::uint64_t> journal_appended{0};
    std::atomic<std::uint64_t> journal_delivered{0};
    std::atomic<std::uint64_t> journal_retries{0};
    std::atomic<std::uint64_t> journal_dead_letters{0};
    std::atomic<std::uint64_t> journal_refused{0};
    std::atomic<std::uint64_t> duplicates_dropped{0};
    std::atomic<std::uint64_t> open_connections{0};
    std::atomic<std::uint64_t> worker_threads{0};

    ReceiverStats snapshot() const;
};

/// Delivers ErrorReports to the user's handler, or to stderr at most once per second.
class Reporter {
  public:
    void set_handler(ErrorHandler handler) { handler_ = std::move(handler); }
    void report(ErrorKind kind, std::string message, std::string command = {},
                std::string remote_addr = {}) const noexcept;

  private:
    ErrorHandler handler_;
    mutable std::mutex mu_;
    mutable std::chrono::steady_clock::time_point last_{};
    mutable std::uint64_t suppressed_ = 0;
};

}  // namespace imcb::detail
