// imcb-loadgen: a mutual-TLS HTTP/1.1 load generator for comparing callback receivers (imcb,
// nginx) on one machine. Event-driven (one epoll loop per thread), so that hundreds of
// connections cost little and the generator is not the bottleneck.
//
//   imcb-loadgen MODE --port P --cert C --key K --ca CA [options]
//
// Modes:
//   keepalive  closed loop on --conns persistent connections for --seconds
//   paced      each of --conns persistent connections sends one request every --interval-ms
//   handshake  connect, handshake (full, or with --resume resumed), one request, close; repeat
//   burst      open --conns connections at once, one request each, then report
//   idle       open --conns connections, one request each, print "ready", hold --seconds
//   silent     open --conns TCP connections (every second one sends half a ClientHello), hold
//
// Prints one JSON object with the counts, rates, latency percentiles and the CPU it used.

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <memory>
#include <mutex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;

struct Config {
    std::string mode;
    int port = 0;
    std::string cert, key, ca;
    std::string target = "/";
    std::string body_file;
    int conns = 2;
    double seconds = 5;
    int threads = 1;
    int interval_ms = 50;
    bool resume = false;
    int tls_max = 0;  // 0 = highest
};

struct Stats {
    std::vector<std::uint32_t> latency_us;
    std::uint64_t requests = 0;
    std::uint64_t handshakes = 0;
    std::uint64_t resumed = 0;
    std::uint64_t errors = 0;
    std::uint64_t connected = 0;

    void merge(const Stats& o) {
        latency_us.insert(latency_us.end(), o.latency_us.begin(), o.latency_us.end());
        requests += o.requests;
        handshakes += o.handshakes;
        resumed += o.resumed;
        errors += o.errors;
        connected += o.connected;
    }
};

std::string g_request;  // the whole HTTP request, identical for every send

int connect_nonblocking(int port) {
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    const int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(static_cast<std::uint16_t>(port));
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 && errno != EINPROGRESS) {
        ::close(fd);
        return -1;
    }
    return fd;
}

class Loop {
  public:
    Loop(const Config& cfg, SSL_CTX* ctx, int conns, Clock::time_point end)
        : cfg_(cfg), ctx_(ctx), conns_(conns), end_(end), ep_(::epoll_create1(EPOLL_CLOEXEC)) {}
    ~Loop() {
        for (auto& c : clients_) close_client(*c);
        if (session_ != nullptr) SSL_SESSION_free(session_);
        ::close(ep_);
    }

    // Runs until the end time (or, for burst/idle, until every connection answered once).
    Stats run() {
        for (int i = 0; i < conns_; ++i) {
            clients_.push_back(std::make_unique<Client>());
            open(*clients_.back());
        }
        const bool once = cfg_.mode == "burst" || cfg_.mode == "idle";
        std::vector<epoll_event> events(256);
        while (true) {
            const auto now = Clock::now();
            if (!once && now >= end_) break;
            if (once && answered_ + failed_ >= static_cast<std::uint64_t>(conns_)) break;
            if (once && now >= end_) break;
            int timeout = 100;
            if (cfg_.mode == "paced") timeout = 1;
            const int n = ::epoll_wait(ep_, events.data(), static_cast<int>(events.size()), timeout);
            for (int i = 0; i < n; ++i)
                step(*static_cast<Client*>(events[static_cast<std::size_t>(i)].data.ptr));
            if (cfg_.mode == "paced") {
                const auto t = Clock::now();
                for (auto& c : clients_) {
                    if (c->state == State::Waiting && t >= c->next_send) {
                        c->state = State::Writing;
                        step(*c);
                    }
                }
            }
        }
        return stats_;
    }

  private:
    enum class State { Connecting, Handshaking, Writing, Reading, Waiting, Idle, Closed };
    struct Client {
        int fd = -1;
        SSL* ssl = nullptr;
        State state = State::Closed;
        std::size_t written = 0;
        std::string in;
        Clock::time_point sent_at;
        Clock::time_point next_send;
    };

    void watch(Client& c, std::uint32_t events, bool add) {
        epoll_event ev{};
        ev.events = events;
        ev.data.ptr = &c;
        ::epoll_ctl(ep_, add ? EPOLL_CTL_ADD : EPOLL_CTL_MOD, c.fd, &ev);
    }

    void open(Client& c) {
        c.fd = connect_nonblocking(cfg_.port);
        if (c.fd < 0) {
            ++stats_.errors;
            ++failed_;
            return;
        }
        c.ssl = SSL_new(ctx_);
        SSL_set_fd(c.ssl, c.fd);
        SSL_set_connect_state(c.ssl);
        if (cfg_.resume && session_ != nullptr) SSL_set_session(c.ssl, session_);
        c.state = State::Connecting;
        c.in.clear();
        c.written = 0;
        watch(c, EPOLLOUT, true);
    }

    void close_client(Client& c) {
        if (c.ssl != nullptr) {
            SSL_set_shutdown(c.ssl, SSL_SENT_SHUTDOWN | SSL_RECEIVED_SHUTDOWN);  // keep the session resumable
            SSL_free(c.ssl);
            c.ssl = nullptr;
        }
        if (c.fd >= 0) ::close(c.fd);
        c.fd = -1;
        c.state = State::Closed;
    }

    void fail(Client& c) {
        ++stats_.errors;
        ERR_clear_error();
        close_client(c);
        if (cfg_.mode == "burst" || cfg_.mode == "idle") {
            ++failed_;
        } else if (Clock::now() < end_) {
            open(c);
        }
    }

    // Advances one client as far as it can go without blocking.
    void step(Client& c) {
        for (;;) {
            switch (c.state) {
                case State::Connecting: {
                    int err = 0;
                    socklen_t len = sizeof err;
                    ::getsockopt(c.fd, SOL_SOCKET, SO_ERROR, &err, &len);
                    if (err != 0) return fail(c);
                    c.state = State::Handshaking;
                    break;
                }
                case State::Handshaking: {
                    const int r = SSL_do_handshake(c.ssl);
                    if (r != 1) {
                        const int e = SSL_get_error(c.ssl, r);
                        if (e == SSL_ERROR_WANT_READ) return watch(c, EPOLLIN, false);
                        if (e == SSL_ERROR_WANT_WRITE) return watch(c, EPOLLOUT, false);
                        return fail(c);
                    }
                    ++stats_.handshakes;
                    ++stats_.connected;
                    if (SSL_session_reused(c.ssl)) ++stats_.resumed;
                    c.state = State::Writing;
                    break;
                }
                case State::Writing: {
                    if (c.written == 0) c.sent_at = Clock::now();
                    const int r = SSL_write(c.ssl, g_request.data() + c.written,
                                            static_cast<int>(g_request.size() - c.written));
                    if (r <= 0) {
                        const int e = SSL_get_error(c.ssl, r);
                        if (e == SSL_ERROR_WANT_READ) return watch(c, EPOLLIN, false);
                        if (e == SSL_ERROR_WANT_WRITE) return watch(c, EPOLLOUT, false);
                        return fail(c);
                    }
                    c.written += static_cast<std::size_t>(r);
                    if (c.written == g_request.size()) {
                        c.written = 0;
                        c.state = State::Reading;
                    }
                    break;
                }
                case State::Reading: {
                    char buf[16384];
                    const int r = SSL_read(c.ssl, buf, sizeof buf);
                    if (r <= 0) {
                        const int e = SSL_get_error(c.ssl, r);
                        if (e == SSL_ERROR_WANT_READ) return watch(c, EPOLLIN, false);
                        if (e == SSL_ERROR_WANT_WRITE) return watch(c, EPOLLOUT, false);
                        return fail(c);
                    }
                    c.in.append(buf, static_cast<std::size_t>(r));
                    if (!complete(c)) break;
                    on_response(c);
                    if (c.state == State::Idle || c.state == State::Waiting || c.state == State::Closed)
                        return;
                    break;
                }
                case State::Waiting:
                case State::Idle:
                    watch(c, EPOLLIN, false);  // notices a close by the server
                    {
                        char b;
                        const int r = SSL_read(c.ssl, &b, 1);
                        if (r <= 0 && SSL_get_error(c.ssl, r) != SSL_ERROR_WANT_READ) fail(c);
                    }
                    return;
                case State::Closed:
                    return;
            }
        }
    }

    // True when c.in holds a whole response (headers plus Content-Length bytes).
    static bool complete(Client& c) {
        const auto end = c.in.find("\r\n\r\n");
        if (end == std::string::npos) return false;
        std::size_t length = 0;
        const auto cl = c.in.find("ontent-Length: ");
        if (cl != std::string::npos && cl < end) length = std::strtoul(c.in.c_str() + cl + 15, nullptr, 10);
        return c.in.size() >= end + 4 + length;
    }

    void on_response(Client& c) {
        const auto us =
            std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - c.sent_at).count();
        const bool ok = c.in.compare(0, 12, "HTTP/1.1 200") == 0;
        c.in.clear();
        if (!ok) return fail(c);
        stats_.latency_us.push_back(static_cast<std::uint32_t>(us));
        ++stats_.requests;
        const std::string& m = cfg_.mode;
        if (m == "keepalive") {
            c.state = Clock::now() < end_ ? State::Writing : State::Idle;
        } else if (m == "paced") {
            c.next_send = c.sent_at + std::chrono::milliseconds(cfg_.interval_ms);
            c.state = State::Waiting;
        } else if (m == "handshake") {
            if (cfg_.resume) {
                if (session_ != nullptr) SSL_SESSION_free(session_);
                session_ = SSL_get1_session(c.ssl);
            }
            close_client(c);
            if (Clock::now() < end_) open(c);
        } else {  // burst, idle
            ++answered_;
            c.state = State::Idle;
            if (m == "burst") close_client(c);
        }
    }

    const Config& cfg_;
    SSL_CTX* ctx_;
    int conns_;
    Clock::time_point end_;
    int ep_;
    std::vector<std::unique_ptr<Client>> clients_;
    SSL_SESSION* session_ = nullptr;
    Stats stats_;
    std::uint64_t answered_ = 0;
    std::uint64_t failed_ = 0;
};

double cpu_seconds() {
    rusage u{};
    ::getrusage(RUSAGE_SELF, &u);
    return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
           static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

std::uint32_t percentile(std::vector<std::uint32_t>& v, double p) {
    if (v.empty()) return 0;
    const std::size_t i = std::min(v.size() - 1, static_cast<std::size_t>(p * static_cast<double>(v.size())));
    std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(i), v.end());
    return v[i];
}

int hold_silent(const Config& cfg) {
    std::vector<int> fds;
    const std::string half("\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03", 11);
    for (int i = 0; i < cfg.conns; ++i) {
        const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_port = htons(static_cast<std::uint16_t>(cfg.port));
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
            ::close(fd);
            continue;
        }
        if (i % 2 == 1) [[maybe_unused]]
            auto n = ::send(fd, half.data(), half.size(), MSG_NOSIGNAL);
        fds.push_back(fd);
    }
    std::printf("ready %zu\n", fds.size());
    std::fflush(stdout);
    std::this_thread::sleep_for(std::chrono::duration<double>(cfg.seconds));
    for (const int fd : fds) ::close(fd);
    return 0;
}

int usage() {
    std::fprintf(stderr,
                 "usage: imcb-loadgen keepalive|paced|handshake|burst|idle|silent --port P --cert C --key K\n"
                 "       --ca CA [--target URL] [--body FILE] [--conns N] [--seconds S] [--threads T]\n"
                 "       [--interval-ms I] [--resume] [--tls-max 1.2|1.3]\n");
    return 2;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 2) return usage();
    Config cfg;
    cfg.mode = argv[1];
    for (int i = 2; i < argc; ++i) {
        const std::string a = argv[i];
        const auto next = [&]() -> std::string { return i + 1 < argc ? argv[++i] : ""; };
        if (a == "--port")
            cfg.port = std::stoi(next());
        else if (a == "--cert")
            cfg.cert = next();
        else if (a == "--key")
            cfg.key = next();
        else if (a == "--ca")
            cfg.ca = next();
        else if (a == "--target")
            cfg.target = next();
        else if (a == "--body")
            cfg.body_file = next();
        else if (a == "--conns")
            cfg.conns = std::stoi(next());
        else if (a == "--seconds")
            cfg.seconds = std::stod(next());
        else if (a == "--threads")
            cfg.threads = std::stoi(next());
        else if (a == "--interval-ms")
            cfg.interval_ms = std::stoi(next());
        else if (a == "--resume")
            cfg.resume = true;
        else if (a == "--tls-max")
            cfg.tls_max = next() == "1.2" ? TLS1_2_VERSION : TLS1_3_VERSION;
        else
            return usage();
    }
    if (cfg.port == 0) return usage();
    if (cfg.mode == "silent") return hold_silent(cfg);

    std::string body = "{}";
    if (!cfg.body_file.empty()) {
        std::ifstream in(cfg.body_file);
        std::stringstream ss;
        ss << in.rdbuf();
        body = ss.str();
    }
    g_request = "POST " + cfg.target +
                " HTTP/1.1\r\nHost: localhost\r\nContent-Length: " + std::to_string(body.size()) +
                "\r\n\r\n" + body;

    SSL_CTX* ctx = SSL_CTX_new(TLS_client_method());
    SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
    if (cfg.tls_max != 0) SSL_CTX_set_max_proto_version(ctx, cfg.tls_max);
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, nullptr);
    if (SSL_CTX_load_verify_locations(ctx, cfg.ca.c_str(), nullptr) != 1 ||
        SSL_CTX_use_certificate_chain_file(ctx, cfg.cert.c_str()) != 1 ||
        SSL_CTX_use_PrivateKey_file(ctx, cfg.key.c_str(), SSL_FILETYPE_PEM) != 1) {
        std::fprintf(stderr, "imcb-loadgen: cannot load --ca/--cert/--key\n");
        return 1;
    }
    SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);

    const double cpu0 = cpu_seconds();
    const auto start = Clock::now();
    const auto end =
        start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(cfg.seconds));
    Stats total;
    std::mutex mu;
    std::vector<std::thread> threads;
    for (int t = 0; t < cfg.threads; ++t) {
        const int share = cfg.conns / cfg.threads + (t < cfg.conns % cfg.threads ? 1 : 0);
        threads.emplace_back([&, share] {
            Loop loop(cfg, ctx, share, end);
            Stats s = loop.run();
            if (cfg.mode == "idle") {
                {
                    std::lock_guard<std::mutex> lock(mu);
                    total.merge(s);
                }
                // Hold the connections open until the end time.
                std::this_thread::sleep_until(end);
                return;
            }
            std::lock_guard<std::mutex> lock(mu);
            total.merge(s);
        });
    }
    if (cfg.mode == "idle") {
        // Report readiness once every thread has its connections answered.
        while (true) {
            {
                std::lock_guard<std::mutex> lock(mu);
                (void)0;
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
            std::lock_guard<std::mutex> lock(mu);
            if (total.requests + total.errors >= static_cast<std::uint64_t>(cfg.conns)) break;
            if (Clock::now() >= end) break;
        }
        std::printf("ready %llu\n", static_cast<unsigned long long>(total.requests));
        std::fflush(stdout);
    }
    for (auto& t : threads) t.join();
    const double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
    const double cpu = cpu_seconds() - cpu0;
    auto& lat = total.latency_us;
    const std::uint32_t p50 = percentile(lat, 0.50);
    const std::uint32_t p99 = percentile(lat, 0.99);
    const std::uint32_t mx = lat.empty() ? 0 : *std::max_element(lat.begin(), lat.end());
    std::printf(
        "{\"mode\":\"%s\",\"conns\":%d,\"seconds\":%.3f,\"requests\":%llu,\"handshakes\":%llu,"
        "\"resumed\":%llu,\"errors\":%llu,\"rate\":%.1f,\"handshake_rate\":%.1f,\"p50_us\":%u,"
        "\"p99_us\":%u,\"max_us\":%u,\"cpu_s\":%.3f}\n",
        cfg.mode.c_str(), cfg.conns, elapsed, static_cast<unsigned long long>(total.requests),
        static_cast<unsigned long long>(total.handshakes), static_cast<unsigned long long>(total.resumed),
        static_cast<unsigned long long>(total.errors), static_cast<double>(total.requests) / elapsed,
        static_cast<double>(total.handshakes) / elapsed, p50, p99, mx, cpu);
    SSL_CTX_free(ctx);
    return 0;
}
