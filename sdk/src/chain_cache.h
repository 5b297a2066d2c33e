#pragma once

// A cache of client certificate chains that passed full verification, so that the vendor's
// client, which presents the same chain thousands of times, is not run through chain building
// on every handshake. An entry belongs to one trust snapshot, so a trust change (new vendor CAs,
// new CRLs, new pins) starts from an empty cache; it is keyed by the SHA-256 of every certificate
// the client sent, and is valid only while every certificate of the verified chain is within its
// validity dates and, when the snapshot has CRLs (tls.crl), no later than the earliest of their
// nextUpdate times (the `bound` of insert()). Within one snapshot, the certificates' dates and the
// CRLs' currency are all a full verification would look at again: the CRLs themselves cannot change
// without a new snapshot. A chain accepted with a warning (an expired CRL under tls.crl_expired
// "warn") is not inserted, so each handshake verifies it again and reports it.

#include <array>
#include <atomic>
#include <cstdint>
#include <cstddef>
#include <ctime>
#include <limits>
#include <memory>
#include <mutex>
#include <unordered_map>

#include <openssl/x509.h>

#include "imcb/context.h"

namespace imcb::detail {

class VerifiedChainCache {
  public:
    using Key = std::array<unsigned char, 32>;

    explicit VerifiedChainCache(std::size_t capacity = 256) : capacity_(capacity) {}

    /// The key of what the client sent: the leaf and its untrusted intermediates, in order.
    static bool key_of(X509& leaf, STACK_OF(X509) * untrusted, Key& out);

    /// True when `key` passed full verification and `now` is inside its chain's validity.
    bool contains(const Key& key, std::time_t now) const;
    /// Records a chain that passed full verification (the verified chain, root included), valid
    /// at most until `bound` (Unix time) besides its certificates' dates.
    void insert(const Key& key, STACK_OF(X509) * verified_chain,
                std::time_t bound = std::numeric_limits<std::time_t>::max());

    std::size_t size() const;
    std::uint64_t hits() const noexcept { return hits_.load(); }

  private:
    struct KeyHash {
        std::size_t operator()(const Key& k) const noexcept;
    };
    struct Entry {
        std::time_t not_before;
        std::time_t not_after;
    };
    std::size_t capacity_;
    mutable std::mutex mu_;
    std::unordered_map<Key, Entry, KeyHash> entries_;
    mutable std::atomic<std::uint64_t> hits_{0};
};

}  // namespace imcb::detail
