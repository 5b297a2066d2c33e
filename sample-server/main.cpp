// imcb-server: receives the vendor's callbacks over mutual TLS, logs each one as a JSON line on
// stdout, and denies messages that contain a blocked word (a moderation example).
//
//   imcb-server --config FILE [--check] | --help | --version
//
// SIGINT/SIGTERM stop it cleanly (callbacks in flight finish within timeouts.shutdown_ms, then it
// exits 0); SIGHUP reloads the trust material, the callback tokens and allow_sources from the config
// file without a restart (so does a change of those files, tls.watch).
//
// Every log line is one JSON object: callbacks on stdout, everything else (start, stop, reports
// from on_error) on stderr as {"time","level","kind","message",...}. Tokens and keys never appear.

#include <algorithm>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <iostream>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <imcb/imcb.h>

namespace {

std::mutex g_log_mu;

// One JSON object per line, ASCII only: JSON escapes C0 controls either way, but DEL, C1 controls
// (U+0080..U+009F, which terminals act on) and the rest of the request's text then leave as
// \uXXXX too.
void write_line(std::FILE* to, const nlohmann::json& line) {
    const std::string text = line.dump(-1, ' ', true, nlohmann::json::error_handler_t::replace);
    std::lock_guard<std::mutex> lock(g_log_mu);
    std::fprintf(to, "%s\n", text.c_str());
    std::fflush(to);
}

// A line on stderr: level "info", "warning" or "error"; `extra` adds fields.
void log_event(const char* level, const char* kind, const std::string& message,
               nlohmann::json extra = nlohmann::json::object()) {
    nlohmann::json line = {{"time", static_cast<std::int64_t>(std::time(nullptr))},
                           {"level", level},
                           {"kind", kind},
                           {"message", message}};
    line.update(extra);
    write_line(stderr, line);
}

const char* level_of(imcb::ErrorKind kind) {
    switch (kind) {
        case imcb::ErrorKind::TrustReloaded:
            return "info";
        case imcb::ErrorKind::UnknownCommand:
        case imcb::ErrorKind::CertificateExpiring:
        case imcb::ErrorKind::ConfigWarning:
        case imcb::ErrorKind::DeadlineMissed:
            return "warning";
        default:
            return "error";
    }
}

// The on_error reports as JSON lines, at most kPerSecond a second: a scanner or a flood of bad
// requests cannot fill the disk; the next line says how many were left out.
class ReportLog {
  public:
    void operator()(const imcb::ErrorReport& r) {
        const std::int64_t now = static_cast<std::int64_t>(std::time(nullptr));
        std::uint64_t suppressed = 0;
        {
            std::lock_guard<std::mutex> lock(mu_);
            if (now != second_) {
                second_ = now;
                in_second_ = 0;
            }
            if (++in_second_ > kPerSecond) {
                ++suppressed_;
                return;
            }
            suppressed = suppressed_;
            suppressed_ = 0;
        }
        nlohmann::json line = {{"time", now},
                               {"level", level_of(r.kind)},
                               {"kind", imcb::to_string(r.kind)},
                               {"message", r.message},
                               {"command", r.command},
                               {"remote", r.remote_addr},
                               {"request_id", r.request_id}};
        if (suppressed > 0) line["suppressed_before"] = suppressed;
        write_line(stderr, line);
    }

  private:
    static constexpr int kPerSecond = 50;
    std::mutex mu_;
    std::int64_t second_ = 0;
    int in_second_ = 0;
    std::uint64_t suppressed_ = 0;
};

struct Demo {
    std::vector<std::string> blocked_words;

    void log(const imcb::CallbackContext& ctx, const std::string& outcome) {
        nlohmann::json line = {
            {"time", static_cast<std::int64_t>(std::time(nullptr))},
            {"request_id", ctx.request_id},
            {"command", ctx.command},
            {"outcome", outcome},
            {"vendor", ctx.peer_identity().common_name},
            {"resumed", ctx.peer_identity().session_resumed},
            {"remote", ctx.remote_addr},
            {"client_ip", ctx.client_ip},
            {"platform", ctx.opt_platform},
            {"key", ctx.event_key()},
            {"attempt", ctx.delivery_attempt},
            {"body", ctx.raw()},
        };
        write_line(stdout, line);
    }

    // The first blocked word any text element of the message contains, or empty.
    std::string blocked(const std::vector<imcb::MsgElement>& body) const {
        for (const auto& element : body) {
            const std::string text = element.text();
            for (const auto& word : blocked_words) {
                if (!word.empty() && text.find(word) != std::string::npos) return word;
            }
        }
        return {};
    }
};

constexpr const char* kHelp =
    "usage: imcb-server --config FILE [--check]\n"
    "       imcb-server --help | --version\n"
    "\n"
    "Receives Tencent Cloud IM server callbacks over mutual TLS (or, with tls.client_auth \"none\",\n"
    "authenticated by the callback token alone), logs each one as a JSON line on stdout and denies\n"
    "C2C and group messages containing one of app.blocked_words.\n"
    "\n"
    "options:\n"
    "  --config FILE  the JSON configuration; its keys are listed in imcb-server(1) and\n"
    "                 docs/configuration.md. Relative paths in it are relative to FILE's folder.\n"
    "  --check        validate the configuration and every certificate, key, CA and CRL it names,\n"
    "                 print a summary and exit (0: the server would start; 1: what to fix)\n"
    "  --help, -h     print this help and exit\n"
    "  --version      print the version and exit\n"
    "\n"
    "signals:\n"
    "  SIGHUP           reload the server certificate and key, vendor CAs, CRLs, pins, callback\n"
    "                   tokens and allow_sources from FILE (systemctl reload imcb-server)\n"
    "  SIGTERM, SIGINT  stop accepting, let callbacks in flight finish (timeouts.shutdown_ms), exit 0\n"
    "\n"
    "exit status: 0 after a stop signal or a passed --check; 1 a configuration or file error (the\n"
    "message says what to fix); 2 bad arguments\n";

int usage() {
    std::fputs(kHelp, stderr);
    return 2;
}

}  // namespace

int main(int argc, char** argv) {
    std::string config_path;
    bool check_only = false;
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        if (arg == "--config" && i + 1 < argc) {
            config_path = argv[++i];
        } else if (arg == "--check") {
            check_only = true;
        } else if (arg == "--help" || arg == "-h") {
            std::fputs(kHelp, stdout);
            return 0;
        } else if (arg == "--version") {
            std::printf("imcb-server %d.%d.%d\n", IMCB_VERSION_MAJOR, IMCB_VERSION_MINOR, IMCB_VERSION_PATCH);
            return 0;
        } else {
            std::fprintf(stderr, "imcb-server: unknown argument \"%s\"\n", arg.c_str());
            return usage();
        }
    }
    if (config_path.empty()) return usage();

    // Signals are taken synchronously by the main thread; every other thread inherits the mask.
    sigset_t signals;
    sigemptyset(&signals);
    sigaddset(&signals, SIGINT);
    sigaddset(&signals, SIGTERM);
    sigaddset(&signals, SIGHUP);
    for (const int sig : {SIGINT, SIGTERM, SIGHUP}) std::signal(sig, SIG_DFL);  // even if inherited ignored
    pthread_sigmask(SIG_BLOCK, &signals, nullptr);
    std::signal(SIGPIPE, SIG_IGN);

    try {
        imcb::LoadedConfig config = imcb::load_config_file(config_path);
        imcb::Receiver receiver(config.options);  // validates every option and file; binds nothing
        if (check_only) {
            const imcb::TlsSummary summary = receiver.tls_summary();
            const imcb::ReceiverOptions& o = config.options;
            std::printf("configuration %s is valid\nlisten: %s:%u path: %s sdk_app_id: %llu sign: %s\n",
                        config_path.c_str(), o.host.c_str(), o.port, o.path.c_str(),
                        static_cast<unsigned long long>(o.sdk_app_id),
                        o.callback_tokens.empty() ? "off" : "required");
            // The tokens themselves are never printed: only how many there are.
            std::printf("callback tokens: %zu%s\n", o.callback_tokens.size(),
                        o.callback_tokens.size() > 1 ? " (a rotation: any of them signs)" : "");
            std::string sources;
            for (const auto& s : o.allow_sources) sources += (sources.empty() ? "" : ", ") + s;
            std::printf("allow_sources: %s\nadmin listener: %s\nfile watch: %s\n%s",
                        sources.empty() ? "any address" : sources.c_str(),
                        o.admin_listen.empty() ? "off" : o.admin_listen.c_str(), o.tls.watch ? "on" : "off",
                        imcb::to_string(summary).c_str());
            return 0;
        }

        Demo demo;
        if (config.extra.contains("blocked_words")) {
            const nlohmann::json& words = config.extra.at("blocked_words");
            const bool ok = words.is_array() && std::all_of(words.begin(), words.end(),
                                                            [](const auto& w) { return w.is_string(); });
            if (!ok) {
                log_event("error", "config", "config key \"app.blocked_words\": must be a list of strings");
                return 1;
            }
            demo.blocked_words = words.get<std::vector<std::string>>();
        }
        for (const auto& info : imcb::command_catalogue()) {
            // A chatbot pass-through is answered with RspData (empty here), everything else with OK.
            const bool pass_through = info.rules.has_rsp_data;
            receiver.on_raw(std::string(info.command),
                            [&demo, pass_through](const nlohmann::json&, const imcb::CallbackContext& ctx) {
                                demo.log(ctx, "ok");
                                return pass_through ? imcb::Decision::respond("") : imcb::Decision::allow();
                            });
        }
        receiver.on<imcb::C2CBeforeSendMsg>(
            [&demo](const imcb::C2CBeforeSendMsg& msg, const imcb::CallbackContext& ctx) {
                const std::string word = demo.blocked(msg.msg_body);
                demo.log(ctx, word.empty() ? "allow" : "deny: blocked word");
                using Reply = imcb::C2CBeforeSendMsg::Reply;
                return word.empty() ? Reply::allow() : Reply::deny(120001, "message contains a blocked word");
            });
        receiver.on<imcb::GroupBeforeSendMsg>(
            [&demo](const imcb::GroupBeforeSendMsg& msg, const imcb::CallbackContext& ctx) {
                const std::string word = demo.blocked(msg.msg_body);
                demo.log(ctx, word.empty() ? "allow" : "deny: blocked word");
                using Reply = imcb::GroupBeforeSendMsg::Reply;
                return word.empty() ? Reply::allow() : Reply::deny(10100, "message contains a blocked word");
            });
        receiver.on_unknown([&demo](const nlohmann::json&, const imcb::CallbackContext& ctx) {
            demo.log(ctx, "unknown command");
            return imcb::Decision::allow();
        });

        // SIGHUP, and a change of the config file or of the files it names (tls.watch), reload
        // the trust material, the callback tokens and allow_sources from the config file.
        receiver.reload_source([config_path] { return imcb::load_config_file(config_path).options; },
                               {config_path});
        auto reports = std::make_shared<ReportLog>();
        receiver.on_error([reports](const imcb::ErrorReport& r) { (*reports)(r); });
        const std::uint16_t port = receiver.start();
        const std::string url =
            "https://" + config.options.host + ":" + std::to_string(port) + config.options.path;
        nlohmann::json started = {{"url", url},
                                  {"port", port},
                                  {"mode", imcb::to_string(config.options.tls.mode)},
                                  {"sdk_app_id", config.options.sdk_app_id},
                                  {"client_auth", imcb::to_string(config.options.tls.client_auth)}};
        if (receiver.admin_port() != 0) started["admin_port"] = receiver.admin_port();
        log_event(
            "info", "start",
            "listening on " + url + " (mode " + imcb::to_string(config.options.tls.mode) + ", SdkAppid " +
                std::to_string(config.options.sdk_app_id) + ")" +
                (config.options.tls.client_auth == imcb::ClientAuth::None
                     ? "; client_auth none: the vendor is authenticated by Sign alone (no client certificate)"
                     : "; mutual TLS: the vendor's client certificate is required"),
            started);

        for (;;) {
            int sig = 0;
            sigwait(&signals, &sig);
            if (sig != SIGHUP) break;
            try {
                receiver.reload();
                log_event("info", "reload",
                          "imcb-server: reloaded: trust material, callback tokens and allow_sources from " +
                              config_path + " are in force");
            } catch (const imcb::Error& e) {
                log_event("error", "reload_failed",
                          std::string("reload refused, keeping the current configuration: ") + e.what());
            }
        }
        log_event("info", "stop",
                  "stopping: no new connections; callbacks in flight have " +
                      std::to_string(config.options.shutdown_timeout.count()) + " ms (timeouts.shutdown_ms)");
        receiver.stop();
        const imcb::ReceiverStats s = receiver.stats();
        const nlohmann::json figures = {{"requests", s.requests},
                                        {"rejected", s.requests_rejected},
                                        {"handshakes", s.handshakes_completed},
                                        {"handshakes_failed", s.handshakes_failed}};
        const std::string summary = "stopped after " + std::to_string(s.requests) + " requests (" +
                                    std::to_string(s.requests_rejected) + " rejected), " +
                                    std::to_string(s.handshakes_completed) + " handshakes (" +
                                    std::to_string(s.handshakes_failed) + " failed)";
        if (s.worker_threads > 0) {
            // A handler is still running past timeouts.shutdown_ms: it cannot be interrupted, and
            // destroying the receiver would wait for it. Its connection is closed; leave now.
            log_event("warning", "stop",
                      summary + "; " + std::to_string(s.worker_threads) +
                          " worker(s) still in a handler after timeouts.shutdown_ms: exiting without them",
                      figures);
            std::fflush(stdout);
            std::_Exit(0);
        }
        log_event("info", "stop", summary, figures);
        return 0;
    } catch (const imcb::Error& e) {
        log_event("error", "config", e.what());
        return 1;
    } catch (const std::exception& e) {
        log_event("error", "config", e.what());
        return 1;
    }
}
