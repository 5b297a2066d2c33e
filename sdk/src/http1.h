#pragma once

// A strict HTTP/1.1 request-head parser for callbacks: request line, then header lines, each
// ending in CRLF, then an empty line. No obsolete line folding, no bare LF, no absolute-form or
// asterisk targets: anything unusual is refused rather than interpreted, which leaves no room
// for two readings of one request.

#include <cstddef>
#include <string_view>

namespace imcb::detail::http1 {

struct RequestHead {
    std::string_view method;
    std::string_view target;     ///< origin-form: path and optional "?query"
    std::string_view path;       ///< target before '?', still percent-encoded
    int minor_version = 1;       ///< HTTP/1.<minor>
    std::size_t head_bytes = 0;  ///< request line, headers and the empty line

    std::size_t host_headers = 0;  ///< RFC 9112: exactly one in HTTP/1.1, at most one in 1.0
    std::size_t content_length_headers = 0;
    std::string_view content_length;
    bool transfer_encoding = false;
    std::string_view content_encoding;
    std::string_view expect;
    bool connection_close = false;
    bool connection_keep_alive = false;

    /// Whether the connection may serve another request after this one.
    bool keep_alive() const {
        return minor_version >= 1 ? !connection_close : connection_keep_alive && !connection_close;
    }
};

enum class Parse { Complete, Incomplete, Invalid };

struct ParseResult {
    Parse outcome = Parse::Incomplete;
    int status = 0;        ///< for Invalid: 400, 414, 431 or 505
    const char* why = "";  ///< for Invalid: what is wrong
};

struct Limits {
    std::size_t max_head_bytes = 16 * 1024;
    std::size_t max_target_bytes = 8 * 1024;
    std::size_t max_headers = 100;
};

/// Parses the head at the start of `input`. Incomplete: more bytes are needed (and `input` is
/// still within the limits).
ParseResult parse_head(std::string_view input, const Limits& limits, RequestHead& out);

/// Percent-decodes a path ("%2F" stays a byte, '+' stays '+'); false on a malformed escape.
bool decode_path(std::string_view in, std::string& out);

/// Case-insensitive ASCII comparison.
bool iequals(std::string_view a, std::string_view b);

}  // namespace imcb::detail::http1
