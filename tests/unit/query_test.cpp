// The callback's URL parameters: parsing by name (protocol reference §1.2) and the SdkAppid,
// Sign and RequestTime checks (§1.3).

#include <chrono>
#include <string>

#include <gtest/gtest.h>

#include "query.h"
#include "signature.h"

namespace {

using imcb::detail::CallbackQuery;
using imcb::detail::check_query;
using imcb::detail::compute_sign;
using imcb::detail::parse_query;
using imcb::detail::parse_query_string;
using imcb::detail::QueryParams;
using imcb::detail::QueryPolicy;
using imcb::detail::QueryVerdict;

/// The single value of a parameter, or "<absent>" / "<repeated>".
std::string param(const QueryParams& p, const std::string& name) {
    const auto n = p.count(name);
    if (n == 0) return "<absent>";
    if (n > 1) return "<repeated>";
    return p.find(name)->second;
}

bool contains(const std::string& haystack, const std::string& needle) {
    return haystack.find(needle) != std::string::npos;
}

// ------------------------------------------------------------------ parse_query_string

TEST(ParseQueryString, ParamsByNameInAnyOrder) {
    const QueryParams a = parse_query_string(
        "/cb?SdkAppid=888888&CallbackCommand=Group.CallbackAfterNewMemberJoin&contenttype=json"
        "&ClientIP=127.0.0.1&OptPlatform=iOS");
    const QueryParams b = parse_query_string(
        "/cb?OptPlatform=iOS&contenttype=json&CallbackCommand=Group.CallbackAfterNewMemberJoin"
        "&ClientIP=127.0.0.1&SdkAppid=888888");
    EXPECT_EQ(a.size(), 5u);
    EXPECT_EQ(a, b);
    EXPECT_EQ(param(a, "SdkAppid"), "888888");
    EXPECT_EQ(param(a, "CallbackCommand"), "Group.CallbackAfterNewMemberJoin");
    EXPECT_EQ(param(a, "contenttype"), "json");
    EXPECT_EQ(param(a, "ClientIP"), "127.0.0.1");
    EXPECT_EQ(param(a, "OptPlatform"), "iOS");
}

TEST(ParseQueryString, NamesAreCaseSensitive) {
    const QueryParams p = parse_query_string("/?sdkappid=1&SdkAppid=2");
    EXPECT_EQ(param(p, "SdkAppid"), "2");
    EXPECT_EQ(param(p, "sdkappid"), "1");
}

TEST(ParseQueryString, PercentDecodesNamesAndValues) {
    const QueryParams p = parse_query_string("/?ClientIP=%3A%3a1&Opt%50latform=Web%2FApp&x=%E4%BD%A0");
    EXPECT_EQ(param(p, "ClientIP"), "::1");
    EXPECT_EQ(param(p, "OptPlatform"), "Web/App");
    EXPECT_EQ(param(p, "x"), "\xE4\xBD\xA0");
}

TEST(ParseQueryString, KeepsMalformedPercentEscapesLiterally) {
    const QueryParams p = parse_query_string("/?a=%zz&b=50%&c=%4&d=%41");
    EXPECT_EQ(param(p, "a"), "%zz");
    EXPECT_EQ(param(p, "b"), "50%");
    EXPECT_EQ(param(p, "c"), "%4");
    EXPECT_EQ(param(p, "d"), "A");
}

TEST(ParseQueryString, PlusIsASpace) {
    const QueryParams p = parse_query_string("/?OptPlatform=Windows+Phone&a%2Bb=1%2B1");
    EXPECT_EQ(param(p, "OptPlatform"), "Windows Phone");
    EXPECT_EQ(param(p, "a+b"), "1+1");  // an encoded '+' stays a plus
}

TEST(ParseQueryString, PairWithoutEqualsHasEmptyValue) {
    const QueryParams p = parse_query_string("/?flag&SdkAppid=1");
    EXPECT_EQ(param(p, "flag"), "");
    EXPECT_EQ(param(p, "SdkAppid"), "1");
    EXPECT_EQ(p.size(), 2u);
}

TEST(ParseQueryString, ValueKeepsLaterEqualsSigns) {
    const QueryParams p = parse_query_string("/?a=b=c");
    EXPECT_EQ(param(p, "a"), "b=c");
}

TEST(ParseQueryString, SkipsEmptyPairs) {
    const QueryParams p = parse_query_string("/?&&SdkAppid=1&&CallbackCommand=x&");
    EXPECT_EQ(p.size(), 2u);
    EXPECT_EQ(param(p, "SdkAppid"), "1");
    EXPECT_EQ(param(p, "CallbackCommand"), "x");
    EXPECT_EQ(p.count(""), 0u);
}

TEST(ParseQueryString, IgnoresFragment) {
    const QueryParams p = parse_query_string("/?SdkAppid=1&Sign=abc#RequestTime=5&x=y");
    EXPECT_EQ(p.size(), 2u);
    EXPECT_EQ(param(p, "Sign"), "abc");
    EXPECT_EQ(param(p, "RequestTime"), "<absent>");
}

TEST(ParseQueryString, NoQuestionMarkGivesNothing) {
    EXPECT_TRUE(parse_query_string("/callback").empty());
    EXPECT_TRUE(parse_query_string("/SdkAppid=1&CallbackCommand=x").empty());
    EXPECT_TRUE(parse_query_string("").empty());
    EXPECT_TRUE(parse_query_string("/?").empty());
}

TEST(ParseQueryString, KeepsRepeatedParameters) {
    const QueryParams p = parse_query_string("/?Sign=a&Sign=b");
    EXPECT_EQ(p.count("Sign"), 2u);
}

// ------------------------------------------------------------------ parse_query

TEST(ParseQuery, CapturesAllFields) {
    const QueryParams p = parse_query_string(
        "/?RequestTime=1669872112&Sign=abcd&OptPlatform=Android&ClientIP=10.0.0.1"
        "&contenttype=json&CallbackCommand=C2C.CallbackBeforeSendMsg&SdkAppid=1400187352&Other=1");
    CallbackQuery q;
    const QueryVerdict v = parse_query(p, q);
    EXPECT_EQ(v.status, 200) << v.message;
    EXPECT_EQ(q.sdk_app_id, "1400187352");
    EXPECT_EQ(q.command, "C2C.CallbackBeforeSendMsg");
    EXPECT_EQ(q.content_type, "json");
    EXPECT_EQ(q.client_ip, "10.0.0.1");
    EXPECT_EQ(q.opt_platform, "Android");
    EXPECT_EQ(q.sign, "abcd");
    EXPECT_EQ(q.request_time, "1669872112");
}

TEST(ParseQuery, AbsentFieldsStayEmpty) {
    CallbackQuery q;
    const QueryParams params = parse_query_string("/?SdkAppid=1");
    const QueryVerdict v = parse_query(params, q);
    EXPECT_EQ(v.status, 200);
    EXPECT_EQ(q.sdk_app_id, "1");
    EXPECT_TRUE(q.command.empty());
    EXPECT_TRUE(q.client_ip.empty());
    EXPECT_TRUE(q.sign.empty());
    EXPECT_TRUE(q.request_time.empty());
}

TEST(ParseQuery, DuplicateSdkAppidIs400) {
    CallbackQuery q;
    const QueryParams params = parse_query_string("/?SdkAppid=1&CallbackCommand=x&SdkAppid=2");
    const QueryVerdict v = parse_query(params, q);
    EXPECT_EQ(v.status, 400);
    EXPECT_TRUE(contains(v.message, "SdkAppid")) << v.message;
}

TEST(ParseQuery, DuplicateSignIs400) {
    CallbackQuery q;
    const QueryParams params = parse_query_string("/?SdkAppid=1&Sign=a&RequestTime=1&Sign=a");
    const QueryVerdict v = parse_query(params, q);
    EXPECT_EQ(v.status, 400);
    EXPECT_TRUE(contains(v.message, "Sign")) << v.message;
}

TEST(ParseQuery, DuplicateUnknownParameterIsFine) {
    CallbackQuery q;
    const QueryParams params = parse_query_string("/?SdkAppid=1&x=1&x=2");
    const QueryVerdict v = parse_query(params, q);
    EXPECT_EQ(v.status, 200) << v.message;
}

// ------------------------------------------------------------------ check_query

using Clock = std::chrono::system_clock;

constexpr std::int64_t kNow = 1669872112;
const Clock::time_point kNowTp{std::chrono::seconds(kNow)};
constexpr const char* kToken = "xxxxyyyy";

QueryPolicy policy(std::string token = {}) {
    QueryPolicy p;
    p.sdk_app_id = 1400187352;
    if (!token.empty()) p.tokens.push_back(std::move(token));
    return p;
}

/// A CallbackQuery that owns its strings (the real one views the parsed parameters).
struct TestQuery {
    std::string sdk_app_id, command, content_type, client_ip, opt_platform, sign, request_time;
    operator CallbackQuery() const {
        return {sdk_app_id, command, content_type, client_ip, opt_platform, sign, request_time};
    }
};

TestQuery query(std::string app_id = "1400187352") {
    TestQuery q;
    q.sdk_app_id = std::move(app_id);
    q.command = "C2C.CallbackBeforeSendMsg";
    return q;
}

/// A query signed with kToken at the given Unix time.
TestQuery signed_query(std::int64_t t) {
    TestQuery q = query();
    q.request_time = std::to_string(t);
    q.sign = compute_sign(kToken, q.request_time);
    return q;
}

TEST(CheckQuery, MissingSdkAppidIs403) {
    const QueryVerdict v = check_query(query(""), policy(), kNowTp);
    EXPECT_EQ(v.status, 403);
    EXPECT_TRUE(contains(v.message, "SdkAppid")) << v.message;
}

TEST(CheckQuery, OtherSdkAppidIs403) {
    EXPECT_EQ(check_query(query("1400187353"), policy(), kNowTp).status, 403);
    EXPECT_EQ(check_query(query("888888"), policy(), kNowTp).status, 403);
}

TEST(CheckQuery, NonNumericSdkAppidIs403) {
    EXPECT_EQ(check_query(query("abc"), policy(), kNowTp).status, 403);
    EXPECT_EQ(check_query(query("1400187352x"), policy(), kNowTp).status, 403);
    EXPECT_EQ(check_query(query("-1400187352"), policy(), kNowTp).status, 403);
    EXPECT_EQ(check_query(query(" 1400187352"), policy(), kNowTp).status, 403);
    EXPECT_EQ(check_query(query("99999999999999999999999"), policy(), kNowTp).status, 403);
}

TEST(CheckQuery, WithoutTokenNoSignIsNeeded) {
    const QueryVerdict v = check_query(query(), policy(), kNowTp);
    EXPECT_EQ(v.status, 200) << v.message;
    EXPECT_FALSE(v.request_time.has_value());
}

TEST(CheckQuery, WithoutTokenSignIsNotChecked) {
    TestQuery q = query();
    q.sign = "garbage";
    q.request_time = "1";
    EXPECT_EQ(check_query(q, policy(), kNowTp).status, 200);
}

TEST(CheckQuery, SdkAppidIsCheckedBeforeSign) {
    TestQuery q = signed_query(kNow);
    q.sdk_app_id = "1";
    EXPECT_EQ(check_query(q, policy(kToken), kNowTp).status, 403);
}

TEST(CheckQuery, WithTokenMissingSignIs401) {
    TestQuery q = signed_query(kNow);
    q.sign.clear();
    const QueryVerdict v = check_query(q, policy(kToken), kNowTp);
    EXPECT_EQ(v.status, 401);
    EXPECT_FALSE(v.request_time.has_value());
}

TEST(CheckQuery, WithTokenMissingRequestTimeIs401) {
    TestQuery q = signed_query(kNow);
    q.request_time.clear();
    EXPECT_EQ(check_query(q, policy(kToken), kNowTp).status, 401);
}

TEST(CheckQuery, WithTokenBadSignIs401) {
    TestQuery q = signed_query(kNow);
    q.sign[10] = q.sign[10] == 'a' ? 'b' : 'a';
    const QueryVerdict v = check_query(q, policy(kToken), kNowTp);
    EXPECT_EQ(v.status, 401);
    EXPECT_TRUE(contains(v.message, "Sign")) << v.message;
}

TEST(CheckQuery, SignWithAnotherTokenIs401) {
    TestQuery q = query();
    q.request_time = std::to_string(kNow);
    q.sign = compute_sign("another token", q.request_time);
    EXPECT_EQ(check_query(q, policy(kToken), kNowTp).status, 401);
}

TEST(CheckQuery, RequestTime61SecondsInThePastIs401) {
    const QueryVerdict v = check_query(signed_query(kNow - 61), policy(kToken), kNowTp);
    EXPECT_EQ(v.status, 401);
    EXPECT_TRUE(contains(v.message, "61 s")) << v.message;
}

TEST(CheckQuery, RequestTime61SecondsInTheFutureIs401) {
    const QueryVerdict v = check_query(signed_query(kNow + 61), policy(kToken), kNowTp);
    EXPECT_EQ(v.status, 401);
    EXPECT_TRUE(contains(v.message, "61 s")) << v.message;
}

TEST(CheckQuery, RequestTimeExactly60SecondsAwayIsAccepted) {
    const QueryVerdict past = check_query(signed_query(kNow - 60), policy(kToken), kNowTp);
    EXPECT_EQ(past.status, 200) << past.message;
    EXPECT_EQ(past.request_time, kNow - 60);
    const QueryVerdict future = check_query(signed_query(kNow + 60), policy(kToken), kNowTp);
    EXPECT_EQ(future.status, 200) << future.message;
    EXPECT_EQ(future.request_time, kNow + 60);
}

TEST(CheckQuery, WindowComesFromThePolicy) {
    QueryPolicy p = policy(kToken);
    p.window = std::chrono::seconds(5);
    EXPECT_EQ(check_query(signed_query(kNow - 5), p, kNowTp).status, 200);
    EXPECT_EQ(check_query(signed_query(kNow - 6), p, kNowTp).status, 401);
}

TEST(CheckQuery, NonDigitRequestTimeIs401) {
    for (const char* t : {"abc", "1669872112.0", "-1669872112", "+1669872112", " 1669872112", "1669872112 ",
                          "0x63887ff0", "1e9"}) {
        TestQuery q = query();
        q.request_time = t;
        q.sign = compute_sign(kToken, t);  // correctly signed: only the format is wrong
        EXPECT_EQ(check_query(q, policy(kToken), kNowTp).status, 401) << "RequestTime " << t;
    }
}

TEST(CheckQuery, HugeRequestTimeIs401) {
    TestQuery q = query();
    q.request_time = "99999999999999999999999999";
    q.sign = compute_sign(kToken, q.request_time);
    EXPECT_EQ(check_query(q, policy(kToken), kNowTp).status, 401);
}

TEST(CheckQuery, ValidSignIs200AndSetsRequestTime) {
    const QueryVerdict v = check_query(signed_query(kNow), policy(kToken), kNowTp);
    EXPECT_EQ(v.status, 200) << v.message;
    EXPECT_TRUE(v.message.empty());
    ASSERT_TRUE(v.request_time.has_value());
    EXPECT_EQ(*v.request_time, kNow);
}

TEST(CheckQuery, OfficialVectorAcceptedAtItsTime) {
    TestQuery q = query();
    q.request_time = "1669872112";
    q.sign = "17773BC39A671D7B9AA835458704D2A6DB81360A5940292B587D6D760D484061";
    const QueryVerdict v = check_query(q, policy(kToken), kNowTp + std::chrono::seconds(30));
    EXPECT_EQ(v.status, 200) << v.message;
    EXPECT_EQ(v.request_time, 1669872112);
}

TEST(CheckQuery, FullUrlThroughAllStages) {
    const std::string t = std::to_string(kNow);
    const QueryParams p = parse_query_string(
        "/im?SdkAppid=1400187352&CallbackCommand=C2C.CallbackBeforeSendMsg&contenttype=json"
        "&Sign=" +
        compute_sign(kToken, t) + "&RequestTime=" + t);
    CallbackQuery q;
    ASSERT_EQ(parse_query(p, q).status, 200);
    const QueryVerdict v = check_query(q, policy(kToken), kNowTp);
    EXPECT_EQ(v.status, 200) << v.message;
    EXPECT_EQ(v.request_time, kNow);
}

}  // namespace
