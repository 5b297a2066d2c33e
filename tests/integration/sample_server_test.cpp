// imcb-server as a user runs it: a config file, --check, a callback with curl, the moderation
// example, clear errors for bad configs, and a clean stop on SIGTERM.

#include <gtest/gtest.h>

#include <signal.h>
#include <unistd.h>

#include <cstdlib>
#include <ctime>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "signature.h"
#include "support/pki.h"
#include "support/process.h"
#include "support/tls_client.h"

namespace imcb::test {
namespace {

using nlohmann::json;

json base_config(const std::string& mode = "self_provided") {
    return json{
        {"listen", "127.0.0.1:0"},
        {"path", "/imcallback"},
        {"sdk_app_id", 888888},
        {"tls",
         {{"mode", mode},
          {"self_provided", {{"cert", pki("server-self.crt")}, {"key", pki("server-self.key")}}},
          {"vendor_issued", {{"cert", pki("server-vendor.crt")}, {"key", pki("server-vendor.key")}}},
          {"vendor_ca", pki("vendor-ca.crt")},
          {"vendor_identity", {{"subject_cn", {"im-callback.vendor.dev"}}}}}},
        {"app", {{"blocked_words", {"forbidden"}}}},
    };
}

class SampleServer : public ::testing::Test {
  protected:
    void SetUp() override {
        char tmpl[] = "/tmp/imcb-sample-XXXXXX";
        ASSERT_NE(::mkdtemp(tmpl), nullptr);
        dir_ = tmpl;
    }
    void TearDown() override { std::system(("rm -rf '" + dir_ + "'").c_str()); }

    std::string write_config(const json& j, const std::string& name = "config.json") {
        const std::string path = dir_ + "/" + name;
        std::ofstream(path) << j.dump(2);
        return path;
    }
    std::string dir_;
};

std::uint16_t port_from(const std::string& stderr_text) {
    const std::string prefix = "listening on https://127.0.0.1:";
    const auto at = stderr_text.find(prefix);
    if (at == std::string::npos) return 0;
    return static_cast<std::uint16_t>(std::strtoul(stderr_text.c_str() + at + prefix.size(), nullptr, 10));
}

ProcessResult curl_callback(std::uint16_t port, const std::string& command, const std::string& body,
                            const std::string& trust = "public-ca.crt") {
    const std::string url = "https://localhost:" + std::to_string(port) +
                            "/imcallback?SdkAppid=888888&CallbackCommand=" + command + "&contenttype=json";
    return run_process({"curl", "-sS", url, "--cert", pki("vendor-client.crt"), "--key",
                        pki("vendor-client.key"), "--cacert", pki(trust), "--data-binary", body});
}

TEST_F(SampleServer, CheckValidatesAndPrintsASummary) {
    const auto res = run_process({IMCB_SERVER_BIN, "--config", write_config(base_config()), "--check"});
    EXPECT_EQ(res.exit_code, 0) << res.err;
    EXPECT_NE(res.out.find("mode: self_provided"), std::string::npos) << res.out;
    EXPECT_NE(res.out.find("CN=localhost"), std::string::npos);
    EXPECT_NE(res.out.find("imcb Dev Vendor CA"), std::string::npos);
    EXPECT_NE(res.out.find("subject CN/DNS: im-callback.vendor.dev"), std::string::npos);
    EXPECT_NE(res.out.find("days left"), std::string::npos);
}

TEST_F(SampleServer, RelativePathsResolveAgainstTheConfigFolder) {
    json j = base_config();
    const std::string certs = IMCB_TEST_CERTS_DIR;
    ASSERT_EQ(::symlink(certs.c_str(), (dir_ + "/pki").c_str()), 0);
    j["tls"]["self_provided"] = {{"cert", "pki/server-self.crt"}, {"key", "pki/server-self.key"}};
    j["tls"]["vendor_ca"] = "pki/vendor-ca.crt";
    const auto res = run_process({IMCB_SERVER_BIN, "--config", write_config(j), "--check"});
    EXPECT_EQ(res.exit_code, 0) << res.err;
}

TEST_F(SampleServer, BadConfigsExitNonZeroNamingTheKeyOrFile) {
    struct Case {
        std::function<void(json&)> edit;
        std::string expect;
    };
    const std::vector<Case> cases = {
        {[](json& j) { j["tls"]["modee"] = "x"; }, "tls.modee"},
        {[](json& j) { j["tls"]["mode"] = "both"; }, "tls.mode"},
        {[](json& j) { j.erase("sdk_app_id"); }, "sdk_app_id"},
        {[](json& j) { j["listen"] = "8443"; }, "listen"},
        {[](json& j) { j["tls"]["self_provided"]["cert"] = "/nonexistent/server.crt"; },
         "/nonexistent/server.crt"},
        {[](json& j) { j["tls"]["self_provided"]["key"] = pki("server-vendor.key"); }, "does not belong"},
        {[](json& j) { j["tls"]["vendor_ca"] = pki("vendor-client.crt"); }, "not a CA"},
        {[](json& j) { j["tls"]["vendor_identity"]["spki_sha256"] = {"abc"}; }, "spki_sha256"},
    };
    for (const auto& tc : cases) {
        json j = base_config();
        tc.edit(j);
        const auto res = run_process({IMCB_SERVER_BIN, "--config", write_config(j)});
        EXPECT_EQ(res.exit_code, 1) << tc.expect;
        EXPECT_NE(res.err.find(tc.expect), std::string::npos) << res.err;
    }
    const auto missing = run_process({IMCB_SERVER_BIN, "--config", dir_ + "/missing.json"});
    EXPECT_EQ(missing.exit_code, 1);
    EXPECT_NE(missing.err.find("missing.json"), std::string::npos);
    const auto usage = run_process({IMCB_SERVER_BIN});
    EXPECT_EQ(usage.exit_code, 2);
}

TEST_F(SampleServer, ServesLogsModeratesAndStopsCleanly) {
    for (const std::string mode : {"self_provided", "vendor_issued"}) {
        BackgroundProcess server(
            {IMCB_SERVER_BIN, "--config", write_config(base_config(mode), mode + ".json")});
        const std::uint16_t port =
            port_from(server.wait_for_stderr("listening on", std::chrono::seconds(10)));
        ASSERT_NE(port, 0) << mode;
        const std::string trust = mode == "self_provided" ? "public-ca.crt" : "vendor-ca.crt";

        const auto ok = curl_callback(port, "State.StateChange", fixture("State.StateChange.json"), trust);
        ASSERT_EQ(ok.exit_code, 0) << ok.err;
        EXPECT_EQ(json::parse(ok.out), json::parse(R"({"ActionStatus":"OK","ErrorCode":0,"ErrorInfo":""})"));

        std::string c2c = fixture("C2C.CallbackBeforeSendMsg.json");
        c2c.replace(c2c.find("red packet"), 10, "a forbidden word");
        const auto denied = curl_callback(port, "C2C.CallbackBeforeSendMsg", c2c, trust);
        ASSERT_EQ(denied.exit_code, 0) << denied.err;
        EXPECT_EQ(json::parse(denied.out).at("ErrorCode"), 120001);

        EXPECT_EQ(server.stop(SIGTERM, std::chrono::seconds(10)), 0) << mode;
        const std::string out = server.drain_stdout();
        std::istringstream lines(out);
        std::string line;
        std::vector<json> logged;
        while (std::getline(lines, line)) logged.push_back(json::parse(line));
        ASSERT_EQ(logged.size(), 2u) << out;
        EXPECT_EQ(logged[0].at("command"), "State.StateChange");
        EXPECT_EQ(logged[0].at("vendor"), "im-callback.vendor.dev");
        EXPECT_EQ(logged[0].at("body").at("Info").at("To_Account"), "testuser316");
        EXPECT_EQ(logged[1].at("outcome"), "deny: blocked word");
    }
}

// The JSON log line quotes the request (URL parameters, body): it must stay one line of printable
// ASCII whatever control characters the request holds, and still decode to what was sent.
TEST_F(SampleServer, LogLinesCarryNoControlCharacters) {
    BackgroundProcess server({IMCB_SERVER_BIN, "--config", write_config(base_config())});
    const std::uint16_t port = port_from(server.wait_for_stderr("listening on", std::chrono::seconds(10)));
    ASSERT_NE(port, 0);
    std::string body = fixture("State.StateChange.json");
    body.insert(body.find('{') + 1,
                "\"Evil\":\"\x7f\xc2\x9b"
                "31m \\u001b[2J \xe7\xbe\xa4\",");
    const std::string url = "https://localhost:" + std::to_string(port) +
                            "/imcallback?SdkAppid=888888&CallbackCommand=State.StateChange"
                            "&ClientIP=%1B%5D0;x%07%0D%0Aforged&OptPlatform=%C2%9B%7F";
    const auto res =
        run_process({"curl", "-sS", url, "--cert", pki("vendor-client.crt"), "--key",
                     pki("vendor-client.key"), "--cacert", pki("public-ca.crt"), "--data-binary", body});
    ASSERT_EQ(res.exit_code, 0) << res.err;
    EXPECT_EQ(server.stop(SIGTERM, std::chrono::seconds(10)), 0);
    const std::string out = server.drain_stdout();
    ASSERT_FALSE(out.empty());
    EXPECT_EQ(out.find('\n'), out.size() - 1) << out;  // one line
    for (std::size_t i = 0; i + 1 < out.size(); ++i) {
        const auto c = static_cast<unsigned char>(out[i]);
        EXPECT_TRUE(c >= 0x20 && c < 0x7f) << "byte " << int(c) << " at " << i;
    }
    const json line = json::parse(out);
    EXPECT_EQ(line.at("client_ip"), "\x1b]0;x\x07\r\nforged");
    EXPECT_EQ(line.at("platform"), "\xc2\x9b\x7f");
    EXPECT_EQ(line.at("body").at("Evil"),
              "\x7f\xc2\x9b"
              "31m \x1b[2J \xe7\xbe\xa4");
}

std::vector<json> json_lines(const std::string& text) {
    std::vector<json> out;
    std::istringstream lines(text);
    std::string line;
    while (std::getline(lines, line)) {
        const json j = json::parse(line, nullptr, false);
        EXPECT_FALSE(j.is_discarded()) << "not a JSON line: " << line;
        if (!j.is_discarded()) out.push_back(j);
    }
    return out;
}

// Every line on stdout and stderr is a JSON object; callbacks and reports carry their request id;
// the admin listener serves /metrics; the token never appears; SIGTERM exits 0.
TEST_F(SampleServer, LogsAreJsonLinesWithRequestIdsAndNoSecrets) {
    const std::string token = "sample-secret-token-4711";
    json j = base_config();
    j["callback_token"] = token;
    j["admin"] = {{"listen", "127.0.0.1:0"}};
    j["timeouts"] = {{"shutdown_ms", 2000}};
    BackgroundProcess server({IMCB_SERVER_BIN, "--config", write_config(j)});
    const std::string started = server.wait_for_stderr("listening on", std::chrono::seconds(10));
    const std::uint16_t port = port_from(started);
    ASSERT_NE(port, 0) << started;
    const std::vector<json> start_lines = json_lines(started.substr(0, started.rfind('\n') + 1));
    ASSERT_FALSE(start_lines.empty()) << started;
    const json& start = start_lines.back();
    EXPECT_EQ(start.at("kind"), "start");
    EXPECT_EQ(start.at("level"), "info");
    EXPECT_EQ(start.at("port"), port);
    const int admin = start.at("admin_port").get<int>();
    ASSERT_NE(admin, 0);

    const std::string t = std::to_string(std::time(nullptr));
    const std::string sign = "&Sign=" + detail::compute_sign(token, t) + "&RequestTime=" + t;
    const auto ok = curl_callback(port, "State.StateChange" + sign, fixture("State.StateChange.json"));
    ASSERT_EQ(ok.exit_code, 0) << ok.err;
    EXPECT_EQ(json::parse(ok.out).at("ErrorCode"), 0);
    const auto refused =
        curl_callback(port, "State.StateChange", fixture("State.StateChange.json"));  // unsigned
    ASSERT_EQ(refused.exit_code, 0) << refused.err;
    EXPECT_EQ(json::parse(refused.out).at("ErrorCode"), 401);
    const auto metrics =
        run_process({"curl", "-sS", "http://127.0.0.1:" + std::to_string(admin) + "/metrics"});
    ASSERT_EQ(metrics.exit_code, 0) << metrics.err;
    EXPECT_NE(metrics.out.find("imcb_callbacks_total{command=\"State.StateChange\",outcome=\"ok\"} 1"),
              std::string::npos)
        << metrics.out;
    EXPECT_NE(metrics.out.find("imcb_callbacks_total{command=\"State.StateChange\",outcome=\"rejected\"} 1"),
              std::string::npos);

    EXPECT_EQ(server.stop(SIGTERM, std::chrono::seconds(10)), 0);
    const std::string out = server.drain_stdout();
    const std::string err = server.wait_for_stderr("", std::chrono::milliseconds(0));
    EXPECT_EQ(out.find(token), std::string::npos);
    EXPECT_EQ(err.find(token), std::string::npos);

    const auto callbacks = json_lines(out);
    ASSERT_EQ(callbacks.size(), 1u) << out;
    const std::string callback_id = callbacks[0].at("request_id");
    EXPECT_FALSE(callback_id.empty());

    std::string report_id;
    bool stopping = false, stopped = false;
    for (const json& line : json_lines(err)) {
        for (const char* key : {"time", "level", "kind", "message"}) EXPECT_TRUE(line.contains(key)) << line;
        if (line.at("kind") == "unauthorized") {
            report_id = line.at("request_id");
            EXPECT_EQ(line.at("level"), "error");
            EXPECT_EQ(line.at("command"), "State.StateChange");
            EXPECT_NE(line.at("remote").get<std::string>().find("127.0.0.1:"), std::string::npos);
        }
        if (line.at("kind") == "stop") {
            const std::string message = line.at("message");
            stopping |= message.rfind("stopping", 0) == 0;
            stopped |= message.rfind("stopped after 2 requests (1 rejected)", 0) == 0;
        }
    }
    EXPECT_FALSE(report_id.empty()) << err;
    EXPECT_NE(report_id, callback_id);
    EXPECT_TRUE(stopping) << err;
    EXPECT_TRUE(stopped) << err;
}

}  // namespace
}  // namespace imcb::test
