#include "imcb/receiver.h"

#include <pthread.h>
#include <signal.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <ctime>
#include <memory>
#include <mutex>

#include "admin.h"
#include "dedup.h"
#include "delivery.h"
#include "http_engine.h"
#include "journal.h"
#include "option_rules.h"
#include "metrics_registry.h"
#include "pipeline.h"
#include "registry.h"
#include "runtime.h"
#include "source_filter.h"
#include "tls_clock.h"
#include "tls_context.h"
#include "transport.h"
#include "watcher.h"

namespace imcb {
namespace {

// The option rules beyond the numeric limits. Messages begin with the option's JSON key; the
// Receiver's boundary renames it for options built in code (option_rules.h).
void validate(const ReceiverOptions& o) {
    const auto bad = [](const std::string& what) { throw ConfigError(ErrorCode::InvalidOption, what); };
    if (o.sdk_app_id == 0) bad("sdk_app_id is not set: give your application's SDKAppID");
    if (o.sdk_app_id >= 1000000000000000000ULL) bad("sdk_app_id has more than 18 digits");
    if (o.path.empty() || o.path.front() != '/') {
        bad("path \"" + o.path + "\" must start with '/' (the callback URL's path, e.g. \"/\")");
    }
    if (o.path.find_first_of("?#") != std::string::npos) {
        bad("path \"" + o.path + "\" must not contain a query or fragment");
    }
    detail::check_int_limits(o);
    if (o.max_threads < o.min_threads) {
        bad("threads: the minimum (" + std::to_string(o.min_threads) + ") exceeds the maximum (" +
            std::to_string(o.max_threads) + ")");
    }
    for (const auto& token : o.callback_tokens) {
        if (token.empty())
            bad("callback_token holds an empty token: remove it, or give the token from the console");
        if (token.size() > 1024) bad("callback_token holds a token longer than 1024 characters");
    }
    if (o.tls.client_auth == ClientAuth::None && o.callback_tokens.empty()) {
        bad("tls.client_auth is \"none\" (no client certificate is requested) but no callback_token "
            "is set, so nothing would authenticate the vendor: set callback_token to the token from "
            "the vendor's console (callback configuration), or use tls.client_auth \"required\"");
    }
    if (o.callback_tokens.size() > 16)
        bad("callback_token lists more than 16 tokens: keep the current and the next one");
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
    }
    std::string admin_host;
    std::uint16_t admin_port = 0;
    if (!o.admin_listen.empty() && !detail::split_host_port(o.admin_listen, admin_host, admin_port)) {
        bad("admin.listen \"" + o.admin_listen +
            "\" must be \"host:port\", e.g. \"127.0.0.1:9464\" or "
            "\"[::1]:9464\"");
    }
}

bool from_file(const ReceiverOptions& o) { return !o.config_file.empty(); }

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
    t.shutdown_timeout = o.shutdown_timeout;
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
    // Before the engine and the transport: a handler outliving stop() still records its reply.
    std::unique_ptr<detail::MetricsRegistry> metrics;
    std::unique_ptr<detail::DedupStore> dedup;
    std::unique_ptr<detail::Journal> journal;
    std::unique_ptr<detail::Deliverer> deliverer;
    std::unique_ptr<detail::Pipeline> pipeline;
    std::unique_ptr<detail::HttpEngine> engine;
    std::unique_ptr<detail::Transport> transport;
    std::atomic<bool> started{false};  // read by reload() on any thread
    mutable std::mutex options_mu;     // reload writes options.tls, callback_tokens, allow_sources

    // Reload (see the reload functions below).
    std::mutex reload_mu;  // one reload at a time; never held while user code runs
    std::shared_ptr<const detail::SourceFilter> sources;  // accessed with std::atomic_load/store
    std::function<ReceiverOptions()> reload_source;
    std::vector<std::string> also_watch;
    std::atomic<bool> serving{false};  // started and stop() not begun (read by the admin thread)
    // The two threads that read everything above: destroyed first.
    std::unique_ptr<detail::AdminServer> admin;
    std::unique_ptr<detail::FileWatcher> watcher;

    std::shared_ptr<const detail::TrustSnapshot> current_trust() const { return std::atomic_load(&trust); }
    std::shared_ptr<const detail::SourceFilter> current_sources() const { return std::atomic_load(&sources); }
    std::vector<std::string> watched_files() const;
    void report_expiring() const;
    void start_watcher();
    std::uint16_t start();
    // The bodies of the Receiver functions the background threads also call (the admin
    // listener, the file watcher): they use only the Impl, which stays put when a Receiver moves.
    void reload(const ReceiverOptions& next);
    void reload_checked(const ReceiverOptions& next);
    void reload();
    bool ready() const;
    Metrics metrics_snapshot() const;
    ReceiverStats stats() const;
    ReceiverOptions options_copy() const;
    std::string metrics_text() const;  // GET /metrics
};

Receiver::Receiver(ReceiverOptions options) : impl_(std::make_unique<Impl>()) {
    detail::naming_options(from_file(options), [&] {
        validate(options);
        impl_->options = std::move(options);
        std::atomic_store(&impl_->sources,
                          std::make_shared<const detail::SourceFilter>(impl_->options.allow_sources));
        std::atomic_store(&impl_->trust,
                          detail::make_trust_snapshot(impl_->options.tls, ++impl_->generation));
    });
}

Receiver::~Receiver() { stop(); }

Receiver::Receiver(Receiver&& other) noexcept = default;

Receiver& Receiver::operator=(Receiver&& other) noexcept {
    if (this != &other) {
        stop();
        impl_ = std::move(other.impl_);
    }
    return *this;
}

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
    return detail::naming_options(from_file(impl_->options), [this] { return impl_->start(); });
}

std::uint16_t Receiver::Impl::start() {
    Impl& m = *this;
    // A start() that failed (the port taken, say) may be retried: release what it opened.
    m.admin.reset();
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
        m.deliverer = std::make_unique<detail::Deliverer>(*m.journal, m.registry, m.reporter, m.counters, j);
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
    {
        std::lock_guard<std::mutex> lock(m.reload_mu);  // a reload meanwhile reaches the pipeline
        m.pipeline = std::make_unique<detail::Pipeline>(m.options, m.registry, m.reporter, m.counters,
                                                        std::move(durability));
    }
    m.metrics = std::make_unique<detail::MetricsRegistry>(m.registry.commands());
    m.engine =
        std::make_unique<detail::HttpEngine>(m.options, *m.pipeline, m.reporter, m.counters, m.metrics.get());
    detail::TransportOptions transport_opts = transport_options(m.options);
    transport_opts.sources = [&m] { return m.current_sources(); };
    m.transport = std::make_unique<detail::Transport>(
        std::move(transport_opts), [&m] { return m.current_trust(); }, *m.engine, m.reporter, m.counters);
    // The admin listener first: a bad admin.listen refuses the start before the callback port
    // is bound, and /readyz answers 503 until the receiver serves.
    if (!m.options.admin_listen.empty()) {
        m.admin = std::make_unique<detail::AdminServer>(
            m.options.admin_listen,
            detail::AdminServer::Handlers{[&m] { return m.metrics_text(); }, [&m] { return m.ready(); }});
        m.admin->start();
        if (!m.admin->warning().empty())
            m.reporter.warn(detail::name_option(m.admin->warning(), from_file(m.options)));
    }
    std::uint16_t port = 0;
    try {
        port = m.transport->start();
    } catch (...) {
        m.admin.reset();
        throw;
    }
    m.serving = true;
    if (m.deliverer) m.deliverer->start(std::move(pending));
    m.started = true;
    for (const auto& w : m.current_trust()->summary.warnings)
        m.reporter.warn(detail::name_option(w, from_file(m.options)));
    try {
        m.start_watcher();
    } catch (...) {
        // Not serving half-started: what start() began is stopped, and start() may be retried.
        m.started = false;
        m.serving = false;
        m.transport->stop();
        if (m.deliverer) m.deliverer->stop();
        m.watcher.reset();
        m.admin.reset();
        throw;
    }
    m.report_expiring();
    return port;
}

int Receiver::run_until_signal() {
    sigset_t signals;
    sigemptyset(&signals);
    for (const int sig : {SIGINT, SIGTERM, SIGHUP}) sigaddset(&signals, sig);
    sigset_t before;
    pthread_sigmask(SIG_BLOCK, &signals, &before);  // before start(): no thread takes them then
    if (!impl_->started) {
        try {
            start();
        } catch (...) {
            pthread_sigmask(SIG_SETMASK, &before, nullptr);  // not waiting: Ctrl-C works again
            throw;
        }
    }
    // Woken at least this often to notice a stop() requested elsewhere (from a handler, say),
    // which only this thread can complete.
    const timespec tick{0, 200 * 1000 * 1000};
    for (;;) {
        const int sig = sigtimedwait(&signals, nullptr, &tick);
        if (sig < 0) {
            if (!impl_->serving) {
                stop();
                return 0;
            }
            continue;  // EAGAIN (the tick) or EINTR
        }
        if (sig != SIGHUP) {
            stop();
            return sig;
        }
        try {
            reload();
        } catch (const std::exception& e) {
            impl_->reporter.report(
                ErrorKind::ReloadFailed,
                std::string("SIGHUP: reload refused, the last good state stays in force: ") + e.what());
            continue;
        }
        impl_->reporter.report(ErrorKind::TrustReloaded,
                               "SIGHUP: the trust material, callback tokens and allow_sources are "
                               "reloaded and in force for new connections");
    }
}

void Receiver::stop() noexcept {
    if (!impl_ || !impl_->transport) return;
    if (impl_->watcher) impl_->watcher->stop();
    impl_->serving = false;  // /readyz: 503 from now on
    impl_->transport->stop();
    // Requests in flight are finished (and journaled); the delivery in progress ends, and what is
    // left stays in the journal for the next start. The admin listener served until here.
    if (impl_->transport->stopped()) {
        if (impl_->deliverer) impl_->deliverer->stop();
        if (impl_->admin) impl_->admin->stop();
    }
}

// ------------------------------------------------------------------ reload and expiry warnings

namespace {

// The options in force with the reloadable parts of `next`: the tls section (the trust material),
// the callback tokens and allow_sources. Everything else needs a restart.
ReceiverOptions with_reloadable(ReceiverOptions current, const ReceiverOptions& next) {
    current.tls = next.tls;
    current.callback_tokens = next.callback_tokens;
    current.allow_sources = next.allow_sources;
    return current;
}

// "expires on X (N days left)" or "expired on X"; empty when it is further away than `warning`.
std::string expiry_phrase(std::int64_t not_after, std::int64_t now, std::chrono::hours warning) {
    if (not_after == 0) return {};
    const std::int64_t left = not_after - now;
    if (left >= std::chrono::duration_cast<std::chrono::seconds>(warning).count()) return {};
    if (left <= 0) return "expired on " + detail::iso_time(not_after);
    return "expires on " + detail::iso_time(not_after) + " (" + std::to_string(left / 86400) + " days left)";
}

bool within_dates(const CertificateSummary& c, std::int64_t now) {
    return c.not_before_unix <= now && now <= c.not_after_unix;
}

}  // namespace

std::vector<std::string> Receiver::Impl::watched_files() const {
    std::lock_guard<std::mutex> lock(options_mu);
    const TlsOptions& t = options.tls;
    std::vector<std::string> files = {t.active().cert_chain_file, t.active().private_key_file};
    files.insert(files.end(), t.vendor_ca_files.begin(), t.vendor_ca_files.end());
    files.insert(files.end(), t.crl_files.begin(), t.crl_files.end());
    files.insert(files.end(), also_watch.begin(), also_watch.end());
    files.erase(std::remove(files.begin(), files.end(), std::string()), files.end());
    return files;
}

void Receiver::Impl::report_expiring() const {
    const auto snap = current_trust();
    ServerCertMode mode;
    std::chrono::hours warning;
    {
        std::lock_guard<std::mutex> lock(options_mu);
        mode = options.tls.mode;
        warning = options.tls.expiry_warning;
    }
    const std::int64_t now = detail::tls_now();
    const std::string days = " (tls.expiry_warning_days: " + std::to_string(warning.count() / 24) + ")";
    const TlsSummary& sum = snap->summary;
    if (!sum.server_chain.empty()) {
        const auto& leaf = sum.server_chain.front();
        const std::string when = expiry_phrase(leaf.not_after_unix, now, warning);
        if (!when.empty()) {
            reporter.report(ErrorKind::CertificateExpiring,
                            std::string("tls.") + to_string(mode) + ".cert: the server certificate \"" +
                                leaf.subject + "\" " + when + days +
                                ": renew it and put the new certificate and key in place (write "
                                "them under a temporary name, then rename them over the old "
                                "files); the receiver reloads them by itself (tls.watch), on "
                                "SIGHUP or on Receiver::reload()");
        }
    }
    for (const auto& ca : sum.vendor_cas) {
        const std::string when = expiry_phrase(ca.not_after_unix, now, warning);
        if (when.empty()) continue;
        reporter.report(ErrorKind::CertificateExpiring,
                        "tls.vendor_ca: the vendor CA \"" + ca.subject + "\" " + when + days +
                            ": get the vendor's new CA certificate, list it in tls.vendor_ca beside "
                            "the current one and reload; remove the old one once the vendor uses "
                            "the new one");
    }
    const detail::Counters::ClientCertificate client = counters.last_client_certificate();
    const std::string when = expiry_phrase(client.not_after, now, warning);
    if (!when.empty()) {
        reporter.report(ErrorKind::CertificateExpiring,
                        "the vendor's client certificate last seen, \"" + client.subject + "\", " + when +
                            days +
                            ": the vendor renews it; if its new certificate is issued by a new CA, "
                            "add that CA to tls.vendor_ca before the switch");
    }
}

void Receiver::Impl::start_watcher() {
    detail::WatcherTiming timing;
    {
        std::lock_guard<std::mutex> lock(options_mu);
        timing.watch = options.tls.watch;
    }
    detail::WatcherHooks hooks;
    hooks.files = [this] { return watched_files(); };
    hooks.changed = [this] {
        try {
            reload();
        } catch (const std::exception& e) {
            reporter.report(ErrorKind::ReloadFailed,
                            std::string("reload after a change on disk refused: ") + e.what() +
                                "; the last good trust material stays in force. Fix the file (write "
                                "it under a temporary name, then rename it over the old one): the "
                                "next change is tried again");
            return;
        }
        reporter.report(ErrorKind::TrustReloaded,
                        "a watched file changed: the new trust material, callback tokens and "
                        "allow_sources are in force for new connections (open connections keep "
                        "theirs)");
    };
    hooks.daily = [this] { report_expiring(); };
    hooks.notice = [this](const std::string& what) { reporter.report(ErrorKind::ReloadFailed, what); };
    watcher = std::make_unique<detail::FileWatcher>(std::move(hooks), timing);
    watcher->start();
}

void Receiver::reload(const ReceiverOptions& next) { impl_->reload(next); }

void Receiver::Impl::reload(const ReceiverOptions& next) {
    detail::naming_options(from_file(next), [&] { reload_checked(next); });
}

void Receiver::Impl::reload_checked(const ReceiverOptions& next) {
    Impl& m = *this;
    std::vector<std::string> warnings;
    {
        std::lock_guard<std::mutex> lock(m.reload_mu);
        const ReceiverOptions merged = with_reloadable(options_copy(), next);
        std::shared_ptr<const detail::SourceFilter> next_sources;
        std::shared_ptr<const detail::TrustSnapshot> next_trust;
        try {  // everything is validated before anything is swapped
            validate(merged);
            next_sources = std::make_shared<const detail::SourceFilter>(merged.allow_sources);
            next_trust = detail::make_trust_snapshot(merged.tls, ++m.generation);
        } catch (...) {
            m.counters.reloads_failed++;
            throw;
        }
        warnings = next_trust->summary.warnings;
        {
            std::lock_guard<std::mutex> options_lock(m.options_mu);
            const bool watch = m.options.tls.watch;  // set at start, and not reloaded
            m.options.tls = merged.tls;
            m.options.tls.watch = watch;
            m.options.callback_tokens = merged.callback_tokens;
            m.options.allow_sources = merged.allow_sources;
        }
        // Tokens and sources first: a connection accepted under the new trust (client_auth "none",
        // say) is never checked against the tokens of before.
        if (m.pipeline) m.pipeline->set_tokens(merged.callback_tokens);
        std::atomic_store(&m.sources, std::move(next_sources));
        std::atomic_store(&m.trust, std::move(next_trust));
        m.counters.reloads_ok++;
    }
    if (m.watcher) m.watcher->files_changed();  // the reload may name other files
    for (const auto& w : warnings)
        m.reporter.warn(detail::name_option(w, from_file(next)));  // user code: after the lock
    if (m.started) m.report_expiring();
}

void Receiver::reload() { impl_->reload(); }

void Receiver::Impl::reload() {
    Impl& m = *this;
    if (!m.reload_source) {
        reload(options_copy());  // the same file names, read again
        return;
    }
    ReceiverOptions next;
    try {
        next = m.reload_source();
    } catch (const ConfigError&) {
        m.counters.reloads_failed++;
        throw;
    } catch (const std::exception& e) {
        m.counters.reloads_failed++;
        throw ConfigError(ErrorCode::InvalidOption,
                          std::string("reload: the reload source failed: ") + e.what() +
                              "; fix the configuration and reload again (the options in force stay)");
    }
    reload(next);
}
bool Receiver::ready() const { return impl_->ready(); }

bool Receiver::Impl::ready() const {
    const Impl& m = *this;
    if (!m.serving.load() || !m.transport || m.transport->stopping()) return false;
    const auto snapshot = m.current_trust();
    const std::int64_t now = detail::tls_now();
    const auto& chain = snapshot->summary.server_chain;
    if (chain.empty() || !within_dates(chain.front(), now)) return false;
    const auto& cas = snapshot->summary.vendor_cas;
    return cas.empty() ||
           std::any_of(cas.begin(), cas.end(), [now](const auto& c) { return within_dates(c, now); });
}

std::uint16_t Receiver::admin_port() const { return impl_->admin ? impl_->admin->port() : 0; }

Metrics Receiver::metrics() const { return impl_->metrics_snapshot(); }

Metrics Receiver::Impl::metrics_snapshot() const {
    const Impl& m = *this;
    Metrics out;
    if (m.metrics) {
        out.callbacks = m.metrics->callbacks();
        out.callback_duration = m.metrics->duration();
    } else {
        out.callback_duration = detail::MetricsRegistry().duration();  // zeros, same buckets
    }
    const detail::Counters& c = m.counters;
    out.handler_errors = c.handler_failures.load();
    for (std::size_t i = 0; i < kHandshakeFailureCount; ++i)
        out.handshake_failures[i] = c.handshake_failures[i].load();
    out.reloads_ok = c.reloads_ok.load();
    out.reloads_failed = c.reloads_failed.load();
    const auto snapshot = m.current_trust();
    if (!snapshot->summary.server_chain.empty()) {
        const auto& leaf = snapshot->summary.server_chain.front();
        out.certificates.push_back({"server", leaf.subject, leaf.not_after_unix});
    }
    for (const auto& ca : snapshot->summary.vendor_cas) {
        out.certificates.push_back({"vendor_ca", ca.subject, ca.not_after_unix});
    }
    const auto client = c.last_client_certificate();
    if (client.not_after != 0)
        out.certificates.push_back({"vendor_client", client.subject, client.not_after});
    out.connections_open = c.open_connections.load();
    out.source_refused = c.source_refused.load();
    out.ready = ready();
    return out;
}

// GET /metrics: the snapshot and the ReceiverStats figures that matter, in the text format.
std::string Receiver::Impl::metrics_text() const {
    const Impl& m = *this;
    const ReceiverStats s = m.stats();
    detail::ExtraFigures extra;
    extra.requests = s.requests;
    extra.before_deadline_missed = s.before_deadline_missed;
    extra.journal_pending = s.journal_pending;
    extra.journal_dead_letters = s.journal_dead_letters;
    extra.journal_refused = s.journal_refused;
    extra.duplicates_dropped = s.duplicates_dropped;
    extra.handshakes_completed = s.handshakes_completed;
    extra.connections_refused = s.connections_refused + s.connections_refused_per_ip;
    return detail::prometheus_text(m.metrics_snapshot(), extra);
}

void Receiver::reload_tls(const TlsOptions& tls) {
    ReceiverOptions next = options();
    next.tls = tls;
    reload(next);
}

Receiver& Receiver::reload_source(std::function<ReceiverOptions()> source,
                                  std::vector<std::string> also_watch) {
    if (impl_->started) {
        throw ConfigError(ErrorCode::AlreadyStarted, "set the reload source before Receiver::start()");
    }
    impl_->reload_source = std::move(source);
    impl_->also_watch = std::move(also_watch);
    return *this;
}

TlsSummary Receiver::tls_summary() const { return impl_->current_trust()->summary; }

ReceiverStats Receiver::stats() const { return impl_->stats(); }

ReceiverStats Receiver::Impl::stats() const {
    ReceiverStats s = counters.snapshot();
    s.chain_cache_hits = current_trust()->verified_chains.hits();
    if (deliverer) s.journal_pending = deliverer->pending();
    return s;
}

ReceiverOptions Receiver::options() const { return impl_->options_copy(); }

ReceiverOptions Receiver::Impl::options_copy() const {
    std::lock_guard<std::mutex> lock(options_mu);
    return options;
}

}  // namespace imcb
