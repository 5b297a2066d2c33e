#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "imcb/export.h"

namespace imcb {

/// Client platforms, as OptPlatform and StateChange's KickedDevice.Platform name them.
enum class Platform { RestApi, Web, Android, IOS, Windows, Mac, IPad, Linux, Unknown };

/// The platform a value names, compared case-insensitively: State.StateChange writes "IOS" where
/// every other callback writes "iOS", and some pages write "macOS" for "Mac". "RESTAPI" is a call
/// through the vendor's REST API; anything else (or nothing) is Platform::Unknown.
IMCB_API Platform platform_of(std::string_view value) noexcept;
IMCB_API const char* to_string(Platform platform) noexcept;

/// The verified client certificate of the connection a callback arrived on.
struct PeerIdentity {
    std::string subject;                    ///< RFC 2253 form, e.g. "CN=im.vendor,O=Vendor"
    std::string common_name;                ///< subject CN, empty if none
    std::vector<std::string> dns_names;     ///< subjectAltName DNS entries
    std::vector<std::string> ip_addresses;  ///< subjectAltName IP entries
    std::string serial_hex;                 ///< upper-case hex
    std::string sha256_fingerprint;         ///< lower-case hex of SHA-256 over the DER certificate
    std::string spki_sha256;                ///< lower-case hex of SHA-256 over the DER public key
    std::string not_after;                  ///< ISO 8601 UTC
    bool session_resumed = false;           ///< the TLS session was resumed, not fully negotiated
};

/// The identity of an event, the same each time the vendor sends it (a retry): C2C messages by
/// MsgKey, group messages by GroupId and MsgSeq (an edit or extension change of a message by
/// those and its EventTime and Seq), other events by command, EventTime, the accounts
/// they name and a digest of the body. Events without any of these are keyed by their whole body.
IMCB_API std::string event_key(std::string_view command, const nlohmann::json& body);

namespace detail {
struct ContextAccess;  // how the SDK fills in the identity and the body
inline const PeerIdentity& no_peer() {
    static const PeerIdentity none;
    return none;
}
inline const nlohmann::json& no_body() {
    static const nlohmann::json none;
    return none;
}
}  // namespace detail

/// Everything about one callback besides its typed payload. Valid only during the handler call,
/// which sees it const: the identity and the body are reachable only through const accessors.
struct CallbackContext {
    std::string command;  ///< CallbackCommand from the URL (the dispatch key)
    std::uint64_t sdk_app_id = 0;
    std::string client_ip;     ///< ClientIP parameter: the end user's address (absent on some)
    std::string opt_platform;  ///< OptPlatform parameter, e.g. "iOS", "RESTAPI"
    std::string content_type;  ///< contenttype parameter, normally "json"
    std::optional<std::int64_t> request_time;  ///< RequestTime, seconds, when signed
    std::string remote_addr;                   ///< "ip:port" of the TLS peer (the vendor's egress address)
    /// Unique within the process: the same id is on the request's log lines and error reports.
    std::string request_id;
    std::size_t batch_index = 0;  ///< position of this event in a batch (0 for single events)
    std::size_t batch_size = 1;   ///< events in the batch (1 for single events)
    /// 1 on the first delivery. More when the event comes from the journal again: an earlier
    /// attempt failed, or the process stopped during it, so the event may have been handled.
    unsigned delivery_attempt = 1;

    /// event_key(command, raw()): use it to make a handler idempotent across redeliveries.
    std::string event_key() const { return imcb::event_key(command, *body_); }

    /// The vendor's verified client certificate. With tls.client_auth "none", an empty identity
    /// (no certificate).
    const PeerIdentity& peer_identity() const { return *peer_; }
    /// opt_platform as a Platform (Unknown when absent).
    Platform platform() const noexcept { return platform_of(opt_platform); }
    /// The parsed body, unknown fields included; for batched commands, this event of the batch.
    const nlohmann::json& raw() const { return *body_; }

  private:
    friend struct detail::ContextAccess;
    const PeerIdentity* peer_ = &detail::no_peer();
    const nlohmann::json* body_ = &detail::no_body();
};

}  // namespace imcb
