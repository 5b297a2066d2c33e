// imcb-server: receives the vendor's callbacks over mutual TLS, logs each one as a JSON line on
// stdout, and denies messages that contain a blocked word (a moderation example).
//
//   imcb-server --config FILE [--check]
//
// SIGINT/SIGTERM stop it cleanly; SIGHUP reloads the TLS files of the config without a restart.

#include <algorithm>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <iostream>
#include <mutex>
#include <string>
#include <vector>

#include <imcb/imcb.h>

namespace {

struct Demo {
    std::vector<std::string> blocked_words;
    std::mutex out_mu;

    void log(const imcb::CallbackContext& ctx, const std::string& outcome) {
        nlohmann::json line = {
            {"time", static_cast<std::int64_t>(std::time(nullptr))},
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
        // ASCII only: JSON escapes C0 controls either way, but DEL, C1 controls (U+0080..U+009F,
        // which terminals act on) and the rest of the request's text then leave as \uXXXX too.
        const std::string text = line.dump(-1, ' ', true, nlohmann::json::error_handler_t::replace);
        std::lock_guard<std::mutex> lock(out_mu);
        std::fprintf(stdout, "%s\n", text.c_str());
        std::fflush(stdout);
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

int usage() {
    std::fprintf(stderr,
                 "usage: imcb-server --config FILE [--check]\n"
                 "  --config FILE  JSON configuration (see docs/configuration.md)\n"
                 "  --check        validate the configuration and certificates, print a summary, exit\n");
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
            usage();
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
            std::printf("configuration %s is valid\nlisten: %s:%u path: %s sdk_app_id: %llu sign: %s\n%s",
                        config_path.c_str(), config.options.host.c_str(), config.options.port,
                        config.options.path.c_str(),
                        static_cast<unsigned long long>(config.options.sdk_app_id),
                        config.options.callback_token.empty() ? "off" : "required",
                        imcb::to_string(summary).c_str());
            return 0;
        }

        Demo demo;
        if (config.extra.contains("blocked_words")) {
            const nlohmann::json& words = config.extra.at("blocked_words");
            const bool ok = words.is_array() && std::all_of(words.begin(), words.end(),
                                                            [](const auto& w) { return w.is_string(); });
            if (!ok) {
                std::fprintf(stderr, "imcb-server: config key \"app.blocked_words\": must be a list of strings\n");
                return 1;
            }
            demo.blocked_words = words.get<std::vector<std::string>>();
        }
        for (const auto& info : imcb::command_catalogue()) {
            receiver.on_raw(std::string(info.command),
                            [&demo](const nlohmann::json&, const imcb::CallbackContext& ctx) {
                                demo.log(ctx, "ok");
                                return imcb::Decision::allow();
                            });
        }
        receiver.on<imcb::C2CBeforeSendMsg>(
            [&demo](const imcb::C2CBeforeSendMsg& msg, const imcb::CallbackContext& ctx) {
                const std::string word = demo.blocked(msg.msg_body);
                demo.log(ctx, word.empty() ? "allow" : "deny: blocked word");
                using Reply = imcb::C2CBeforeSendMsg::Reply;
                return word.empty() ? Reply::allow()
                                    : Reply::deny(120001, "message contains a blocked word");
            });
        receiver.on<imcb::GroupBeforeSendMsg>(
            [&demo](const imcb::GroupBeforeSendMsg& msg, const imcb::CallbackContext& ctx) {
                const std::string word = demo.blocked(msg.msg_body);
                demo.log(ctx, word.empty() ? "allow" : "deny: blocked word");
                using Reply = imcb::GroupBeforeSendMsg::Reply;
                return word.empty() ? Reply::allow()
                                    : Reply::deny(10100, "message contains a blocked word");
            });
        receiver.on_unknown([&demo](const nlohmann::json&, const imcb::CallbackContext& ctx) {
            demo.log(ctx, "unknown command");
            return imcb::Decision::allow();
        });

        const std::uint16_t port = receiver.start();
        std::fprintf(stderr, "imcb-server: listening on https://%s:%u%s (mode %s, SdkAppid %llu)\n",
                     config.options.host.c_str(), port, config.options.path.c_str(),
                     imcb::to_string(config.options.tls.mode),
                     static_cast<unsigned long long>(config.options.sdk_app_id));

        for (;;) {
            int sig = 0;
            sigwait(&signals, &sig);
            if (sig != SIGHUP) break;
            try {
                receiver.reload_tls(imcb::load_config_file(config_path).options.tls);
                std::fprintf(stderr, "imcb-server: TLS files reloaded\n");
            } catch (const imcb::Error& e) {
                std::fprintf(stderr, "imcb-server: reload refused, keeping the current TLS files: %s\n",
                             e.what());
            }
        }
        std::fprintf(stderr, "imcb-server: stopping\n");
        receiver.stop();
        const imcb::ReceiverStats s = receiver.stats();
        std::fprintf(stderr,
                     "imcb-server: stopped after %llu requests (%llu rejected), %llu handshakes "
                     "(%llu failed)\n",
                     static_cast<unsigned long long>(s.requests),
                     static_cast<unsigned long long>(s.requests_rejected),
                     static_cast<unsigned long long>(s.handshakes_completed),
                     static_cast<unsigned long long>(s.handshakes_failed));
        return 0;
    } catch (const imcb::Error& e) {
        std::fprintf(stderr, "imcb-server: %s\n", e.what());
        return 1;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "imcb-server: %s\n", e.what());
        return 1;
    }
}
