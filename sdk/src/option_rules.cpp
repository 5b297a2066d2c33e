#include "option_rules.h"

#include <algorithm>
#include <limits>
#include <stdexcept>

#include "imcb/errors.h"

namespace imcb::detail {
namespace {

constexpr IntLimit kLimits[] = {
    {"request_time_window_s", 1, 3600},
    {"tls.expiry_warning_days", 0, 3650},
    {"tls.session_lifetime_s", 0, 86400},
    {"limits.max_body_bytes", 1024, 64 << 20},
    {"limits.max_header_bytes", 1024, 1 << 20},
    {"limits.max_connections", 1, 1000000},
    {"limits.max_handshaking", 1, 1000000},
    {"limits.max_connections_per_ip", 1, 1000000},
    {"limits.listen_backlog", 1, 65535},
    {"threads.min", 1, 4096},
    {"threads.max", 1, 4096},
    {"timeouts.handshake_ms", 100, 600000},
    {"timeouts.request_ms", 100, 600000},
    {"timeouts.keep_alive_s", 1, 86400},
    {"timeouts.keep_alive_max_requests", 1, 100000000},
    {"timeouts.before_deadline_ms", 100, 60000},
    {"timeouts.shutdown_ms", 0, 600000},
    {"journal.max_bytes", 1 << 20, std::int64_t{1} << 40},
    {"journal.max_attempts", 1, 1000},
    {"journal.retry_backoff_ms", 10, 3600000},
    {"dedup.window_s", 0, 604800},
    {"dedup.max_entries", 1, 100000000},
};

struct Name {
    std::string_view key;
    std::string_view field;
};

// Only the options whose two names differ; longer keys first where one is a prefix of another.
constexpr Name kNames[] = {
    {"listen", "host and port"},
    {"callback_token", "callback_tokens"},
    {"request_time_window_s", "request_time_window"},
    {"tls.self_provided.cert", "tls.self_provided.cert_chain_file"},
    {"tls.self_provided.key", "tls.self_provided.private_key_file"},
    {"tls.vendor_issued.cert", "tls.vendor_issued.cert_chain_file"},
    {"tls.vendor_issued.key", "tls.vendor_issued.private_key_file"},
    {"tls.vendor_ca", "tls.vendor_ca_files"},
    {"tls.crl", "tls.crl_files"},
    {"tls.expiry_warning_days", "tls.expiry_warning"},
    {"tls.vendor_identity.subject_cn", "tls.vendor_identity.subject_names"},
    {"tls.session_lifetime_s", "tls.session_lifetime"},
    {"admin.listen", "admin_listen"},
    {"limits.max_body_bytes", "max_body_bytes"},
    {"limits.max_header_bytes", "max_header_bytes"},
    {"limits.max_connections", "max_connections"},
    {"limits.max_handshaking", "max_handshaking"},
    {"limits.max_connections_per_ip", "max_connections_per_ip"},
    {"limits.listen_backlog", "listen_backlog"},
    {"threads.min", "min_threads"},
    {"threads.max", "max_threads"},
    {"threads", "min_threads and max_threads"},
    {"timeouts.handshake_ms", "handshake_timeout"},
    {"timeouts.request_ms", "request_timeout"},
    {"timeouts.keep_alive_s", "keep_alive_timeout"},
    {"timeouts.keep_alive_max_requests", "keep_alive_max_requests"},
    {"timeouts.before_deadline_ms", "before_deadline"},
    {"timeouts.shutdown_ms", "shutdown_timeout"},
    {"journal.retry_backoff_ms", "journal.retry_backoff"},
    {"dedup.window_s", "dedup.window"},
};

// The other options' keys, named the same in both (for recognising a message's subject).
constexpr std::string_view kSameNames[] = {
    "path",
    "sdk_app_id",
    "tls.mode",
    "tls.self_provided",
    "tls.vendor_issued",
    "tls.client_auth",
    "tls.crl_expired",
    "tls.ciphers",
    "tls.ciphersuites",
    "tls.vendor_identity.spki_sha256",
    "tls.vendor_identity",
    "tls.min_version",
    "tls.watch",
    "allow_sources",
    "journal.dir",
    "journal.commands",
    "journal.max_bytes",
    "journal.max_attempts",
    "dedup.max_entries",
    "before_failure_policy",
};

std::int64_t clamp(std::uint64_t v) {
    return v > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())
               ? std::numeric_limits<std::int64_t>::max()
               : static_cast<std::int64_t>(v);
}

void check(std::string_view key, std::int64_t value, const char* unit = "", const char* why = "") {
    const IntLimit& l = int_limit(key);
    if (value < l.min || value > l.max) {
        throw ConfigError(ErrorCode::InvalidOption, std::string(key) + ": " + std::to_string(value) + unit +
                                                        " must be between " + std::to_string(l.min) +
                                                        " and " + std::to_string(l.max) + unit + why);
    }
}

// The key a message is about: the longest known key at its start, followed by a separator.
std::string_view subject_of(std::string_view message) {
    std::string_view best;
    const auto consider = [&](std::string_view key) {
        if (key.size() <= best.size() || message.compare(0, key.size(), key) != 0) return;
        if (message.size() == key.size() || message[key.size()] == ':' || message[key.size()] == ' ') {
            best = key;
        }
    };
    for (const auto& n : kNames) consider(n.key);
    for (const auto& k : kSameNames) consider(k);
    return best;
}

}  // namespace

const IntLimit& int_limit(std::string_view key) {
    for (const auto& l : kLimits) {
        if (l.key == key) return l;
    }
    throw std::out_of_range("no limit for the option " + std::string(key));
}

void check_int_limits(const ReceiverOptions& o) {
    using std::chrono::duration_cast;
    check("request_time_window_s", o.request_time_window.count(), " s");
    const auto warning_hours = duration_cast<std::chrono::hours>(o.tls.expiry_warning).count();
    check("tls.expiry_warning_days", warning_hours < 0 ? -1 : warning_hours / 24, " days");  // -1 h too
    check("tls.session_lifetime_s", o.tls.session_lifetime.count(), " s");
    check("limits.max_body_bytes", clamp(o.max_body_bytes));
    check("limits.max_header_bytes", clamp(o.max_header_bytes));
    check("limits.max_connections", clamp(o.max_connections));
    check("limits.max_handshaking", clamp(o.max_handshaking));
    check("limits.max_connections_per_ip", clamp(o.max_connections_per_ip), "",
          " (give room for the vendor's connection pool from one address)");
    check("limits.listen_backlog", o.listen_backlog);
    check("threads.min", clamp(o.min_threads));
    check("threads.max", clamp(o.max_threads));
    check("timeouts.handshake_ms", o.handshake_timeout.count(), " ms");
    check("timeouts.request_ms", o.request_timeout.count(), " ms");
    check("timeouts.keep_alive_s", o.keep_alive_timeout.count(), " s");
    check("timeouts.keep_alive_max_requests", clamp(o.keep_alive_max_requests));
    check("timeouts.before_deadline_ms", o.before_deadline.count(), " ms",
          " (the vendor waits 2000 ms for a before-callback's answer, so keep it below that)");
    check("timeouts.shutdown_ms", o.shutdown_timeout.count(), " ms");
    if (!o.journal.dir.empty()) {
        check("journal.max_bytes", clamp(o.journal.max_bytes));
        check("journal.max_attempts", o.journal.max_attempts);
        check("journal.retry_backoff_ms", o.journal.retry_backoff.count(), " ms");
    }
    check("dedup.window_s", o.dedup.window.count(), " s");
    if (o.dedup.window.count() > 0) check("dedup.max_entries", clamp(o.dedup.max_entries));
}

std::string_view field_of(std::string_view key) {
    for (const auto& n : kNames) {
        if (n.key == key) return n.field;
    }
    return key;
}

std::string name_option(const std::string& message, bool from_file) {
    static constexpr std::string_view kFilePrefix = "config key \"";
    std::string_view rest = message;
    std::string_view key;
    if (rest.compare(0, kFilePrefix.size(), kFilePrefix) == 0) {
        const auto end = rest.find('"', kFilePrefix.size());
        if (end == std::string_view::npos) return message;
        key = rest.substr(kFilePrefix.size(), end - kFilePrefix.size());
        rest.remove_prefix(end + 1);
    } else {
        key = subject_of(rest);
        if (key.empty()) return message;
        rest.remove_prefix(key.size());
    }
    const std::string name = from_file ? "config key \"" + std::string(key) + "\""
                                       : "ReceiverOptions::" + std::string(field_of(key));
    // "path \"x\" must ..." reads "config key \"path\": \"x\" must ...", like the loader's own.
    return name + (!rest.empty() && rest.front() == ' ' ? ":" : "") + std::string(rest);
}

}  // namespace imcb::detail
