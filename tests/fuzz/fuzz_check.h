#pragma once

// What the fuzz targets share: a check that aborts (libFuzzer then saves the input as a crash)
// and the properties every report line must have.

#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

/// Aborts with the condition and `detail` (a std::string expression, evaluated only on failure).
#define IMCB_FUZZ_CHECK(cond, detail)                                                       \
    do {                                                                                    \
        if (!(cond)) {                                                                      \
            const std::string imcb_fuzz_detail_ = (detail);                                 \
            std::fprintf(stderr, "fuzz check failed at %s:%d: %s\n  %s\n", __FILE__, __LINE__, \
                         #cond, imcb_fuzz_detail_.c_str());                                 \
            std::abort();                                                                   \
        }                                                                                   \
    } while (0)

namespace imcb::fuzz {

/// Only printable ASCII: what a report line may hold, whatever the request carried.
inline bool printable(std::string_view text) {
    for (const char c : text) {
        if (c < 0x20 || c > 0x7e) return false;
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
