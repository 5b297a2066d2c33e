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

#include "connection.h"
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

/// Serves one request from an established connection.
class RequestServer {
  public:
    virtual ~RequestServer() = default;
    virtual Served serve(Connection& conn, bool last_request) = 0;
};

class Transport {
  public:
    using TrustSource = std::function<std::shared_ptr<const TrustSnapshot>()>;

    Transport(TransportOptions options, TrustSource trust, RequestServer& server, const Reporter& reporter,
              Counters& counters);
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
    std::mutex stop_mu_;                              // one stop() at a time
    std::atomic<std::int64_t> drain_deadline_ms_{0};  // steady clock; 0 until the drain begins
    std::atomic<bool> listener_paused_{false};

    std::mutex conns_mu_;
    std::unordered_set<Connection*> conns_;
    std::list<Connection*> handshakes_;                    // handshaking, oldest first
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
    std::atomic<std::size_t> blocked_workers_{0};    // in a BlockingScope (waiting for the disk)
    std::atomic<std::int64_t> last_progress_ms_{0};  // when a worker last finished an event
    std::thread housekeeper_;
};

}  // namespace imcb::detail
