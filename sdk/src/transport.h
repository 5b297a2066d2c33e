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
#include <list>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include <openssl/ssl.h>

#include "imcb/context.h"
#include "runtime.h"
#include "source_filter.h"
#include "tls_context.h"

namespace imcb::detail {

struct TransportOptions {
    std::string host;
    std::uint16_t port = 0;
    int backlog = 1024;
    std::size_t max_connections = 10000;
    std::size_t max_handshaking = 1024;
    std::size_t max_connections_per_ip = 512;
    std::size_t min_threads = 4;
    std::size_t max_threads = 256;
    std::chrono::milliseconds handshake_timeout{10000};
    std::chrono::milliseconds request_timeout{10000};
    std::chrono::milliseconds keep_alive_timeout{75000};
    std::size_t keep_alive_max_requests = 100000;
    /// The allow_sources in force, read at each accept (a reload swaps it); empty or returning
    /// null: every address is allowed.
    std::function<std::shared_ptr<const SourceFilter>()> sources;
    /// How long stop() lets requests in flight finish before it closes their connections.
    std::chrono::milliseconds shutdown_timeout{5000};
    /// Starts the transport's threads (workers, then the housekeeper); empty: detail::start_thread
    /// (signals blocked, named). Tests replace it to make thread creation fail the way std::thread
    /// does (std::system_error).
    std::function<std::thread(std::function<void()>)> start_thread;
};

/// The deadline guard's hold on one request whose before-handler is running: the worker that runs
/// it and the housekeeper share it, so that neither needs the other to still hold the connection.
/// At the deadline the housekeeper takes the request over (`state` armed -> kTaking), re-arms the
/// connection in epoll, and another worker sends `reply` and goes on serving the connection; the
/// handler's worker then leaves the connection alone.
struct Rescue {
    static constexpr std::int64_t kTaking = -1;      // the housekeeper is handing it over
    static constexpr std::int64_t kHandedOver = -2;  // another worker answers and owns it
    static constexpr std::int64_t kFailed = -3;      // could not re-arm: the handler's worker keeps it
    static constexpr std::int64_t kDisarmed = -4;    // the handler decided in time

    Rescue(std::string reply_, std::size_t consumed_, bool keep_alive_, std::string command_,
           std::int64_t deadline_ms)
        : reply(std::move(reply_)),
          consumed(consumed_),
          keep_alive(keep_alive_),
          command(std::move(command_)),
          deadline(deadline_ms),
          state(deadline_ms) {}

    /// By the handler's worker once the handler returned: true when it still owns the connection
    /// (in time, or the hand-over failed), false when it must never touch the connection again.
    bool disarm() noexcept;

    const std::string reply;      // the whole HTTP response the guard sends
    const std::size_t consumed;   // request bytes to drop from the input before sending it
    const bool keep_alive;
    const std::string command;    // for the report
    const std::int64_t deadline;  // steady clock, ms
    std::atomic<std::int64_t> state;  // == deadline while armed
};

/// What became of a request a worker served.
enum class Served {
    KeepOpen,   // answered; the connection can take the next request
    Close,      // answered (or failed); close the connection
    HandedOff,  // the deadline guard answered it and the connection went on without this worker
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

    /// Deadline guard: until the returned Rescue is disarmed, the housekeeper may send `reply`
    /// on this connection's behalf at `deadline` (see Rescue). Only the owning worker calls these.
    std::shared_ptr<Rescue> arm_rescue(std::string reply, std::size_t consumed, bool keep_alive,
                                       std::string command, std::chrono::steady_clock::time_point deadline);
    void clear_rescue();

    const SSL* ssl() const noexcept { return ssl_.get(); }
    int fd() const noexcept { return fd_; }
    const std::string& remote_ip() const noexcept { return remote_ip_; }
    int remote_port() const noexcept { return remote_port_; }
    const std::string& remote_addr() const noexcept { return remote_addr_; }
    const PeerIdentity& peer() const noexcept { return *peer_; }
    const std::shared_ptr<const PeerIdentity>& shared_peer() const noexcept { return peer_; }
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

    // Deadline while parked, ms on the steady clock; kOwned while a worker holds it; kExpired or
    // kEvicted once the housekeeper or the accepting worker has shut it down.
    static constexpr std::int64_t kOwned = 0;
    static constexpr std::int64_t kExpired = -1;
    static constexpr std::int64_t kEvicted = -2;  // closed to make room under max_handshaking
    std::atomic<std::int64_t> deadline_{kOwned};
    std::chrono::steady_clock::time_point handshake_deadline_;
    // Its place in Transport::handshakes_ while handshaking (guarded by Transport::conns_mu_).
    std::list<Connection*>::iterator handshake_pos_{};
    bool handshake_listed_ = false;

    std::vector<char> in_;
    std::size_t in_pos_ = 0;
    std::size_t in_len_ = 0;
    std::string out_;
    std::chrono::steady_clock::time_point request_deadline_;
    std::size_t requests_served_ = 0;
    bool close_requested_ = false;

    std::mutex rescue_mu_;  // guards the pointer: the owner sets it, the housekeeper reads it
    std::shared_ptr<Rescue> rescue_;
};

/// Serves one request from an established connection.
class RequestServer {
  public:
    virtual ~RequestServer() = default;
    virtual Served serve(Connection& conn, bool last_request) = 0;
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
    /// Graceful stop: stops accepting at once, closes idle connections, lets requests in flight
    /// finish for at most shutdown_timeout, then closes the connections left. A handler still
    /// running then cannot be interrupted: stop() returns anyway (stopped() stays false), and the
    /// destructor (or a later stop()) waits for it. From a worker thread it only begins the stop.
    void stop() noexcept;
    bool stopping() const noexcept { return stopping_.load(); }
    /// False while serving, and after a stop() that a handler asked for but could not complete.
    bool stopped() const noexcept { return !started_.load(); }

  private:
    void worker_loop();
    bool spawn_worker();  ///< false when no thread could be started
    void housekeeping_loop();
    void accept_batch();
    void handle_event(Connection* c);
    void on_event(Connection* c);
    bool advance_handshake(Connection* c);
    bool established(Connection* c);
    /// The handshake is done and the peer admitted: counts it and starts serving requests.
    bool admit_peer(Connection* c, std::shared_ptr<PeerIdentity> identity, bool resumed);
    /// Counts a failed handshake by reason and reports it (rate limited: see handshake_reports_).
    void handshake_failed(Connection* c, HandshakeFailure reason, std::string why, bool identity);
    void serve_ready(Connection* c);
    bool answer_rescued(Connection* c, const std::shared_ptr<Rescue>& rescue);
    void take_over_late_requests(std::int64_t now_ms);
    void park(Connection* c, std::uint32_t events, std::chrono::steady_clock::time_point deadline);
    void close_connection(Connection* c, bool linger);
    void rearm_listener();
    // The stop path: begin_drain() once (no more accepting, idle connections shut down);
    // shut_parked() for connections parked since; force_close() at shutdown_timeout; finish()
    // joins every thread and frees what is left once no worker runs.
    void begin_drain() noexcept;
    void shut_parked() noexcept;  // under conns_mu_
    void force_close() noexcept;
    void wake_workers() noexcept;
    void finish() noexcept;

    // Connection caps (see accept_batch). admit() counts the peer address and makes room among
    // the handshakes in progress; `evicted` receives the address of a handshake it closed.
    enum class Admission { Admitted, OverPerIp, OverHandshaking };
    Admission admit(const std::string& ip, std::string& evicted);
    bool evict_oldest_handshake(std::string& evicted);  // under conns_mu_
    void forget_handshake(Connection* c);               // under conns_mu_
    void release_peer(const std::string& ip);           // under conns_mu_
    void report_limit(Throttle& throttle, std::string message, const std::string& remote_addr);

    TransportOptions options_;
    TrustSource trust_;
    RequestServer& server_;
    const Reporter& reporter_;
    Counters& counters_;

    int listen_fd_ = -1;
    int epoll_fd_ = -1;
    int wake_fd_ = -1;
    std::atomic<bool> stopping_{false};
    std::atomic<bool> closing_{false};  // workers exit: drained, or forced
    std::atomic<bool> housekeeper_exit_{false};
    std::atomic<bool> started_{false};
    std::mutex stop_mu_;  // one stop() at a time
    std::atomic<std::int64_t> drain_deadline_ms_{0};  // steady clock; 0 until the drain begins
    std::atomic<bool> listener_paused_{false};

    std::mutex conns_mu_;
    std::unordered_set<Connection*> conns_;
    std::list<Connection*> handshakes_;                  // handshaking, oldest first
    std::unordered_map<std::string, std::size_t> per_ip_;  // open connections by peer address
    Throttle refused_reports_;
    Throttle per_ip_reports_;
    Throttle handshaking_reports_;  // limits.max_handshaking
    Throttle handshake_reports_;    // failed handshakes
    Throttle source_reports_;
    Throttle crl_reports_{std::chrono::minutes(1)};  // an expired CRL accepted under "warn"

    std::mutex threads_mu_;
    std::condition_variable threads_cv_;
    std::map<std::thread::id, std::thread> workers_;
    std::vector<std::thread::id> finished_;
    std::size_t live_workers_ = 0;
    std::atomic<std::size_t> idle_workers_{0};
    std::atomic<std::size_t> blocked_workers_{0};  // in a BlockingScope (waiting for the disk)
    std::atomic<std::int64_t> last_progress_ms_{0};  // when a worker last finished an event
    std::thread housekeeper_;
};

}  // namespace imcb::detail
