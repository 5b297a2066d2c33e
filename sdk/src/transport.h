#pragma once

// The connection model. Worker threads share one epoll set; every socket is registered
// EPOLLONESHOT, so exactly one worker owns a connection while something happens on it:
//
//   accept ─► handshake (non-blocking, overall deadline) ─► parked ◄──────────────┐
//                                                            │ bytes arrive        │ no more input
//                                                            ▼                     │
//                                                     a worker serves requests ────┘
//                                                     (pipelined ones in a row)
//
// A parked connection (idle keep-alive, or a handshake waiting for bytes) holds no thread and
// costs no CPU. A housekeeping thread shuts down connections whose deadline passed (handshake
// timeout, keep-alive timeout), which wakes their owner, and adds a worker when every worker has
// been busy without finishing anything for a while (handlers blocked on I/O, say).

#include <sys/types.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_set>
#include <vector>

#include <openssl/ssl.h>

#include "imcb/context.h"
#include "runtime.h"
#include "tls_context.h"

namespace imcb::detail {

struct TransportOptions {
    std::string host;
    std::uint16_t port = 0;
    int backlog = 1024;
    std::size_t max_connections = 10000;
    std::size_t min_threads = 4;
    std::size_t max_threads = 256;
    std::chrono::milliseconds handshake_timeout{10000};
    std::chrono::milliseconds request_timeout{10000};
    std::chrono::milliseconds keep_alive_timeout{75000};
    std::size_t keep_alive_max_requests = 100000;
    /// Starts the transport's threads (workers, then the housekeeper); empty: std::thread. Tests
    /// replace it to make thread creation fail the way std::thread does (std::system_error).
    std::function<std::thread(std::function<void()>)> start_thread;
};

/// One accepted connection. While a worker serves a request, it reads and writes through here,
/// waiting at most until the request deadline.
class Connection {
  public:
    Connection(int fd, SslPtr ssl, std::shared_ptr<const TrustSnapshot> trust,
               std::string remote_ip, int remote_port);
    ~Connection();
    Connection(const Connection&) = delete;
    Connection& operator=(const Connection&) = delete;

    // Request-scoped I/O, used by the HTTP layer. Input is read into one buffer that the HTTP
    // layer parses in place; the reply is collected and sent as one TLS record.
    void begin_request(std::chrono::milliseconds timeout);
    std::string_view buffered() const noexcept { return {in_.data() + in_pos_, in_len_ - in_pos_}; }
    void consume(std::size_t n) noexcept { in_pos_ += n; }
    /// Waits (until the request deadline) for more input and appends it to buffered(); keeps the
    /// buffer within `limit` bytes. False on timeout, close, error or a full buffer.
    bool read_more(std::size_t limit);
    void write(std::string_view data) { out_.append(data); }
    bool flush();
    void close_after_response() noexcept { close_requested_ = true; }

    const SSL* ssl() const noexcept { return ssl_.get(); }
    int fd() const noexcept { return fd_; }
    const std::string& remote_ip() const noexcept { return remote_ip_; }
    int remote_port() const noexcept { return remote_port_; }
    const std::string& remote_addr() const noexcept { return remote_addr_; }
    const PeerIdentity& peer() const noexcept { return *peer_; }
    std::size_t requests_served() const noexcept { return requests_served_; }

  private:
    friend class Transport;
    enum class State { Handshaking, Established };
    enum class Io { Data, WantRead, WantWrite, Closed };

    Io fill();  // one SSL_read into the input buffer, non-blocking
    bool wait(short events, std::chrono::steady_clock::time_point deadline);
    void release_idle_buffers();

    int fd_;
    SslPtr ssl_;
    std::shared_ptr<const TrustSnapshot> trust_;
    std::string remote_ip_;
    int remote_port_;
    std::string remote_addr_;
    HandshakeNote note_;
    State state_ = State::Handshaking;
    std::shared_ptr<const PeerIdentity> peer_;

    // Deadline while parked, ms on the steady clock; kOwned while a worker holds it.
    static constexpr std::int64_t kOwned = 0;
    static constexpr std::int64_t kExpired = -1;
    std::atomic<std::int64_t> deadline_{kOwned};
    std::chrono::steady_clock::time_point handshake_deadline_;

    std::vector<char> in_;
    std::size_t in_pos_ = 0;
    std::size_t in_len_ = 0;
    std::string out_;
    std::chrono::steady_clock::time_point request_deadline_;
    std::size_t requests_served_ = 0;
    bool close_requested_ = false;
};

/// Serves one request from an established connection; returns false to close it.
class RequestServer {
  public:
    virtual ~RequestServer() = default;
    virtual bool serve(Connection& conn, bool last_request) = 0;
};

class Transport {
  public:
    using TrustSource = std::function<std::shared_ptr<const TrustSnapshot>()>;

    Transport(TransportOptions options, TrustSource trust, RequestServer& server,
              const Reporter& reporter, Counters& counters);
    ~Transport();
    Transport(const Transport&) = delete;
    Transport& operator=(const Transport&) = delete;

    /// Binds and starts the threads; returns the bound port. Throws ConfigError.
    std::uint16_t start();
    void stop() noexcept;
    bool stopping() const noexcept { return stopping_.load(); }

  private:
    void worker_loop();
    bool spawn_worker();  ///< false when no thread could be started
    void housekeeping_loop();
    void accept_batch();
    void handle_event(Connection* c);
    void on_event(Connection* c);
    bool advance_handshake(Connection* c);
    bool established(Connection* c);
    void serve_ready(Connection* c);
    void park(Connection* c, std::uint32_t events, std::chrono::steady_clock::time_point deadline);
    void close_connection(Connection* c, bool linger);
    void rearm_listener();

    TransportOptions options_;
    TrustSource trust_;
    RequestServer& server_;
    const Reporter& reporter_;
    Counters& counters_;

    int listen_fd_ = -1;
    int epoll_fd_ = -1;
    int wake_fd_ = -1;
    std::atomic<bool> stopping_{false};
    std::atomic<bool> started_{false};
    std::atomic<bool> listener_paused_{false};

    std::mutex conns_mu_;
    std::unordered_set<Connection*> conns_;

    std::mutex threads_mu_;
    std::condition_variable threads_cv_;
    std::map<std::thread::id, std::thread> workers_;
    std::vector<std::thread::id> finished_;
    std::size_t live_workers_ = 0;
    std::atomic<std::size_t> idle_workers_{0};
    std::atomic<std::int64_t> last_progress_ms_{0};  // when a worker last finished an event
    std::thread housekeeper_;
};

}  // namespace imcb::detail
