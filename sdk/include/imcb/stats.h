#pragma once

#include <cstdint>

namespace imcb {

/// Counters since start(). Read with Receiver::stats().
struct ReceiverStats {
    std::uint64_t connections_accepted = 0;
    std::uint64_t connections_refused = 0;         ///< closed at accept: over max_connections
    std::uint64_t connections_refused_per_ip = 0;  ///< closed at accept: over max_connections_per_ip
    std::uint64_t handshakes_evicted = 0;  ///< oldest handshakes closed to stay within max_handshaking
    std::uint64_t handshakes_completed = 0;
    std::uint64_t handshakes_resumed = 0;
    std::uint64_t handshakes_failed = 0;
    std::uint64_t chain_cache_hits = 0;  ///< client chains accepted from the verified-chain cache
    std::uint64_t identity_rejected = 0;
    std::uint64_t requests = 0;
    std::uint64_t requests_rejected = 0;  ///< any non-200 reply
    std::uint64_t handler_failures = 0;
    std::uint64_t before_deadline_missed = 0;  ///< before-callbacks answered by the deadline guard
    std::uint64_t journal_appended = 0;        ///< events made durable before their 200
    std::uint64_t journal_delivered = 0;       ///< journaled events whose handler succeeded
    std::uint64_t journal_retries = 0;         ///< failed deliveries scheduled again
    std::uint64_t journal_dead_letters = 0;    ///< events moved to dead-letter.jsonl
    std::uint64_t journal_refused = 0;         ///< callbacks refused because the journal was full or failing
    std::uint64_t journal_pending = 0;         ///< events waiting for (another) delivery
    std::uint64_t duplicates_dropped = 0;      ///< after-events seen again within dedup.window_s
    std::uint64_t open_connections = 0;
    std::uint64_t handshaking_connections = 0;  ///< open connections still in the TLS handshake
    std::uint64_t worker_threads = 0;
};

}  // namespace imcb
