// imcb-fuzz-seeds FIXTURES_DIR OUT_DIR: writes the seed corpus of each fuzz target into
// OUT_DIR/<target>/ from the example bodies of tests/fixtures (every *.json, recursively) and a
// few request heads and query strings of its own. The event target's first byte is the index of
// the command in imcb::KnownEvents, so the seeds are generated from that same list.

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "imcb/commands.h"

namespace fs = std::filesystem;

namespace {

template <class... Events>
std::vector<std::string_view> commands_of(imcb::EventList<Events...>) {
    return {Events::kCommand...};
}
template <class... Events>
std::vector<bool> batched_of(imcb::EventList<Events...>) {
    return {imcb::is_batched_v<Events>...};
}

const std::vector<std::string_view> kCommands = commands_of(imcb::KnownEvents{});
const std::vector<bool> kBatched = batched_of(imcb::KnownEvents{});

std::string read(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

void write(const fs::path& dir, const std::string& name, const std::string& bytes) {
    fs::create_directories(dir);
    std::ofstream(dir / name, std::ios::binary) << bytes;
}

std::string target_for(std::string_view command) {
    return "/imcallback?SdkAppid=888888&CallbackCommand=" + std::string(command) +
           "&contenttype=json&ClientIP=127.0.0.1&OptPlatform=iOS";
}

std::string request(const std::string& target, const std::string& body, const std::string& extra = {}) {
    return "POST " + target +
           " HTTP/1.1\r\nHost: www.example.com\r\nContent-Length: " + std::to_string(body.size()) + "\r\n" +
           extra + "\r\n" + body;
}

/// The index in KnownEvents of the longest command the file name starts with, or -1.
int command_index(const std::string& file_name) {
    int best = -1;
    for (std::size_t i = 0; i < kCommands.size(); ++i) {
        const std::string_view c = kCommands[i];
        if (file_name.compare(0, c.size(), c) == 0 && file_name.size() > c.size() &&
            file_name[c.size()] == '.' && (best < 0 || c.size() > kCommands[best].size())) {
            best = static_cast<int>(i);
        }
    }
    return best;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc != 3) {
        std::fprintf(stderr, "usage: %s FIXTURES_DIR OUT_DIR\n", argv[0]);
        return 2;
    }
    const fs::path fixtures = argv[1];
    const fs::path out = argv[2];
    if (!fs::is_directory(fixtures)) {
        std::fprintf(stderr, "imcb-fuzz-seeds: %s is not a directory (give tests/fixtures)\n", argv[1]);
        return 1;
    }

    // Request heads (the head target's first byte picks the head limit: 0 = 16 KiB).
    const std::string example_head =
        "POST /imcallback?SdkAppid=888888&CallbackCommand=Group.CallbackAfterNewMemberJoin&contenttype=json"
        "&ClientIP=127.0.0.1&OptPlatform=iOS&Sign=17773bc39a671d7b9aa835458704d2a6db81360a5940292b587d6d760d484061"
        "&RequestTime=1669872112 HTTP/1.1\r\nHost: www.example.com\r\nContent-Length: 337\r\n\r\n";
    const std::vector<std::string> heads = {
        example_head,
        "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 2\r\nConnection: keep-alive, Upgrade\r\n\r\n{}",
        "POST /cb HTTP/1.0\r\nConnection: keep-alive\r\nContent-Length: 0\r\n\r\n",
        "POST /cb HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\n",
        "POST /cb HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n",
        "POST /cb HTTP/1.1\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n",
        "POST /cb HTTP/1.1\r\nContent-Encoding: gzip\r\nContent-Length: 2\r\n\r\n",
        "POST /cb HTTP/1.1\r\nX-Folded: a\r\n b\r\n\r\n",
        "GET /%2Fcb?x=%zz HTTP/1.1\r\nConnection: close\r\n\r\n",
        "POST /cb HTTP/1.1\nHost: a\n\n",
        "POST /cb HTTP/2.0\r\n\r\n",
        "POST http://a/cb HTTP/1.1\r\n\r\n",
    };
    for (std::size_t i = 0; i < heads.size(); ++i) {
        write(out / "head", "head-" + std::to_string(i), std::string(1, '\0') + heads[i]);
    }
    write(out / "head", "head-small-limit", std::string(1, '\1') + example_head);

    // Query strings.
    const std::vector<std::string> queries = {
        example_head.substr(5, example_head.find(' ', 5) - 5),
        target_for("C2C.CallbackBeforeSendMsg"),
        "/cb?SdkAppid=888888&SdkAppid=888888&CallbackCommand=State.StateChange",
        "/cb?SdkAppid=%38%38%38888&CallbackCommand=a+b%2Bc&&=x&y#SdkAppid=1",
        "/cb?SdkAppid=888888&Sign=&RequestTime=99999999999999999999",
        "/cb?SdkAppid=0888888&RequestTime=1669872112&Sign=17773BC39A671D7B9AA835458704D2A6DB81360A5940292B587D6D760D484061",
    };
    for (std::size_t i = 0; i < queries.size(); ++i)
        write(out / "query", "query-" + std::to_string(i), queries[i]);

    // Fixture bodies: event seeds (index byte + body) and request seeds (mode byte + request).
    int n = 0;
    for (const auto& entry : fs::recursive_directory_iterator(fixtures)) {
        if (!entry.is_regular_file() || entry.path().extension() != ".json") continue;
        const std::string name = entry.path().filename().string();
        const std::string body = read(entry.path());
        const int index = command_index(name);
        const auto mode = static_cast<char>(n++ % 48);
        const std::string seed = fs::relative(entry.path(), fixtures).string();
        std::string flat = seed;
        for (char& c : flat) c = c == '/' ? '_' : c;
        if (index < 0) {
            write(out / "event", flat, std::string(1, '\0') + body);
            write(out / "request", flat, mode + request(target_for("Fuzz.Raw"), body));
            continue;
        }
        write(out / "event", flat, std::string(1, static_cast<char>(index)) + body);
        const nlohmann::json parsed = nlohmann::json::parse(body, nullptr, false);
        if (kBatched[static_cast<std::size_t>(index)] && parsed.is_object() && parsed.contains("Events") &&
            parsed["Events"].is_array() && !parsed["Events"].empty()) {
            write(out / "event", flat + "-first",
                  std::string(1, static_cast<char>(index)) + parsed["Events"][0].dump());
        }
        write(out / "request", flat,
              mode + request(target_for(kCommands[static_cast<std::size_t>(index)]), body));
    }

    // Requests of their own: pipelined, unknown command, framing refusals, a signed example.
    const std::string ok_body =
        R"({"CallbackCommand":"State.StateChange","Info":{"To_Account":"a","Action":"Login","Reason":"Register"}})";
    write(out / "request", "pipelined",
          std::string(1, '\0') + request(target_for("State.StateChange"), ok_body) +
              request(target_for("State.StateChange"), ok_body, "Connection: close\r\n"));
    write(out / "request", "unknown-command",
          std::string(1, '\3') + request(target_for("No.SuchCommand"), "{}"));
    write(out / "request", "missing-command",
          std::string(1, '\0') + request("/imcallback?SdkAppid=888888", "{}"));
    write(out / "request", "wrong-app",
          std::string(1, '\0') + request("/imcallback?SdkAppid=1&CallbackCommand=x", "{}"));
    write(
        out / "request", "expect",
        std::string(1, '\0') + request(target_for("State.StateChange"), ok_body, "Expect: 100-continue\r\n"));
    for (std::size_t i = 0; i < heads.size(); ++i) {
        write(out / "request", "head-" + std::to_string(i), std::string(1, '\0') + heads[i]);
    }
    std::printf("imcb-fuzz-seeds: %d fixture files, %zu commands -> %s\n", n, kCommands.size(),
                out.string().c_str());
    return 0;
}
