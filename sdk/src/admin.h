#pragma once

// The admin listener (admin.listen): plain HTTP/1.1 on its own small thread, apart from the
// callback port. GET /metrics (Prometheus text format 0.0.4), GET /healthz (200 while the process
// runs), GET /readyz (200 when ready, else 503); other paths 404, other methods 405. Bounded: at
// most kMaxClients connections, a small request head, a short deadline per connection, and one
// reply per connection (Connection: close).

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <thread>

namespace imcb::detail {

class AdminServer {
  public:
    struct Handlers {
        std::function<std::string()> metrics_text;  ///< the body of GET /metrics
        std::function<bool()> ready;                ///< GET /readyz: 200 or 503
    };
    static constexpr std::size_t kMaxClients = 16;
    static constexpr std::size_t kMaxHeadBytes = 8 * 1024;
    static constexpr std::chrono::milliseconds kClientDeadline{2000};

    AdminServer(std::string listen, Handlers handlers);
    ~AdminServer();
    AdminServer(const AdminServer&) = delete;
    AdminServer& operator=(const AdminServer&) = delete;

    /// Binds and starts the thread; returns the bound port. Throws ConfigError naming admin.listen
    /// when the address is malformed, cannot be resolved, or cannot be bound (taken).
    std::uint16_t start();
    /// Closes the listener and every connection; joins the thread. Idempotent.
    void stop() noexcept;
    std::uint16_t port() const noexcept { return port_.load(); }
    /// After start(): a warning when the address is not a loopback one, else empty.
    const std::string& warning() const noexcept { return warning_; }

    /// The reply to one request head (the whole HTTP response); exposed for tests.
    std::string respond(std::string_view head) const;

  private:
    void loop();

    std::string listen_;
    Handlers handlers_;
    int listen_fd_ = -1;
    int wake_fd_ = -1;
    std::atomic<std::uint16_t> port_{0};
    std::string warning_;
    std::thread thread_;
};

/// Splits "host:port" ("[::1]:9464" for IPv6) into its parts; false when malformed.
bool split_host_port(std::string_view text, std::string& host, std::uint16_t& port);

}  // namespace imcb::detail
