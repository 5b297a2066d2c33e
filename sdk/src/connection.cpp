#include "connection.h"

#include <poll.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <thread>

#include <openssl/err.h>

namespace imcb::detail {
namespace {

using Clock = std::chrono::steady_clock;
constexpr std::size_t kInputChunk = 16 * 1024;

std::int64_t to_ms(Clock::time_point t) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

}  // namespace

std::string endpoint(const std::string& ip, int port) {
    return ip.find(':') != std::string::npos ? "[" + ip + "]:" + std::to_string(port)
                                             : ip + ":" + std::to_string(port);
}

Connection::Connection(int fd, SslPtr ssl, std::shared_ptr<const TrustSnapshot> trust, std::string remote_ip,
                       int remote_port)
    : fd_(fd),
      ssl_(std::move(ssl)),
      trust_(std::move(trust)),
      remote_ip_(std::move(remote_ip)),
      remote_port_(remote_port),
      remote_addr_(endpoint(remote_ip_, remote_port_)) {
    attach_note(ssl_.get(), &note_);
}

Connection::~Connection() {
    ssl_.reset();
    if (fd_ >= 0) ::close(fd_);
}

Connection::Io Connection::fill() {
    if (in_pos_ == in_len_) in_pos_ = in_len_ = 0;
    if (in_.size() < kInputChunk) in_.resize(kInputChunk);
    if (in_len_ == in_.size()) return Io::Data;  // buffer full: the caller makes room
    ERR_clear_error();
    const int n = SSL_read(ssl_.get(), in_.data() + in_len_, static_cast<int>(in_.size() - in_len_));
    if (n > 0) {
        in_len_ += static_cast<std::size_t>(n);
        return Io::Data;
    }
    switch (SSL_get_error(ssl_.get(), n)) {
        case SSL_ERROR_WANT_READ:
            return Io::WantRead;
        case SSL_ERROR_WANT_WRITE:
            return Io::WantWrite;
        default:
            ERR_clear_error();
            return Io::Closed;
    }
}

bool Connection::wait(short events, Clock::time_point deadline) {
    for (;;) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
        if (left.count() <= 0) return false;
        pollfd p{fd_, events, 0};
        const int r = ::poll(&p, 1, static_cast<int>(std::min<std::int64_t>(left.count(), 60000)));
        if (r > 0) return true;
        if (r < 0 && errno != EINTR) return false;
    }
}

void Connection::begin_request(std::chrono::milliseconds timeout) {
    request_deadline_ = Clock::now() + timeout;
}

bool Connection::read_more(std::size_t limit) {
    if (in_pos_ > 0 && in_pos_ == in_len_) in_pos_ = in_len_ = 0;
    if (in_len_ == in_.size()) {
        if (in_pos_ > 0) {  // compact: move the unread bytes to the front
            std::memmove(in_.data(), in_.data() + in_pos_, in_len_ - in_pos_);
            in_len_ -= in_pos_;
            in_pos_ = 0;
        } else if (in_.size() < limit) {
            in_.resize(std::min(limit, std::max(in_.size() * 2, kInputChunk)));
        } else {
            return false;
        }
    }
    for (;;) {
        switch (fill()) {
            case Io::Data:
                return true;
            case Io::WantRead:
                if (!wait(POLLIN, request_deadline_)) return false;
                break;
            case Io::WantWrite:
                if (!wait(POLLOUT, request_deadline_)) return false;
                break;
            case Io::Closed:
                return false;
        }
    }
}

bool Connection::flush() {
    std::size_t off = 0;
    const auto deadline = std::max(request_deadline_, Clock::now() + std::chrono::seconds(1));
    while (off < out_.size()) {
        ERR_clear_error();
        const int n = SSL_write(ssl_.get(), out_.data() + off, static_cast<int>(out_.size() - off));
        if (n > 0) {
            off += static_cast<std::size_t>(n);
            continue;
        }
        const int err = SSL_get_error(ssl_.get(), n);
        if ((err == SSL_ERROR_WANT_WRITE && wait(POLLOUT, deadline)) ||
            (err == SSL_ERROR_WANT_READ && wait(POLLIN, deadline))) {
            continue;
        }
        ERR_clear_error();
        out_.clear();
        return false;
    }
    out_.clear();
    return true;
}

bool Rescue::disarm() noexcept {
    std::int64_t expected = deadline;
    if (state.compare_exchange_strong(expected, kDisarmed)) return true;
    // The housekeeper is handing the request over; that takes one epoll_ctl and never blocks.
    while ((expected = state.load()) == kTaking) std::this_thread::yield();
    return expected == kFailed;
}

std::shared_ptr<Rescue> Connection::arm_rescue(std::string reply, std::size_t consumed, bool keep_alive,
                                               std::string command, Clock::time_point deadline) {
    auto r = std::make_shared<Rescue>(std::move(reply), consumed, keep_alive, std::move(command),
                                      std::max<std::int64_t>(1, to_ms(deadline)));
    std::lock_guard<std::mutex> lock(rescue_mu_);
    rescue_ = r;
    return r;
}

void Connection::clear_rescue() {
    std::lock_guard<std::mutex> lock(rescue_mu_);
    rescue_.reset();
}

void Connection::release_idle_buffers() {
    if (in_pos_ == in_len_) {
        in_pos_ = in_len_ = 0;
        std::vector<char>().swap(in_);
    }
    if (out_.capacity() > 4096) std::string().swap(out_);
}

}  // namespace imcb::detail
