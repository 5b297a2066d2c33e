#pragma once

// The callback figures of imcb_callbacks_total{command,outcome}, imcb_callback_duration_seconds
// and the request ids. Recording is a few relaxed atomic increments in a table fixed before
// start(): one row per catalogue command, per command registered with on_raw, plus "none" and
// "unknown"; one column per outcome. No lock and no allocation on the request path.
//
// Also the Prometheus text rendering of a Metrics snapshot (prometheus-cpp's TextSerializer).

#include <array>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "imcb/metrics.h"

namespace imcb::detail {

/// How a request was answered (the outcome label; see imcb::CallbackCount).
enum class Outcome : std::uint8_t { Ok, Denied, Duplicate, Rejected, Failed, Deadline };
constexpr std::size_t kOutcomeCount = 6;
const char* to_string(Outcome outcome) noexcept;

/// Upper bounds of imcb_callback_duration_seconds, suited to the vendor's 2 s deadline.
inline constexpr std::array<double, 13> kDurationBounds = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1,
                                                           0.25,  0.5,    1.0,   1.5,  2.0,   2.5};

class MetricsRegistry {
  public:
    /// Rows: "none", "unknown", every catalogue command, then `extra_commands` (those handled with
    /// on_raw that the catalogue does not list; duplicates and catalogue names are ignored).
    explicit MetricsRegistry(const std::vector<std::string>& extra_commands = {});
    MetricsRegistry(const MetricsRegistry&) = delete;
    MetricsRegistry& operator=(const MetricsRegistry&) = delete;

    /// The row of a CallbackCommand: "none" when empty, "unknown" when neither the catalogue nor
    /// a raw handler names it.
    std::size_t row(std::string_view command) const;
    void record(std::size_t row, Outcome outcome, std::chrono::nanoseconds duration) noexcept;

    /// Non-zero rows only, in row order.
    std::vector<CallbackCount> callbacks() const;
    DurationHistogram duration() const;

  private:
    std::vector<std::string> names_;
    std::unordered_map<std::string, std::size_t> extra_rows_;
    std::unique_ptr<std::atomic<std::uint64_t>[]> counts_;  // names_.size() x kOutcomeCount
    std::array<std::atomic<std::uint64_t>, kDurationBounds.size() + 1> buckets_{};  // not cumulative
    std::atomic<std::uint64_t> duration_count_{0};
    std::atomic<std::uint64_t> duration_sum_ns_{0};
};

/// A request id unique within the process: a random 48-bit prefix drawn once, then a counter,
/// both in hex ("5f0c2a9e13b7-1c").
std::string next_request_id();

/// Figures of ReceiverStats that /metrics exports besides imcb::Metrics.
struct ExtraFigures {
    std::uint64_t requests = 0;
    std::uint64_t before_deadline_missed = 0;
    std::uint64_t journal_pending = 0;
    std::uint64_t journal_dead_letters = 0;
    std::uint64_t journal_refused = 0;
    std::uint64_t duplicates_dropped = 0;
    std::uint64_t handshakes_completed = 0;
    std::uint64_t connections_refused = 0;  ///< by max_connections, max_handshaking or per address
};

/// The Prometheus text exposition format 0.0.4 of these figures.
std::string prometheus_text(const Metrics& metrics, const ExtraFigures& extra);

}  // namespace imcb::detail
