#pragma once

// One accepted TLS connection, as the transport (transport.h) owns it and the HTTP layer reads
// and writes it, and the deadline guard's hold on a request in flight.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "imcb/context.h"
#include "openssl_ptr.h"
#include "tls_context.h"

namespace imcb::detail {

/// "ip:port", with the IPv6 address in brackets.
std::string endpoint(const std::string& ip, int port);

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

    const std::string reply;     // the whole HTTP response the guard sends
    const std::size_t consumed;  // request bytes to drop from the input before sending it
    const bool keep_alive;
    const std::string command;        // for the report
    const std::int64_t deadline;      // steady clock, ms
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
    Connection(int fd, SslPtr ssl, std::shared_ptr<const TrustSnapshot> trust, std::string remote_ip,
               int remote_port);
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

}  // namespace imcb::detail
