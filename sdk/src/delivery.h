#pragma once

// Stage "dispatch" for journaled after-events: the journal's events go to their handlers on one
// delivery thread, oldest first, at least once. A handler that throws is retried with backoff
// (doubling from journal.retry_backoff_ms, at most 1 h); after journal.max_attempts, or at once
// when the body does not decode (no retry can help), the event goes to dead-letter.jsonl with
// its last error. Handlers are never called under an internal lock.

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "imcb/context.h"
#include "imcb/options.h"
#include "journal.h"
#include "registry.h"
#include "runtime.h"

namespace imcb::detail {

/// One event as the journal keeps it: the callback's context and body.
std::string encode_journal_event(const CallbackContext& ctx, const nlohmann::json& event,
                                 const std::string& key, std::int64_t received_at);
/// The unix time an encoded event was received, and its event_key; false when unreadable.
bool journal_event_identity(const std::string& payload, std::string& key, std::int64_t& received_at);

class Deliverer {
  public:
    Deliverer(Journal& journal, const Registry& registry, const Reporter& reporter, Counters& counters,
              const JournalOptions& options);
    ~Deliverer();
    Deliverer(const Deliverer&) = delete;
    Deliverer& operator=(const Deliverer&) = delete;

    void start(std::vector<JournalEvent> pending);
    /// (Called from a handler on the delivery thread, it only asks; the next stop() joins.)
    /// Finishes the delivery in progress; what is left stays in the journal for the next start.
    void stop();
    void push(std::uint64_t seq, std::string payload);
    std::size_t pending() const;

  private:
    using Clock = std::chrono::steady_clock;
    void loop();
    void deliver(JournalEvent& ev);  // without the lock
    void dead_letter(const JournalEvent& ev, const std::string& command, const std::string& why);

    Journal& journal_;
    const Registry& registry_;
    const Reporter& reporter_;
    Counters& counters_;
    unsigned max_attempts_;
    std::chrono::milliseconds backoff_;

    mutable std::mutex mu_;
    std::condition_variable cv_;
    std::map<std::pair<Clock::time_point, std::uint64_t>, JournalEvent> queue_;  // by due time
    bool stopping_ = false;
    std::thread thread_;
};

}  // namespace imcb::detail
