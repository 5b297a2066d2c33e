#pragma once

// Trust material as one immutable snapshot: the server chain and key, the vendor CA store and the
// identity rules, compiled into an SSL_CTX. A reload builds a new snapshot and swaps it in; each
// connection keeps the snapshot it was accepted with.

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "imcb/config_check.h"
#include "imcb/options.h"
#include "chain_cache.h"
#include "openssl_ptr.h"
#include "peer_identity.h"

namespace imcb::detail {

struct TrustSnapshot {
    SslCtxPtr ctx;
    IdentityRules rules;
    std::uint64_t generation = 0;
    TlsSummary summary;
    std::int64_t ca_not_after = 0;  ///< earliest expiry among the vendor CAs (Unix time)
    mutable VerifiedChainCache verified_chains;

    /// The identity of a client certificate that passed this snapshot's rules, described once
    /// (keyed by the certificate's SHA-256); null when it is not known yet.
    std::shared_ptr<const PeerIdentity> known_identity(const VerifiedChainCache::Key& leaf) const;
    void remember_identity(const VerifiedChainCache::Key& leaf,
                           std::shared_ptr<const PeerIdentity> identity) const;

  private:
    mutable std::mutex identities_mu_;
    mutable std::map<VerifiedChainCache::Key, std::shared_ptr<const PeerIdentity>> identities_;

  public:

    explicit TrustSnapshot(const VendorIdentity& identity) : rules(identity) {}
};

/// Validates the options' files and builds the snapshot. Throws ConfigError.
std::shared_ptr<const TrustSnapshot> make_trust_snapshot(const TlsOptions& tls,
                                                         std::uint64_t generation);

/// Why a handshake failed, filled by the verify callback; attached to each SSL.
struct HandshakeNote {
    std::string reason;
    bool identity_rejected = false;
};
void attach_note(SSL* ssl, HandshakeNote* note);

/// Everything left in OpenSSL's error queue for this thread, as one line; clears the queue.
std::string openssl_errors();

}  // namespace imcb::detail
