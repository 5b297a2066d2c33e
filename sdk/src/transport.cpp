#include "transport.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <system_error>

#include <openssl/err.h>

#include "imcb/errors.h"
#include "handshake_reason.h"
#include "threads.h"

namespace imcb::detail {
namespace {

using Clock = std::chrono::steady_clock;
constexpr int kAcceptBatch = 64;
constexpr auto kHousekeepingTick = std::chrono::milliseconds(50);
constexpr auto kLingerTime = std::chrono::milliseconds(500);
constexpr std::size_t kLingerBytes = 1024 * 1024;
constexpr int kIdleWorkerExitMs = 30000;
constexpr std::int64_t kStallMs = 20;
constexpr auto kForceGrace = std::chrono::milliseconds(250);  // after shutdown_timeout

// Tags for the two non-connection entries in the epoll set.
char g_listener_tag;
char g_wake_tag;

std::int64_t to_ms(Clock::time_point t) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

std::thread start_thread(const TransportOptions& options, const char* name, std::function<void()> body) {
    return options.start_thread ? options.start_thread(std::move(body))
                                : detail::start_thread(name, std::move(body));
}

void describe_sockaddr(const sockaddr_storage& ss, std::string& ip, int& port) {
    char buf[INET6_ADDRSTRLEN] = {};
    if (ss.ss_family == AF_INET) {
        const auto* a = reinterpret_cast<const sockaddr_in*>(&ss);
        inet_ntop(AF_INET, &a->sin_addr, buf, sizeof buf);
        port = ntohs(a->sin_port);
    } else if (ss.ss_family == AF_INET6) {
        const auto* a = reinterpret_cast<const sockaddr_in6*>(&ss);
        inet_ntop(AF_INET6, &a->sin6_addr, buf, sizeof buf);
        port = ntohs(a->sin6_port);
    }
    ip = buf;
}

}  // namespace

// ------------------------------------------------------------------ Transport

Transport::Transport(TransportOptions options, TrustSource trust, RequestServer& server,
                     const Reporter& reporter, Counters& counters)
    : options_(std::move(options)),
      trust_(std::move(trust)),
      server_(server),
      reporter_(reporter),
      counters_(counters) {}

Transport::~Transport() {
    stop();
    // A handler that outlived shutdown_timeout still runs on one of our workers, with one of our
    // connections: wait for it before anything it uses goes away.
    std::lock_guard<std::mutex> serial(stop_mu_);
    if (!started_.load()) return;
    {
        std::unique_lock<std::mutex> lock(threads_mu_);
        threads_cv_.wait(lock, [this] { return live_workers_ == 0; });
    }
    finish();
}

std::uint16_t Transport::start() {
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
    addrinfo* res = nullptr;
    const std::string port = std::to_string(options_.port);
    const std::string where = endpoint(options_.host, options_.port);
    if (const int rc = getaddrinfo(options_.host.c_str(), port.c_str(), &hints, &res); rc != 0) {
        throw ConfigError(ErrorCode::BindFailed, "listen " + where + ": cannot resolve host \"" +
                                                     options_.host + "\": " + gai_strerror(rc));
    }
    std::unique_ptr<addrinfo, decltype(&freeaddrinfo)> guard(res, freeaddrinfo);

    const int fd = ::socket(res->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        throw ConfigError(ErrorCode::BindFailed, "listen " + where + ": socket(): " + std::strerror(errno));
    }
    // SO_REUSEADDR only: a restart may reuse a port in TIME_WAIT, but a second listener on the
    // same port is refused (no SO_REUSEPORT, which would silently split the traffic).
    const int one = 1;
    ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (::bind(fd, res->ai_addr, res->ai_addrlen) != 0 || ::listen(fd, options_.backlog) != 0) {
        const int err = errno;
        ::close(fd);
        if (err == EADDRINUSE) {
            throw ConfigError(ErrorCode::PortInUse,
                              "listen " + where +
                                  ": the address is already in use (another "
                                  "imcb-server or another program listens there): stop it or choose "
                                  "another port in \"listen\"");
        }
        throw ConfigError(ErrorCode::BindFailed, "listen " + where + ": " + std::strerror(err) +
                                                     (err == EACCES ? " (ports below 1024 need "
                                                                      "CAP_NET_BIND_SERVICE)"
                                                                    : ""));
    }
    sockaddr_storage bound{};
    socklen_t len = sizeof bound;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&bound), &len);
    std::string ip;
    int bound_port = 0;
    describe_sockaddr(bound, ip, bound_port);
    listen_fd_ = fd;

    // Without its epoll set or wake-up descriptor no worker could ever wait for anything (they
    // would spin on EBADF): refuse to start, and leave nothing open.
    const auto refuse = [&](const char* call, int err) {
        for (int* f : {&wake_fd_, &epoll_fd_, &listen_fd_}) {
            if (*f >= 0) ::close(*f);
            *f = -1;
        }
        const bool fds = err == EMFILE || err == ENFILE;
        throw ConfigError(ErrorCode::StartFailed,
                          "listen " + where + ": " + call + ": " + std::strerror(err) +
                              (fds ? ": raise the open-file limit (ulimit -n, LimitNOFILE= in a "
                                     "systemd unit) or lower max_connections"
                                   : ": check the system's limits and free memory"));
    };
    epoll_fd_ = ::epoll_create1(EPOLL_CLOEXEC);
    if (epoll_fd_ < 0) refuse("epoll_create1()", errno);
    wake_fd_ = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (wake_fd_ < 0) refuse("eventfd()", errno);
    epoll_event wake{};
    wake.events = EPOLLIN;  // level-triggered: once signalled, every worker sees it
    wake.data.ptr = &g_wake_tag;
    if (::epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, wake_fd_, &wake) != 0) refuse("epoll_ctl()", errno);
    epoll_event lev{};
    lev.events = EPOLLIN | EPOLLONESHOT;
    lev.data.ptr = &g_listener_tag;
    if (::epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, listen_fd_, &lev) != 0) refuse("epoll_ctl()", errno);

    started_ = true;
    std::size_t workers = 0;
    for (std::size_t i = 0; i < std::max<std::size_t>(1, options_.min_threads); ++i) {
        if (spawn_worker()) ++workers;
    }
    // An on_error handler may have called stop() while a failure was reported: stay stopped.
    if (stopping_) return static_cast<std::uint16_t>(bound_port);
    std::string no_thread = workers == 0 ? "no worker thread could be started" : "";
    if (no_thread.empty()) {
        try {
            housekeeper_ = start_thread(options_, "imcb-housekeep", [this] { housekeeping_loop(); });
        } catch (const std::system_error& e) {
            no_thread = std::string("the housekeeping thread could not be started: ") + e.what();
        }
    }
    if (!no_thread.empty()) {
        stop();  // joins the workers there are and closes every descriptor
        throw ConfigError(ErrorCode::StartFailed,
                          "listen " + where + ": " + no_thread +
                              ": raise the limit on threads (ulimit -u, TasksMax= in a systemd "
                              "unit) or free memory");
    }
    return static_cast<std::uint16_t>(bound_port);
}

namespace {
thread_local const Transport* t_worker_of = nullptr;
}  // namespace

void Transport::stop() noexcept {
    if (t_worker_of == this) {
        // Called from a handler or on_error on one of our threads: this thread cannot wait for
        // itself. Begin the stop; the caller's stop() or destructor on another thread completes it.
        begin_drain();
        return;
    }
    std::lock_guard<std::mutex> serial(stop_mu_);
    if (!started_.load()) return;
    begin_drain();
    std::int64_t deadline_ms = drain_deadline_ms_.load();
    if (deadline_ms == 0) deadline_ms = to_ms(Clock::now() + options_.shutdown_timeout);
    const Clock::time_point deadline{std::chrono::milliseconds(deadline_ms)};
    const auto drained = [this] { return live_workers_ == 0; };
    std::unique_lock<std::mutex> lock(threads_mu_);
    if (!threads_cv_.wait_until(lock, deadline, drained)) {
        lock.unlock();
        force_close();
        lock.lock();
        // Workers not held by a handler leave at once; one in a handler stays until it returns,
        // which nothing can force: return, and let the destructor wait for it.
        if (!threads_cv_.wait_for(lock, kForceGrace, drained)) return;
    }
    lock.unlock();
    finish();
}

void Transport::begin_drain() noexcept {
    if (stopping_.exchange(true)) return;
    drain_deadline_ms_ = to_ms(Clock::now() + options_.shutdown_timeout);
    // Stop listening now (new connections are refused), but keep the descriptor until the
    // workers are gone: one of them may be in accept_batch().
    ::epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, listen_fd_, nullptr);
    ::shutdown(listen_fd_, SHUT_RDWR);
    bool empty = false;
    {
        std::lock_guard<std::mutex> lock(conns_mu_);
        shut_parked();
        empty = conns_.empty();
    }
    // Otherwise the workers go on until the last connection is closed (close_connection).
    if (empty) wake_workers();
}

void Transport::shut_parked() noexcept {
    // Idle keep-alive connections and handshakes waiting for bytes: nobody owns them, so take
    // them as an eviction would. Shutting the read side wakes the owner-to-be, which closes the
    // connection with a close_notify; requests in flight are left to finish.
    for (Connection* c : conns_) {
        std::int64_t d = c->deadline_.load();
        if (d > 0 && c->deadline_.compare_exchange_strong(d, Connection::kEvicted)) {
            ::shutdown(c->fd_, SHUT_RD);
        }
    }
}

void Transport::force_close() noexcept {
    {
        std::lock_guard<std::mutex> lock(conns_mu_);
        // A handler's reply then fails to send, and its worker closes the connection.
        for (Connection* c : conns_) ::shutdown(c->fd_, SHUT_RDWR);
    }
    wake_workers();
}

void Transport::wake_workers() noexcept {
    closing_ = true;
    const std::uint64_t one = 1;
    [[maybe_unused]] const auto w = ::write(wake_fd_, &one, sizeof one);
}

void Transport::finish() noexcept {
    housekeeper_exit_ = true;
    if (housekeeper_.joinable()) housekeeper_.join();
    for (auto& [id, t] : workers_) {
        if (t.joinable()) t.join();
    }
    workers_.clear();
    finished_.clear();
    std::unordered_set<Connection*> rest;
    {
        std::lock_guard<std::mutex> lock(conns_mu_);
        rest.swap(conns_);
    }
    for (Connection* c : rest) {
        counters_.open_connections--;
        delete c;
    }
    handshakes_.clear();
    per_ip_.clear();
    counters_.handshaking_connections = 0;
    ::close(listen_fd_);
    ::close(epoll_fd_);
    ::close(wake_fd_);
    listen_fd_ = epoll_fd_ = wake_fd_ = -1;
    started_ = false;
}

bool Transport::spawn_worker() {
    std::string failure;
    {
        std::lock_guard<std::mutex> lock(threads_mu_);
        if (stopping_ || live_workers_ >= std::max<std::size_t>(1, options_.max_threads)) return true;
        try {
            std::thread t = start_thread(options_, "imcb-worker", [this] { worker_loop(); });
            ++live_workers_;
            counters_.worker_threads = live_workers_;
            const auto id = t.get_id();
            workers_.emplace(id, std::move(t));
            return true;
        } catch (const std::system_error& e) {
            failure = e.what();
        }
    }
    // The thread limit is reached: keep serving with the workers there are. Reported once the
    // lock is released: on_error is the user's code, and it may call stop(), which takes it.
    reporter_.report(ErrorKind::WorkerStartFailed, "cannot start another worker thread: " + failure);
    return false;
}

void Transport::worker_loop() {
    // A write to a connection the peer has closed must fail with EPIPE, not raise SIGPIPE and end
    // the process: the signal is blocked in every worker (it stays pending for the thread only).
    sigset_t pipe;
    sigemptyset(&pipe);
    sigaddset(&pipe, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &pipe, nullptr);
    t_worker_of = this;
    BlockingScope::install(&blocked_workers_);
    for (;;) {
        epoll_event ev{};
        idle_workers_++;
        int timeout = -1;
        {
            std::lock_guard<std::mutex> lock(threads_mu_);
            if (live_workers_ > options_.min_threads) timeout = kIdleWorkerExitMs;
        }
        const int n = ::epoll_wait(epoll_fd_, &ev, 1, timeout);
        idle_workers_--;
        if (closing_) {
            if (n == 1 && ev.data.ptr != &g_wake_tag && ev.data.ptr != &g_listener_tag) {
                auto* c = static_cast<Connection*>(ev.data.ptr);
                // Taken like on_event takes it: the exchange pairs with park()'s store, which
                // orders the last owner's use of the connection before this close.
                c->deadline_.exchange(Connection::kOwned);
                close_connection(c, false);
            }
            break;
        }
        if (n == 0) {
            std::lock_guard<std::mutex> lock(threads_mu_);
            if (live_workers_ > options_.min_threads) {  // shrink after a quiet spell
                --live_workers_;
                counters_.worker_threads = live_workers_;
                finished_.push_back(std::this_thread::get_id());
                threads_cv_.notify_all();
                return;
            }
            continue;
        }
        if (n < 0) continue;  // EINTR
        if (ev.data.ptr == &g_wake_tag) continue;
        if (ev.data.ptr == &g_listener_tag) {
            accept_batch();
            last_progress_ms_ = to_ms(Clock::now());
            continue;
        }
        handle_event(static_cast<Connection*>(ev.data.ptr));
        last_progress_ms_ = to_ms(Clock::now());
    }
    std::lock_guard<std::mutex> lock(threads_mu_);
    --live_workers_;
    counters_.worker_threads = live_workers_;
    finished_.push_back(std::this_thread::get_id());
    threads_cv_.notify_all();
}

void Transport::housekeeping_loop() {
    t_worker_of = this;  // an on_error called from here (a failed thread start) may call stop()
    while (!housekeeper_exit_) {
        std::this_thread::sleep_for(kHousekeepingTick);
        const std::int64_t now = to_ms(Clock::now());
        {
            std::lock_guard<std::mutex> lock(conns_mu_);
            if (stopping_) shut_parked();  // parked since the drain began (a handshake step, say)
            for (Connection* c : conns_) {
                std::int64_t d = c->deadline_.load();
                if (d > 0 && d < now && c->deadline_.compare_exchange_strong(d, Connection::kExpired)) {
                    ::shutdown(c->fd_, SHUT_RDWR);  // wakes the parked connection's owner
                }
            }
        }
        take_over_late_requests(now);
        if (listener_paused_.exchange(false)) rearm_listener();
        // Every worker is busy and none has finished anything for a while (they are blocked in
        // handlers, most likely), or some wait for the disk (the journal): add one rather than
        // let parked connections starve. CPU-bound work alone does not grow the pool.
        if (idle_workers_.load() == 0 &&
            (now - last_progress_ms_.load() > kStallMs || blocked_workers_.load() > 0)) {
            spawn_worker();
            last_progress_ms_ = now;
        }
        std::vector<std::thread> done;
        {
            std::lock_guard<std::mutex> lock(threads_mu_);
            for (const auto& id : finished_) {
                auto it = workers_.find(id);
                if (it != workers_.end()) {
                    done.push_back(std::move(it->second));
                    workers_.erase(it);
                }
            }
            finished_.clear();
        }
        for (auto& t : done) t.join();
    }
}

void Transport::take_over_late_requests(std::int64_t now_ms) {
    std::vector<std::pair<std::string, std::string>> taken;  // command, peer
    {
        std::lock_guard<std::mutex> lock(conns_mu_);
        for (Connection* c : conns_) {
            std::shared_ptr<Rescue> r;
            {
                std::lock_guard<std::mutex> rl(c->rescue_mu_);
                r = c->rescue_;
            }
            if (!r || r->deadline > now_ms) continue;
            std::int64_t armed = r->deadline;
            if (!r->state.compare_exchange_strong(armed, Rescue::kTaking)) continue;
            // Another worker answers it: the connection is writable, so this fires at once.
            epoll_event ev{};
            ev.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLONESHOT;
            ev.data.ptr = c;
            const bool handed = ::epoll_ctl(epoll_fd_, EPOLL_CTL_MOD, c->fd_, &ev) == 0;
            r->state = handed ? Rescue::kHandedOver : Rescue::kFailed;
            if (handed) taken.emplace_back(r->command, c->remote_addr_);
        }
    }
    for (auto& [command, peer] : taken) {
        counters_.before_deadline_missed++;
        reporter_.report(ErrorKind::DeadlineMissed,
                         "the before-handler did not decide by the deadline "
                         "(timeouts.before_deadline_ms): answered following before_failure_policy",
                         std::move(command), std::move(peer));
    }
}

bool Transport::answer_rescued(Connection* c, const std::shared_ptr<Rescue>& r) {
    if (!r) return true;
    // The event can arrive before the housekeeper has marked the hand-over done (it re-arms the
    // connection first): wait for that mark, or the request would be served a second time.
    std::int64_t state;
    while ((state = r->state.load()) == Rescue::kTaking) std::this_thread::yield();
    if (state != Rescue::kHandedOver) return true;
    {
        std::lock_guard<std::mutex> lock(c->rescue_mu_);
        c->rescue_.reset();
    }
    c->consume(r->consumed);
    c->write(r->reply);
    const bool sent = c->flush();
    ++c->requests_served_;
    if (sent && r->keep_alive) return true;
    close_connection(c, false);
    return false;
}

void Transport::rearm_listener() {
    if (stopping_) return;
    epoll_event lev{};
    lev.events = EPOLLIN | EPOLLONESHOT;
    lev.data.ptr = &g_listener_tag;
    ::epoll_ctl(epoll_fd_, EPOLL_CTL_MOD, listen_fd_, &lev);
}

void Transport::accept_batch() {
    for (int i = 0; i < kAcceptBatch; ++i) {
        sockaddr_storage ss{};
        socklen_t len = sizeof ss;
        const int fd =
            ::accept4(listen_fd_, reinterpret_cast<sockaddr*>(&ss), &len, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0) {
            if (errno == EINTR || errno == ECONNABORTED) continue;
            if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) {
                reporter_.report(ErrorKind::ResourceExhausted,
                                 std::string("accept: ") + std::strerror(errno) +
                                     ": raise the open-file limit (ulimit -n) or lower "
                                     "max_connections");
                listener_paused_ = true;  // the housekeeper re-arms it shortly
                return;
            }
            break;  // EAGAIN: drained
        }
        std::string ip;
        int port = 0;
        describe_sockaddr(ss, ip, port);
        // allow_sources first: a refused peer costs no TLS work and no place under any limit.
        if (options_.sources) {
            const std::shared_ptr<const SourceFilter> sources = options_.sources();
            if (sources && !sources->allows(ss)) {
                ::close(fd);
                counters_.source_refused++;
                counters_.count(HandshakeFailure::SourceRefused);
                const auto suppressed = source_reports_.admit(Clock::now());
                if (suppressed) {
                    std::string message = "connection refused: " + ip +
                                          " is outside allow_sources; if this address is the "
                                          "vendor's, add its range (the vendor's GetIPList API "
                                          "lists its callback egress ranges) and reload";
                    if (*suppressed > 0) {
                        message += " (" + std::to_string(*suppressed) + " more since the last report)";
                    }
                    reporter_.report(ErrorKind::SourceRefused, std::move(message), {}, endpoint(ip, port));
                }
                continue;
            }
        }
        if (counters_.open_connections.load() >= options_.max_connections) {
            counters_.connections_refused++;
            ::close(fd);
            report_limit(refused_reports_,
                         "connection refused: " + std::to_string(options_.max_connections) +
                             " connections are open (limits.max_connections); raise it if they "
                             "are the vendor's",
                         endpoint(ip, port));
            continue;
        }
        // Caps against peers that never authenticate: per address (refused here), and on the
        // handshakes in progress (the oldest idle one is closed to admit this one, see admit()).
        std::string evicted;
        const Admission admission = admit(ip, evicted);
        if (!evicted.empty()) {
            report_limit(handshaking_reports_,
                         "TLS handshake closed before completion to admit a newer connection: " +
                             std::to_string(options_.max_handshaking) +
                             " handshakes in progress (limits.max_handshaking); clients are "
                             "opening connections without completing their handshakes",
                         evicted);
        }
        if (admission != Admission::Admitted) {
            ::close(fd);
            if (admission == Admission::OverPerIp) {
                counters_.connections_refused_per_ip++;
                report_limit(per_ip_reports_,
                             "connection refused: " + std::to_string(options_.max_connections_per_ip) +
                                 " connections are open from " + ip +
                                 " (limits.max_connections_per_ip); if this address is the "
                                 "vendor's, raise the limit",
                             endpoint(ip, port));
            } else {
                counters_.connections_refused++;
                report_limit(handshaking_reports_,
                             "connection refused: " + std::to_string(options_.max_handshaking) +
                                 " TLS handshakes in progress, none of them idle "
                                 "(limits.max_handshaking)",
                             endpoint(ip, port));
            }
            continue;
        }
        const int one = 1;
        ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        auto trust = trust_();
        SslPtr ssl(SSL_new(trust->ctx.get()));
        if (!ssl || SSL_set_fd(ssl.get(), fd) != 1) {
            ::close(fd);
            {
                std::lock_guard<std::mutex> lock(conns_mu_);
                release_peer(ip);
            }
            reporter_.report(ErrorKind::ResourceExhausted, "SSL_new failed: " + openssl_errors(), {},
                             ip + ":" + std::to_string(port));
            continue;
        }
        SSL_set_mode(ssl.get(), SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
        SSL_set_accept_state(ssl.get());
        auto* c = new Connection(fd, std::move(ssl), std::move(trust), std::move(ip), port);
        c->handshake_deadline_ = Clock::now() + options_.handshake_timeout;
        counters_.connections_accepted++;
        counters_.open_connections++;
        {
            std::lock_guard<std::mutex> lock(conns_mu_);
            conns_.insert(c);
            c->handshake_pos_ = handshakes_.insert(handshakes_.end(), c);
            c->handshake_listed_ = true;
            counters_.handshaking_connections++;
        }
        c->deadline_ = to_ms(c->handshake_deadline_);
        epoll_event ev{};
        ev.events = EPOLLIN | EPOLLRDHUP | EPOLLONESHOT;
        ev.data.ptr = c;
        if (::epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, fd, &ev) != 0) close_connection(c, false);
    }
    rearm_listener();
}

// Why evict rather than refuse at max_handshaking: refusing would let anyone who holds that many
// silent handshakes (from a few addresses, each within max_connections_per_ip) lock the vendor's
// new connections out until handshake_ms passes, again and again. Closing the oldest idle
// handshake instead costs the flood its oldest connection, and a vendor's handshake, which
// completes within a few round trips, is only lost if max_handshaking newer connections arrive
// during those few round trips.
Transport::Admission Transport::admit(const std::string& ip, std::string& evicted) {
    std::lock_guard<std::mutex> lock(conns_mu_);
    std::size_t& from_ip = per_ip_[ip];
    if (from_ip >= options_.max_connections_per_ip) return Admission::OverPerIp;
    if (handshakes_.size() >= options_.max_handshaking && !evict_oldest_handshake(evicted)) {
        if (from_ip == 0) per_ip_.erase(ip);
        return Admission::OverHandshaking;
    }
    ++from_ip;
    return Admission::Admitted;
}

bool Transport::evict_oldest_handshake(std::string& evicted) {
    for (Connection* c : handshakes_) {
        // Only a parked one: a worker advancing a handshake right now owns its connection.
        std::int64_t d = c->deadline_.load();
        if (d > 0 && c->deadline_.compare_exchange_strong(d, Connection::kEvicted)) {
            ::shutdown(c->fd_, SHUT_RDWR);  // wakes the parked connection's owner, which closes it
            evicted = c->remote_addr_;
            forget_handshake(c);
            counters_.handshakes_evicted++;
            return true;
        }
    }
    return false;
}

void Transport::forget_handshake(Connection* c) {
    if (!c->handshake_listed_) return;
    handshakes_.erase(c->handshake_pos_);
    c->handshake_listed_ = false;
    counters_.handshaking_connections--;
}

void Transport::release_peer(const std::string& ip) {
    const auto it = per_ip_.find(ip);
    if (it == per_ip_.end()) return;
    if (--it->second == 0) per_ip_.erase(it);
}

void Transport::report_limit(Throttle& throttle, std::string message, const std::string& remote_addr) {
    // A flood is one report a second per limit, not one per connection.
    const auto suppressed = throttle.admit(Clock::now());
    if (!suppressed) return;
    if (*suppressed > 0) message += " (" + std::to_string(*suppressed) + " more since the last report)";
    reporter_.report(ErrorKind::ConnectionLimit, std::move(message), {}, remote_addr);
}

void Transport::handle_event(Connection* c) {
    try {
        on_event(c);
    } catch (const std::exception& e) {
        // Nothing a client sends may end the process: drop that connection and go on.
        reporter_.report(ErrorKind::InternalError,
                         std::string("internal error, connection closed: ") + e.what(), {}, c->remote_addr_);
        close_connection(c, false);
    }
}

void Transport::on_event(Connection* c) {
    const std::int64_t prev = c->deadline_.exchange(Connection::kOwned);
    // A rescued request arrives here while the worker that read it may still wait in the handler,
    // with no release on deadline_ in between: the rescue lock orders this worker after all that
    // worker wrote to the connection (the housekeeper took the same lock before the hand-over).
    std::shared_ptr<Rescue> rescue;
    {
        std::lock_guard<std::mutex> lock(c->rescue_mu_);
        rescue = c->rescue_;
    }
    if (prev == Connection::kExpired || prev == Connection::kEvicted) {
        if (c->state_ == Connection::State::Handshaking && prev == Connection::kExpired) {
            handshake_failed(c, HandshakeFailure::Other,
                             "TLS handshake not completed within " +
                                 std::to_string(options_.handshake_timeout.count()) + " ms",
                             false);
        }
        close_connection(c, false);
        return;
    }
    if (c->state_ == Connection::State::Handshaking && !advance_handshake(c)) return;
    if (!answer_rescued(c, rescue)) return;
    serve_ready(c);
}

bool Transport::advance_handshake(Connection* c) {
    ERR_clear_error();
    const int r = SSL_do_handshake(c->ssl_.get());
    if (r == 1) return established(c);
    const int err = SSL_get_error(c->ssl_.get(), r);
    if (err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE) {
        park(c, err == SSL_ERROR_WANT_READ ? EPOLLIN : EPOLLOUT, c->handshake_deadline_);
        return false;
    }
    // The verify callback classified a chain it refused; otherwise OpenSSL's reason tells.
    const unsigned long first = ERR_peek_error();
    const unsigned long last = ERR_peek_last_error();
    std::string reason = c->note_.reason;
    const std::string ossl = openssl_errors();
    const HandshakeFailure failure = c->note_.classified ? c->note_.failure : classify_ssl_error(first, last);
    if (reason.empty()) {
        reason = err == SSL_ERROR_SYSCALL && ossl == "no details"
                     ? "connection closed by the client during the TLS handshake"
                     : "TLS handshake failed: " + ossl;
    }
    handshake_failed(c, failure, std::move(reason), c->note_.identity_rejected);
    close_connection(c, false);
    return false;
}

void Transport::handshake_failed(Connection* c, HandshakeFailure reason, std::string why, bool identity) {
    counters_.handshakes_failed++;
    counters_.count(reason);
    if (identity) counters_.identity_rejected++;
    // A scanner fails handshakes by the thousand: at most one report a second, and the next one
    // says how many were not reported.
    const auto suppressed = handshake_reports_.admit(Throttle::Clock::now());
    if (!suppressed) return;
    std::string message = "reason=" + std::string(to_string(reason)) + ": " + why;
    if (*suppressed > 0) {
        message += " (" + std::to_string(*suppressed) +
                   " more handshake failures since the last report were not reported)";
    }
    reporter_.report(identity ? ErrorKind::IdentityRejected : ErrorKind::HandshakeFailed, std::move(message),
                     {}, c->remote_addr_);
}

bool Transport::established(Connection* c) {
    const bool resumed = SSL_session_reused(c->ssl_.get()) == 1;
    PeerAdmission admission = c->trust_->admit(*c->ssl_);
    if (!admission.identity) {
        handshake_failed(c, admission.failure, std::move(admission.why), true);
        close_connection(c, false);
        return false;
    }
    // For the vendor client certificate's expiry: recorded when it is not the one last seen.
    if (admission.newly_seen) {
        counters_.saw_client_certificate(admission.identity->subject, admission.not_after);
    }
    if (!c->note_.expired_crl.empty()) {
        if (const auto suppressed = crl_reports_.admit(Throttle::Clock::now())) {
            reporter_.report(ErrorKind::CertificateExpiring,
                             "tls.crl: the CRL of " + c->note_.expired_crl +
                                 " is past its next update and still used (tls.crl_expired "
                                 "\"warn\"): download the vendor's current CRL and replace the file" +
                                 (*suppressed > 0 ? " (" + std::to_string(*suppressed) +
                                                        " more such handshakes since the last report)"
                                                  : std::string()),
                             {}, c->remote_addr_);
        }
    }
    return admit_peer(c, std::make_shared<PeerIdentity>(*admission.identity), resumed);
}

bool Transport::admit_peer(Connection* c, std::shared_ptr<PeerIdentity> identity, bool resumed) {
    identity->session_resumed = resumed;
    if (resumed) counters_.handshakes_resumed++;
    counters_.handshakes_completed++;
    c->peer_ = std::move(identity);
    c->state_ = Connection::State::Established;
    std::lock_guard<std::mutex> lock(conns_mu_);
    forget_handshake(c);
    return true;
}

void Transport::serve_ready(Connection* c) {
    for (;;) {
        if (stopping_) {
            close_connection(c, false);
            return;
        }
        if (c->in_pos_ == c->in_len_) {  // (SSL_has_pending may be a KeyUpdate, not data)
            switch (c->fill()) {
                case Connection::Io::Data:
                    break;
                case Connection::Io::WantRead:
                    c->release_idle_buffers();
                    park(c, EPOLLIN, Clock::now() + options_.keep_alive_timeout);
                    return;
                case Connection::Io::WantWrite:
                    park(c, EPOLLOUT, Clock::now() + options_.keep_alive_timeout);
                    return;
                case Connection::Io::Closed:
                    close_connection(c, false);
                    return;
            }
        }
        const bool last = c->requests_served_ + 1 >= options_.keep_alive_max_requests;
        const Served outcome = server_.serve(*c, last || stopping_);
        if (outcome == Served::HandedOff) return;  // another worker owns it now: hands off
        ++c->requests_served_;
        if (outcome == Served::Close || last || c->close_requested_) {
            close_connection(c, c->close_requested_);
            return;
        }
    }
}

void Transport::park(Connection* c, std::uint32_t events, Clock::time_point deadline) {
    c->deadline_ = to_ms(deadline);
    epoll_event ev{};
    ev.events = events | EPOLLRDHUP | EPOLLONESHOT;
    ev.data.ptr = c;
    if (::epoll_ctl(epoll_fd_, EPOLL_CTL_MOD, c->fd_, &ev) != 0) {
        // Not watched, it would never be woken again: close it now. (Only its owner gets here.)
        c->deadline_ = Connection::kOwned;
        close_connection(c, false);
    }
}

void Transport::close_connection(Connection* c, bool linger) {
    bool last = false;
    {
        std::lock_guard<std::mutex> lock(conns_mu_);
        conns_.erase(c);
        forget_handshake(c);
        release_peer(c->remote_ip_);
        last = stopping_ && conns_.empty();
    }
    if (c->state_ == Connection::State::Established) {
        ERR_clear_error();
        SSL_shutdown(c->ssl_.get());  // close_notify, best effort
        ERR_clear_error();
    }
    if (linger) {
        // The request was refused before its body was read: stop sending, then drain what the
        // client is still sending for a moment, so that closing does not reset the connection
        // before the client has read the reply.
        ::shutdown(c->fd_, SHUT_WR);
        const auto until = Clock::now() + kLingerTime;
        std::size_t drained = 0;
        char buf[4096];
        while (drained < kLingerBytes && c->wait(POLLIN, until)) {
            const ssize_t n = ::recv(c->fd_, buf, sizeof buf, 0);
            if (n <= 0) break;
            drained += static_cast<std::size_t>(n);
        }
    }
    counters_.open_connections--;
    delete c;
    if (last) wake_workers();  // drained: the workers can go
}

}  // namespace imcb::detail
