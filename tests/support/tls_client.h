#pragma once

// A blocking TLS client on raw OpenSSL, with the knobs the tests need: any client certificate (or
// none), TLS version bounds, session resumption, and raw bytes (pipelining, broken framing).
// It always verifies the server against the CA it is given.

#include <openssl/ssl.h>

#include <chrono>
#include <map>
#include <optional>
#include <string>

namespace imcb::test {

struct ClientOptions {
    std::string cert;  ///< client certificate file; empty = send none
    std::string key;
    std::string trust = "public-ca.crt";  ///< CA that signed the server certificate (pki name)
    int min_version = TLS1_2_VERSION;
    int max_version = 0;            ///< 0 = highest
    SSL_SESSION* resume = nullptr;  ///< session to offer (not owned)
    std::chrono::milliseconds timeout{5000};
    std::string source_ip;  ///< local address to connect from (127.0.0.x); empty = any
};

/// The vendor's client identity, as the happy path uses it.
ClientOptions vendor_client();

struct HttpResponse {
    int status = 0;
    std::map<std::string, std::string> headers;  ///< lower-case names
    std::string body;
};

class TlsClient {
  public:
    TlsClient(std::uint16_t port, ClientOptions options);
    ~TlsClient();
    TlsClient(const TlsClient&) = delete;
    TlsClient& operator=(const TlsClient&) = delete;

    /// TCP connect and TLS handshake. False (with error()) when either fails.
    bool connect();
    bool send(const std::string& bytes);
    /// Reads one HTTP response (Content-Length framed). Empty when the connection fails or closes.
    std::optional<HttpResponse> read_response();
    /// True when the peer closed the connection (EOF or alert) within the timeout; data that
    /// arrives first is discarded.
    bool peer_closed();

    /// One request and its response on this connection.
    std::optional<HttpResponse> post(const std::string& target, const std::string& body,
                                     const std::string& extra_headers = {});

    /// Drops the connection at once (no close_notify); with `reset`, by a TCP reset.
    void drop_connection(bool reset);

    bool session_reused() const;
    /// The session to resume later (owned by the caller: SSL_SESSION_free).
    SSL_SESSION* take_session() const;
    const std::string& error() const { return error_; }
    int fd() const { return fd_; }
    SSL* ssl() const { return ssl_; }

  private:
    bool fill();
    std::uint16_t port_;
    ClientOptions options_;
    SSL_CTX* ctx_ = nullptr;
    SSL* ssl_ = nullptr;
    int fd_ = -1;
    std::string in_;
    std::string error_;
};

/// "POST target HTTP/1.1" with Host and Content-Length, plus extra header lines.
std::string http_request(const std::string& target, const std::string& body,
                         const std::string& extra_headers = {}, const std::string& method = "POST");

/// "/?SdkAppid=...&CallbackCommand=..." for the test application.
std::string callback_target(const std::string& command, std::uint64_t sdk_app_id = 888888,
                            const std::string& extra = {});

/// A TCP connection that sends nothing (or the given bytes) and is closed by the destructor.
class RawSocket {
  public:
    /// Connects to 127.0.0.1, from `source_ip` when given (another loopback address: 127.0.0.2).
    explicit RawSocket(std::uint16_t port, const std::string& source_ip = {});
    ~RawSocket();
    RawSocket(const RawSocket&) = delete;
    RawSocket& operator=(const RawSocket&) = delete;
    bool ok() const { return fd_ >= 0; }
    void send(const std::string& bytes);
    /// True when the server closed the connection within the timeout.
    bool closed_by_peer(std::chrono::milliseconds timeout);

  private:
    int fd_ = -1;
};

}  // namespace imcb::test
