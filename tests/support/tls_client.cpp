#include "support/tls_client.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <cctype>
#include <fstream>
#include <sstream>

#include <openssl/err.h>

#include "support/pki.h"

namespace imcb::test {
namespace {

// The test clients write to connections the server may have refused: that must fail the write,
// not kill the test binary.
const bool g_sigpipe_ignored = [] {
    std::signal(SIGPIPE, SIG_IGN);
    return true;
}();

int tcp_connect(std::uint16_t port, const std::string& source_ip = {}) {
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (!source_ip.empty()) {
        sockaddr_in local{};
        local.sin_family = AF_INET;
        if (::inet_pton(AF_INET, source_ip.c_str(), &local.sin_addr) != 1 ||
            ::bind(fd, reinterpret_cast<sockaddr*>(&local), sizeof local) != 0) {
            ::close(fd);
            return -1;
        }
    }
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
        ::close(fd);
        return -1;
    }
    const int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    return fd;
}

std::string ossl_errors() {
    std::string out;
    while (const unsigned long e = ERR_get_error()) {
        char buf[256];
        ERR_error_string_n(e, buf, sizeof buf);
        out += buf;
        out += "; ";
    }
    return out;
}

}  // namespace

std::string fixture(const std::string& name) {
    std::ifstream in(std::string(IMCB_FIXTURES_DIR) + "/" + name);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

ClientOptions vendor_client() {
    ClientOptions o;
    o.cert = "vendor-client.crt";
    o.key = "vendor-client.key";
    return o;
}

TlsClient::TlsClient(std::uint16_t port, ClientOptions options) : port_(port), options_(std::move(options)) {}

TlsClient::~TlsClient() {
    if (ssl_ != nullptr) {
        SSL_shutdown(ssl_);  // a session is resumable only after a clean close
        SSL_free(ssl_);
    }
    if (ctx_ != nullptr) SSL_CTX_free(ctx_);
    if (fd_ >= 0) ::close(fd_);
}

bool TlsClient::connect() {
    ctx_ = SSL_CTX_new(TLS_client_method());
    SSL_CTX_set_min_proto_version(ctx_, options_.min_version);
    if (options_.max_version != 0) SSL_CTX_set_max_proto_version(ctx_, options_.max_version);
    if (options_.min_version < TLS1_2_VERSION) SSL_CTX_set_security_level(ctx_, 0);
    SSL_CTX_set_verify(ctx_, SSL_VERIFY_PEER, nullptr);
    if (SSL_CTX_load_verify_locations(ctx_, pki(options_.trust).c_str(), nullptr) != 1) {
        error_ = "cannot load trust " + options_.trust;
        return false;
    }
    if (!options_.cert.empty()) {
        if (SSL_CTX_use_certificate_chain_file(ctx_, pki(options_.cert).c_str()) != 1 ||
            SSL_CTX_use_PrivateKey_file(ctx_, pki(options_.key).c_str(), SSL_FILETYPE_PEM) != 1) {
            error_ = "cannot load client identity: " + ossl_errors();
            return false;
        }
    }
    fd_ = tcp_connect(port_, options_.source_ip);
    if (fd_ < 0) {
        error_ = "TCP connect failed";
        return false;
    }
    timeval tv{};
    tv.tv_sec = static_cast<time_t>(options_.timeout.count() / 1000);
    tv.tv_usec = static_cast<suseconds_t>((options_.timeout.count() % 1000) * 1000);
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    ::setsockopt(fd_, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    ssl_ = SSL_new(ctx_);
    SSL_set_fd(ssl_, fd_);
    SSL_set_tlsext_host_name(ssl_, "localhost");
    SSL_set1_host(ssl_, "localhost");
    if (options_.resume != nullptr) SSL_set_session(ssl_, options_.resume);
    if (SSL_connect(ssl_) != 1) {
        error_ = "handshake failed: " + ossl_errors();
        return false;
    }
    return true;
}

bool TlsClient::send(const std::string& bytes) {
    ERR_clear_error();
    return SSL_write(ssl_, bytes.data(), static_cast<int>(bytes.size())) == static_cast<int>(bytes.size());
}

bool TlsClient::fill() {
    char buf[16384];
    ERR_clear_error();
    const int n = SSL_read(ssl_, buf, sizeof buf);
    if (n <= 0) {
        error_ = "read failed: " + ossl_errors();
        return false;
    }
    in_.append(buf, static_cast<std::size_t>(n));
    return true;
}

std::optional<HttpResponse> TlsClient::read_response() {
    std::size_t end;
    while ((end = in_.find("\r\n\r\n")) == std::string::npos) {
        if (!fill()) return std::nullopt;
    }
    HttpResponse r;
    std::istringstream head(in_.substr(0, end));
    std::string line;
    std::getline(head, line);
    if (line.size() < 12) return std::nullopt;
    r.status = std::stoi(line.substr(9, 3));
    while (std::getline(head, line)) {
        if (!line.empty() && line.back() == '\r') line.pop_back();
        const auto colon = line.find(':');
        if (colon == std::string::npos) continue;
        std::string name = line.substr(0, colon);
        std::transform(name.begin(), name.end(), name.begin(),
                       [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
        std::string value = line.substr(colon + 1);
        value.erase(0, value.find_first_not_of(' '));
        r.headers[name] = value;
    }
    const std::size_t length =
        r.headers.count("content-length") ? std::stoul(r.headers["content-length"]) : 0;
    while (in_.size() < end + 4 + length) {
        if (!fill()) return std::nullopt;
    }
    r.body = in_.substr(end + 4, length);
    in_.erase(0, end + 4 + length);
    return r;
}

bool TlsClient::peer_closed() {
    // Discards whatever still arrives (a final response) until EOF, an alert or the timeout.
    char buf[4096];
    for (int i = 0; i < 1000; ++i) {
        ERR_clear_error();
        if (SSL_read(ssl_, buf, sizeof buf) <= 0) return SSL_get_error(ssl_, -1) != SSL_ERROR_WANT_READ;
    }
    return false;
}

std::optional<HttpResponse> TlsClient::post(const std::string& target, const std::string& body,
                                            const std::string& extra_headers) {
    if (!send(http_request(target, body, extra_headers))) return std::nullopt;
    return read_response();
}

void TlsClient::drop_connection(bool reset) {
    if (reset) {
        linger l{1, 0};
        ::setsockopt(fd_, SOL_SOCKET, SO_LINGER, &l, sizeof l);
    }
    SSL_free(ssl_);
    ssl_ = nullptr;
    ::close(fd_);
    fd_ = -1;
}

bool TlsClient::session_reused() const { return SSL_session_reused(ssl_) == 1; }

SSL_SESSION* TlsClient::take_session() const { return SSL_get1_session(ssl_); }

std::string http_request(const std::string& target, const std::string& body, const std::string& extra_headers,
                         const std::string& method) {
    return method + " " + target +
           " HTTP/1.1\r\nHost: localhost\r\nContent-Length: " + std::to_string(body.size()) + "\r\n" +
           extra_headers + "\r\n" + body;
}

std::string callback_target(const std::string& command, std::uint64_t sdk_app_id, const std::string& extra) {
    return "/?SdkAppid=" + std::to_string(sdk_app_id) + "&CallbackCommand=" + command +
           "&contenttype=json&ClientIP=10.0.0.1&OptPlatform=iOS" + extra;
}

RawSocket::RawSocket(std::uint16_t port, const std::string& source_ip) : fd_(tcp_connect(port, source_ip)) {}

RawSocket::~RawSocket() {
    if (fd_ >= 0) ::close(fd_);
}

void RawSocket::send(const std::string& bytes) {
    [[maybe_unused]] const auto n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
}

bool RawSocket::closed_by_peer(std::chrono::milliseconds timeout) {
    // Whatever arrives before the close (a TLS alert, say) is discarded.
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    char buf[512];
    for (;;) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        pollfd p{fd_, POLLIN, 0};
        if (left.count() <= 0 || ::poll(&p, 1, static_cast<int>(left.count())) <= 0) return false;
        const ssize_t n = ::recv(fd_, buf, sizeof buf, MSG_DONTWAIT);
        if (n == 0) return true;
        if (n < 0 && errno != EAGAIN && errno != EINTR) return true;
    }
}

}  // namespace imcb::test
