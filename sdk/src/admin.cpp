#include "admin.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>
#include <system_error>
#include <vector>

#include "http1.h"
#include "imcb/errors.h"
#include "threads.h"

namespace imcb::detail {
namespace {

using Clock = std::chrono::steady_clock;

[[noreturn]] void refuse(ErrorCode code, const std::string& listen, const std::string& why) {
    throw ConfigError(code, "admin.listen \"" + listen + "\": " + why);
}

bool is_loopback(const sockaddr* sa) {
    if (sa->sa_family == AF_INET) {
        const auto* a = reinterpret_cast<const sockaddr_in*>(sa);
        return (ntohl(a->sin_addr.s_addr) >> 24) == 127;
    }
    if (sa->sa_family == AF_INET6) {
        const auto* a = reinterpret_cast<const sockaddr_in6*>(sa);
        if (IN6_IS_ADDR_LOOPBACK(&a->sin6_addr)) return true;
        return IN6_IS_ADDR_V4MAPPED(&a->sin6_addr) && a->sin6_addr.s6_addr[12] == 127;
    }
    return false;
}

std::string response(int status, const char* reason, std::string_view content_type, std::string_view body,
                     std::string_view extra_headers = {}) {
    std::string r = "HTTP/1.1 " + std::to_string(status) + " " + reason + "\r\nContent-Type: ";
    r += content_type;
    r += "\r\nContent-Length: " + std::to_string(body.size()) + "\r\nCache-Control: no-store\r\n";
    r += extra_headers;
    r += "Connection: close\r\n\r\n";
    r += body;
    return r;
}

std::string plain(int status, const char* reason, std::string_view body, std::string_view extra = {}) {
    return response(status, reason, "text/plain; charset=utf-8", body, extra);
}

struct Client {
    int fd = -1;
    std::string in;
    std::string out;
    std::size_t sent = 0;
    Clock::time_point deadline;
    bool replying = false;
};

}  // namespace

bool split_host_port(std::string_view text, std::string& host, std::uint16_t& port) {
    const auto colon = text.rfind(':');
    if (colon == std::string_view::npos || colon + 1 == text.size()) return false;
    std::string_view h = text.substr(0, colon);
    if (h.size() >= 2 && h.front() == '[' && h.back() == ']') {
        h = h.substr(1, h.size() - 2);
    } else if (h.find(':') != std::string_view::npos) {
        return false;  // an IPv6 address needs brackets: "[::1]:9464"
    }
    const std::string_view p = text.substr(colon + 1);
    if (h.empty() || p.size() > 5 || p.find_first_not_of("0123456789") != std::string_view::npos)
        return false;
    const unsigned long value = std::stoul(std::string(p));
    if (value > 65535) return false;
    host = std::string(h);
    port = static_cast<std::uint16_t>(value);
    return true;
}

AdminServer::AdminServer(std::string listen, Handlers handlers)
    : listen_(std::move(listen)), handlers_(std::move(handlers)) {}

AdminServer::~AdminServer() { stop(); }

std::uint16_t AdminServer::start() {
    std::string host;
    std::uint16_t port = 0;
    if (!split_host_port(listen_, host, port)) {
        refuse(ErrorCode::InvalidOption, listen_,
               "must be \"host:port\", e.g. \"127.0.0.1:9464\" or \"[::1]:9464\" (port 0: any free port)");
    }
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
    addrinfo* res = nullptr;
    const std::string service = std::to_string(port);
    if (const int rc = getaddrinfo(host.c_str(), service.c_str(), &hints, &res); rc != 0) {
        refuse(ErrorCode::BindFailed, listen_,
               "cannot resolve host \"" + host + "\": " + gai_strerror(rc) +
                   " (use an address, e.g. 127.0.0.1)");
    }
    std::unique_ptr<addrinfo, decltype(&freeaddrinfo)> guard(res, freeaddrinfo);
    const int fd = ::socket(res->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) refuse(ErrorCode::BindFailed, listen_, std::string("socket(): ") + std::strerror(errno));
    const int one = 1;
    ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (::bind(fd, res->ai_addr, res->ai_addrlen) != 0 || ::listen(fd, 16) != 0) {
        const int err = errno;
        ::close(fd);
        if (err == EADDRINUSE) {
            refuse(ErrorCode::PortInUse, listen_,
                   "the address is already in use (by another program, or by the callback listener): "
                   "choose another port for admin.listen");
        }
        refuse(ErrorCode::BindFailed, listen_, std::strerror(err));
    }
    sockaddr_storage bound{};
    socklen_t len = sizeof bound;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&bound), &len);
    const int bound_port = bound.ss_family == AF_INET6
                               ? ntohs(reinterpret_cast<const sockaddr_in6*>(&bound)->sin6_port)
                               : ntohs(reinterpret_cast<const sockaddr_in*>(&bound)->sin_port);
    wake_fd_ = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (wake_fd_ < 0) {
        const int err = errno;
        ::close(fd);
        refuse(ErrorCode::StartFailed, listen_, std::string("eventfd(): ") + std::strerror(err));
    }
    listen_fd_ = fd;
    try {
        thread_ = start_thread("imcb-admin", [this] { loop(); });
    } catch (const std::system_error& e) {
        ::close(listen_fd_);
        ::close(wake_fd_);
        listen_fd_ = wake_fd_ = -1;
        refuse(ErrorCode::StartFailed, listen_, std::string("cannot start its thread: ") + e.what());
    }
    if (!is_loopback(res->ai_addr)) {
        warning_ = "admin.listen \"" + listen_ +
                   "\" is not a loopback address: anyone who can reach it reads /metrics (command "
                   "counts, certificate subjects). Bind it to 127.0.0.1 or [::1], or firewall the port";
    }
    port_ = static_cast<std::uint16_t>(bound_port);
    return port_;
}

void AdminServer::stop() noexcept {
    if (thread_.joinable()) {
        const std::uint64_t one = 1;
        [[maybe_unused]] const auto w = ::write(wake_fd_, &one, sizeof one);
        thread_.join();
    }
    for (int* f : {&listen_fd_, &wake_fd_}) {
        if (*f >= 0) ::close(*f);
        *f = -1;
    }
    port_ = 0;
}

std::string AdminServer::respond(std::string_view input) const {
    http1::RequestHead head;
    const http1::Limits limits{kMaxHeadBytes, 2048, 64};
    const http1::ParseResult parsed = http1::parse_head(input, limits, head);
    if (parsed.outcome == http1::Parse::Invalid) {
        return plain(parsed.status == 431 ? 431 : 400,
                     parsed.status == 431 ? "Request Header Fields Too Large" : "Bad Request",
                     std::string(parsed.why) + "\n");
    }
    if (parsed.outcome == http1::Parse::Incomplete) return plain(400, "Bad Request", "incomplete request\n");
    const bool known = head.path == "/metrics" || head.path == "/healthz" || head.path == "/readyz";
    if (!known)
        return plain(404, "Not Found",
                     "not found: the admin listener serves /metrics, /healthz and /readyz\n");
    if (head.method != "GET") return plain(405, "Method Not Allowed", "use GET\n", "Allow: GET\r\n");
    try {
        if (head.path == "/healthz") return plain(200, "OK", "ok\n");
        if (head.path == "/readyz") {
            return handlers_.ready && handlers_.ready() ? plain(200, "OK", "ready\n")
                                                        : plain(503, "Service Unavailable", "not ready\n");
        }
        return response(200, "OK", "text/plain; version=0.0.4; charset=utf-8",
                        handlers_.metrics_text ? handlers_.metrics_text() : std::string());
    } catch (const std::exception&) {
        return plain(500, "Internal Server Error", "the figures could not be collected\n");
    }
}

void AdminServer::loop() {
    std::vector<Client> clients;
    std::vector<pollfd> fds;
    Clock::time_point accept_paused_until{};  // out of descriptors: accept again a little later
    for (;;) {
        const auto now = Clock::now();
        // Past their deadline: closed, whatever they were doing.
        for (auto it = clients.begin(); it != clients.end();) {
            if (it->deadline <= now) {
                ::close(it->fd);
                it = clients.erase(it);
            } else {
                ++it;
            }
        }
        fds.clear();
        fds.push_back({wake_fd_, POLLIN, 0});
        const bool paused = now < accept_paused_until;
        fds.push_back({paused ? -1 : listen_fd_, POLLIN, 0});
        int timeout = paused ? 100 : -1;
        for (const auto& c : clients) {
            fds.push_back({c.fd, static_cast<short>(c.replying ? POLLOUT : POLLIN), 0});
            const auto left =
                std::chrono::duration_cast<std::chrono::milliseconds>(c.deadline - now).count() + 1;
            if (timeout < 0 || left < timeout) timeout = static_cast<int>(left);
        }
        if (::poll(fds.data(), fds.size(), timeout) < 0 && errno != EINTR) break;
        if (fds[0].revents != 0) break;  // stop()
        // Clients first (their indexes match fds from 2 on), then new connections.
        std::vector<bool> done(clients.size(), false);
        for (std::size_t i = 0; i < clients.size(); ++i) {
            const short ev = fds[i + 2].revents;
            if (ev == 0) continue;
            Client& c = clients[i];
            if (!c.replying) {
                char buf[2048];
                const ssize_t n = ::recv(c.fd, buf, sizeof buf, 0);
                if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) {
                    done[i] = true;
                    continue;
                }
                if (n > 0) c.in.append(buf, static_cast<std::size_t>(n));
                http1::RequestHead head;
                const http1::Limits limits{kMaxHeadBytes, 2048, 64};
                if (http1::parse_head(c.in, limits, head).outcome == http1::Parse::Incomplete) continue;
                c.out = respond(c.in);
                c.replying = true;
            }
            while (c.sent < c.out.size()) {
                const ssize_t n = ::send(c.fd, c.out.data() + c.sent, c.out.size() - c.sent, MSG_NOSIGNAL);
                if (n <= 0) break;
                c.sent += static_cast<std::size_t>(n);
            }
            if (c.sent == c.out.size() || (ev & (POLLERR | POLLHUP)) != 0) done[i] = true;
        }
        for (std::size_t i = clients.size(); i-- > 0;) {
            if (!done[i]) continue;
            ::close(clients[i].fd);
            clients.erase(clients.begin() + static_cast<std::ptrdiff_t>(i));
        }
        if (fds[1].revents != 0) {
            for (;;) {
                const int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
                if (fd < 0) {
                    if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) {
                        accept_paused_until = Clock::now() + std::chrono::milliseconds(100);
                    }
                    break;
                }
                if (clients.size() >= kMaxClients) {  // bounded: the newest waits for nothing
                    ::close(fd);
                    continue;
                }
                clients.push_back({fd, {}, {}, 0, Clock::now() + kClientDeadline, false});
            }
        }
    }
    for (const auto& c : clients) ::close(c.fd);
}

}  // namespace imcb::detail
