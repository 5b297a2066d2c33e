#include "source_filter.h"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <cstring>

#include "imcb/errors.h"

namespace imcb::detail {
namespace {

constexpr std::array<std::uint8_t, 12> kMappedPrefix = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

std::array<std::uint8_t, 16> mapped(const in_addr& a) {
    std::array<std::uint8_t, 16> out{};
    std::memcpy(out.data(), kMappedPrefix.data(), kMappedPrefix.size());
    std::memcpy(out.data() + 12, &a, 4);
    return out;
}

// A textual address as 16 bytes (IPv4 mapped); `v4` tells which form it was written in.
bool parse_address(const std::string& text, std::array<std::uint8_t, 16>& out, bool& v4) {
    in_addr a4{};
    if (inet_pton(AF_INET, text.c_str(), &a4) == 1) {
        out = mapped(a4);
        v4 = true;
        return true;
    }
    in6_addr a6{};
    if (inet_pton(AF_INET6, text.c_str(), &a6) == 1) {
        std::memcpy(out.data(), &a6, 16);
        v4 = false;
        return true;
    }
    return false;
}

bool prefix_matches(const std::array<std::uint8_t, 16>& a, const SourceRange& r) noexcept {
    const int whole = r.prefix / 8;
    if (std::memcmp(a.data(), r.address.data(), static_cast<std::size_t>(whole)) != 0) return false;
    const int rest = r.prefix % 8;
    if (rest == 0) return true;
    const auto mask = static_cast<std::uint8_t>(0xff << (8 - rest));
    return (a[static_cast<std::size_t>(whole)] & mask) == r.address[static_cast<std::size_t>(whole)];
}

}  // namespace

bool parse_source_range(std::string_view entry, SourceRange& out, std::string& why) {
    const auto slash = entry.find('/');
    const std::string address(entry.substr(0, slash));
    bool v4 = false;
    if (address.empty() || !parse_address(address, out.address, v4)) {
        why = "is not an IPv4 or IPv6 address range";
        return false;
    }
    const int max_prefix = v4 ? 32 : 128;
    int prefix = max_prefix;
    if (slash != std::string_view::npos) {
        const std::string_view digits = entry.substr(slash + 1);
        if (digits.empty() || digits.size() > 3 ||
            digits.find_first_not_of("0123456789") != std::string_view::npos) {
            why = "has no prefix length after '/'";
            return false;
        }
        prefix = std::stoi(std::string(digits));
        if (prefix > max_prefix) {
            why = "has a prefix length over /" + std::to_string(max_prefix);
            return false;
        }
    }
    out.prefix = v4 ? 96 + prefix : prefix;
    // Bits past the prefix: "10.0.0.1/8" is more likely a typo than a wish for 10.0.0.0/8.
    SourceRange network = out;
    for (int bit = out.prefix; bit < 128; ++bit) {
        network.address[static_cast<std::size_t>(bit / 8)] &= static_cast<std::uint8_t>(~(0x80 >> (bit % 8)));
    }
    if (network.address != out.address) {
        char text[INET6_ADDRSTRLEN] = {};
        if (v4) {
            inet_ntop(AF_INET, network.address.data() + 12, text, sizeof text);
        } else {
            inet_ntop(AF_INET6, network.address.data(), text, sizeof text);
        }
        why = "has address bits set past its /" + std::to_string(prefix) + " prefix (the range is " + text +
              "/" + std::to_string(prefix) + ")";
        return false;
    }
    return true;
}

SourceFilter::SourceFilter(const std::vector<std::string>& entries) {
    ranges_.reserve(entries.size());
    for (const auto& entry : entries) {
        SourceRange r;
        std::string why;
        if (!parse_source_range(entry, r, why)) {
            throw ConfigError(ErrorCode::InvalidOption,
                              "allow_sources entry \"" + entry + "\" " + why +
                                  ": write a range in CIDR form (\"192.0.2.0/24\", \"2001:db8::/32\") "
                                  "or a bare address (\"192.0.2.7\")");
        }
        ranges_.push_back(r);
    }
}

bool SourceFilter::matches(const std::array<std::uint8_t, 16>& address) const noexcept {
    for (const auto& r : ranges_) {
        if (prefix_matches(address, r)) return true;
    }
    return false;
}

bool SourceFilter::allows(const sockaddr_storage& peer) const noexcept {
    if (ranges_.empty()) return true;
    if (peer.ss_family == AF_INET) {
        return matches(mapped(reinterpret_cast<const sockaddr_in*>(&peer)->sin_addr));
    }
    if (peer.ss_family == AF_INET6) {
        std::array<std::uint8_t, 16> a{};
        std::memcpy(a.data(), &reinterpret_cast<const sockaddr_in6*>(&peer)->sin6_addr, 16);
        return matches(a);
    }
    return false;
}

bool SourceFilter::allows(std::string_view address) const noexcept {
    if (ranges_.empty()) return true;
    std::array<std::uint8_t, 16> a{};
    bool v4 = false;
    try {
        if (!parse_address(std::string(address), a, v4)) return false;
    } catch (...) {
        return false;
    }
    return matches(a);
}

}  // namespace imcb::detail
