#pragma once

// Deduplication of after-callbacks: a bounded store of event keys (event_key()) seen within a
// time window. Claiming a key that is there already means the event is a repeat.

#include <chrono>
#include <cstddef>
#include <deque>
#include <mutex>
#include <string>
#include <unordered_map>
#include <utility>

namespace imcb::detail {

class DedupStore {
  public:
    using Clock = std::chrono::system_clock;

    DedupStore(std::chrono::seconds window, std::size_t max_entries)
        : window_(window), max_entries_(max_entries) {}
    bool enabled() const noexcept { return window_.count() > 0; }

    enum class Claim {
        New,      ///< not seen within the window: claimed now, pending until confirm()
        Repeat,   ///< seen and kept: acknowledge it, do not handle it again
        Pending,  ///< another request holds it and is not done keeping it: do not acknowledge yet
    };
    Claim claim(const std::string& key, Clock::time_point now);
    /// The claimed event is kept (journaled, or handled): later claims are repeats.
    void confirm(const std::string& key);
    /// Forgets a pending claim whose event was not kept after all (so that a retry is new).
    void release(const std::string& key);
    /// claim() and confirm() at once (events handled inline, or recovered from the journal).
    bool claim_kept(const std::string& key, Clock::time_point now);
    std::size_t size() const;

  private:
    void expire(Clock::time_point now);  // under mu_

    std::chrono::seconds window_;
    std::size_t max_entries_;
    mutable std::mutex mu_;
    struct Entry {
        Clock::time_point when;
        bool pending = true;
    };
    std::unordered_map<std::string, Entry> seen_;
    std::deque<std::pair<Clock::time_point, std::string>> order_;  // claim order
};

}  // namespace imcb::detail
