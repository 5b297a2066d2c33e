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

    /// True when `key` was not seen within the window before `now`: it is now. False for a repeat.
    bool claim(const std::string& key, Clock::time_point now);
    /// Forgets a claim whose event was not accepted after all (so that its retry is not a repeat).
    void release(const std::string& key);
    std::size_t size() const;

  private:
    void expire(Clock::time_point now);  // under mu_

    std::chrono::seconds window_;
    std::size_t max_entries_;
    mutable std::mutex mu_;
    std::unordered_map<std::string, Clock::time_point> seen_;
    std::deque<std::pair<Clock::time_point, std::string>> order_;  // claim order
};

}  // namespace imcb::detail
