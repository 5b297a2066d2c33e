#pragma once

// Shared run-time state: counters and the error reporter.

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "imcb/errors.h"
#include "imcb/handlers.h"
#include "imcb/metrics.h"
#include "imcb/stats.h"

namespace imcb::detail {

struct Counters {
    std::atomic<std::uint64_t> connections_accepted{0};
    std::atomic<std::uint64_t> connections_refused{0};
    std::atomic<std::uint64_t> connections_refused_per_ip{0};
    std::atomic<std::uint64_t> handshakes_evicted{0};
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
    std::atomic<std::uint64_t> handshaking_connections{0};
    std::atomic<std::uint64_t> worker_threads{0};
    std::array<std::atomic<std::uint64_t>, kHandshakeFailureCount> handshake_failures{};
    std::atomic<std::uint64_t> source_refused{0};
    std::atomic<std::uint64_t> reloads_ok{0};
    std::atomic<std::uint64_t> reloads_failed{0};

    void count(HandshakeFailure reason) noexcept {
        handshake_failures[static_cast<std::size_t>(reason)].fetch_add(1, std::memory_order_relaxed);
    }

    /// The vendor's client certificate last seen on an established connection (for expiry).
    struct ClientCertificate {
        std::string subject;
        std::int64_t not_after = 0;  ///< Unix time; 0 = none seen yet
    };
    void saw_client_certificate(const std::string& subject, std::int64_t not_after);
    ClientCertificate last_client_certificate() const;

    ReceiverStats snapshot() const;

  private:
    mutable std::mutex client_mu_;
    ClientCertificate client_;
};

/// Text from the network made safe for a report or a log line: C0 and C1 control characters and
/// DEL become "\r", "\n", "\t" or "\xHH", bytes that are not well-formed UTF-8 become "\xHH"
/// each; printable ASCII and well-formed UTF-8 stay as they are.
std::string escape_control(std::string_view text);

/// At most one event per interval; counts the events it turns away in between. Thread-safe.
class Throttle {
  public:
    using Clock = std::chrono::steady_clock;
    explicit Throttle(Clock::duration interval = std::chrono::seconds(1)) : interval_(interval) {}
    /// When the event may be reported now: how many were suppressed since the last one.
    std::optional<std::uint64_t> admit(Clock::time_point now);

  private:
    Clock::duration interval_;
    std::mutex mu_;
    bool reported_ = false;
    Clock::time_point last_{};
    std::uint64_t suppressed_ = 0;
};

/// Marks a wait for the disk on a worker thread (the journal's fsync): while any worker waits and
/// none is idle, the pool adds workers, so that other connections are not held up behind the disk.
/// Elsewhere (no counter installed) it does nothing.
class BlockingScope {
  public:
    BlockingScope() noexcept;
    ~BlockingScope();
    BlockingScope(const BlockingScope&) = delete;
    BlockingScope& operator=(const BlockingScope&) = delete;
    /// Installed by each worker thread of a transport.
    static void install(std::atomic<std::size_t>* counter) noexcept;

  private:
    std::atomic<std::size_t>* counter_;
};

/// Delivers ErrorReports to the user's handler, or to stderr at most once per second. Every
/// report's message, command and peer address go through escape_control() first.
class Reporter {
  public:
    void set_handler(ErrorHandler handler) { handler_ = std::move(handler); }
    void report(ErrorKind kind, std::string message, std::string command = {}, std::string remote_addr = {},
                std::string request_id = {}) const noexcept;
    /// A configuration that works but is risky: ErrorKind::ConfigWarning to on_error, or without
    /// a handler one "imcb: warning: ..." line on stderr (never throttled: each is said once).
    void warn(const std::string& message) const noexcept;

  private:
    ErrorHandler handler_;
    mutable std::mutex mu_;
    mutable std::chrono::steady_clock::time_point last_{};
    mutable std::uint64_t suppressed_ = 0;
};

}  // namespace imcb::detail
