// Signals: the SDK's threads block every asynchronous signal, and Receiver::run_until_signal
// serves until SIGINT/SIGTERM, reloading on SIGHUP. Signals are sent to this process with kill(),
// as a service manager does; every thread blocks the three signals before any is sent, so only
// the wait takes them.

#include <dirent.h>
#include <pthread.h>
#include <signal.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <atomic>
#include <cstdint>
#include <fstream>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "support/receiver_fixture.h"
#include "support/tls_client.h"

namespace imcb::test {
namespace {

// The signal mask of thread `tid` of this process (SigBlk in /proc), or nullopt if it is gone.
std::optional<std::uint64_t> blocked_of(const std::string& tid) {
    std::ifstream status("/proc/self/task/" + tid + "/status");
    for (std::string line; std::getline(status, line);) {
        if (line.rfind("SigBlk:", 0) == 0) return std::stoull(line.substr(7), nullptr, 16);
    }
    return std::nullopt;
}

bool has(std::uint64_t mask, int sig) { return (mask >> (sig - 1)) & 1u; }

std::vector<std::string> other_threads() {
    std::vector<std::string> out;
    const std::string self = std::to_string(::syscall(SYS_gettid));
    DIR* dir = ::opendir("/proc/self/task");
    if (dir == nullptr) return out;
    while (const dirent* e = ::readdir(dir)) {
        const std::string name = e->d_name;
        if (name != "." && name != ".." && name != self) out.push_back(name);
    }
    ::closedir(dir);
    return out;
}

// Blocks SIGINT, SIGTERM and SIGHUP in this thread (and so in the threads it starts from now on)
// for the test's duration.
class StopSignalsBlocked {
  public:
    StopSignalsBlocked() {
        sigemptyset(&set_);
        for (const int sig : {SIGINT, SIGTERM, SIGHUP}) sigaddset(&set_, sig);
        pthread_sigmask(SIG_BLOCK, &set_, &saved_);
    }
    ~StopSignalsBlocked() { pthread_sigmask(SIG_SETMASK, &saved_, nullptr); }

  private:
    sigset_t set_{};
    sigset_t saved_{};
};

std::size_t reports_of(const RunningReceiver& r, ErrorKind kind) {
    std::size_t n = 0;
    for (const auto& e : r.reports()) n += e.kind == kind ? 1 : 0;
    return n;
}

TEST(Signals, TheSdksThreadsBlockEveryAsynchronousSignal) {
    ReceiverOptions o = dev_options();
    o.admin_listen = "127.0.0.1:0";  // the admin listener's thread too
    RunningReceiver r(o);
    TlsClient client(r.port(), vendor_client());  // a worker thread is serving it
    ASSERT_TRUE(client.connect());
    const std::uint64_t mine = blocked_of(std::to_string(::syscall(SYS_gettid))).value_or(~0ull);
    ASSERT_FALSE(has(mine, SIGINT));  // the test's thread does not block them: the threads
    ASSERT_FALSE(has(mine, SIGTERM));  // below did not inherit it from here
    const auto threads = other_threads();
    ASSERT_GE(threads.size(), 3u);  // housekeeping, a worker, the watcher, the admin listener
    for (const auto& tid : threads) {
        const auto mask = blocked_of(tid);
        if (!mask) continue;  // ended meanwhile
        for (const int sig : {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGPIPE, SIGALRM, SIGCHLD}) {
            EXPECT_TRUE(has(*mask, sig)) << "thread " << tid << " takes signal " << sig;
        }
        for (const int fault : {SIGSEGV, SIGBUS, SIGFPE, SIGILL}) {
            EXPECT_FALSE(has(*mask, fault)) << "thread " << tid << " blocks fault signal " << fault;
        }
    }
}

TEST(Signals, RunUntilSignalReloadsOnSighupAndStopsOnSigterm) {
    const StopSignalsBlocked blocked;
    RunningReceiver r(dev_options());
    std::atomic<int> returned{0};
    std::thread runner([&] { returned = r.receiver().run_until_signal(); });

    const std::size_t before = reports_of(r, ErrorKind::TrustReloaded);
    ASSERT_EQ(::kill(::getpid(), SIGHUP), 0);
    EXPECT_TRUE(eventually([&] { return reports_of(r, ErrorKind::TrustReloaded) > before; }));
    EXPECT_EQ(r.receiver().metrics().reloads_ok, 1u);
    TlsClient client(r.port(), vendor_client());
    EXPECT_TRUE(client.connect());  // still serving
    EXPECT_EQ(returned.load(), 0);

    ASSERT_EQ(::kill(::getpid(), SIGTERM), 0);
    runner.join();
    EXPECT_EQ(returned.load(), SIGTERM);
    EXPECT_FALSE(r.receiver().ready());
    TlsClient late(r.port(), vendor_client());
    EXPECT_FALSE(late.connect());
}

TEST(Signals, ARefusedReloadOnSighupIsReportedAndTheReceiverGoesOn) {
    const StopSignalsBlocked blocked;
    RunningReceiver r(dev_options(), [](Receiver& rec) {
        rec.reload_source([]() -> ReceiverOptions { throw std::runtime_error("config.json: unreadable"); });
    });
    std::atomic<int> returned{0};
    std::thread runner([&] { returned = r.receiver().run_until_signal(); });
    ASSERT_EQ(::kill(::getpid(), SIGHUP), 0);
    EXPECT_TRUE(eventually([&] { return reports_of(r, ErrorKind::ReloadFailed) > 0; }));
    bool named = false;
    for (const auto& e : r.reports()) named |= e.message.find("config.json: unreadable") != std::string::npos;
    EXPECT_TRUE(named);
    TlsClient client(r.port(), vendor_client());
    EXPECT_TRUE(client.connect());
    ASSERT_EQ(::kill(::getpid(), SIGINT), 0);
    runner.join();
    EXPECT_EQ(returned.load(), SIGINT);
}

TEST(Signals, RunUntilSignalStartsAReceiverNotStartedYet) {
    const StopSignalsBlocked blocked;
    ReceiverOptions o = dev_options();
    o.host = "127.0.0.1";
    o.port = 0;
    Receiver receiver(o);
    std::atomic<int> returned{0};
    std::thread runner([&] { returned = receiver.run_until_signal(); });
    EXPECT_TRUE(eventually([&] { return receiver.ready(); }));
    ASSERT_EQ(::kill(::getpid(), SIGTERM), 0);
    runner.join();
    EXPECT_EQ(returned.load(), SIGTERM);
    EXPECT_FALSE(receiver.ready());
}

}  // namespace
}  // namespace imcb::test
