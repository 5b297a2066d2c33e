#pragma once

// The SDK's own threads (workers, housekeeping, delivery, the watcher, the admin listener) start
// with every asynchronous signal blocked, so that the application alone decides which of its
// threads takes SIGINT, SIGTERM or SIGHUP. Signals raised by a fault (SIGSEGV, SIGBUS, SIGFPE,
// SIGILL, SIGTRAP, SIGSYS) stay deliverable, since blocking them is undefined, and so does SIGPROF,
// for sampling profilers. Handlers run on these threads: a process a handler starts inherits the
// mask (unblock what it needs between fork and exec, or use posix_spawnattr_setsigmask). Each
// thread is named ("imcb-worker", ...) for top -H, gdb and /proc.

#include <functional>
#include <thread>

namespace imcb::detail {

/// std::thread(body) with the signals above blocked in the new thread, named `name` (at most 15
/// characters); the caller's mask is left as it was. Throws std::system_error as std::thread does.
std::thread start_thread(const char* name, std::function<void()> body);

}  // namespace imcb::detail
