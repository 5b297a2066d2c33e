// Starting the transport when the system refuses what it needs: descriptors for its epoll set and
// wake-up event, and threads. A failed start throws ConfigError and leaves nothing open; a failed
// thread start is reported to on_error without an internal lock held, so on_error may call stop().
//
// The cases that could hang run in a child process (a death test) with an alarm: a deadlock
// there fails the test instead of stalling the suite.

#include <gtest/gtest.h>

#include <dirent.h>
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <mutex>
#include <system_error>
#include <thread>
#include <vector>

#include "support/receiver_fixture.h"
#include "support/tls_client.h"
#include "transport.h"

namespace imcb::test {
namespace {

using detail::Transport;
using detail::TransportOptions;

// A failure inside a child process: said on stderr (which the death test matches), then exit.
[[noreturn]] void child_exit(int code, const std::string& what) {
    std::fprintf(stderr, "%s\n", what.c_str());
    std::fflush(stderr);
    ::_exit(code);
}

std::size_t open_descriptors() {
    std::size_t n = 0;
    if (DIR* d = ::opendir("/proc/self/fd")) {
        while (const dirent* e = ::readdir(d)) n += e->d_name[0] != '.';
        ::closedir(d);
    }
    return n;  // counts the directory's own descriptor too, the same way every time
}

// Leaves exactly `free_fds` descriptors below the (lowered) limit, then starts the receiver: the
// listener takes one, so with 1 free epoll_create1 fails, with 2 free eventfd fails.
[[noreturn]] void start_with_free_descriptors(int free_fds) {
    ::alarm(60);
    Receiver receiver(dev_options());  // reads its files before the descriptors run out
    const rlimit low{256, 256};
    if (::setrlimit(RLIMIT_NOFILE, &low) != 0) child_exit(3, "setrlimit failed");
    std::vector<int> filler;
    for (int fd; (fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC)) >= 0;) filler.push_back(fd);
    if (filler.size() < static_cast<std::size_t>(free_fds)) child_exit(3, "too few descriptors");
    for (int i = 0; i < free_fds; ++i) {
        ::close(filler.back());
        filler.pop_back();
    }
    try {
        receiver.start();
        child_exit(1, "start() succeeded without the descriptors it needs");
    } catch (const ConfigError& e) {
        if (e.code() != ErrorCode::StartFailed) child_exit(1, std::string("wrong code: ") + e.what());
        // Nothing is left open: the descriptors the failed start took are free again.
        for (int i = 0; i < free_fds; ++i) {
            if (::open("/dev/null", O_RDONLY | O_CLOEXEC) < 0) child_exit(1, "a descriptor leaked");
        }
        child_exit(0, e.what());
    }
}

TEST(TransportStart, WithoutADescriptorForEpollStartThrowsAndLeavesNothingOpen) {
#if defined(__SANITIZE_ADDRESS__)
    // UBSan's type checks need descriptors of their own; with one left, they misjudge the vptr.
    GTEST_SKIP() << "needs a build without AddressSanitizer/UBSan (the plain and TSan runs cover it)";
#endif
    GTEST_FLAG_SET(death_test_style, "threadsafe");
    EXPECT_EXIT(start_with_free_descriptors(1), ::testing::ExitedWithCode(0),
                "epoll_create1\\(\\): Too many open files: raise the open-file limit");
}

TEST(TransportStart, WithoutADescriptorForItsWakeEventStartThrowsAndLeavesNothingOpen) {
    GTEST_FLAG_SET(death_test_style, "threadsafe");
    EXPECT_EXIT(start_with_free_descriptors(2), ::testing::ExitedWithCode(0),
                "eventfd\\(\\): Too many open files: raise the open-file limit");
}

// A serving receiver whose process has no descriptor left when a client connects: accept4
// fails with EMFILE, which is reported as ResourceExhausted (not as a handshake failure), and
// the connection waits in the backlog until a descriptor is free.
[[noreturn]] void accept_without_a_descriptor() {
    ::alarm(60);
    std::mutex mu;
    std::condition_variable cv;
    std::vector<ErrorReport> reports;
    Receiver receiver(dev_options());
    receiver.on_error([&](const ErrorReport& r) {
        std::lock_guard<std::mutex> lock(mu);
        reports.push_back(r);
        cv.notify_all();
    });
    const std::uint16_t port = receiver.start();
    const int client = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);  // before the limit
    if (client < 0) child_exit(3, "socket failed");
    const rlimit low{256, 256};
    if (open_descriptors() >= 250 || ::setrlimit(RLIMIT_NOFILE, &low) != 0) child_exit(3, "setrlimit failed");
    std::vector<int> filler;
    for (int fd; (fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC)) >= 0;) filler.push_back(fd);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(client, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0)
        child_exit(3, "connect failed");
    std::unique_lock<std::mutex> lock(mu);
    const bool seen = cv.wait_for(lock, std::chrono::seconds(30), [&] {
        for (const auto& r : reports) {
            if (r.kind == ErrorKind::ResourceExhausted) return true;
        }
        return false;
    });
    if (!seen) child_exit(1, "no resource_exhausted report");
    for (const auto& r : reports) {
        if (r.kind == ErrorKind::HandshakeFailed)
            child_exit(1, "reported as a handshake failure: " + r.message);
    }
    for (const auto& r : reports) {
        if (r.kind == ErrorKind::ResourceExhausted)
            child_exit(0, std::string(to_string(r.kind)) + ": " + r.message);
    }
    child_exit(1, "unreachable");
}

TEST(TransportStart, AcceptWithoutADescriptorIsReportedAsResourceExhausted) {
#if defined(__SANITIZE_ADDRESS__)
    GTEST_SKIP() << "needs a build without AddressSanitizer/UBSan (the plain and TSan runs cover it)";
#endif
    GTEST_FLAG_SET(death_test_style, "threadsafe");
    EXPECT_EXIT(accept_without_a_descriptor(), ::testing::ExitedWithCode(0),
                "resource_exhausted: accept: Too many open files: raise the open-file limit");
}

// A request server that holds its worker until released: a pool whose workers are all blocked.
class BlockingServer : public detail::RequestServer {
  public:
    detail::Served serve(detail::Connection&, bool) override {
        std::unique_lock<std::mutex> lock(mu_);
        entered_ = true;
        cv_.notify_all();
        cv_.wait_for(lock, std::chrono::seconds(30), [this] { return released_; });
        served_++;
        return detail::Served::Close;
    }
    int served() const { return served_.load(); }
    bool entered() {
        std::lock_guard<std::mutex> lock(mu_);
        return entered_;
    }
    bool wait_entered() {
        std::unique_lock<std::mutex> lock(mu_);
        return cv_.wait_for(lock, std::chrono::seconds(10), [this] { return entered_; });
    }
    void release() {
        std::lock_guard<std::mutex> lock(mu_);
        released_ = true;
        cv_.notify_all();
    }

  private:
    std::mutex mu_;
    std::condition_variable cv_;
    bool entered_ = false;
    bool released_ = false;
    std::atomic<int> served_{0};
};

// The transport on 127.0.0.1 with the development PKI, whose thread creation fails from the
// `fail_from`-th thread on (workers are started first, then the housekeeper).
struct FailingThreads {
    explicit FailingThreads(std::size_t min_threads, std::size_t max_threads, int fail_from)
        : trust(detail::make_trust_snapshot(dev_options().tls, 1)) {
        options.host = "127.0.0.1";
        options.min_threads = min_threads;
        options.max_threads = max_threads;
        options.start_thread = [this, fail_from](std::function<void()> body) {
            if (++threads_asked >= fail_from) {
                throw std::system_error(std::make_error_code(std::errc::resource_unavailable_try_again),
                                        "thread creation refused by the test");
            }
            return std::thread(std::move(body));
        };
    }
    Transport& make(detail::RequestServer& server) {
        transport = std::make_unique<Transport>(
            options, [this] { return trust; }, server, reporter, counters);
        return *transport;
    }

    std::shared_ptr<const detail::TrustSnapshot> trust;
    TransportOptions options;
    detail::Reporter reporter;
    detail::Counters counters;
    std::atomic<int> threads_asked{0};
    std::unique_ptr<Transport> transport;
};

// on_error calls stop() while start() reports that its second worker cannot start.
[[noreturn]] void stop_from_on_error_during_start() {
    ::alarm(30);  // a deadlock ends the child, and fails the test
    FailingThreads f(2, 4, 2);
    BlockingServer server;
    std::atomic<int> reports{0};
    f.reporter.set_handler([&](const ErrorReport& r) {
        if (r.message.find("cannot start another worker thread") == std::string::npos) return;
        if (r.kind != ErrorKind::WorkerStartFailed)
            child_exit(1, "a failed thread start reported as " + std::string(to_string(r.kind)));
        reports++;
        f.transport->stop();
    });
    Transport& t = f.make(server);
    t.start();
    if (reports.load() != 1) child_exit(1, "the failed thread start was not reported once");
    if (!t.stopping() || f.counters.worker_threads.load() != 0) child_exit(1, "not stopped");
    t.stop();
    child_exit(0, "stopped from on_error during start");
}

TEST(TransportThreads, OnErrorMayStopTheTransportWhenAWorkerCannotStartDuringStart) {
    GTEST_FLAG_SET(death_test_style, "threadsafe");
    EXPECT_EXIT(stop_from_on_error_during_start(), ::testing::ExitedWithCode(0),
                "stopped from on_error during start");
}

// Every worker is blocked in a request, the pool tries to grow, thread creation fails, and
// on_error (on the housekeeping thread) calls stop().
[[noreturn]] void stop_from_on_error_when_the_pool_cannot_grow() {
    ::alarm(30);
    FailingThreads f(1, 2, 3);  // worker, housekeeper, then growth fails
    BlockingServer server;
    std::mutex mu;
    std::condition_variable cv;
    bool stop_returned = false;
    f.reporter.set_handler([&](const ErrorReport& r) {
        if (r.message.find("cannot start another worker thread") == std::string::npos) return;
        // A slow handshake may make the pool try to grow before the request is blocked: the
        // housekeeper tries again while it is.
        if (!server.entered()) return;
        f.transport->stop();
        std::lock_guard<std::mutex> lock(mu);
        stop_returned = true;
        cv.notify_all();
    });
    Transport& t = f.make(server);
    const std::uint16_t port = t.start();
    TlsClient client(port, vendor_client());
    if (!client.connect()) child_exit(3, "handshake failed: " + client.error());
    if (!client.send(http_request(callback_target("State.StateChange"), "{}"))) child_exit(3, "send failed");
    if (!server.wait_entered()) child_exit(3, "the request never reached the server");
    bool returned = false;
    {
        std::unique_lock<std::mutex> lock(mu);
        // Waits for the growth attempt, an event: the housekeeper tries as soon as it sees every
        // worker busy without progress.
        returned = cv.wait_for(lock, std::chrono::seconds(20), [&] { return stop_returned; });
    }
    if (!returned) child_exit(1, "stop() called from on_error did not return");
    if (!t.stopping()) child_exit(1, "stop() from on_error did not stop the transport");
    server.release();
    t.stop();  // completes the shutdown from this thread
    if (f.counters.worker_threads.load() != 0) child_exit(1, "workers left running");
    child_exit(0, "stopped from on_error when the pool could not grow");
}

TEST(TransportThreads, OnErrorMayStopTheTransportWhenThePoolCannotGrow) {
    GTEST_FLAG_SET(death_test_style, "threadsafe");
    EXPECT_EXIT(stop_from_on_error_when_the_pool_cannot_grow(), ::testing::ExitedWithCode(0),
                "stopped from on_error when the pool could not grow");
}

// While on_error runs for a failed growth, the workers there are keep serving: no internal lock is
// held around the user's code (a worker takes the pool's lock before it waits for the next event).
TEST(TransportThreads, WorkersKeepServingWhileOnErrorRuns) {
    FailingThreads f(1, 2, 3);  // worker, housekeeper, then growth fails
    BlockingServer server;
    std::mutex mu;
    std::condition_variable cv;
    bool in_on_error = false;
    bool served_meanwhile = false;
    f.reporter.set_handler([&](const ErrorReport& r) {
        if (r.message.find("cannot start another worker thread") == std::string::npos) return;
        if (!server.entered()) return;  // (as above) the growth that matters is the blocked one
        std::unique_lock<std::mutex> lock(mu);
        if (in_on_error) return;  // once is enough
        in_on_error = true;
        cv.notify_all();
        server.release();  // the blocked worker finishes its request and goes back for more
        served_meanwhile = cv.wait_for(lock, std::chrono::seconds(10), [&] { return server.served() >= 2; });
    });
    Transport& t = f.make(server);
    const std::uint16_t port = t.start();
    TlsClient first(port, vendor_client());
    ASSERT_TRUE(first.connect()) << first.error();
    ASSERT_TRUE(first.send(http_request(callback_target("State.StateChange"), "{}")));
    ASSERT_TRUE(server.wait_entered());
    {
        std::unique_lock<std::mutex> lock(mu);
        ASSERT_TRUE(cv.wait_for(lock, std::chrono::seconds(10), [&] { return in_on_error; }));
    }
    // on_error is running: the one worker must still take a new connection and serve it.
    TlsClient second(port, vendor_client());
    const bool connected = second.connect();
    if (connected) {
        EXPECT_TRUE(second.send(http_request(callback_target("State.StateChange"), "{}")));
    }
    EXPECT_TRUE(eventually([&] { return server.served() >= 2; }, std::chrono::seconds(10)));
    {
        std::lock_guard<std::mutex> lock(mu);
        cv.notify_all();
    }
    EXPECT_TRUE(connected) << second.error();
    t.stop();
    EXPECT_TRUE(served_meanwhile);
}

TEST(TransportThreads, StartFailsWhenNoWorkerCanStartAndLeavesNothingOpen) {
    FailingThreads f(2, 4, 1);
    BlockingServer server;
    std::atomic<int> reports{0};
    f.reporter.set_handler([&](const ErrorReport&) { reports++; });
    Transport& t = f.make(server);
    const std::size_t before = open_descriptors();
    try {
        t.start();
        FAIL() << "started without a worker thread";
    } catch (const ConfigError& e) {
        EXPECT_EQ(e.code(), ErrorCode::StartFailed);
        EXPECT_NE(std::string(e.what()).find("no worker thread could be started"), std::string::npos)
            << e.what();
        EXPECT_NE(std::string(e.what()).find("ulimit -u"), std::string::npos) << e.what();
    }
    EXPECT_EQ(open_descriptors(), before);
    EXPECT_EQ(reports.load(), 2);  // each refused worker was reported
    EXPECT_EQ(f.counters.worker_threads.load(), 0u);
}

TEST(TransportThreads, StartFailsWhenTheHousekeeperCannotStartAndJoinsItsWorkers) {
    FailingThreads f(2, 4, 3);  // both workers start, the housekeeper does not
    BlockingServer server;
    Transport& t = f.make(server);
    const std::size_t before = open_descriptors();
    try {
        t.start();
        FAIL() << "started without its housekeeping thread";
    } catch (const ConfigError& e) {
        EXPECT_EQ(e.code(), ErrorCode::StartFailed);
        EXPECT_NE(std::string(e.what()).find("housekeeping thread"), std::string::npos) << e.what();
    }
    EXPECT_EQ(open_descriptors(), before);
    EXPECT_EQ(f.counters.worker_threads.load(), 0u);
}

}  // namespace
}  // namespace imcb::test
