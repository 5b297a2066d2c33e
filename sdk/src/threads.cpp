#include "threads.h"

#include <pthread.h>
#include <signal.h>

#include <utility>

namespace imcb::detail {
namespace {

// Restores the caller's signal mask however the thread's creation ends.
class MaskGuard {
  public:
    explicit MaskGuard(const sigset_t& block) { pthread_sigmask(SIG_BLOCK, &block, &saved_); }
    ~MaskGuard() { pthread_sigmask(SIG_SETMASK, &saved_, nullptr); }
    MaskGuard(const MaskGuard&) = delete;
    MaskGuard& operator=(const MaskGuard&) = delete;

  private:
    sigset_t saved_{};
};

sigset_t asynchronous_signals() {
    sigset_t set;
    sigfillset(&set);
    for (const int sig : {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGTRAP, SIGSYS, SIGPROF}) sigdelset(&set, sig);
    return set;
}

}  // namespace

std::thread start_thread(const char* name, std::function<void()> body) {
    static const sigset_t blocked = asynchronous_signals();
    const MaskGuard guard(blocked);  // a new thread inherits its creator's mask
    return std::thread([name, body = std::move(body)] {
        pthread_setname_np(pthread_self(), name);  // a name too long is refused, and harmless
        body();
    });
}

}  // namespace imcb::detail
