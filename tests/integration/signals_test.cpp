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

// The SDK's threads: those named "imcb-..." (a sanitizer's own threads are not).
std::vector<std::string> sdk_threads() {
    std::vector<std::string> out;
    DIR* dir = ::opendir("/proc/self/task");
    if (dir == nullptr) return out;
    while (const dirent* e = ::readdir(dir)) {
        const std::string tid = e->d_name;
        if (tid == "." || tid == "..") continue;
        std::ifstream comm("/proc/self/task/" + tid + "/comm");
        std::string name;
        std::getline(comm, name);
        if (name.rfind("imcb-", 0) == 0) out.push_back(tid);
    }
    ::closedir(dir);
    return out;
}

// Unblocks (or blocks) SIGINT, SIGTERM and SIGHUP in this thread, and so in the threads it starts
// from now on, for the test's duration; the mask it had is restored after.
class StopSignals {
  public:
    explicit StopSignals(int how) {
        sigemptyset(&set_);
        for (const int sig : {SIGINT, SIGTERM, SIGHUP}) sigaddset(&set_, sig);
        pthread_sigmask(how, &set_, &saved_);
    }
    ~StopSignals() { pthread_sigmask(SIG_SETMASK, &saved_, nullptr); }
    StopSignals(const StopSignals&) = delete;
    StopSignals& operator=(const StopSignals&) = delete;

  private:
    sigset_t set_{};
    sigset_t saved_{};
};

// run_until_signal() on a thread of its own; joined however the test ends.
class Runner {
  public:
    explicit Runner(Receiver& receiver)
        : thread_([this, &receiver] {
              try {
                  returned_ = receiver.run_until_signal();
              } catch (const std::exception& e) {
                  returned_ = -1;
                  ADD_FAILURE() << "run_until_signal threw: " << e.what();
              }
              done_ = true;
          }) {}
    ~Runner() {
        if (!done_) ::kill(::getpid(), SIGTERM);  // a failed test: end the wait
        thread_.join();
    }
    Runner(const Runner&) = delete;
    Runner& operator=(const Runner&) = delete;
    /// Waits for run_until_signal() to return; its result, or nullopt if it did not.
    std::optional<int> result() {
        if (!eventually([this] { return done_.load(); }, std::chrono::seconds(10))) return std::nullopt;
        return returned_.load();
    }

  private:
    std::atomic<int> returned_{0};
    std::atomic<bool> done_{false};
    std::thread thread_;
};

TEST(Signals, TheSdksThreadsBlockEveryAsynchronousSignal) {
    const StopSignals unblocked(SIG_UNBLOCK);  // the SDK's threads must not inherit from here
    ReceiverOptions o = dev_options();
    o.admin_listen = "127.0.0.1:0";  // the admin listener's thread too
    RunningReceiver r(o);
    TlsClient client(r.port(), vendor_client());  // a worker serves it
    ASSERT_TRUE(client.connect());
    const auto threads = sdk_threads();
    ASSERT_GE(threads.size(), 3u);  // housekeeping, the workers, the watcher, the admin listener
    for (const auto& tid : threads) {
        const auto mask = blocked_of(tid);
        if (!mask) continue;  // ended meanwhile
        for (const int sig :
             {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGPIPE, SIGALRM, SIGCHLD}) {
            EXPECT_TRUE(has(*mask, sig)) << "thread " << tid << " takes signal " << sig;
        }
        for (const int sig : {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGPROF}) {
            EXPECT_FALSE(has(*mask, sig)) << "thread " << tid << " blocks signal " << sig;
        }
    }
}

TEST(Signals, RunUntilSignalReloadsOnSighupAndStopsOnSigterm) {
    const StopSignals blocked(SIG_BLOCK);
    RunningReceiver r(dev_options());
    Runner runner(r.receiver());

    const std::size_t before = r.report_count(ErrorKind::TrustReloaded);
    EXPECT_EQ(::kill(::getpid(), SIGHUP), 0);
    EXPECT_TRUE(eventually([&] { return r.report_count(ErrorKind::TrustReloaded) > before; }));
    EXPECT_EQ(r.receiver().metrics().reloads_ok, 1u);
    TlsClient client(r.port(), vendor_client());
    EXPECT_TRUE(client.connect());  // still serving

    EXPECT_EQ(::kill(::getpid(), SIGTERM), 0);
    EXPECT_EQ(runner.result(), SIGTERM);
    EXPECT_FALSE(r.receiver().ready());
    TlsClient late(r.port(), vendor_client());
    EXPECT_FALSE(late.connect());
}

TEST(Signals, ARefusedReloadOnSighupIsReportedAndTheReceiverGoesOn) {
    const StopSignals blocked(SIG_BLOCK);
    RunningReceiver r(dev_options(), [](Receiver& rec) {
        rec.reload_source([]() -> ReceiverOptions { throw std::runtime_error("config.json: unreadable"); });
    });
    Runner runner(r.receiver());
    EXPECT_EQ(::kill(::getpid(), SIGHUP), 0);
    EXPECT_TRUE(eventually([&] { return r.report_count(ErrorKind::ReloadFailed) > 0; }));
    bool named = false;
    for (const auto& e : r.reports()) named |= e.message.find("config.json: unreadable") != std::string::npos;
    EXPECT_TRUE(named);
    TlsClient client(r.port(), vendor_client());
    EXPECT_TRUE(client.connect());
    EXPECT_EQ(::kill(::getpid(), SIGINT), 0);
    EXPECT_EQ(runner.result(), SIGINT);
}

TEST(Signals, RunUntilSignalStartsAReceiverNotStartedYet) {
    const StopSignals blocked(SIG_BLOCK);
    Receiver receiver(dev_options());
    Runner runner(receiver);
    EXPECT_TRUE(eventually([&] { return receiver.ready(); }));
    EXPECT_EQ(::kill(::getpid(), SIGTERM), 0);
    EXPECT_EQ(runner.result(), SIGTERM);
    EXPECT_FALSE(receiver.ready());
}

TEST(Signals, AStopRequestedByAHandlerIsCompletedAndRunUntilSignalReturnsZero) {
    const StopSignals blocked(SIG_BLOCK);
    RunningReceiver r(dev_options(), [](Receiver& rec) {
        rec.on_raw("State.StateChange", [&rec](const nlohmann::json&, const CallbackContext&) {
            rec.stop();  // from a worker: only requested
            return Decision::allow();
        });
    });
    Runner runner(r.receiver());
    TlsClient client(r.port(), vendor_client());
    ASSERT_TRUE(client.connect());
    (void)client.post(callback_target("State.StateChange"), fixture("State.StateChange.json"));
    EXPECT_EQ(runner.result(), 0);
    EXPECT_FALSE(r.receiver().ready());
}

}  // namespace
}  // namespace imcb::test
