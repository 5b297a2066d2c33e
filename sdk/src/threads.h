#pragma once

// The SDK's own threads (workers, housekeeping, delivery, the watcher, the admin listener) start
// with every asynchronous signal blocked, so that the application alone decides which of its
// threads takes SIGINT, SIGTERM or SIGHUP. Signals raised by a fault (SIGSEGV, SIGBUS, SIGFPE,
// SIGILL, SIGTRAP, SIGSYS) stay deliverable: blocking them is undefined.

#include <functional>
#include <thread>

namespace imcb::detail {

/// std::thread(body) with the signals above blocked in the new thread; the caller's mask is left
/// as it was. Throws std::system_error as std::thread does.
std::thread start_thread(std::function<void()> body);

}  // namespace imcb::detail
