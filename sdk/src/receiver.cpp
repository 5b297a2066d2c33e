#include "imcb/receiver.h"

#include <atomic>
#include <cstdio>
#include <memory>
#include <mutex>

#include "dedup.h"
#include "delivery.h"
#include "http_engine.h"
#include "journal.h"
#include "pipeline.h"
#include "registry.h"
#include "runtime.h"
#include "tls_context.h"
#include "transport.h"

namespace imcb {
namespace {

void validate(const ReceiverOptions& o) {
    const auto bad = [](const std::string& what) {
        throw ConfigError(ErrorCode::InvalidOption, what);
    };
    if (o.sdk_app_id == 0) bad("sdk_app_id is not set: give your application's SDKAppID");
    if (o.sdk_app_id >= 1000000000000000000ULL) bad("sdk_app_id has more than 18 digits");
    if (o.path.empty() || o.path.front() != '/') {
        bad("path \"" + o.path + "\" must start with '/' (the callback URL's path, e.g. \"/\")");
    }
    if (o.path.find_first_of("?#") != std::string::npos) {
        bad("path \"" + o.path + "\" must not contain a query or fragment");
    }
    if (o.max_body_bytes < 1024 || o.max_body_bytes > 64 * 1024 * 1024) {
        bad("max_body_bytes must be between 1024 and 67108864");
    }
    if (o.max_header_bytes < 1024 || o.max_header_bytes > 1024 * 1024) {
        bad("max_header_bytes must be between 1024 and 1048576");
    }
    if (o.max_connections == 0) bad("max_connections must be at least 1");
    if (o.max_handshaking == 0) {
        bad("max_handshaking must be at least 1 (connections still in the TLS handshake)");
    }
    if (o.max_connections_per_ip == 0) {
        bad("max_connections_per_ip must be at least 1: give room for the vendor's connection pool "
            "from one address");
    }
    if (o.min_threads == 0 || o.max_threads < o.min_threads) {
        bad("threads: need 1 <= min_threads <= max_threads");
    }
    if (o.listen_backlog < 1) bad("listen_backlog must be at least 1");
    if (o.handshake_timeout.count() <= 0 || o.request_timeout.count() <= 0 ||
        o.keep_alive_timeout.count() <= 0) {
        bad("handshake_timeout, request_timeout and keep_alive_timeout must be positive");
    }
    if (o.handshake_timeout > std::chrono::hours(24) || o.request_timeout > std::chrono::hours(24) ||
        o.keep_alive_timeout > std::chrono::hours(24)) {
        bad("handshake_timeout, request_timeout and keep_alive_timeout must be at most 24 hours");
    }
    if (o.before_deadline < std::chrono::milliseconds(100) || o.before_deadline > std::chrono::minutes(1)) {
        bad("before_deadline must be between 100 ms and 60000 ms (timeouts.before_deadline_ms; the "
            "vendor waits 2000 ms for a before-callback's answer, so keep it below that)");
    }
    if (o.keep_alive_max_requests == 0) bad("keep_alive_max_requests must be at least 1");
    if (o.request_time_window.count() <= 0) bad("request_time_window must be positive");
    if (o.callback_token.size() > 1024) bad("callback_token is longer than 1024 characters");
    if (!o.journal.dir.empty()) {
        const JournalOptions& j = o.journal;
        if (j.commands.empty()) {
            bad("journal.commands is empty: give \"after\" (every after-callback) or command names");
        }
        for (const auto& c : j.commands) {
            if (c == "after") continue;
            const CommandInfo* info = find_command(c);
            if (info != nullptr && info->phase == Phase::Before) {
                bad("journal.commands names " + c +
                    ", a before-callback: its reply carries the handler's decision, so it cannot be "
                    "acknowledged before the handler runs; list after-callbacks only");
            }
            if (c.empty() || c.find_first_of(" \t\r\n") != std::string::npos) {
                bad("journal.commands holds \"" + c + "\", which is not a command name");
            }
        }
        if (j.max_bytes < (1u << 20)) bad("journal.max_bytes must be at least 1048576 (1 MiB)");
        if (j.max_attempts < 1 || j.max_attempts > 1000) bad("journal.max_attempts must be between 1 and 1000");
        if (j.retry_backoff < std::chrono::milliseconds(10) || j.retry_backoff > std::chrono::hours(1)) {
            bad("journal.retry_backoff_ms must be between 10 and 3600000");
        }
    }
    if (o.dedup.window.count() < 0 || o.dedup.window > std::chrono::hours(24 * 7)) {
        bad("dedup.window_s must be between 0 (off) and 604800 (7 days)");
    }
    if (o.dedup.window.count() > 0 && (o.dedup.max_entries < 1 || o.dedup.max_entries > 100000000)) {
        bad("dedup.max_entries must be between 1 and 100000000");
    }
}

detail::TransportOptions transport_options(const ReceiverOptions& o) {
    detail::TransportOptions t;
    t.host = o.host;
    t.port = o.port;
    t.backlog = o.listen_backlog;
    t.max_connections = o.max_connections;
    t.max_handshaking = o.max_handshaking;
    t.max_connections_per_ip = o.max_connections_per_ip;
    t.min_threads = o.min_threads;
    t.max_threads = o.max_threads;
    t.handshake_timeout = o.handshake_timeout;
    t.request_timeout = o.request_timeout;
    t.keep_alive_timeout = std::chrono::duration_cast<std::chrono::milliseconds>(o.keep_alive_timeout);
    t.keep_alive_max_requests = o.keep_alive_max_requests;
    return t;
}

}  // namespace

struct Receiver::Impl {
    ReceiverOptions options;
    detail::Registry registry;
    detail::Reporter reporter;
    detail::Counters counters;
    std::shared_ptr<const detail::TrustSnapshot> trust;  // accessed with std::atomic_load/store
    std::atomic<std::uint64_t> generation{0};
    std::unique_ptr<detail::DedupStore> dedup;
    std::unique_ptr<detail::Journal> journal;
    std::unique_ptr<detail::Deliverer> deliverer;
    std::unique_ptr<detail::Pipeline> pipeline;
    std::unique_ptr<detail::HttpEngine> engine;
    std::unique_ptr<detail::Transport> transport;
    bool started = false;
    mutable std::mutex options_mu;  // reload_tls writes options.tls

    std::shared_ptr<const detail::TrustSnapshot> current_trust() const { return std::atomic_load(&trust); }
};

Receiver::Receiver(ReceiverOptions options) : impl_(std::make_unique<Impl>()) {
    validate(options);
    impl_->options = std::move(options);
    std::atomic_store(&impl_->trust, detail::make_trust_snapshot(impl_->options.tls, ++impl_->generation));
}

Receiver::~Receiver() { stop(); }

Receiver& Receiver::add_handler(std::string_view command, RawHandler handler) {
    if (impl_->started) {
        throw ConfigError(ErrorCode::AlreadyStarted, "register handlers before Receiver::start()");
    }
    impl_->registry.set(command, std::move(handler));
    return *this;
}

Receiver& Receiver::on_raw(std::string command, RawHandler handler) {
    return add_handler(command, std::move(handler));
}

Receiver& Receiver::on_unknown(RawHandler handler) {
    if (impl_->started) {
        throw ConfigError(ErrorCode::AlreadyStarted, "register handlers before Receiver::start()");
    }
    impl_->registry.set_unknown(std::move(handler));
    return *this;
}

Receiver& Receiver::on_error(ErrorHandler handler) {
    if (impl_->started) {
        throw ConfigError(ErrorCode::AlreadyStarted, "set the error handler before Receiver::start()");
    }
    impl_->reporter.set_handler(std::move(handler));
    return *this;
}

std::uint16_t Receiver::start() {
    if (impl_->started) throw ConfigError(ErrorCode::AlreadyStarted, "Receiver::start() called twice");
    Impl& m = *impl_;
    // A start() that failed (the port taken, say) may be retried: release what it opened.
    m.transport.reset();
    m.deliverer.reset();
    m.journal.reset();
    detail::Durability durability;
    if (m.options.dedup.window.count() > 0) {
        m.dedup = std::make_unique<detail::DedupStore>(m.options.dedup.window, m.options.dedup.max_entries);
        durability.dedup = m.dedup.get();
    }
    std::vector<detail::JournalEvent> pending;
    if (!m.options.journal.dir.empty()) {
        const JournalOptions& j = m.options.journal;
        m.journal = std::make_unique<detail::Journal>(
            detail::SegmentOptions{j.dir, j.max_bytes, m.options.dedup.window},
            [&m](const std::string& what) { m.reporter.report(ErrorKind::Journal, "journal: " + what); });
        // Events already acknowledged: those not done are delivered again; every one of the
        // dedup window is recognised if the vendor sends it again.
        for (auto& ev : m.journal->take_recovered()) {
            std::string key;
            std::int64_t received_at = 0;
            if (m.dedup && detail::journal_event_identity(ev.payload, key, received_at)) {
                m.dedup->claim_kept(key, std::chrono::system_clock::from_time_t(received_at));
            }
            if (!ev.done) pending.push_back(std::move(ev));
        }
        m.deliverer = std::make_unique<detail::Deliverer>(*m.journal, m.registry, m.reporter,
                                                          m.counters, j);
        durability.journal = m.journal.get();
        durability.deliverer = m.deliverer.get();
        for (const auto& c : j.commands) {
            if (c == "after") {
                durability.all_after = true;
            } else {
                durability.commands.push_back(c);
            }
        }
    }
    m.pipeline = std::make_unique<detail::Pipeline>(m.options, m.registry, m.reporter, m.counters,
                                                    std::move(durability));
    m.engine = std::make_unique<detail::HttpEngine>(m.options, *m.pipeline, m.reporter, m.counters);
    m.transport = std::make_unique<detail::Transport>(
        transport_options(m.options), [&m] { return m.current_trust(); }, *m.engine, m.reporter,
        m.counters);
    const std::uint16_t port = m.transport->start();
    if (m.deliverer) m.deliverer->start(std::move(pending));
    m.started = true;
    for (const auto& w : m.current_trust()->summary.warnings) {
        std::fprintf(stderr, "imcb: warning: %s\n", w.c_str());
    }
    return port;
}

void Receiver::stop() noexcept {
    if (!impl_ || !impl_->transport) return;
    impl_->transport->stop();
    // Requests in flight are finished (and journaled); the delivery in progress ends, and what is
    // left stays in the journal for the next start.
    if (impl_->transport->stopped() && impl_->deliverer) impl_->deliverer->stop();
}

void Receiver::reload_tls(const TlsOptions& tls) {
    std::lock_guard<std::mutex> lock(impl_->options_mu);
    auto next = detail::make_trust_snapshot(tls, ++impl_->generation);  // throws, keeping the old
    for (const auto& w : next->summary.warnings) std::fprintf(stderr, "imcb: warning: %s\n", w.c_str());
    impl_->options.tls = tls;
    std::atomic_store(&impl_->trust, std::move(next));
}

TlsSummary Receiver::tls_summary() const { return impl_->current_trust()->summary; }

ReceiverStats Receiver::stats() const {
    ReceiverStats s = impl_->counters.snapshot();
    s.chain_cache_hits = impl_->current_trust()->verified_chains.hits();
    if (impl_->deliverer) s.journal_pending = impl_->deliverer->pending();
    return s;
}

ReceiverOptions Receiver::options() const {
    std::lock_guard<std::mutex> lock(impl_->options_mu);
    return impl_->options;
}

}  // namespace imcb
