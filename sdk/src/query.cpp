#include "query.h"

#include <charconv>

#include "signature.h"

namespace imcb::detail {
namespace {

QueryVerdict reject(int status, std::string message) {
    QueryVerdict v;
    v.status = status;
    v.message = std::move(message);
    return v;
}

bool parse_digits(std::string_view s, std::int64_t& out) {
    if (s.empty() || s.size() > 18) return false;
    for (const char c : s) {
        if (c < '0' || c > '9') return false;
    }
    const auto r = std::from_chars(s.data(), s.data() + s.size(), out);
    return r.ec == std::errc() && r.ptr == s.data() + s.size();
}

int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

std::string decode_component(std::string_view s) {
    bool plain = true;
    for (const char c : s) plain &= (c != '%') & (c != '+');
    if (plain) return std::string(s);
    std::string out;
    out.reserve(s.size());
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '+') {
            out.push_back(' ');
        } else if (s[i] == '%' && i + 2 < s.size() && hex_value(s[i + 1]) >= 0 && hex_value(s[i + 2]) >= 0) {
            out.push_back(static_cast<char>(hex_value(s[i + 1]) * 16 + hex_value(s[i + 2])));
            i += 2;
        } else {
            out.push_back(s[i]);
        }
    }
    return out;
}

}  // namespace

QueryParams parse_query_string(std::string_view target) {
    QueryParams params;
    const auto q = target.find('?');
    if (q == std::string_view::npos) return params;
    std::string_view rest = target.substr(q + 1);
    if (const auto hash = rest.find('#'); hash != std::string_view::npos) rest = rest.substr(0, hash);
    while (!rest.empty()) {
        const auto amp = rest.find('&');
        const std::string_view pair = rest.substr(0, amp);
        rest = amp == std::string_view::npos ? std::string_view{} : rest.substr(amp + 1);
        if (pair.empty()) continue;
        const auto eq = pair.find('=');
        params.emplace(decode_component(pair.substr(0, eq)),
                       eq == std::string_view::npos ? std::string{} : decode_component(pair.substr(eq + 1)));
    }
    return params;
}

QueryVerdict parse_query(const QueryParams& params, CallbackQuery& out) {
    struct Field {
        const char* name;
        std::string_view CallbackQuery::*member;
    };
    static constexpr Field kFields[] = {
        {"SdkAppid", &CallbackQuery::sdk_app_id},      {"CallbackCommand", &CallbackQuery::command},
        {"contenttype", &CallbackQuery::content_type}, {"ClientIP", &CallbackQuery::client_ip},
        {"OptPlatform", &CallbackQuery::opt_platform}, {"Sign", &CallbackQuery::sign},
        {"RequestTime", &CallbackQuery::request_time},
    };
    for (const auto& f : kFields) {
        const auto range = params.equal_range(f.name);
        if (range.first == range.second) continue;
        if (std::next(range.first) != range.second) {
            return reject(400, std::string("query parameter ") + f.name + " appears more than once");
        }
        out.*(f.member) = range.first->second;
    }
    return {};
}

QueryVerdict check_query(const CallbackQuery& q, const QueryPolicy& policy,
                         std::chrono::system_clock::time_point now) {
    std::int64_t app_id = 0;
    if (q.sdk_app_id.empty()) return reject(403, "SdkAppid query parameter is missing");
    if (!parse_digits(q.sdk_app_id, app_id) || static_cast<std::uint64_t>(app_id) != policy.sdk_app_id) {
        // (SDKAppIDs are 10 digits; 18 digits bound the parse and the configured value alike.)
        return reject(403, "SdkAppid " + std::string(q.sdk_app_id.substr(0, 32)) +
                               " is not this receiver's application");
    }
    QueryVerdict ok;
    if (policy.tokens.empty()) return ok;

    if (q.sign.empty() || q.request_time.empty()) {
        return reject(401, "Sign and RequestTime are required: callback authentication is on");
    }
    std::int64_t t = 0;
    if (!parse_digits(q.request_time, t)) return reject(401, "RequestTime is not a Unix time in seconds");
    const std::int64_t now_s =
        std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count();
    const std::int64_t skew = now_s > t ? now_s - t : t - now_s;
    if (skew > static_cast<std::int64_t>(policy.window.count())) {
        return reject(
            401, "RequestTime " + std::string(q.request_time) + " is " + std::to_string(skew) +
                     " s away from this server's clock (allowed: " + std::to_string(policy.window.count()) +
                     " s); a replay, or a clock that needs NTP");
    }
    // Every token is tried, whichever matches: the time taken does not tell which one did.
    bool matched = false;
    for (const auto& token : policy.tokens) matched |= sign_matches(token, q.request_time, q.sign);
    if (!matched) {
        return reject(401, "Sign does not match sha256(token + RequestTime)");
    }
    ok.request_time = t;
    return ok;
}

}  // namespace imcb::detail
