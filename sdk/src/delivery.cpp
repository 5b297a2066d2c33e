#include "delivery.h"

#include <algorithm>
#include <exception>

#include "context_access.h"
#include "imcb/errors.h"
#include "threads.h"

namespace imcb::detail {
namespace {

using nlohmann::json;

json peer_json(const PeerIdentity& p) {
    return {{"subject", p.subject},
            {"common_name", p.common_name},
            {"dns_names", p.dns_names},
            {"ip_addresses", p.ip_addresses},
            {"serial_hex", p.serial_hex},
            {"sha256_fingerprint", p.sha256_fingerprint},
            {"spki_sha256", p.spki_sha256},
            {"not_after", p.not_after},
            {"session_resumed", p.session_resumed}};
}

PeerIdentity peer_of(const json& j) {
    PeerIdentity p;
    p.subject = j.value("subject", "");
    p.common_name = j.value("common_name", "");
    p.dns_names = j.value("dns_names", std::vector<std::string>{});
    p.ip_addresses = j.value("ip_addresses", std::vector<std::string>{});
    p.serial_hex = j.value("serial_hex", "");
    p.sha256_fingerprint = j.value("sha256_fingerprint", "");
    p.spki_sha256 = j.value("spki_sha256", "");
    p.not_after = j.value("not_after", "");
    p.session_resumed = j.value("session_resumed", false);
    return p;
}

std::string dump(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

}  // namespace

std::string encode_journal_event(const CallbackContext& ctx, const nlohmann::json& event,
                                 const std::string& key, std::int64_t received_at) {
    json j = {{"command", ctx.command},
              {"key", key},
              {"received_at", received_at},
              {"sdk_app_id", ctx.sdk_app_id},
              {"client_ip", ctx.client_ip},
              {"opt_platform", ctx.opt_platform},
              {"content_type", ctx.content_type},
              {"remote_addr", ctx.remote_addr},
              {"peer", peer_json(ctx.peer_identity())},
              {"batch_index", ctx.batch_index},
              {"batch_size", ctx.batch_size},
              {"body", event}};
    if (ctx.request_time) j["request_time"] = *ctx.request_time;
    return dump(j);
}

bool journal_event_identity(const std::string& payload, std::string& key, std::int64_t& received_at) {
    const json j = json::parse(payload, nullptr, false);
    if (!j.is_object() || !j.contains("key") || !j["key"].is_string() || !j.contains("received_at") ||
        !j["received_at"].is_number_integer()) {
        return false;
    }
    key = j["key"].get<std::string>();
    received_at = j["received_at"].get<std::int64_t>();
    return true;
}

Deliverer::Deliverer(Journal& journal, const Registry& registry, const Reporter& reporter, Counters& counters,
                     const JournalOptions& options)
    : journal_(journal),
      registry_(registry),
      reporter_(reporter),
      counters_(counters),
      max_attempts_(options.max_attempts),
      backoff_(options.retry_backoff) {}

Deliverer::~Deliverer() { stop(); }

void Deliverer::start(std::vector<JournalEvent> pending) {
    {
        std::lock_guard<std::mutex> lock(mu_);
        // Before anything received since: oldest first.
        for (auto& ev : pending) {
            const std::uint64_t seq = ev.seq;
            queue_.emplace(std::make_pair(Clock::time_point::min(), seq), std::move(ev));
        }
        stopping_ = false;
    }
    thread_ = start_thread("imcb-delivery", [this] { loop(); });
}

void Deliverer::stop() {
    {
        std::lock_guard<std::mutex> lock(mu_);
        stopping_ = true;
    }
    cv_.notify_all();
    if (thread_.joinable() && thread_.get_id() != std::this_thread::get_id()) thread_.join();
}

void Deliverer::push(std::uint64_t seq, std::string payload) {
    {
        std::lock_guard<std::mutex> lock(mu_);
        queue_.emplace(std::make_pair(Clock::now(), seq), JournalEvent{seq, std::move(payload), 0, false});
    }
    cv_.notify_one();
}

std::size_t Deliverer::pending() const {
    std::lock_guard<std::mutex> lock(mu_);
    return queue_.size();
}

void Deliverer::loop() {
    std::unique_lock<std::mutex> lock(mu_);
    auto next_expiry = Clock::now();
    while (!stopping_) {
        if (Clock::now() >= next_expiry) {  // retention of done segments runs out with time too
            lock.unlock();
            journal_.expire();
            lock.lock();
            next_expiry = Clock::now() + std::chrono::seconds(1);
        }
        if (queue_.empty() || queue_.begin()->first.first > Clock::now()) {
            const auto until =
                queue_.empty() ? next_expiry : std::min(next_expiry, queue_.begin()->first.first);
            cv_.wait_until(lock, until);
            continue;
        }
        auto node = queue_.extract(queue_.begin());
        JournalEvent ev = std::move(node.mapped());
        lock.unlock();
        deliver(ev);  // requeues it itself when it is to be retried
        lock.lock();
    }
}

void Deliverer::deliver(JournalEvent& ev) {
    const json j = json::parse(ev.payload, nullptr, false);
    if (!j.is_object() || !j.contains("command") || !j["command"].is_string() || !j.contains("body")) {
        dead_letter(ev, "", "the journal record holds no readable event");
        return;
    }
    CallbackContext ctx;
    ctx.command = j["command"].get<std::string>();
    const Route route = registry_.find(ctx.command);
    if (route.handler == nullptr) {
        dead_letter(ev, ctx.command, "no handler is registered for this command any more");
        return;
    }
    const PeerIdentity peer = peer_of(j.value("peer", json::object()));
    ctx.sdk_app_id = j.value("sdk_app_id", std::uint64_t{0});
    ctx.client_ip = j.value("client_ip", "");
    ctx.opt_platform = j.value("opt_platform", "");
    ctx.content_type = j.value("content_type", "");
    if (j.contains("request_time") && j["request_time"].is_number_integer()) {
        ctx.request_time = j["request_time"].get<std::int64_t>();
    }
    ctx.remote_addr = j.value("remote_addr", "");
    ContextAccess::set_peer(ctx, peer);
    ContextAccess::set_body(ctx, j["body"]);
    ctx.batch_index = j.value("batch_index", std::size_t{0});
    ctx.batch_size = j.value("batch_size", std::size_t{1});

    journal_.attempt(ev.seq);
    ctx.delivery_attempt = ++ev.attempts;
    std::string error;
    bool retry = true;
    try {
        (*route.handler)(j["body"], ctx);
        journal_.done(ev.seq);
        counters_.journal_delivered++;
        return;
    } catch (const DecodeError& e) {
        error = e.what();
        retry = false;  // the same body will never decode
    } catch (const std::exception& e) {
        error = std::string("handler threw: ") + e.what();
    } catch (...) {
        error = "handler threw a non-standard exception";
    }
    counters_.handler_failures++;
    if (!retry || ev.attempts >= max_attempts_) {
        dead_letter(ev, ctx.command, error);
        return;
    }
    const auto wait = std::min<std::chrono::milliseconds>(backoff_ * (1ull << std::min(ev.attempts - 1, 20u)),
                                                          std::chrono::hours(1));
    reporter_.report(ErrorKind::HandlerFailed,
                     "journaled event " + std::to_string(ev.seq) + ", attempt " +
                         std::to_string(ev.attempts) + " of " + std::to_string(max_attempts_) + ": " + error +
                         "; retried in " + std::to_string(wait.count()) + " ms",
                     ctx.command, ctx.remote_addr);
    counters_.journal_retries++;
    {
        std::lock_guard<std::mutex> lock(mu_);
        const std::uint64_t seq = ev.seq;
        queue_.emplace(std::make_pair(Clock::now() + wait, seq), std::move(ev));
    }
}

void Deliverer::dead_letter(const JournalEvent& ev, const std::string& command, const std::string& why) {
    json line = {{"seq", ev.seq}, {"command", command}, {"attempts", ev.attempts}, {"last_error", why}};
    const json event = json::parse(ev.payload, nullptr, false);
    line["event"] = event.is_discarded() ? json(ev.payload) : event;
    std::string io;
    if (!journal_.dead_letter(dump(line), io)) {
        // Not written: keep the event in the journal (it is delivered again after a restart).
        reporter_.report(ErrorKind::Journal,
                         "journaled event " + std::to_string(ev.seq) + " could not be dead-lettered (" + io +
                             "); tried again in " + std::to_string(backoff_.count()) + " ms: " + why,
                         command);
        std::lock_guard<std::mutex> lock(mu_);
        queue_.emplace(std::make_pair(Clock::now() + backoff_, ev.seq), ev);
        return;
    }
    journal_.done(ev.seq);
    counters_.journal_dead_letters++;
    reporter_.report(ErrorKind::Journal,
                     "journaled event " + std::to_string(ev.seq) + " moved to " + journal_.dir() +
                         "/dead-letter.jsonl after " + std::to_string(ev.attempts) + " attempt(s): " + why,
                     command);
}

}  // namespace imcb::detail
