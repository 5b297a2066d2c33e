#pragma once

// allow_sources: the peer address ranges allowed to connect, checked at accept before any TLS
// work. IPv4 ranges are kept as IPv4-mapped IPv6 ranges (::ffff:a.b.c.d/96+n), so that a peer
// seen through a dual-stack listener (::ffff:192.0.2.7) matches the IPv4 range it belongs to.

#include <sys/socket.h>

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace imcb::detail {

struct SourceRange {
    std::array<std::uint8_t, 16> address{};  ///< network address, IPv6 or IPv4-mapped
    int prefix = 0;                          ///< 0..128 over the 16 bytes
};

/// One entry: "192.0.2.0/24", "2001:db8::/32" or a bare address (/32, /128). Empty with `why`
/// set when the entry is not a range (garbage, a prefix out of range, bits set past the prefix).
bool parse_source_range(std::string_view entry, SourceRange& out, std::string& why);

class SourceFilter {
  public:
    /// Throws ConfigError naming allow_sources, the entry and the fix.
    explicit SourceFilter(const std::vector<std::string>& entries);
    /// No ranges: every address is allowed.
    bool allows_any() const noexcept { return ranges_.empty(); }
    /// An AF_INET or AF_INET6 peer address; other families are refused when ranges are set.
    bool allows(const sockaddr_storage& peer) const noexcept;
    /// A textual address ("192.0.2.7", "::ffff:192.0.2.7", "2001:db8::1"); false when unparsable.
    bool allows(std::string_view address) const noexcept;
    std::size_t size() const noexcept { return ranges_.size(); }

  private:
    bool matches(const std::array<std::uint8_t, 16>& address) const noexcept;
    std::vector<SourceRange> ranges_;
};

}  // namespace imcb::detail
