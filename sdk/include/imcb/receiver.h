#pragma once

// imcb::Receiver: an HTTPS server that accepts the vendor's callbacks over mutual TLS.
//
// The request pipeline, in order; a request that fails a stage never reaches the next one:
//
//   accept ─► TLS handshake ─► vendor identity ─► HTTP framing ─► query check ─► JSON parse
//             (chain to the     (CN/SAN and SPKI   (POST, path,     (SdkAppid,     (400 on
//              vendor CA, TLS    pins; also on      Content-Length  Sign and       malformed)
//              1.2+; failures    resumed sessions)  bound, no       RequestTime)
//              are TLS alerts)                      encodings)          │
//                                                                       ▼
//   reply ◄─ decision check ◄─ handler (typed event, raw or unknown) ◄─ typed decode
//   (JSON     (the command's                                            (400 when the body
//    envelope) DecisionRules)                                            lacks documented fields)
//
// Threading: handlers run on the receiver's worker threads, several at a time, one request per
// connection at a time. A handler that blocks holds one worker; the pool grows up to
// ReceiverOptions::max_threads so that other connections keep being served. Idle keep-alive
// connections and handshakes in progress hold no thread.

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "imcb/commands.h"
#include "imcb/config_check.h"
#include "imcb/context.h"
#include "imcb/decision.h"
#include "imcb/decode.h"
#include "imcb/errors.h"
#include "imcb/events.h"
#include "imcb/export.h"
#include "imcb/handlers.h"
#include "imcb/metrics.h"
#include "imcb/options.h"
#include "imcb/stats.h"

namespace imcb {

class IMCB_API Receiver {
  public:
    /// Validates every option and file; throws ConfigError with the fix when something is wrong.
    explicit Receiver(ReceiverOptions options);
    ~Receiver();  ///< stop()s and joins
    Receiver(const Receiver&) = delete;
    Receiver& operator=(const Receiver&) = delete;
    /// Movable, also while serving (handlers, threads and listeners stay with the moved state).
    /// A moved-from Receiver may only be destroyed or assigned to; assigning stop()s the target.
    Receiver(Receiver&& other) noexcept;
    Receiver& operator=(Receiver&& other) noexcept;

    /// Typed handler. Before-events: Reply<Event>(const Event&, const CallbackContext&).
    /// After-events: void(const Event&, const CallbackContext&). Batched commands (Push.*) call
    /// the handler once per event of the batch, in order. Register before start().
    template <class Event, class F>
    Receiver& on(F&& handler) {
        static_assert(is_known_event_v<Event>, "Event must be listed in imcb::KnownEvents");
        if constexpr (Event::kPhase == Phase::Before) {
            static_assert(std::is_invocable_r_v<Reply<Event>, F&, const Event&, const CallbackContext&>,
                          "a before-callback handler returns imcb::Reply<Event> (also spelled Event::Reply)");
            return add_handler(
                Event::kCommand,
                [fn = std::forward<F>(handler)](const nlohmann::json& body,
                                                const CallbackContext& ctx) mutable -> Decision {
                    const Event event = detail::decode_event<Event>(body);
                    Reply<Event> reply = fn(event, ctx);
                    return reply.decision();
                });
        } else {
            static_assert(std::is_invocable_v<F&, const Event&, const CallbackContext&>,
                          "an after-callback handler takes (const Event&, const CallbackContext&)");
            return add_handler(
                Event::kCommand,
                [fn = std::forward<F>(handler)](const nlohmann::json& body,
                                                const CallbackContext& ctx) mutable -> Decision {
                    const Event event = detail::decode_event<Event>(body);
                    fn(event, ctx);
                    return Decision::allow();
                });
        }
    }

    /// Handler by command name, known or not; replaces a typed one for the same command.
    Receiver& on_raw(std::string command, RawHandler handler);
    /// Called for commands with no handler that the SDK does not know. Without it they get OK.
    Receiver& on_unknown(RawHandler handler);
    /// Request-time problems (rejections, handler failures, handshake failures). Called on worker
    /// threads; keep it quick. Without it, reports go to stderr, at most one line per second.
    Receiver& on_error(ErrorHandler handler);

    /// Binds, starts serving on background threads, returns the bound port. Throws ConfigError
    /// when the address is taken (a second instance on the same port is refused, not shared).
    std::uint16_t start();
    /// Stops accepting, lets requests in flight finish for at most options().shutdown_timeout,
    /// closes connections. Idempotent. Called from a handler it only requests the stop (a worker
    /// cannot wait for itself); call it again, or destroy the Receiver, from another thread to
    /// complete it.
    void stop() noexcept;

    /// Runs the receiver until a stop signal: start()s it unless it is started, then waits for
    /// SIGINT or SIGTERM, stop()s and returns that signal's number. SIGHUP reloads (reload(); the
    /// outcome is reported to on_error as TrustReloaded or ReloadFailed, and the last good state
    /// stays in force on failure) and goes on waiting. A stop() requested elsewhere (from a
    /// handler, say) is completed here, and then it returns 0. The three signals are blocked in
    /// the calling thread, and stay blocked; the receiver's own threads block every asynchronous
    /// signal. Call it from main() before starting threads of your own, or block the three
    /// signals in those too, so that none of them takes a signal meant for this wait. Throws what
    /// start() throws (and then leaves the calling thread's signal mask as it was).
    int run_until_signal();

    /// Reloads the trust material (the whole tls part: the server certificate and key, the vendor
    /// CAs, the CRLs, the identity pins...), the callback tokens and allow_sources. Everything is
    /// validated first; on failure it throws ConfigError (and counts a failed reload) and the last
    /// good state stays in force. New handshakes use the new material at once; no session from
    /// before is resumed; open connections stay open, and see the new tokens from their next
    /// request; allow_sources applies to new connections. Other options (tls.watch included) need
    /// a restart and are left unchanged whatever `options` holds. Reloads are serialised; callable
    /// from any thread, before or after start().
    /// Without arguments, the options come from the reload source (below), else the files named
    /// by the options in force are read again.
    void reload();
    void reload(const ReceiverOptions& options);
    /// Shorthand: reload with these TLS options, the rest unchanged.
    void reload_tls(const TlsOptions& tls);
    /// Where reload() and the file watcher (tls.watch) take their options from, e.g. a parse of
    /// the configuration file; `also_watch` lists files, besides the certificate files, whose
    /// change triggers a reload (the configuration file itself). Set before start().
    Receiver& reload_source(std::function<ReceiverOptions()> source,
                            std::vector<std::string> also_watch = {});

    ReceiverStats stats() const;
    /// Every figure the admin listener's /metrics serves.
    Metrics metrics() const;
    /// Listening, with valid trust material (GET /readyz).
    bool ready() const;
    /// The admin listener's bound port (0 when admin_listen is empty or before start()).
    std::uint16_t admin_port() const;
    /// The certificates and identity rules in force, with their warnings.
    TlsSummary tls_summary() const;
    /// A copy of the options in force (reload_tls changes the tls part).
    ReceiverOptions options() const;

  private:
    Receiver& add_handler(std::string_view command, RawHandler handler);
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace imcb
