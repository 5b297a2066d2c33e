#pragma once

// What the fuzz targets share: a check that aborts (libFuzzer then saves the input as a crash)
// and the properties every report line must have.

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

/// Aborts with the condition and `detail` (a std::string expression, evaluated only on failure).
#define IMCB_FUZZ_CHECK(cond, detail)                                                                 \
    do {                                                                                              \
        if (!(cond)) {                                                                                \
            const std::string imcb_fuzz_detail_ = (detail);                                           \
            std::fprintf(stderr, "fuzz check failed at %s:%d: %s\n  %s\n", __FILE__, __LINE__, #cond, \
                         imcb_fuzz_detail_.c_str());                                                  \
            std::abort();                                                                             \
        }                                                                                             \
    } while (0)

namespace imcb::fuzz {

/// Only printable ASCII: what a report line may hold, whatever the request carried.
inline bool printable(std::string_view text) {
    for (const char c : text) {
        if (c < 0x20 || c > 0x7e) return false;
    }
    return true;
}

/// What a report line may hold, whatever the request carried: valid UTF-8 without control
/// characters (C0, DEL, C1).
inline bool safe_line(std::string_view text) {
    const auto* p = reinterpret_cast<const unsigned char*>(text.data());
    const std::size_t n = text.size();
    for (std::size_t i = 0; i < n;) {
        const unsigned c = p[i];
        if (c < 0x20 || c == 0x7f) return false;
        if (c < 0x80) {
            ++i;
            continue;
        }
        const std::size_t len = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc2 ? 2 : 0;
        if (len == 0 || c > 0xf4 || i + len > n) return false;
        std::uint32_t cp = c & (0x7f >> len);
        for (std::size_t k = 1; k < len; ++k) {
            if ((p[i + k] & 0xc0) != 0x80) return false;
            cp = (cp << 6) | (p[i + k] & 0x3f);
        }
        const std::uint32_t min = len == 2 ? 0x80 : len == 3 ? 0x800 : 0x10000;
        if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff) || (cp >= 0x80 && cp <= 0x9f)) {
            return false;
        }
        i += len;
    }
    return true;
}

/// The view lies inside `whole` (or is empty).
inline bool within(std::string_view part, std::string_view whole) {
    return part.empty() ||
           (part.data() >= whole.data() && part.data() + part.size() <= whole.data() + whole.size());
}

/// Bytes as C-escaped text, for failure messages.
inline std::string escaped(std::string_view bytes, std::size_t max = 200) {
    static const char* const hex = "0123456789abcdef";
    std::string out;
    for (std::size_t i = 0; i < bytes.size() && i < max; ++i) {
        const auto c = static_cast<unsigned char>(bytes[i]);
        if (c >= 0x20 && c < 0x7f && c != '\\') {
            out += static_cast<char>(c);
        } else {
            out += "\\x";
            out += hex[c >> 4];
            out += hex[c & 15];
        }
    }
    if (bytes.size() > max) out += "...";
    return out;
}

}  // namespace imcb::fuzz
