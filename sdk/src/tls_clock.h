#pragma once

// The time the TLS layer's date checks use: client chain verification, the verified-chain cache
// and the session ticket checks. It is the system clock; tests fix it to prove what happens when
// a certificate expires while its chain is cached or its session is resumed, over real handshakes.

#include <atomic>
#include <cstdint>
#include <ctime>

namespace imcb::detail {

/// 0: the system clock; otherwise the Unix time every TLS date check uses (tests only).
inline std::atomic<std::int64_t> g_tls_fixed_now{0};

inline std::time_t tls_now() noexcept {
    const std::int64_t fixed = g_tls_fixed_now.load(std::memory_order_relaxed);
    return fixed != 0 ? static_cast<std::time_t>(fixed) : std::time(nullptr);
}

/// Fixes the TLS layer's clock at `unix_time`; 0 returns it to the system clock.
inline void set_tls_clock_for_testing(std::int64_t unix_time) noexcept {
    g_tls_fixed_now.store(unix_time, std::memory_order_relaxed);
}

}  // namespace imcb::detail
