#pragma once

// Stage "query check": the callback's URL parameters, parsed by name.

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace imcb::detail {

using QueryParams = std::multimap<std::string, std::string>;

/// Views into the QueryParams it was parsed from, which must outlive it.
struct CallbackQuery {
    std::string_view sdk_app_id;
    std::string_view command;
    std::string_view content_type;
    std::string_view client_ip;
    std::string_view opt_platform;
    std::string_view sign;
    std::string_view request_time;
};

struct QueryPolicy {
    std::uint64_t sdk_app_id = 0;
    std::vector<std::string> tokens;  ///< empty: Sign is not checked; else any one may sign
    std::chrono::seconds window{60};
};

struct QueryVerdict {
    int status = 200;     ///< 200 = accepted; else the HTTP status to reply
    std::string message;  ///< why it was rejected
    std::optional<std::int64_t> request_time;
};

/// The parameters of a request target ("/path?a=1&b=2"), percent-decoded ('+' is a space).
/// Only the URL counts: the body is never read as parameters.
QueryParams parse_query_string(std::string_view target);

/// Fails (status 400) when a parameter the receiver relies on appears more than once. `out` views
/// into `params`, so a temporary is refused.
QueryVerdict parse_query(const QueryParams& params, CallbackQuery& out);
QueryVerdict parse_query(QueryParams&& params, CallbackQuery& out) = delete;

/// SdkAppid (403), then Sign/RequestTime when a token is configured (401).
QueryVerdict check_query(const CallbackQuery& q, const QueryPolicy& policy,
                         std::chrono::system_clock::time_point now);

}  // namespace imcb::detail
