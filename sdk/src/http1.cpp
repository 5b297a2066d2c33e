#include "http1.h"

#include <string>

namespace imcb::detail::http1 {
namespace {

bool is_tchar(char c) {
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
    return std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

bool is_target_char(char c) { return c > 0x20 && c < 0x7f; }

bool is_value_char(char c) {
    const auto u = static_cast<unsigned char>(c);
    return u == '\t' || (u >= 0x20 && u != 0x7f);
}

std::string_view trim(std::string_view v) {
    while (!v.empty() && (v.front() == ' ' || v.front() == '\t')) v.remove_prefix(1);
    while (!v.empty() && (v.back() == ' ' || v.back() == '\t')) v.remove_suffix(1);
    return v;
}

ParseResult invalid(int status, const char* why) { return {Parse::Invalid, status, why}; }

// Records the headers the receiver acts on; the others are only checked for syntax.
void note_header(std::string_view name, std::string_view value, RequestHead& out) {
    if (iequals(name, "host")) {
        ++out.host_headers;
    } else if (iequals(name, "content-length")) {
        ++out.content_length_headers;
        out.content_length = value;
    } else if (iequals(name, "transfer-encoding")) {
        out.transfer_encoding = true;
    } else if (iequals(name, "content-encoding")) {
        out.content_encoding = value;
    } else if (iequals(name, "expect")) {
        out.expect = value;
    } else if (iequals(name, "connection")) {
        // A comma-separated list of tokens.
        while (!value.empty()) {
            const auto comma = value.find(',');
            const std::string_view token = trim(value.substr(0, comma));
            if (iequals(token, "close")) out.connection_close = true;
            if (iequals(token, "keep-alive")) out.connection_keep_alive = true;
            value = comma == std::string_view::npos ? std::string_view{} : value.substr(comma + 1);
        }
    }
}

}  // namespace

bool iequals(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        char x = a[i];
        char y = b[i];
        if (x >= 'A' && x <= 'Z') x = static_cast<char>(x + 32);
        if (y >= 'A' && y <= 'Z') y = static_cast<char>(y + 32);
        if (x != y) return false;
    }
    return true;
}

ParseResult parse_head(std::string_view input, const Limits& limits, RequestHead& out) {
    out = RequestHead{};
    // Request line.
    const auto eol = input.find("\r\n");
    if (eol == std::string_view::npos) {
        if (input.size() > limits.max_target_bytes + 32) return invalid(414, "request line too long");
        if (input.find('\n') != std::string_view::npos) return invalid(400, "line not ended by CRLF");
        if (input.size() > limits.max_head_bytes) return invalid(431, "request head too large");
        return {};
    }
    const std::string_view line = input.substr(0, eol);
    const auto sp1 = line.find(' ');
    const auto sp2 = sp1 == std::string_view::npos ? sp1 : line.find(' ', sp1 + 1);
    if (sp1 == 0 || sp2 == std::string_view::npos || line.find(' ', sp2 + 1) != std::string_view::npos) {
        return invalid(400, "malformed request line");
    }
    out.method = line.substr(0, sp1);
    out.target = line.substr(sp1 + 1, sp2 - sp1 - 1);
    const std::string_view version = line.substr(sp2 + 1);
    for (const char c : out.method) {
        if (!is_tchar(c)) return invalid(400, "malformed method");
    }
    if (out.target.size() > limits.max_target_bytes) return invalid(414, "request target too long");
    if (out.target.empty() || out.target.front() != '/')
        return invalid(400, "request target must start with '/'");
    for (const char c : out.target) {
        if (!is_target_char(c)) return invalid(400, "malformed request target");
    }
    if (version.size() != 8 || version.compare(0, 5, "HTTP/") != 0 || version[6] != '.' || version[5] < '0' ||
        version[5] > '9' || version[7] < '0' || version[7] > '9') {
        return invalid(400, "malformed HTTP version");
    }
    if (version[5] != '1') return invalid(505, "only HTTP/1.x is served");
    out.minor_version = version[7] - '0';
    const auto q = out.target.find('?');
    out.path = out.target.substr(0, q);

    // Header lines.
    std::size_t pos = eol + 2;
    std::size_t count = 0;
    for (;;) {
        if (pos > limits.max_head_bytes) return invalid(431, "request head too large");
        const auto next = input.find("\r\n", pos);
        if (next == std::string_view::npos) {
            if (input.size() > limits.max_head_bytes) return invalid(431, "request head too large");
            if (input.find('\n', pos) != std::string_view::npos)
                return invalid(400, "line not ended by CRLF");
            return {};
        }
        if (next == pos) {  // the empty line ends the head
            out.head_bytes = pos + 2;
            if (out.head_bytes > limits.max_head_bytes) return invalid(431, "request head too large");
            return {Parse::Complete, 0, ""};
        }
        const std::string_view field = input.substr(pos, next - pos);
        if (field.find('\n') != std::string_view::npos || field.find('\r') != std::string_view::npos) {
            return invalid(400, "line not ended by CRLF");
        }
        if (field.front() == ' ' || field.front() == '\t') return invalid(400, "folded header line");
        const auto colon = field.find(':');
        if (colon == std::string_view::npos || colon == 0) return invalid(400, "malformed header line");
        const std::string_view name = field.substr(0, colon);
        for (const char c : name) {
            if (!is_tchar(c)) return invalid(400, "malformed header name");
        }
        const std::string_view value = trim(field.substr(colon + 1));
        for (const char c : value) {
            if (!is_value_char(c)) return invalid(400, "malformed header value");
        }
        if (++count > limits.max_headers) return invalid(431, "too many header lines");
        note_header(name, value, out);
        pos = next + 2;
    }
}

bool decode_path(std::string_view in, std::string& out) {
    out.clear();
    out.reserve(in.size());
    const auto hex = [](char c) {
        if (c >= '0' && c <= '9') return c - '0';
        if (c >= 'a' && c <= 'f') return c - 'a' + 10;
        if (c >= 'A' && c <= 'F') return c - 'A' + 10;
        return -1;
    };
    for (std::size_t i = 0; i < in.size(); ++i) {
        if (in[i] != '%') {
            out.push_back(in[i]);
            continue;
        }
        if (i + 2 >= in.size()) return false;
        const int hi = hex(in[i + 1]);
        const int lo = hex(in[i + 2]);
        if (hi < 0 || lo < 0) return false;
        out.push_back(static_cast<char>(hi * 16 + lo));
        i += 2;
    }
    return true;
}

}  // namespace imcb::detail::http1
