#pragma once

// Lower-case hexadecimal, the one spelling of digests, fingerprints, request ids and escapes.

#include <cstddef>
#include <string>

namespace imcb::detail {

inline constexpr char kHexDigits[] = "0123456789abcdef";

/// Two lower-case hex digits per byte.
inline std::string hex_lower(const unsigned char* data, std::size_t n) {
    std::string out(n * 2, '0');
    for (std::size_t i = 0; i < n; ++i) {
        out[2 * i] = kHexDigits[data[i] >> 4];
        out[2 * i + 1] = kHexDigits[data[i] & 0xf];
    }
    return out;
}

}  // namespace imcb::detail
