#include "imcb/config.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <limits>
#include <set>
#include <sstream>

#include "imcb/errors.h"
#include "option_rules.h"

namespace imcb {
namespace {

using nlohmann::json;

[[noreturn]] void fail(const std::string& key, const std::string& what) {
    throw ConfigError(ErrorCode::InvalidOption, "config key \"" + key + "\": " + what);
}

// Walks one JSON object, handing out its members by name and rejecting the ones nobody asked for.
class Section {
  public:
    Section(const json& j, std::string prefix) : j_(j), prefix_(std::move(prefix)) {
        if (!j_.is_object()) fail(name(""), "must be an object");
    }
    ~Section() = default;

    std::string name(const std::string& key) const {
        if (key.empty()) return prefix_.empty() ? std::string("(top level)") : prefix_;
        return prefix_.empty() ? key : prefix_ + "." + key;
    }
    const json* find(const std::string& key) {
        seen_.insert(key);
        const auto it = j_.find(key);
        return it == j_.end() ? nullptr : &*it;
    }
    bool has(const std::string& key) const { return j_.contains(key); }

    std::string string(const std::string& key, const std::string& fallback, bool required = false) {
        const json* v = find(key);
        if (v == nullptr) {
            if (required) fail(name(key), "is required");
            return fallback;
        }
        if (!v->is_string()) fail(name(key), "must be a string");
        return v->get<std::string>();
    }
    /// An integer within the option's documented limit (option_rules.cpp).
    template <class Int>
    Int integer(const std::string& key, Int fallback) {
        const detail::IntLimit& limit = detail::int_limit(name(key));
        const auto min = limit.min;
        const auto max = limit.max;
        const json* v = find(key);
        if (v == nullptr) return fallback;
        if (!v->is_number_integer()) fail(name(key), "must be an integer");
        const bool in_range =
            v->is_number_unsigned()
                ? v->get<std::uint64_t>() <= static_cast<std::uint64_t>(max) &&
                      (min <= 0 || v->get<std::uint64_t>() >= static_cast<std::uint64_t>(min))
                : v->get<std::int64_t>() >= static_cast<std::int64_t>(min) &&
                      v->get<std::int64_t>() <= static_cast<std::int64_t>(max);
        if (!in_range) {
            fail(name(key), "must be between " + std::to_string(min) + " and " + std::to_string(max));
        }
        return v->get<Int>();
    }
    bool boolean(const std::string& key, bool fallback) {
        const json* v = find(key);
        if (v == nullptr) return fallback;
        if (!v->is_boolean()) fail(name(key), "must be true or false");
        return v->get<bool>();
    }
    std::vector<std::string> strings(const std::string& key) {
        const json* v = find(key);
        if (v == nullptr) return {};
        if (v->is_string()) return {v->get<std::string>()};
        if (!v->is_array()) fail(name(key), "must be a list of strings");
        std::vector<std::string> out;
        for (const auto& e : *v) {
            if (!e.is_string()) fail(name(key), "must be a list of strings");
            out.push_back(e.get<std::string>());
        }
        return out;
    }
    void reject_unknown() const {
        for (auto it = j_.begin(); it != j_.end(); ++it) {
            if (seen_.count(it.key()) == 0 && it.key().rfind("_", 0) != 0) {
                fail(name(it.key()),
                     "unknown key (keys starting with '_' are ignored, for comments); "
                     "see docs/configuration.md");
            }
        }
    }

  private:
    const json& j_;
    std::string prefix_;
    std::set<std::string> seen_;
};

std::string resolve(const std::string& base, const std::string& path) {
    if (path.empty() || path.front() == '/' || base.empty()) return path;
    return base + "/" + path;
}

void parse_listen(const std::string& listen, ReceiverOptions& o) {
    const auto colon = listen.rfind(':');
    if (colon == std::string::npos || colon + 1 == listen.size()) {
        fail("listen", "\"" + listen + "\" must be \"host:port\", e.g. \"0.0.0.0:8443\" or \"[::]:8443\"");
    }
    std::string host = listen.substr(0, colon);
    if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
    if (host.empty()) fail("listen", "\"" + listen + "\" has no host: use 0.0.0.0 for every IPv4 address");
    const std::string port = listen.substr(colon + 1);
    if (port.size() > 5 || port.find_first_not_of("0123456789") != std::string::npos ||
        std::stoul(port) > 65535) {
        fail("listen", "port \"" + port + "\" must be a number from 0 to 65535");
    }
    o.host = host;
    o.port = static_cast<std::uint16_t>(std::stoul(port));
}

ServerCertFiles cert_files(Section& tls, const std::string& key, const std::string& base, bool active) {
    ServerCertFiles f;
    const json* v = tls.find(key);
    if (v == nullptr) {
        if (active) fail(tls.name(key), "is required in this mode: give \"cert\" and \"key\" file paths");
        return f;
    }
    Section s(*v, tls.name(key));
    f.cert_chain_file = resolve(base, s.string("cert", "", active));
    f.private_key_file = resolve(base, s.string("key", "", active));
    s.reject_unknown();
    return f;
}

}  // namespace

LoadedConfig config_from_json(const json& doc, const std::string& base_dir) {
    LoadedConfig out;
    ReceiverOptions& o = out.options;
    o.config_file = "(JSON)";
    Section root(doc, "");

    parse_listen(root.string("listen", "0.0.0.0:8443"), o);
    o.path = root.string("path", "/");
    {
        const json* v = root.find("sdk_app_id");
        if (v == nullptr) fail("sdk_app_id", "is required: your application's SDKAppID from the console");
        if (v->is_string()) {
            const std::string s = v->get<std::string>();
            if (s.empty() || s.size() > 18 || s.find_first_not_of("0123456789") != std::string::npos) {
                fail("sdk_app_id", "must be a positive integer such as 1400187352");
            }
            o.sdk_app_id = std::stoull(s);
        } else if (v->is_number_integer() && v->get<std::int64_t>() > 0) {
            o.sdk_app_id = v->get<std::uint64_t>();
        } else {
            fail("sdk_app_id", "must be a positive integer such as 1400187352");
        }
        if (o.sdk_app_id == 0) fail("sdk_app_id", "must not be 0");
    }
    o.callback_tokens = root.strings("callback_token");
    o.request_time_window = std::chrono::seconds(root.integer<std::int64_t>("request_time_window_s", 60));

    const json* tls_json = root.find("tls");
    if (tls_json == nullptr) fail("tls", "is required: see docs/configuration.md for both modes");
    Section tls(*tls_json, "tls");
    const std::string mode = tls.string("mode", "", true);
    if (mode == "self_provided") {
        o.tls.mode = ServerCertMode::SelfProvided;
    } else if (mode == "vendor_issued") {
        o.tls.mode = ServerCertMode::VendorIssued;
    } else {
        fail("tls.mode", "\"" + mode + "\" must be \"self_provided\" or \"vendor_issued\"");
    }
    o.tls.self_provided =
        cert_files(tls, "self_provided", base_dir, o.tls.mode == ServerCertMode::SelfProvided);
    o.tls.vendor_issued =
        cert_files(tls, "vendor_issued", base_dir, o.tls.mode == ServerCertMode::VendorIssued);
    const std::string client_auth = tls.string("client_auth", "required");
    if (client_auth == "none") {
        o.tls.client_auth = ClientAuth::None;
    } else if (client_auth != "required") {
        fail("tls.client_auth", "\"" + client_auth +
                                    "\" must be \"required\" (mutual TLS) or \"none\" "
                                    "(the vendor is authenticated by Sign alone; needs callback_token)");
    }
    if (o.tls.client_auth == ClientAuth::Required && !tls.has("vendor_ca")) {
        fail("tls.vendor_ca",
             "is required with client_auth \"required\": the vendor's CA certificate "
             "file (TencentQQAuthCA.crt), or a list of them during a rotation");
    }
    for (const auto& f : tls.strings("vendor_ca")) {
        if (f.empty()) fail("tls.vendor_ca", "holds an empty path");
        o.tls.vendor_ca_files.push_back(resolve(base_dir, f));
    }
    for (const auto& f : tls.strings("crl")) {
        if (f.empty()) fail("tls.crl", "holds an empty path");
        o.tls.crl_files.push_back(resolve(base_dir, f));
    }
    const std::string crl_expired = tls.string("crl_expired", "warn");
    if (crl_expired == "refuse") {
        o.tls.crl_expired = CrlExpiry::Refuse;
    } else if (crl_expired != "warn") {
        fail("tls.crl_expired",
             "\"" + crl_expired +
                 "\" must be \"warn\" (keep using the outdated CRL) or "
                 "\"refuse\" (fail the vendor's handshakes until a current CRL is loaded)");
    }
    o.tls.ciphers = tls.string("ciphers", "");
    o.tls.ciphersuites = tls.string("ciphersuites", "");
    o.tls.watch = tls.boolean("watch", true);
    o.tls.expiry_warning = std::chrono::hours(24 * tls.integer<std::int64_t>("expiry_warning_days", 30));
    if (const json* id = tls.find("vendor_identity")) {
        Section s(*id, "tls.vendor_identity");
        o.tls.vendor_identity.subject_names = s.strings("subject_cn");
        o.tls.vendor_identity.spki_sha256 = s.strings("spki_sha256");
        s.reject_unknown();
    }
    const std::string min = tls.string("min_version", "1.2");
    if (min == "1.3") {
        o.tls.min_version = TlsVersion::Tls1_3;
    } else if (min != "1.2") {
        fail("tls.min_version",
             "\"" + min + "\" must be \"1.2\" or \"1.3\" (older versions are not offered)");
    }
    o.tls.session_lifetime = std::chrono::seconds(tls.integer<std::int64_t>("session_lifetime_s", 3600));
    tls.reject_unknown();

    o.allow_sources = root.strings("allow_sources");
    if (const json* admin = root.find("admin")) {
        Section s(*admin, "admin");
        o.admin_listen = s.string("listen", "", true);
        s.reject_unknown();
    }
    if (const json* lim = root.find("limits")) {
        Section s(*lim, "limits");
        o.max_body_bytes = s.integer<std::size_t>("max_body_bytes", o.max_body_bytes);
        o.max_header_bytes = s.integer<std::size_t>("max_header_bytes", o.max_header_bytes);
        o.max_connections = s.integer<std::size_t>("max_connections", o.max_connections);
        o.max_handshaking = s.integer<std::size_t>("max_handshaking", o.max_handshaking);
        o.max_connections_per_ip = s.integer<std::size_t>("max_connections_per_ip", o.max_connections_per_ip);
        o.listen_backlog = s.integer<int>("listen_backlog", o.listen_backlog);
        s.reject_unknown();
    }
    if (const json* th = root.find("threads")) {
        Section s(*th, "threads");
        o.min_threads = s.integer<std::size_t>("min", o.min_threads);
        o.max_threads = s.integer<std::size_t>("max", o.max_threads);
        s.reject_unknown();
    }
    if (const json* tm = root.find("timeouts")) {
        Section s(*tm, "timeouts");
        o.handshake_timeout =
            std::chrono::milliseconds(s.integer<std::int64_t>("handshake_ms", o.handshake_timeout.count()));
        o.request_timeout =
            std::chrono::milliseconds(s.integer<std::int64_t>("request_ms", o.request_timeout.count()));
        o.keep_alive_timeout =
            std::chrono::seconds(s.integer<std::int64_t>("keep_alive_s", o.keep_alive_timeout.count()));
        o.keep_alive_max_requests =
            s.integer<std::size_t>("keep_alive_max_requests", o.keep_alive_max_requests);
        o.before_deadline = std::chrono::milliseconds(
            s.integer<std::int64_t>("before_deadline_ms", o.before_deadline.count()));
        o.shutdown_timeout =
            std::chrono::milliseconds(s.integer<std::int64_t>("shutdown_ms", o.shutdown_timeout.count()));
        s.reject_unknown();
    }
    if (const json* jn = root.find("journal")) {
        Section s(*jn, "journal");
        JournalOptions& j = o.journal;
        j.dir = resolve(base_dir, s.string("dir", "", true));
        if (j.dir.empty()) fail("journal.dir", "is empty: give a folder, or leave out \"journal\"");
        if (const json* c = s.find("commands")) {
            if (c->is_string() && c->get<std::string>() != "after") {
                fail("journal.commands",
                     "must be \"after\" (every after-callback) or a list of command names");
            }
            j.commands = s.strings("commands");
            if (j.commands.empty())
                fail("journal.commands", "is an empty list: give \"after\" or command names");
        }
        j.max_bytes = s.integer<std::uint64_t>("max_bytes", j.max_bytes);
        j.max_attempts = s.integer<unsigned>("max_attempts", j.max_attempts);
        j.retry_backoff =
            std::chrono::milliseconds(s.integer<std::int64_t>("retry_backoff_ms", j.retry_backoff.count()));
        s.reject_unknown();
    }
    if (const json* dd = root.find("dedup")) {
        Section s(*dd, "dedup");
        o.dedup.window = std::chrono::seconds(s.integer<std::int64_t>("window_s", 600));
        o.dedup.max_entries = s.integer<std::size_t>("max_entries", o.dedup.max_entries);
        s.reject_unknown();
    }
    const std::string policy = root.string("before_failure_policy", "allow");
    if (policy == "allow") {
        o.before_failure_policy = FailurePolicy::Allow;
    } else if (policy == "deny") {
        o.before_failure_policy = FailurePolicy::Deny;
    } else if (policy == "http_error") {
        o.before_failure_policy = FailurePolicy::HttpError;
    } else {
        fail("before_failure_policy", "\"" + policy + "\" must be \"allow\", \"deny\" or \"http_error\"");
    }
    if (const json* app = root.find("app")) out.extra = *app;
    root.reject_unknown();
    return out;
}

LoadedConfig load_config_file(const std::string& path) {
    std::ifstream in(path);
    if (!in) {
        throw ConfigError(ErrorCode::FileUnreadable,
                          "cannot read config file \"" + path + "\": " + std::strerror(errno));
    }
    std::stringstream ss;
    ss << in.rdbuf();
    const std::string text = ss.str();
    json doc;
    try {
        doc = json::parse(text);
    } catch (const json::parse_error& e) {
        // Only the position: the parser's own message quotes the text it was reading, which may
        // be a token or a key password.
        std::size_t line = 1;
        std::size_t column = 1;
        const std::size_t end = std::min<std::size_t>(e.byte > 0 ? e.byte - 1 : 0, text.size());
        for (std::size_t i = 0; i < end; ++i) {
            if (text[i] == '\n') {
                ++line;
                column = 1;
            } else {
                ++column;
            }
        }
        throw ConfigError(ErrorCode::InvalidOption,
                          "config file \"" + path + "\" is not valid JSON at line " + std::to_string(line) +
                              ", column " + std::to_string(column) +
                              ": fix the syntax there (a missing quote, comma or bracket)");
    }
    const auto slash = path.rfind('/');
    const std::string base = slash == std::string::npos ? "." : path.substr(0, slash == 0 ? 1 : slash);
    LoadedConfig loaded = config_from_json(doc, base);
    loaded.options.config_file = path;
    return loaded;
}

}  // namespace imcb
