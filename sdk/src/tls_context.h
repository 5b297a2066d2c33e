#pragma once

// Trust material as one immutable snapshot: the server chain and key, the vendor CA store and the
// identity rules, compiled into an SSL_CTX. A reload builds a new snapshot and swaps it in; each
// connection keeps the snapshot it was accepted with.

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "imcb/config_check.h"
#include "imcb/metrics.h"
#include "imcb/options.h"
#include "chain_cache.h"
#include "openssl_ptr.h"
#include "peer_identity.h"

namespace imcb::detail {

/// What TrustSnapshot::admit decided about the peer of a connection whose handshake completed.
struct PeerAdmission {
    std::shared_ptr<const PeerIdentity> identity;  ///< null: refused, for `failure` and `why`
    HandshakeFailure failure = HandshakeFailure::IdentityMismatch;
    std::string why;
    /// The vendor certificate is not the one last seen: its expiry is worth recording.
    bool newly_seen = false;
    std::int64_t not_after = 0;  ///< the client certificate's notAfter (Unix time)
};

struct TrustSnapshot {
    SslCtxPtr ctx;
    IdentityRules rules;
    std::uint64_t generation = 0;
    TlsSummary summary;
    ClientAuth client_auth = ClientAuth::Required;
    CrlExpiry crl_policy = CrlExpiry::Warn;
    std::int64_t ca_not_after = 0;  ///< earliest expiry among the vendor CAs (Unix time)
    /// Earliest nextUpdate among the CRLs (Unix time; the maximum when there are none): no cached
    /// chain outlives it, and with crl_policy Refuse no session ticket either.
    std::int64_t crl_next_update = 0;
    mutable VerifiedChainCache verified_chains;
    /// The identity last reported to Counters::saw_client_certificate, held (so that its address
    /// is never reused by another while compared) and swapped with std::atomic_exchange.
    mutable std::shared_ptr<const PeerIdentity> last_reported_identity;

    /// The identity of a client certificate that passed this snapshot's rules, described once
    /// (keyed by the certificate's SHA-256); null when it is not known yet.
    std::shared_ptr<const PeerIdentity> known_identity(const VerifiedChainCache::Key& leaf) const;
    void remember_identity(const VerifiedChainCache::Key& leaf,
                           std::shared_ptr<const PeerIdentity> identity) const;
    /// The certificate policy for an established connection: with client_auth "none" an empty
    /// identity; otherwise the client certificate must be there, within its dates and match the
    /// identity rules. Defence in depth: the verify callback (full handshakes) and the ticket
    /// callback (resumptions) already enforce them; no connection is served without them holding.
    PeerAdmission admit(SSL& ssl) const;

  private:
    mutable std::mutex identities_mu_;
    mutable std::map<VerifiedChainCache::Key, std::shared_ptr<const PeerIdentity>> identities_;

  public:
    explicit TrustSnapshot(const VendorIdentity& identity) : rules(identity) {}
};

/// Validates the options' files and builds the snapshot. Throws ConfigError.
std::shared_ptr<const TrustSnapshot> make_trust_snapshot(const TlsOptions& tls, std::uint64_t generation);

/// Why a handshake failed, filled by the verify callback; attached to each SSL.
struct HandshakeNote {
    std::string reason;
    bool identity_rejected = false;
    /// Set with `reason` by the verify callback; otherwise the transport classifies the failure
    /// from OpenSSL's error (handshake_reason.h).
    bool classified = false;
    HandshakeFailure failure = HandshakeFailure::Other;
    /// The chain was checked against a CRL past its nextUpdate and accepted (tls.crl_expired
    /// "warn"); what it says for the report.
    std::string expired_crl;
};
void attach_note(SSL* ssl, HandshakeNote* note);

/// The whole content of a trust file; throws ConfigError naming `key` when it cannot be read.
std::string read_trust_file(const std::string& path, const std::string& key);

/// Everything left in OpenSSL's error queue for this thread, as one line; clears the queue.
std::string openssl_errors();

}  // namespace imcb::detail
