#include "metrics_registry.h"

#include <algorithm>
#include <limits>
#include <map>
#include <random>
#include <sstream>
#include <utility>

#include <prometheus/collectable.h>
#include <prometheus/metric_family.h>
#include <prometheus/text_serializer.h>

#include "imcb/commands.h"
#include "hex.h"

namespace imcb::detail {

const char* to_string(Outcome outcome) noexcept {
    switch (outcome) {
        case Outcome::Ok:
            return "ok";
        case Outcome::Denied:
            return "denied";
        case Outcome::Duplicate:
            return "duplicate";
        case Outcome::Rejected:
            return "rejected";
        case Outcome::Failed:
            return "failed";
        case Outcome::Deadline:
            return "deadline";
    }
    return "failed";
}

namespace {
constexpr std::size_t kNoneRow = 0;
constexpr std::size_t kUnknownRow = 1;
constexpr std::size_t kCatalogueRow = 2;
}  // namespace

MetricsRegistry::MetricsRegistry(const std::vector<std::string>& extra_commands) {
    names_ = {"none", "unknown"};
    for (const auto& info : command_catalogue()) names_.emplace_back(info.command);
    for (const auto& name : extra_commands) {
        if (name.empty() || find_command(name) != nullptr || extra_rows_.count(name) != 0) continue;
        extra_rows_.emplace(name, names_.size());
        names_.push_back(name);
    }
    const std::size_t cells = names_.size() * kOutcomeCount;
    counts_ = std::make_unique<std::atomic<std::uint64_t>[]>(cells);
    for (std::size_t i = 0; i < cells; ++i) counts_[i].store(0, std::memory_order_relaxed);
}

std::size_t MetricsRegistry::row(std::string_view command) const {
    if (command.empty()) return kNoneRow;
    if (const CommandInfo* info = find_command(command)) {
        return kCatalogueRow + static_cast<std::size_t>(info - command_catalogue().data());
    }
    if (!extra_rows_.empty()) {
        const auto it = extra_rows_.find(std::string(command));
        if (it != extra_rows_.end()) return it->second;
    }
    return kUnknownRow;
}

void MetricsRegistry::record(std::size_t row, Outcome outcome, std::chrono::nanoseconds duration) noexcept {
    if (row >= names_.size()) row = kUnknownRow;
    counts_[row * kOutcomeCount + static_cast<std::size_t>(outcome)].fetch_add(1, std::memory_order_relaxed);
    const double seconds = std::chrono::duration<double>(duration).count();
    std::size_t bucket = 0;
    while (bucket < kDurationBounds.size() && seconds > kDurationBounds[bucket]) ++bucket;
    buckets_[bucket].fetch_add(1, std::memory_order_relaxed);
    duration_count_.fetch_add(1, std::memory_order_relaxed);
    const auto ns = duration.count() > 0 ? static_cast<std::uint64_t>(duration.count()) : 0u;
    duration_sum_ns_.fetch_add(ns, std::memory_order_relaxed);
}

std::vector<CallbackCount> MetricsRegistry::callbacks() const {
    std::vector<CallbackCount> out;
    for (std::size_t r = 0; r < names_.size(); ++r) {
        for (std::size_t o = 0; o < kOutcomeCount; ++o) {
            const std::uint64_t n = counts_[r * kOutcomeCount + o].load(std::memory_order_relaxed);
            if (n != 0) out.push_back({names_[r], to_string(static_cast<Outcome>(o)), n});
        }
    }
    return out;
}

DurationHistogram MetricsRegistry::duration() const {
    DurationHistogram h;
    h.upper_bounds.assign(kDurationBounds.begin(), kDurationBounds.end());
    std::uint64_t cumulative = 0;
    for (const auto& b : buckets_) {
        cumulative += b.load(std::memory_order_relaxed);
        h.buckets.push_back(cumulative);
    }
    // Read apart from the buckets, the count may run ahead of them: the +Inf bucket is the count.
    h.count = std::max(cumulative, duration_count_.load(std::memory_order_relaxed));
    h.buckets.back() = h.count;
    h.sum = static_cast<double>(duration_sum_ns_.load(std::memory_order_relaxed)) / 1e9;
    return h;
}

std::string next_request_id() {
    static const std::uint64_t prefix = [] {
        std::random_device rd;
        const std::uint64_t hi = rd();
        const std::uint64_t lo = rd();
        return ((hi << 32) | lo) & 0xffffffffffffULL;
    }();
    static std::atomic<std::uint64_t> counter{0};
    const std::uint64_t n = counter.fetch_add(1, std::memory_order_relaxed) + 1;
    std::string id(12, '0');
    for (int i = 11, shift = 0; i >= 0; --i, shift += 4)
        id[static_cast<std::size_t>(i)] = kHexDigits[(prefix >> shift) & 0xf];
    id += '-';
    std::string tail;
    for (std::uint64_t v = n; v != 0; v >>= 4) tail.insert(tail.begin(), kHexDigits[v & 0xf]);
    return id + tail;
}

namespace {

using prometheus::ClientMetric;
using prometheus::MetricFamily;
using prometheus::MetricType;

ClientMetric counter(double value, std::vector<ClientMetric::Label> labels = {}) {
    ClientMetric m;
    m.label = std::move(labels);
    m.counter.value = value;
    return m;
}

ClientMetric gauge(double value, std::vector<ClientMetric::Label> labels = {}) {
    ClientMetric m;
    m.label = std::move(labels);
    m.gauge.value = value;
    return m;
}

double as_double(std::uint64_t v) { return static_cast<double>(v); }

// The snapshot as the metric families prometheus-cpp serialises.
class SnapshotCollectable final : public prometheus::Collectable {
  public:
    SnapshotCollectable(const Metrics& m, const ExtraFigures& e) : m_(m), e_(e) {}

    std::vector<MetricFamily> Collect() const override {
        std::vector<MetricFamily> out;
        const auto family = [&](std::string name, std::string help, MetricType type) -> MetricFamily& {
            out.push_back(MetricFamily{std::move(name), std::move(help), type, {}});
            return out.back();
        };
        // A family of one unlabelled sample.
        const auto single = [&](std::string name, std::string help, MetricType type, double value) {
            family(std::move(name), std::move(help), type)
                .metric.push_back(type == MetricType::Counter ? counter(value) : gauge(value));
        };

        auto& callbacks = family("imcb_callbacks_total", "Callbacks answered, by CallbackCommand and outcome",
                                 MetricType::Counter);
        for (const auto& c : m_.callbacks) {
            callbacks.metric.push_back(
                counter(as_double(c.count), {{"command", c.command}, {"outcome", c.outcome}}));
        }

        auto& duration = family("imcb_callback_duration_seconds",
                                "Time from a request's last byte to its reply", MetricType::Histogram);
        ClientMetric h;
        h.histogram.sample_count = m_.callback_duration.count;
        h.histogram.sample_sum = m_.callback_duration.sum;
        const auto& bounds = m_.callback_duration.upper_bounds;
        for (std::size_t i = 0; i < m_.callback_duration.buckets.size(); ++i) {
            h.histogram.bucket.push_back(
                {m_.callback_duration.buckets[i],
                 i < bounds.size() ? bounds[i] : std::numeric_limits<double>::infinity()});
        }
        duration.metric.push_back(std::move(h));

        single("imcb_handler_errors_total", "Handlers that threw or returned an invalid decision",
               MetricType::Counter, as_double(m_.handler_errors));

        auto& handshakes =
            family("imcb_handshake_failures_total", "Failed TLS handshakes, by reason", MetricType::Counter);
        for (std::size_t i = 0; i < kHandshakeFailureCount; ++i) {
            handshakes.metric.push_back(counter(as_double(m_.handshake_failures[i]),
                                                {{"reason", to_string(static_cast<HandshakeFailure>(i))}}));
        }

        auto& reloads =
            family("imcb_reloads_total", "Trust material reloads, by result", MetricType::Counter);
        reloads.metric.push_back(counter(as_double(m_.reloads_ok), {{"result", "ok"}}));
        reloads.metric.push_back(counter(as_double(m_.reloads_failed), {{"result", "failed"}}));

        auto& expiry = family("imcb_certificate_expiry_timestamp_seconds",
                              "notAfter of the server certificate, each vendor CA and the last vendor "
                              "client certificate seen, in Unix time",
                              MetricType::Gauge);
        // One series per role and subject: a re-issued CA listed beside the old one during a
        // rotation has the same subject, and two samples with equal labels would be dropped.
        // The earliest expiry is the one to alert on.
        std::map<std::pair<std::string, std::string>, std::int64_t> earliest;
        for (const auto& c : m_.certificates) {
            const auto key = std::make_pair(c.role, c.subject);
            const auto it = earliest.find(key);
            if (it == earliest.end() || c.not_after < it->second) earliest[key] = c.not_after;
        }
        for (const auto& [key, not_after] : earliest) {
            expiry.metric.push_back(
                gauge(static_cast<double>(not_after), {{"role", key.first}, {"subject", key.second}}));
        }

        struct Single {
            const char* name;
            const char* help;
            MetricType type;
            double value;
        };
        const Single singles[] = {
            {"imcb_connections_open", "Open callback connections (handshaking or established)",
             MetricType::Gauge, as_double(m_.connections_open)},
            {"imcb_source_refused_total", "Connections closed at accept by allow_sources",
             MetricType::Counter, as_double(m_.source_refused)},
            {"imcb_ready", "1 while listening with valid trust material (GET /readyz)", MetricType::Gauge,
             m_.ready ? 1.0 : 0.0},
            {"imcb_requests_total", "HTTP requests read on the callback port", MetricType::Counter,
             as_double(e_.requests)},
            {"imcb_before_deadline_missed_total",
             "Before-callbacks answered by the deadline guard (timeouts.before_deadline_ms)",
             MetricType::Counter, as_double(e_.before_deadline_missed)},
            {"imcb_journal_pending", "Journaled events waiting for (another) delivery", MetricType::Gauge,
             as_double(e_.journal_pending)},
            {"imcb_journal_dead_letters_total", "Journaled events moved to dead-letter.jsonl",
             MetricType::Counter, as_double(e_.journal_dead_letters)},
            {"imcb_journal_refused_total", "Callbacks refused because the journal was full or failing",
             MetricType::Counter, as_double(e_.journal_refused)},
            {"imcb_duplicates_dropped_total", "After-events seen again within dedup.window_s",
             MetricType::Counter, as_double(e_.duplicates_dropped)},
            {"imcb_handshakes_completed_total", "TLS handshakes completed (full or resumed)",
             MetricType::Counter, as_double(e_.handshakes_completed)},
            {"imcb_connections_refused_total",
             "Connections closed at accept by limits.max_connections, max_handshaking or "
             "max_connections_per_ip",
             MetricType::Counter, as_double(e_.connections_refused)},
        };
        for (const Single& one : singles) single(one.name, one.help, one.type, one.value);
        return out;
    }

  private:
    const Metrics& m_;
    const ExtraFigures& e_;
};

}  // namespace

std::string prometheus_text(const Metrics& metrics, const ExtraFigures& extra) {
    const SnapshotCollectable collectable(metrics, extra);
    std::ostringstream out;
    prometheus::TextSerializer().Serialize(out, collectable.Collect());
    return out.str();
}

}  // namespace imcb::detail
