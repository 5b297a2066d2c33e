// Crash recovery of the journal, end to end: imcb-server (journal and dedup on) serves a stream of
// after-callbacks and is killed with SIGKILL at a random point, several rounds in a row. Like a
// vendor with retries enabled, the client sends again every event whose 200 it did not see, and a
// few it did. At the end every event whose 200 the client saw has reached the handler, and no event
// reached it twice as a first delivery: a redelivery after a crash is always marked as one
// (delivery_attempt > 1), and a resent event is recognised by its key.

#include <gtest/gtest.h>

#include <signal.h>
#include <stdlib.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <random>
#include <set>
#include <sstream>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "support/pki.h"
#include "support/process.h"
#include "support/receiver_fixture.h"
#include "support/tls_client.h"

namespace imcb::test {
namespace {

using nlohmann::json;

std::uint16_t listening_port(const std::string& stderr_text) {
    const std::string prefix = "listening on https://127.0.0.1:";
    const auto at = stderr_text.find(prefix);
    if (at == std::string::npos) return 0;
    return static_cast<std::uint16_t>(std::strtoul(stderr_text.c_str() + at + prefix.size(), nullptr, 10));
}

TEST(CrashRecovery, NothingAcknowledgedIsLostAndNothingIsHandledTwiceAsNew) {
    char tmpl[] = "/tmp/imcb-crash-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    const std::string dir = tmpl;
    const json config = {
        {"listen", "127.0.0.1:0"},
        {"path", "/"},
        {"sdk_app_id", 888888},
        {"tls",
         {{"mode", "self_provided"},
          {"self_provided", {{"cert", pki("server-self.crt")}, {"key", pki("server-self.key")}}},
          {"vendor_ca", pki("vendor-ca.crt")},
          {"vendor_identity", {{"subject_cn", {"im-callback.vendor.dev"}}}}}},
        {"journal", {{"dir", dir + "/journal"}, {"commands", "after"}}},
        {"dedup", {{"window_s", 3600}}},
    };
    const std::string config_path = dir + "/config.json";
    std::ofstream(config_path) << config.dump(2);

    const unsigned seed = std::random_device{}();
    std::printf("crash test seed %u\n", seed);
    std::mt19937 rng(seed);
    json event = json::parse(fixture("Group.CallbackAfterSendMsg.json"));

    std::set<int> confirmed;    // the client saw 200
    std::set<int> unconfirmed;  // sent, 200 not seen
    int next_seq = 1;
    std::string log;  // imcb-server's stdout over every run: one line per delivery
    constexpr int kRounds = 8;
    constexpr int kNewPerRound = 40;
    for (int round = 0; round <= kRounds; ++round) {
        const bool final_round = round == kRounds;
        BackgroundProcess server({IMCB_SERVER_BIN, "--config", config_path});
        const std::uint16_t port =
            listening_port(server.wait_for_stderr("listening on", std::chrono::seconds(20)));
        ASSERT_NE(port, 0) << "imcb-server did not start in round " << round;

        // The vendor's retries first, with a few events it had already seen acknowledged.
        std::vector<int> plan(unconfirmed.begin(), unconfirmed.end());
        std::vector<int> seen(confirmed.begin(), confirmed.end());
        std::shuffle(seen.begin(), seen.end(), rng);
        for (std::size_t i = 0; i < seen.size() && i < 3; ++i) plan.push_back(seen[i]);
        for (int i = 0; i < kNewPerRound; ++i) plan.push_back(next_seq++);
        const int kill_after = final_round ? -1 : std::uniform_int_distribution<int>(1, kNewPerRound)(rng);

        std::atomic<int> acked{0};
        std::atomic<bool> client_done{false};
        std::thread client([&] {
            std::unique_ptr<TlsClient> c;
            for (const int seq : plan) {
                if (!c) {
                    c = std::make_unique<TlsClient>(port, vendor_client());
                    if (!c->connect()) break;  // the server is gone
                }
                json body = event;
                body["MsgSeq"] = seq;
                if (confirmed.count(seq) == 0) unconfirmed.insert(seq);
                const auto res = c->post(callback_target("Group.CallbackAfterSendMsg"), body.dump());
                if (!res) break;  // killed mid-request: this one stays unconfirmed
                if (res->status == 200) {
                    confirmed.insert(seq);
                    unconfirmed.erase(seq);
                    acked++;
                }
            }
            client_done = true;
        });
        if (final_round) {
            client.join();
        } else {
            // Kill at a random point of the stream, with requests and deliveries in flight.
            const bool reached = eventually(
                [&] {
                    server.drain_stdout();
                    return acked.load() >= kill_after || client_done.load();
                },
                std::chrono::seconds(60));
            EXPECT_TRUE(reached);
            server.stop(SIGKILL, std::chrono::seconds(10));
            client.join();
            log += server.drain_stdout();
            continue;
        }
        // Final round: wait until every acknowledged event has been delivered, then stop.
        const auto delivered_all = [&] {
            const std::string out = log + server.drain_stdout();
            for (const int seq : confirmed) {
                if (out.find("\"MsgSeq\":" + std::to_string(seq) + ",") == std::string::npos) return false;
            }
            return true;
        };
        EXPECT_TRUE(eventually(delivered_all, std::chrono::seconds(60)));
        EXPECT_EQ(server.stop(SIGTERM, std::chrono::seconds(20)), 0);
        log += server.drain_stdout();
    }
    EXPECT_TRUE(unconfirmed.empty()) << unconfirmed.size() << " events never acknowledged";

    std::map<int, int> first_deliveries, deliveries;
    std::istringstream lines(log);
    for (std::string line; std::getline(lines, line);) {
        const json j = json::parse(line, nullptr, false);
        if (j.is_discarded() || j.value("command", "") != "Group.CallbackAfterSendMsg") continue;
        const int seq = j["body"]["MsgSeq"].get<int>();
        ++deliveries[seq];
        if (j["attempt"].get<int>() == 1) ++first_deliveries[seq];
    }
    int redelivered = 0;
    for (const int seq : confirmed) {
        EXPECT_GE(deliveries[seq], 1) << "event " << seq << " was acknowledged but never handled";
        EXPECT_LE(first_deliveries[seq], 1) << "event " << seq << " was handled twice as new";
        if (deliveries[seq] > 1) ++redelivered;
    }
    std::printf("%zu events acknowledged over %d kills; %d redelivered after a crash (marked)\n",
                confirmed.size(), kRounds, redelivered);
    std::system(("rm -rf '" + dir + "'").c_str());
}

}  // namespace
}  // namespace imcb::test
