// The protocol layer over real TLS: framing, query checks, parsing, dispatch, decisions, replies,
// and that the server keeps serving after each rejection.

#include <gtest/gtest.h>

#include <algorithm>
#include <condition_variable>
#include <optional>
#include <thread>

#include "signature.h"
#include "support/pki.h"
#include "support/receiver_fixture.h"
#include "support/tls_client.h"

namespace imcb::test {
namespace {

using nlohmann::json;

const std::string kState = fixture("State.StateChange.json");
const std::string kC2C = fixture("C2C.CallbackBeforeSendMsg.json");

json body_of(const std::optional<HttpResponse>& r) { return json::parse(r->body); }

// After any rejection, a fresh connection is still served.
void expect_still_serving(std::uint16_t port,
                          const std::string& target = callback_target("State.StateChange")) {
    TlsClient c(port, vendor_client());
    ASSERT_TRUE(c.connect());
    const auto res = c.post(target, kState);
    ASSERT_TRUE(res.has_value());
    EXPECT_EQ(res->status, 200);
}

void expect_envelope(const std::optional<HttpResponse>& res, int status) {
    ASSERT_TRUE(res.has_value());
    EXPECT_EQ(res->status, status) << res->body;
    const json j = body_of(res);
    EXPECT_EQ(j.at("ActionStatus"), status == 200 ? "OK" : "FAIL");
    EXPECT_EQ(j.at("ErrorCode"), status == 200 ? 0 : status);
    EXPECT_TRUE(j.at("ErrorInfo").is_string());
    EXPECT_EQ(res->headers.at("content-type"), "application/json");
}

TEST(Protocol, HundredCallbacksOnOneKeepAliveConnection) {
    RunningReceiver r(dev_options());
    TlsClient c(r.port(), vendor_client());
    ASSERT_TRUE(c.connect());
    for (int i = 0; i < 100; ++i) {
        const auto res = c.post(callback_target("State.StateChange"), kState);
        ASSERT_TRUE(res.has_value()) << "request " << i << ": " << c.error();
        EXPECT_EQ(res->status, 200);
        EXPECT_EQ(res->headers.count("connection"), 0u);  // HTTP/1.1: persistent unless "close"
        EXPECT_EQ(res->headers.count("keep-alive"), 1u);
    }
    EXPECT_EQ(r.handled(), 100);
    EXPECT_EQ(r.receiver().stats().handshakes_completed, 1u);
}

TEST(Protocol, PipelinedRequestsInOneRecordAreAllAnswered) {
    RunningReceiver r(dev_options());
    TlsClient c(r.port(), vendor_client());
    ASSERT_TRUE(c.connect());
    const std::string one = http_request(callback_target("State.StateChange"), kState);
    ASSERT_TRUE(c.send(one + one + one));
    for (int i = 0; i < 3; ++i) {
        const auto res = c.read_response();
        ASSERT_TRUE(res.has_value()) << "response " << i;
        EXPECT_EQ(res->status, 200);
    }
    EXPECT_EQ(r.handled(), 3);
}

TEST(Protocol, MalformedJsonGets400AndTheConnectionStaysUsable) {
    RunningReceiver r(dev_options());
    TlsClient c(r.port(), vendor_client());
    ASSERT_TRUE(c.connect());
    expect_envelope(c.post(callback_target("State.StateChange"), "{\"CallbackCommand\":"), 400);
    expect_envelope(c.post(callback_target("State.StateChange"), "[1,2]"), 400);
    expect_envelope(c.post(callback_target("State.StateChange"), std::string(100, '[')), 400);
    expect_envelope(c.post(callback_target("State.StateChange"), kState), 200);
    EXPECT_TRUE(r.has_report(ErrorKind::MalformedJson));
}

TEST(Protocol, WrongOrMissingSdkAppidGets403) {
    RunningReceiver r(dev_options());
    TlsClient c(r.port(), vendor_client());
    ASSERT_TRUE(c.connect());
    expect_envelope(c.post(callback_target("State.StateChange", 999), kState), 403);
    expect_envelope(c.post("/?CallbackCommand=State.StateChange", kState), 403);
    expect_envelope(c.post(callback_target("State.StateChange") + "&SdkAppid=888888", kState), 400);
    EXPECT_EQ(r.handled(), 0);
    EXPECT_TRUE(r.has_report(ErrorKind::Unauthorized));
    expect_still_serving(r.port());
}

std::string signed_target(const std::string& token, std::int64_t request_time, bool corrupt = false) {
    const std::string t = std::to_string(request_time);
    std::string sign = detail::compute_sign(token, t);
    if (corrupt) sign[0] = sign[0] == 'a' ? 'b' : 'a';
    return callback_target("State.StateChange", kAppId, "&Sign=" + sign + "&RequestTime=" + t);
}

TEST(Protocol, SignAndRequestTimeAreEnforcedWhenATokenIsSet) {
    ReceiverOptions o = dev_options();
    o.callback_tokens = {"s3cret-token"};
    RunningReceiver r(o);
    const std::int64_t now = std::time(nullptr);
    TlsClient c(r.port(), vendor_client());
    ASSERT_TRUE(c.connect());
    expect_envelope(c.post(signed_target("s3cret-token", now), kState), 200);
    expect_envelope(c.post(signed_target("s3cret-token", now - 30), kState), 200);
    expect_envelope(c.post(callback_target("State.StateChange"), kState), 401);       // unsigned
    expect_envelope(c.post(signed_target("s3cret-token", now, true), kState), 401);   // bad sign
    expect_envelope(c.post(signed_target("other-token", now), kState), 401);          // wrong token
    expect_envelope(c.post(signed_target("s3cret-token", now - 3600), kState), 401);  // stale
    expect_envelope(c.post(signed_target("s3cret-token", now + 3600), kState), 401);  // future
    EXPECT_EQ(r.handled(), 2);
    expect_still_serving(r.port(), signed_target("s3cret-token", now));
}

std::string many_headers(int count, std::size_t size) {
    std::string out;
    for (int i = 0; i < count; ++i)
        out += "X-Big-" + std::to_string(i) + ": " + std::string(size, 'x') + "\r\n";
    return out;
}

TEST(Protocol, FramingRejectionsCloseTheConnectionAndKeepTheServerServing) {
    ReceiverOptions o = dev_options();
    o.max_body_bytes = 4096;
    RunningReceiver r(o);
    struct Case {
        std::string request;
        int status;
    };
    const std::string target = callback_target("State.StateChange");
    const std::vector<Case> cases = {
        {http_request(target, std::string(5000, ' ')), 413},
        {"POST " + target +
             " HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\n{\"a\":\r\n0\r\n\r\n",
         411},
        {"POST " + target + " HTTP/1.1\r\nHost: x\r\n\r\n{}", 411},
        {http_request(target, kState, "Content-Encoding: gzip\r\n"), 415},
        {http_request(target, "", "", "GET"), 405},
        {http_request("/other" + target.substr(1), kState), 404},
        {http_request(target, kState, many_headers(20, 1000)), 431},
        {http_request(target, kState, many_headers(1, 20000)), 431},
        {http_request(target, kState, "Content-Length: 2\r\n"), 400},  // a second Content-Length
        {"POST " + target + " HTTP/2.0\r\nContent-Length: 2\r\n\r\n{}", 505},
        {"POST " + target + " HTTP/1.1\nContent-Length: 2\n\n{}", 400},  // bare LF
        {http_request(target, kState, "X-A: 1\r\n folded\r\n"), 400},
        {http_request(target, kState, "Expect: something\r\n"), 417},
        {"POST http://example.com" + target + " HTTP/1.1\r\nContent-Length: 2\r\n\r\n{}", 400},
        {"POST /" + std::string(9000, 'a') + " HTTP/1.1\r\nContent-Length: 2\r\n\r\n{}", 414},
        {"BREW / HTCPCP/1.0\r\n\r\n", 400},
    };
    for (const auto& tc : cases) {
        TlsClient c(r.port(), vendor_client());
        ASSERT_TRUE(c.connect());
        ASSERT_TRUE(c.send(tc.request));
        const auto res = c.read_response();
        expect_envelope(res, tc.status);
        EXPECT_EQ(res->headers.count("exception_what"), 0u);
        EXPECT_TRUE(c.peer_closed()) << "status " << tc.status;
    }
    EXPECT_EQ(r.handled(), 0);
    expect_still_serving(r.port());
}

TEST(Protocol, Http10ClosesUnlessKeepAliveIsAsked) {
    RunningReceiver r(dev_options());
    const std::string target = callback_target("State.StateChange");
    {
        TlsClient c(r.port(), vendor_client());
        ASSERT_TRUE(c.connect());
        ASSERT_TRUE(c.send("POST " + target + " HTTP/1.0\r\nContent-Length: " +
                           std::to_string(kState.size()) + "\r\n\r\n" + kState));
        const auto res = c.read_response();
        expect_envelope(res, 200);
        EXPECT_EQ(res->headers.at("connection"), "close");
        EXPECT_TRUE(c.peer_closed());
    }
    {
        TlsClient c(r.port(), vendor_client());
        ASSERT_TRUE(c.connect());
        for (int i = 0; i < 2; ++i) {
            ASSERT_TRUE(c.send("POST " + target + " HTTP/1.0\r\nConnection: keep-alive\r\nContent-Length: " +
                               std::to_string(kState.size()) + "\r\n\r\n" + kState));
            expect_envelope(c.read_response(), 200);
        }
    }
    {
        TlsClient c(r.port(), vendor_client());
        ASSERT_TRUE(c.connect());
        const auto res = c.post(target, kState, "Connection: close\r\n");
        expect_envelope(res, 200);
        EXPECT_TRUE(c.peer_closed());
    }
}

TEST(Protocol, ExpectContinueGetsAnInterimResponse) {
    RunningReceiver r(dev_options());
    TlsClient c(r.port(), vendor_client());
    ASSERT_TRUE(c.connect());
    const std::string target = callback_target("State.StateChange");
    ASSERT_TRUE(c.send("POST " + target + " HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: " +
                       std::to_string(kState.size()) + "\r\n\r\n"));
    const auto interim = c.read_response();
    ASSERT_TRUE(interim.has_value());
    EXPECT_EQ(interim->status, 100);
    ASSERT_TRUE(c.send(kState));
    expect_envelope(c.read_response(), 200);
}

TEST(Protocol, BodyAtTheLimitIsAccepted) {
    ReceiverOptions o = dev_options();
    o.max_body_bytes = 4096;
    RunningReceiver r(o);
    std::string body = kState;
    body.insert(body.size() - 1, std::string(4096 - body.size(), ' '));
    TlsClient c(r.port(), vendor_client());
    ASSERT_TRUE(c.connect());
    expect_envelope(c.post(callback_target("State.StateChange"), body), 200);
}

TEST(Protocol, FormContentTypeNeverTurnsTheBodyIntoParameters) {
    RunningReceiver r(dev_options());
    TlsClient c(r.port(), vendor_client());
    ASSERT_TRUE(c.connect());
    // A form body that would set SdkAppid if it were read as parameters: still JSON, still 400.
    expect_envelope(c.post("/?CallbackCommand=State.StateChange", "SdkAppid=888888",
                           "Content-Type: application/x-www-form-urlencoded\r\n"),
                    403);
    expect_envelope(c.post(callback_target("State.StateChange"), kState,
                           "Content-Type: application/x-www-form-urlencoded\r\n"),
                    200);
}

TEST(Protocol, TypedHandlersReceiveDecodedEventsAndTheirDecisionsAreReplied) {
    C2CBeforeSendMsg seen;
    CallbackContext ctx_seen;
    RunningReceiver r(dev_options(), [&](Receiver& rec) {
        rec.on<C2CBeforeSendMsg>([&](const C2CBeforeSendMsg& m, const CallbackContext& ctx) {
            seen = m;
            ctx_seen.client_ip = ctx.client_ip;
            ctx_seen.opt_platform = ctx.opt_platform;
            ctx_seen.content_type = ctx.content_type;
            return C2CBeforeSendMsg::Reply::deny(120001, "not today");
        });
    });
    TlsClient c(r.port(), vendor_client());
    ASSERT_TRUE(c.connect());
    const auto res = c.post(callback_target("C2C.CallbackBeforeSendMsg"), kC2C);
    ASSERT_TRUE(res.has_value());
    EXPECT_EQ(res->status, 200);
    EXPECT_EQ(body_of(res),
              json::parse(R"({"ActionStatus":"OK","ErrorCode":120001,"ErrorInfo":"not today"})"));
    EXPECT_EQ(seen.from_account, "jared");
    EXPECT_EQ(seen.msg_random, 2837546u);
    ASSERT_EQ(seen.msg_body.size(), 1u);
    EXPECT_EQ(seen.msg_body[0].text(), "red packet");
    EXPECT_EQ(ctx_seen.client_ip, "10.0.0.1");
    EXPECT_EQ(ctx_seen.opt_platform, "iOS");
    EXPECT_EQ(ctx_seen.content_type, "json");
}

TEST(Protocol, ModifyDecisionRepliesTheNewMessage) {
    const json new_body = json::parse(R"([{"MsgType":"TIMTextElem","MsgContent":{"Text":"***"}}])");
    RunningReceiver r(dev_options(), [&](Receiver& rec) {
        rec.on<C2CBeforeSendMsg>([&](const C2CBeforeSendMsg&, const CallbackContext&) {
            return C2CBeforeSendMsg::Reply::modify(new_body, std::string("changed"));
        });
    });
    TlsClient c(r.port(), vendor_client());
    ASSERT_TRUE(c.connect());
    const auto res = c.post(callback_target("C2C.CallbackBeforeSendMsg"), kC2C);
    ASSERT_TRUE(res.has_value());
    const json j = body_of(res);
    EXPECT_EQ(j.at("ErrorCode"), 0);
    EXPECT_EQ(j.at("MsgBody"), new_body);
    EXPECT_EQ(j.at("CloudCustomData"), "changed");
}

TEST(Protocol, BodyWithoutTheDocumentedFieldsGets400) {
    RunningReceiver r(dev_options(), [&](Receiver& rec) {
        rec.on<C2CBeforeSendMsg>([&](const C2CBeforeSendMsg&, const CallbackContext&) {
            return C2CBeforeSendMsg::Reply::allow();
        });
    });
    TlsClient c(r.port(), vendor_client());
    ASSERT_TRUE(c.connect());
    expect_envelope(c.post(callback_target("C2C.CallbackBeforeSendMsg"), R"({"From_Account":7})"), 400);
    EXPECT_TRUE(r.has_report(ErrorKind::DecodeFailed));
    expect_envelope(c.post(callback_target("C2C.CallbackBeforeSendMsg"), kC2C), 200);
}

struct PolicyCase {
    FailurePolicy policy;
    int status;
    int error_code;
};

class HandlerFailure : public ::testing::TestWithParam<PolicyCase> {};

TEST_P(HandlerFailure, BeforeCallbackFollowsThePolicyAndAfterCallbackGetsOk) {
    ReceiverOptions o = dev_options();
    o.before_failure_policy = GetParam().policy;
    RunningReceiver r(o, [&](Receiver& rec) {
        rec.on<C2CBeforeSendMsg>(
            [](const C2CBeforeSendMsg&, const CallbackContext&) -> C2CBeforeSendMsg::Reply {
                throw std::runtime_error("db password=hunter2 unreachable");
            });
        rec.on<GroupBeforeSendMsg>([](const GroupBeforeSendMsg&, const CallbackContext&) {
            // Outside 10100..10200: the factory throws DecisionError, reported as InvalidDecision.
            return GroupBeforeSendMsg::Reply::deny(120001, "a C2C code on a group command");
        });
        rec.on<StateChange>([](const StateChange&, const CallbackContext&) { throw 42; });
    });
    TlsClient c(r.port(), vendor_client());
    ASSERT_TRUE(c.connect());
    for (const auto& [command, body] : {std::pair{std::string("C2C.CallbackBeforeSendMsg"), kC2C},
                                        std::pair{std::string("Group.CallbackBeforeSendMsg"),
                                                  fixture("Group.CallbackBeforeSendMsg.json")}}) {
        const auto res = c.post(callback_target(command), body);
        ASSERT_TRUE(res.has_value()) << command;
        EXPECT_EQ(res->status, GetParam().status) << command;
        EXPECT_EQ(body_of(res).at("ErrorCode"), GetParam().error_code) << command;
        EXPECT_EQ(res->body.find("hunter2"), std::string::npos);
        for (const auto& [name, value] : res->headers) EXPECT_EQ(value.find("hunter2"), std::string::npos);
    }
    const auto after = c.post(callback_target("State.StateChange"), kState);
    expect_envelope(after, 200);
    EXPECT_TRUE(r.has_report(ErrorKind::HandlerFailed));
    EXPECT_TRUE(r.has_report(ErrorKind::InvalidDecision));
    EXPECT_EQ(r.receiver().stats().handler_failures, 3u);
}

INSTANTIATE_TEST_SUITE_P(Policies, HandlerFailure,
                         ::testing::Values(PolicyCase{FailurePolicy::Allow, 200, 0},
                                           PolicyCase{FailurePolicy::Deny, 200, 1},
                                           PolicyCase{FailurePolicy::HttpError, 500, 500}),
                         [](const ::testing::TestParamInfo<PolicyCase>& p) {
                             return std::string(p.param.policy == FailurePolicy::Allow  ? "Allow"
                                                : p.param.policy == FailurePolicy::Deny ? "Deny"
                                                                                        : "HttpError");
                         });

TEST(Protocol, UnknownCommandsReachTheUnknownHandler) {
    std::string seen_command;
    json seen_body;
    RunningReceiver r(dev_options(), [&](Receiver& rec) {
        rec.on_unknown([&](const json& body, const CallbackContext& ctx) {
            seen_command = ctx.command;
            seen_body = body;
            return Decision::allow();
        });
    });
    TlsClient c(r.port(), vendor_client());
    ASSERT_TRUE(c.connect());
    expect_envelope(c.post(callback_target("Future.CallbackSomething"), R"({"New":1})"), 200);
    EXPECT_EQ(seen_command, "Future.CallbackSomething");
    EXPECT_EQ(seen_body, json::parse(R"({"New":1})"));
    // Known commands without a handler are acknowledged, not sent to the unknown handler.
    seen_command.clear();
    expect_envelope(c.post(callback_target("State.StateChange"), kState), 200);
    EXPECT_TRUE(seen_command.empty());
}

TEST(Protocol, UnknownCommandWithoutHandlerIsAcknowledgedAndReported) {
    RunningReceiver r(dev_options(), [](Receiver&) {});
    TlsClient c(r.port(), vendor_client());
    ASSERT_TRUE(c.connect());
    expect_envelope(c.post(callback_target("Future.CallbackSomething"), "{}"), 200);
    EXPECT_TRUE(r.has_report(ErrorKind::UnknownCommand));
    expect_envelope(c.post("/?SdkAppid=888888", "{}"), 400);  // no CallbackCommand at all
}

TEST(Protocol, RawHandlerSeesBodiesWithoutCallbackCommand) {
    json seen;
    RunningReceiver r(dev_options(), [&](Receiver& rec) {
        rec.on_raw("ContentCallback.ResultNotify", [&](const json& body, const CallbackContext&) {
            seen = body;
            return Decision::allow();
        });
    });
    TlsClient c(r.port(), vendor_client());
    ASSERT_TRUE(c.connect());
    const std::string body = fixture("ContentCallback.ResultNotify.json");
    expect_envelope(c.post(callback_target("ContentCallback.ResultNotify"), body), 200);
    EXPECT_EQ(seen, json::parse(body));
}

TEST(Protocol, ABlockedHandlerDoesNotStallOtherConnections) {
    ReceiverOptions o = dev_options();
    o.min_threads = 1;
    std::mutex mu;
    std::condition_variable cv;
    bool release = false;
    int blocked = 0;
    RunningReceiver r(o, [&](Receiver& rec) {
        rec.on<C2CBeforeSendMsg>([&](const C2CBeforeSendMsg&, const CallbackContext&) {
            std::unique_lock<std::mutex> lock(mu);
            ++blocked;
            cv.notify_all();
            cv.wait_for(lock, std::chrono::seconds(20), [&] { return release; });
            return C2CBeforeSendMsg::Reply::allow();
        });
    });
    // One blocked handler at a time; each next connection waits for the pool to grow (the
    // event, not a time: the pool grows once its workers are all busy without progress).
    ClientOptions patient = vendor_client();
    patient.timeout = std::chrono::seconds(60);
    std::vector<std::thread> slow;
    for (int i = 0; i < 3; ++i) {
        slow.emplace_back([&] {
            TlsClient c(r.port(), patient);
            if (c.connect()) c.post(callback_target("C2C.CallbackBeforeSendMsg"), kC2C);
        });
        std::unique_lock<std::mutex> lock(mu);
        ASSERT_TRUE(cv.wait_for(lock, std::chrono::seconds(60), [&] { return blocked == i + 1; }));
    }
    // Three handlers are blocked; the pool grows to a fourth worker, which serves a fourth
    // connection.
    ASSERT_TRUE(
        eventually([&] { return r.receiver().stats().worker_threads >= 4; }, std::chrono::seconds(60)));
    expect_still_serving(r.port());
    {
        std::lock_guard<std::mutex> lock(mu);
        release = true;
    }
    cv.notify_all();
    for (auto& t : slow) t.join();
    EXPECT_GE(r.receiver().stats().worker_threads, 4u);
}

// A body larger than the connection's first buffer makes it grow (move) while the request is
// read; the request target must still be read from the right place, also when pipelined.
TEST(Protocol, LargeBodiesAndPipelinedLargeBodiesAreFramedRight) {
    std::vector<std::string> seen_platforms;
    std::mutex mu;
    RunningReceiver r(dev_options(), [&](Receiver& rec) {
        rec.on_raw("State.StateChange", [&](const nlohmann::json& body, const CallbackContext& ctx) {
            std::lock_guard<std::mutex> lock(mu);
            seen_platforms.push_back(ctx.opt_platform + ":" +
                                     std::to_string(body.at("Pad").get<std::string>().size()));
            return Decision::allow();
        });
    });
    TlsClient c(r.port(), vendor_client());
    ASSERT_TRUE(c.connect());
    std::string all;
    for (const std::size_t pad : {std::size_t{100000}, std::size_t{30000}, std::size_t{10}}) {
        const std::string body = R"({"Pad":")" + std::string(pad, 'x') + "\"}";
        all += http_request(callback_target("State.StateChange") + "&x=" + std::to_string(pad), body);
    }
    ASSERT_TRUE(c.send(all));
    for (int i = 0; i < 3; ++i) expect_envelope(c.read_response(), 200);
    ASSERT_EQ(seen_platforms.size(), 3u);
    EXPECT_EQ(seen_platforms[0], "iOS:100000");
    EXPECT_EQ(seen_platforms[1], "iOS:30000");
    EXPECT_EQ(seen_platforms[2], "iOS:10");
}

// Bytes that are not UTF-8, echoed into an error reply, must not take the server down.
TEST(Protocol, InvalidUtf8InRejectedParametersIsSafe) {
    RunningReceiver r(dev_options());
    TlsClient c(r.port(), vendor_client());
    ASSERT_TRUE(c.connect());
    expect_envelope(c.post("/?SdkAppid=%FF%FE&CallbackCommand=State.StateChange", kState), 403);
    expect_envelope(c.post(callback_target("State.StateChange"), kState, "Content-Encoding: \xC3\r\n"), 415);
    expect_still_serving(r.port());
}

TEST(Protocol, Http10ClientsGetNoInterimResponse) {
    RunningReceiver r(dev_options());
    TlsClient c(r.port(), vendor_client());
    ASSERT_TRUE(c.connect());
    ASSERT_TRUE(c.send("POST " + callback_target("State.StateChange") +
                       " HTTP/1.0\r\nExpect: 100-continue\r\nContent-Length: " +
                       std::to_string(kState.size()) + "\r\n\r\n" + kState));
    expect_envelope(c.read_response(), 200);  // the final reply, not "100 Continue"
}

// ------------------------------------------------------------------ batched callbacks (Push.*)

/// A Push.OfflinePush body with `count` events whose MsgSeq are 1..count.
json offline_push_batch(std::size_t count) {
    const json doc = json::parse(fixture("Push.OfflinePush.json"));
    json events = json::array();
    for (std::size_t i = 0; i < count; ++i) {
        json e = doc.at("Events").at(i % 2);
        e["MsgSeq"] = i + 1;
        events.push_back(std::move(e));
    }
    return json{{"Events", std::move(events)}};
}

TEST(Batch, HundredEventsReachTheTypedHandlerInOrderWithOneReply) {
    std::vector<std::uint32_t> seqs;
    std::vector<std::size_t> positions;
    std::size_t batch_size = 0;
    RunningReceiver r(dev_options(), [&](Receiver& rec) {
        rec.on<PushOfflinePush>([&](const PushOfflinePush& e, const CallbackContext& ctx) {
            seqs.push_back(e.msg_seq);
            positions.push_back(ctx.batch_index);
            batch_size = ctx.batch_size;
            EXPECT_EQ(ctx.raw().at("MsgSeq"), e.msg_seq);  // raw() is this event, not the batch
        });
    });
    TlsClient c(r.port(), vendor_client());
    ASSERT_TRUE(c.connect());
    const auto res = c.post(callback_target("Push.OfflinePush"), offline_push_batch(100).dump());
    expect_envelope(res, 200);
    ASSERT_EQ(seqs.size(), 100u);
    for (std::size_t i = 0; i < seqs.size(); ++i) {
        EXPECT_EQ(seqs[i], i + 1);
        EXPECT_EQ(positions[i], i);
    }
    EXPECT_EQ(batch_size, 100u);
    EXPECT_EQ(r.receiver().stats().handler_failures, 0u);
}

TEST(Batch, AMalformedEventIsReportedAndTheOthersAreDelivered) {
    std::vector<std::uint32_t> seqs;
    RunningReceiver r(dev_options(), [&](Receiver& rec) {
        rec.on<PushOfflinePush>([&](const PushOfflinePush& e, const CallbackContext&) {
            if (e.msg_seq == 5) throw std::runtime_error("store unavailable");
            seqs.push_back(e.msg_seq);
        });
    });
    json body = offline_push_batch(10);
    body["Events"][2]["MsgRandom"] = -1;    // not an unsigned 32-bit integer
    body["Events"][6].erase("To_Account");  // a required key missing
    body["Events"][8] = "not an event";
    TlsClient c(r.port(), vendor_client());
    ASSERT_TRUE(c.connect());
    expect_envelope(c.post(callback_target("Push.OfflinePush"), body.dump()), 200);
    EXPECT_EQ(seqs, (std::vector<std::uint32_t>{1, 2, 4, 6, 8, 10}));
    ASSERT_TRUE(r.has_report(ErrorKind::DecodeFailed));
    ASSERT_TRUE(r.has_report(ErrorKind::HandlerFailed));
    std::vector<std::string> messages;
    for (const auto& report : r.reports()) {
        if (report.command == "Push.OfflinePush") messages.push_back(report.message);
    }
    const auto mentions = [&](const std::string& a, const std::string& b) {
        return std::any_of(messages.begin(), messages.end(), [&](const std::string& m) {
            return m.find(a) != std::string::npos && m.find(b) != std::string::npos;
        });
    };
    EXPECT_TRUE(mentions("Events[2] of 10", "MsgRandom"));
    EXPECT_TRUE(mentions("Events[6] of 10", "To_Account"));
    EXPECT_TRUE(mentions("Events[8] of 10", "object"));
    EXPECT_TRUE(mentions("Events[4] of 10", "store unavailable"));
    EXPECT_EQ(r.receiver().stats().handler_failures, 4u);
}

TEST(Batch, BodiesThatAreNotBatchesOf1To100AreRejected) {
    int calls = 0;
    RunningReceiver r(dev_options(), [&](Receiver& rec) {
        rec.on<PushAllMemberPush>([&](const PushAllMemberPush&, const CallbackContext&) { ++calls; });
        rec.on<PushOfflinePush>([&](const PushOfflinePush&, const CallbackContext&) { ++calls; });
    });
    TlsClient c(r.port(), vendor_client());
    ASSERT_TRUE(c.connect());
    const std::string all_member = callback_target("Push.AllMemberPush");
    expect_envelope(c.post(all_member, R"({"Events":[]})"), 400);
    expect_envelope(c.post(all_member, R"({"Events":{}})"), 400);
    expect_envelope(c.post(all_member, R"({"events":[{}]})"), 400);
    expect_envelope(c.post(callback_target("Push.OfflinePush"), offline_push_batch(101).dump()), 400);
    EXPECT_EQ(calls, 0);
    expect_envelope(c.post(all_member, fixture("Push.AllMemberPush.json")), 200);
    EXPECT_EQ(calls, 2);
}

TEST(Batch, RawHandlersOfBatchedCommandsAlsoSeeEachEvent) {
    std::vector<std::string> accounts;
    RunningReceiver r(dev_options(), [&](Receiver& rec) {
        rec.on_raw("Push.AllMemberPush", [&](const json& event, const CallbackContext&) {
            accounts.push_back(event.at("To_Account").get<std::string>());
            return Decision::allow();
        });
    });
    TlsClient c(r.port(), vendor_client());
    ASSERT_TRUE(c.connect());
    expect_envelope(c.post(callback_target("Push.AllMemberPush"), fixture("Push.AllMemberPush.json")), 200);
    EXPECT_EQ(accounts, (std::vector<std::string>{"user2", "user3"}));
}

TEST(Protocol, TypedContentCallbackDispatchesByTheUrlWithoutABodyCommand) {
    std::optional<ContentResultNotify> seen;
    RunningReceiver r(dev_options(), [&](Receiver& rec) {
        rec.on<ContentResultNotify>([&](const ContentResultNotify& e, const CallbackContext&) { seen = e; });
    });
    TlsClient c(r.port(), vendor_client());
    ASSERT_TRUE(c.connect());
    const std::string target =
        "/?SdkAppid=888888&CallbackCommand=ContentCallback.ResultNotify&contenttype=json";
    expect_envelope(c.post(target, fixture("ContentCallback.ResultNotify.json")), 200);
    ASSERT_TRUE(seen.has_value());
    EXPECT_EQ(seen->scene, "C2C");
    EXPECT_EQ(seen->ctxcb_result, 1);
}

// Chatbot.OnC2CSignalMessage: the handler's RspData is the reply the vendor passes back.
TEST(Protocol, AChatbotPassThroughIsAnsweredWithTheHandlersRspData) {
    RunningReceiver r(dev_options(), [](Receiver& rec) {
        rec.on<ChatbotOnC2CSignalMessage>([](const ChatbotOnC2CSignalMessage& m, const CallbackContext&) {
            const json in = json::parse(m.data);
            return ChatbotOnC2CSignalMessage::Reply::respond(json{{"echo", in.at("msg")}}.dump());
        });
    });
    TlsClient c(r.port(), vendor_client());
    ASSERT_TRUE(c.connect()) << c.error();
    const auto res = c.post(callback_target("Chatbot.OnC2CSignalMessage"),
                            fixture("documented/Chatbot.OnC2CSignalMessage.json"));
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 200);
    const json reply = json::parse(res->body);
    EXPECT_EQ(reply.at("ErrorCode"), 0);
    EXPECT_EQ(json::parse(reply.at("RspData").get<std::string>()),
              (json{{"echo", "This is a user-defined passthrough content"}}));
}

}  // namespace
}  // namespace imcb::test
