// Google Benchmark: the CPU cost of imcb's own stages for one callback (query check with Sign,
// JSON parse, typed decode, dispatch, reply), without TLS and sockets.

#include <benchmark/benchmark.h>

#include <chrono>
#include <fstream>
#include <sstream>

#include <imcb/imcb.h>

#include "pipeline.h"
#include "query.h"
#include "registry.h"
#include "runtime.h"
#include "signature.h"

namespace {

std::string read(const std::string& path) {
    std::ifstream in(path);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

struct Setup {
    imcb::ReceiverOptions options;
    imcb::detail::Registry registry;
    imcb::detail::Reporter reporter;
    imcb::detail::Counters counters;
    std::string body = read(std::string(IMCB_FIXTURES_DIR) + "/C2C.CallbackBeforeSendMsg.json");
    std::string target;
    std::shared_ptr<const imcb::PeerIdentity> peer = std::make_shared<const imcb::PeerIdentity>();
    std::string remote = "127.0.0.1:1";

    Setup() {
        options.sdk_app_id = 888888;
        options.callback_tokens = {"bench-token"};
        registry.set(imcb::C2CBeforeSendMsg::kCommand,
                     [](const nlohmann::json& j, const imcb::CallbackContext&) {
                         const auto e = imcb::detail::decode_event<imcb::C2CBeforeSendMsg>(j);
                         return e.msg_body.empty() ? imcb::Decision::deny() : imcb::Decision::allow();
                     });
        const std::string now = std::to_string(std::chrono::duration_cast<std::chrono::seconds>(
                                                   std::chrono::system_clock::now().time_since_epoch())
                                                   .count());
        target =
            "/?SdkAppid=888888&CallbackCommand=C2C.CallbackBeforeSendMsg&contenttype=json&ClientIP=1.2.3.4"
            "&OptPlatform=iOS&Sign=" +
            imcb::detail::compute_sign("bench-token", now) + "&RequestTime=" + now;
    }
};

void BM_PipelineC2CBeforeSendMsg(benchmark::State& state) {
    Setup s;
    imcb::detail::Pipeline pipeline(s.options, s.registry, s.reporter, s.counters);
    for (auto _ : state) {
        const auto params = imcb::detail::parse_query_string(s.target);
        const imcb::detail::InboundRequest in{params, s.body, s.peer, s.remote};
        auto reply = pipeline.handle(in);
        if (reply.status != 200) state.SkipWithError("unexpected status");
        benchmark::DoNotOptimize(reply);
    }
    state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * s.body.size()));
}
BENCHMARK(BM_PipelineC2CBeforeSendMsg);

void BM_JsonParse(benchmark::State& state) {
    Setup s;
    for (auto _ : state) benchmark::DoNotOptimize(nlohmann::json::parse(s.body));
}
BENCHMARK(BM_JsonParse);

void BM_Sign(benchmark::State& state) {
    for (auto _ : state)
        benchmark::DoNotOptimize(imcb::detail::sign_matches("bench-token", "1669872112", "00"));
}
BENCHMARK(BM_Sign);

}  // namespace

BENCHMARK_MAIN();
