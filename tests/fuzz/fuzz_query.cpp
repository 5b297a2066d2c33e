// libFuzzer target: the query parser and checks (sdk/src/query.h): parse_query_string,
// parse_query and check_query, with and without a callback token, on a fixed clock.
//
// Input: a request target ("/imcallback?SdkAppid=...&..."). Checks: percent-decoding inverts
// percent-encoding, a repeated parameter the receiver relies on is refused (and nothing else is),
// and a request is accepted only with this receiver's SdkAppid and, with a token, a RequestTime
// within the window and the Sign of that RequestTime.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_check.h"
#include "query.h"
#include "signature.h"

using namespace imcb::detail;
using imcb::fuzz::escaped;

namespace {

constexpr std::uint64_t kAppId = 888888;
constexpr std::int64_t kNow = 1669872112;  // RequestTime of tests/fixtures/http-request-example.txt

std::string percent_encode(std::string_view s) {
    static const char* const hex = "0123456789ABCDEF";
    std::string out;
    for (const char ch : s) {
        const auto c = static_cast<unsigned char>(ch);
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
            c == '.' || c == '_' || c == '~') {
            out += ch;
        } else {
            out += '%';
            out += hex[c >> 4];
            out += hex[c & 15];
        }
    }
    return out;
}

bool all_digits(std::string_view s) {
    return !s.empty() && s.find_first_not_of("0123456789") == std::string_view::npos;
}

void check_verdict(const CallbackQuery& q, const QueryPolicy& policy, std::string_view input) {
    const auto now = std::chrono::system_clock::time_point(std::chrono::seconds(kNow));
    const QueryVerdict v = check_query(q, policy, now);
    IMCB_FUZZ_CHECK(v.status == 200 || v.status == 401 || v.status == 403,
                    std::to_string(v.status) + ": " + escaped(input));
    if (v.status != 200) {
        IMCB_FUZZ_CHECK(!v.message.empty() && v.message.size() < 400, escaped(v.message));
        IMCB_FUZZ_CHECK(!v.request_time.has_value(), escaped(input));
        return;
    }
    IMCB_FUZZ_CHECK(all_digits(q.sdk_app_id) && std::stoull(std::string(q.sdk_app_id)) == kAppId,
                    escaped(q.sdk_app_id));
    if (policy.tokens.empty()) {
        IMCB_FUZZ_CHECK(!v.request_time.has_value(), escaped(input));
        return;
    }
    IMCB_FUZZ_CHECK(v.request_time.has_value() && all_digits(q.request_time), escaped(input));
    const std::int64_t skew = *v.request_time > kNow ? *v.request_time - kNow : kNow - *v.request_time;
    IMCB_FUZZ_CHECK(skew <= policy.window.count(), escaped(q.request_time));
    bool signed_by_one = false;
    for (const auto& token : policy.tokens) signed_by_one |= sign_matches(token, q.request_time, q.sign);
    IMCB_FUZZ_CHECK(signed_by_one, escaped(q.sign));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view input(reinterpret_cast<const char*>(data), size);
    const QueryParams params = parse_query_string(input);

    // Decoding never lengthens, and inverts encoding.
    std::size_t decoded = 0;
    std::string encoded = "/cb?";
    for (const auto& [key, value] : params) {
        decoded += key.size() + value.size();
        encoded += percent_encode(key) + "=" + percent_encode(value) + "&";
    }
    IMCB_FUZZ_CHECK(decoded <= input.size(), escaped(input));
    IMCB_FUZZ_CHECK(params.empty() || input.find('?') != std::string_view::npos, escaped(input));
    IMCB_FUZZ_CHECK(parse_query_string(encoded) == params, escaped(input) + " -> " + escaped(encoded));

    CallbackQuery q;
    const QueryVerdict parsed = parse_query(params, q);
    bool repeated = false;
    for (const char* name :
         {"SdkAppid", "CallbackCommand", "contenttype", "ClientIP", "OptPlatform", "Sign", "RequestTime"}) {
        repeated |= params.count(name) > 1;
    }
    IMCB_FUZZ_CHECK((parsed.status == 400) == repeated && (parsed.status == 200) == !repeated,
                    std::to_string(parsed.status) + ": " + escaped(input));
    if (repeated) return 0;
    const auto single = [&](const char* name) {
        const auto it = params.find(name);
        return it == params.end() ? std::string_view{} : std::string_view(it->second);
    };
    IMCB_FUZZ_CHECK(q.sdk_app_id == single("SdkAppid") && q.command == single("CallbackCommand") &&
                        q.sign == single("Sign") && q.request_time == single("RequestTime"),
                    escaped(input));

    check_verdict(q, QueryPolicy{kAppId, {}, std::chrono::seconds(60)}, input);
    check_verdict(q, QueryPolicy{kAppId, {"previous-token", "xxxxyyyy"}, std::chrono::seconds(60)}, input);
    return 0;
}
